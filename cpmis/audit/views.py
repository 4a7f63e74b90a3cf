"""Audit trail page for administrators and auditors."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cpmis.core.dates import DateInputError, parse_date, typed_dates_to_iso
from cpmis.permissions import capability_required

from . import selectors
from .api import AuditQuerySerializer

_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def _typed_moments(data: dict[str, str]) -> dict[str, list[str]]:
    """From and To as typed (``05/12/2026`` or ``05/12/2026 14:30``, Pakistan time) become ISO
    for the serializer, in place. A To without a time includes that whole day. ISO datetimes
    (as links made before and the API send them) are kept."""
    errors: dict[str, list[str]] = {}
    for field in ("since", "until"):
        raw = data.get(field)
        if raw is None or _ISO_MOMENT.match(raw.strip()):
            continue
        try:
            day = parse_date(raw)
        except DateInputError:  # a date with a time, or not a date at all
            errors.update(typed_dates_to_iso(data, (field,), with_time=True))
            continue
        if field == "until":
            day += timedelta(days=1)
        moment = timezone.make_aware(datetime.combine(day, time()))
        data[field] = moment.isoformat()
    return errors


@login_required
@capability_required("audit.view")
def audit_event_list(request: HttpRequest) -> HttpResponse:
    data: dict[str, str] = {
        k: v for k, v in request.GET.items() if isinstance(v, str) and v.strip() and k != "page"
    }
    date_errors = _typed_moments(data)
    query = AuditQuerySerializer(data=data)
    errors: dict[str, Any] = {}
    filters: dict[str, Any] = {}
    if query.is_valid() and not date_errors:
        filters = query.validated_data
    else:
        errors = {**query.errors, **date_errors}
    events = selectors.audit_event_list(user=request.user, **filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request, "audit/list.html", {"page": page, "errors": errors, "params": request.GET}
    )
