"""The casework panels of a person's home: what needs their attention today."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cpmis import access

from . import selectors


def panels(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    out: list[dict[str, Any]] = []
    if access.has_capability(user, "case.supervise"):
        out.append(
            {"template": "cases/_supervisor_panels.html", **selectors.supervisor_home(user=user)}
        )
    elif access.has_capability(user, "case.work"):
        out.append({"template": "cases/_cpo_panels.html", **selectors.cpo_home(user=user)})
    return out
