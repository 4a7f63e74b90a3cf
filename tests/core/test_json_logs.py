"""Logs as JSON lines: time, level, logger, message and the request's id; an exception by its
type and frames, never its text (which can quote a child's name)."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

from cpmis.audit import context
from cpmis.core.logging import JsonLinesFormatter


def logger_to(stream: io.StringIO) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(context.RequestIdFilter())
    log = logging.getLogger("cpmis.test.json")
    log.handlers = [handler]
    log.propagate = False
    log.setLevel(logging.INFO)
    return log


def test_a_line_is_one_json_object_with_the_request_id() -> None:
    out = io.StringIO()
    log = logger_to(out)
    token = context._current.set(context.RequestContext(ip_address=None, request_id="abc123"))
    try:
        log.info("job %s done", 7)
    finally:
        context._current.reset(token)
    log.warning("outside a request")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["message"] == "job 7 done" and first["request_id"] == "abc123"
    assert first["level"] == "INFO" and first["logger"] == "cpmis.test.json"
    assert first["time"].endswith("+00:00")
    assert second["request_id"] == ""


def test_an_exception_is_logged_by_its_type_and_frames_not_its_text() -> None:
    out = io.StringIO()
    log = logger_to(out)

    def fails(name: str) -> Any:
        raise ValueError(f"duplicate key value (name)=({name})")

    try:
        fails("Ghulam Sarwar")
    except ValueError:
        log.exception("saving failed")
    line = json.loads(out.getvalue())
    assert line["message"] == "saving failed"
    assert line["exc_info"].startswith("ValueError at test_json_logs.py:")
    assert "fails" in line["exc_info"]
    assert "Ghulam" not in out.getvalue()
