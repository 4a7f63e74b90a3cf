"""Audit trail page for administrators and auditors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cpmis.accounts.permissions import capability_required

from . import selectors
from .api import AuditQuerySerializer


@login_required
@capability_required("audit.view")
def audit_event_list(request: HttpRequest) -> HttpResponse:
    query = AuditQuerySerializer(data={k: v for k, v in request.GET.items() if v and k != "page"})
    errors: dict[str, Any] = {}
    filters: dict[str, Any] = {}
    if query.is_valid():
        filters = query.validated_data
    else:
        errors = query.errors
    events = selectors.audit_event_list(user=request.user, **filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request, "audit/list.html", {"page": page, "errors": errors, "params": request.GET}
    )
