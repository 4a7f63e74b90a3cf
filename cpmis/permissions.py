"""Capability checks for DRF views and Django views; both ask cpmis.access.

Beside access rather than in accounts, so that every app can guard its views with them: audit
too, which accounts writes to.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission

from cpmis import access


class HasCapability(BasePermission):
    capability = ""

    @classmethod
    def of(cls, capability: str) -> type[HasCapability]:
        return type(f"Has_{capability.replace('.', '_')}", (cls,), {"capability": capability})

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) and access.has_capability(
            request.user, self.capability
        )


def capability_required(capability: str) -> Callable[..., Any]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not access.has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
