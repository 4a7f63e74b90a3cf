"""Errors that services raise and every interface maps the same way."""

from __future__ import annotations

from typing import Any


class Conflict(Exception):
    """The record changed since the caller read it (optimistic versioning): HTTP 409."""

    def payload(self) -> dict[str, Any]:
        return {"detail": str(self)}


class NotFound(Exception):
    """No such record, or none the actor may see (the two are never told apart): HTTP 404 in
    the API (``core.api.exception_handler``) and on pages (``core.middleware``)."""
