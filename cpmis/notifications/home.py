"""The notifications panel of a person's home."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import unread_for


def panels(request: HttpRequest) -> list[dict[str, Any]]:
    unread = list(unread_for(request.user))
    if not unread:
        return []
    return [{"template": "notifications/_panel.html", "notifications": unread}]
