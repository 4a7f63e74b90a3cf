"""Pages validate with the API's serializers and call the same services; these helpers turn
what either refuses into the per-field messages a form shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import serializers

T = TypeVar("T")
Errors = dict[str, list[str]]


def serializer_errors(data: serializers.Serializer) -> Errors:
    """Each field's messages. DRF's own stay ``ErrorDetail``s (strings that keep their
    ``code``), so that a caller can tell a kind of error apart in any language."""
    return {
        field: [m if isinstance(m, str) else str(m) for m in messages]
        for field, messages in data.errors.items()
    }


def run_service(
    service: Callable[..., T], /, *, refused_field: str = "__all__", **kwargs: Any
) -> tuple[T | None, Errors]:
    """Call a service; a refusal comes back as form errors instead of an exception."""
    try:
        return service(**kwargs), {}
    except ValidationError as exc:
        return None, getattr(exc, "message_dict", {refused_field: exc.messages})
    except PermissionDenied as exc:
        return None, {refused_field: [str(exc)]}
