"""Keep personal data out of logs and error reports, and write logs as JSON lines.

Query strings can hold a searched name and free text can hold an identifier; both are
scrubbed from every log record, and error reports never include request bodies. In JSON
(``LOG_FORMAT=json``, production's default) an exception is logged by its type and frames,
never by its text.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from django.views.debug import SafeExceptionReporterFilter
from pythonjsonlogger.json import JsonFormatter

_QUERY_STRING = re.compile(r"\?[^\s\"']*")
_NATIONAL_ID = re.compile(r"\b\d{5}-?\d{7}-?\d\b")
_PHONE = re.compile(r"(?:\+92|0)3\d{2}[- ]?\d{7}\b")


def redact(text: str) -> str:
    text = _QUERY_STRING.sub("?[redacted]", text)
    text = _NATIONAL_ID.sub("[id redacted]", text)
    return _PHONE.sub("[phone redacted]", text)


def install_redacting_record_factory() -> None:
    """Redact every log record as it is made, whichever logger or handler it reaches."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "cpmis_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep it as it is
            return record
        record.msg = redact(message)
        record.args = None
        return record

    factory.cpmis_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RedactingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error pages and mails show no POST data and no query string at all."""

    def get_post_parameters(self, request: Any) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def is_active(self, request: Any) -> bool:
        return True


class JsonLinesFormatter(JsonFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request's
    id (``request_id``, set by the audit context's filter) and, for an error, the exception's
    type and where it was raised, frame by frame. Not the exception's own text: a database
    error or a validation message can quote a value, and a value can be a child's name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "rename_fields", {"levelname": "level", "name": "logger", "asctime": "time"}
        )
        kwargs.setdefault("timestamp", False)
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", *args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        from datetime import UTC, datetime

        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def formatException(self, ei: Any) -> str:  # type: ignore[override]
        kind, _, trace = ei
        frames = traceback.extract_tb(trace)
        where = " < ".join(
            f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in frames[::-1]
        )
        name = getattr(kind, "__qualname__", str(kind))
        return f"{name} at {where}" if where else name

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data["request_id"] = getattr(record, "request_id", "")
