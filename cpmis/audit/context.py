"""Who is asking, from where: set once per request, read by every audit write."""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None
    request_id: str


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "cpmis_audit_request", default=None
)


def current() -> RequestContext | None:
    return _current.get()


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(
            RequestContext(
                ip_address=request.META.get("REMOTE_ADDR") or None,
                request_id=uuid.uuid4().hex,
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Gives every log record the id of the request it was written in (``request_id``, also
    on the request's audit events), so that a log line and an audit event can be matched."""

    def filter(self, record: logging.LogRecord) -> bool:
        found = _current.get()
        record.request_id = found.request_id if found is not None else ""
        return True
