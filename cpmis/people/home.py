"""The registry's panel of a reviewer's home: pairs of children that may be one child."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cpmis import access

from .selectors import merge_queue


def panels(request: HttpRequest) -> list[dict[str, Any]]:
    if not access.has_capability(request.user, "child.merge"):
        return []
    count = merge_queue(user=request.user).count()
    if not count:
        return []
    return [{"template": "people/_merge_panel.html", "merges_count": count}]
