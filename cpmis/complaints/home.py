"""The complaints panel of a home: new complaints waiting for triage in the person's districts
(the CPU's queue), the most urgent first."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from cpmis import access

from .selectors import complaint_queue

ROWS = 5


def panels(request: HttpRequest) -> list[dict[str, Any]]:
    if not access.has_capability(request.user, "complaint.triage"):
        return []
    waiting = complaint_queue(user=request.user, view="open")
    rows = list(waiting[:ROWS])
    return [
        {
            "template": "complaints/_home_panel.html",
            "complaints": rows,
            "complaints_count": len(rows) if len(rows) < ROWS else waiting.count(),
            "now": timezone.now(),
        }
    ]
