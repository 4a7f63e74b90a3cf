"""Keep personal data out of logs and error reports.

Query strings can hold a searched name and free text can hold an identifier; both are
scrubbed from every log record, and error reports never include request bodies.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

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
