"""Who is asking, from where: set once per request, read by every audit write."""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

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


# What every audit event written inside ``through(...)`` adds to its detail: how the change came
# (a phone's queued action: its device, idempotency key and times). Ids and times only.
_through: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "cpmis_audit_through", default=None
)


def through_detail() -> dict[str, Any] | None:
    return _through.get()


@contextmanager
def through(**detail: Any) -> Iterator[None]:
    """Audit events written inside carry ``detail`` under the key "through"."""
    token = _through.set(detail)
    try:
        yield
    finally:
        _through.reset(token)


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
