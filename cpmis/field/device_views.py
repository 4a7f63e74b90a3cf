"""The supervisor's page of the phones their officers use offline, and the removal of one.
Thin: reads through ``selectors``, the removal through ``services.device_revoke``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cpmis.accounts.models import User
from cpmis.core.forms import run_service
from cpmis.permissions import capability_required
from cpmis.reference.models import District

from . import selectors, services
from .models import Device

PAGE = 50


def _ago(when: datetime, now: datetime) -> str:
    """How long ago, in the largest whole unit: "3 days ago", "5 h ago", "just now"."""
    minutes = int(max(now - when, timedelta(0)).total_seconds() // 60)
    if minutes < 1:
        return _("just now")
    if minutes < 60:
        span = _("%(minutes)s min") % {"minutes": minutes}
    elif minutes < 24 * 60:
        span = _("%(hours)s h") % {"hours": minutes // 60}
    else:
        days = minutes // (24 * 60)
        span = ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
    return _("%(span)s ago") % {"span": span}


@dataclass(frozen=True)
class Row:
    """A device as the page shows it."""

    device: Device
    last_contact_ago: str
    last_sync_ago: str
    waiting: list[str]  # what became of its actions that the supervisor should know


def _row(device: Device, now: datetime) -> Row:
    waiting = []
    refused = getattr(device, "refused_count", 0)
    conflicts = getattr(device, "conflict_count", 0)
    held = getattr(device, "held_count", 0)
    if refused:
        waiting.append(
            ngettext("%(count)s action not recorded", "%(count)s actions not recorded", refused)
            % {"count": refused}
        )
    if conflicts:
        waiting.append(
            ngettext(
                "%(count)s waits for the officer's decision",
                "%(count)s wait for the officer's decision",
                conflicts,
            )
            % {"count": conflicts}
        )
    if held:
        waiting.append(
            ngettext(
                "%(count)s waits for an earlier action",
                "%(count)s wait for an earlier action",
                held,
            )
            % {"count": held}
        )
    return Row(
        device=device,
        last_contact_ago=_ago(device.last_contact_at, now) if device.last_contact_at else "",
        last_sync_ago=_ago(device.last_sync_at, now) if device.last_sync_at else "",
        waiting=waiting,
    )


@dataclass(frozen=True)
class Officer:
    """An officer and their phones on this page."""

    user: User
    districts: list[District]
    rows: list[Row]


@login_required
@capability_required("case.supervise")
def device_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.device_list(user=request.user), PAGE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    devices = list(page.object_list)
    districts = selectors.officer_districts(
        user=request.user, officer_ids={d.user_id for d in devices}
    )
    officers: list[Officer] = []
    for device in devices:  # ordered by officer: each officer's phones are together
        if not officers or officers[-1].user.pk != device.user_id:
            officers.append(Officer(device.user, districts.get(device.user_id, []), []))
        officers[-1].rows.append(_row(device, now))
    without = list(selectors.officers_without_device(user=request.user)) if page.number == 1 else []
    return render(
        request,
        "field/devices.html",
        {"page": page, "officers": officers, "without": without},
    )


@require_POST
@login_required
@capability_required("case.supervise")
def device_revoke(request: HttpRequest, uuid: str) -> HttpResponse:
    device = selectors.device_get(user=request.user, device_uuid=uuid)  # NotFound: a 404
    _done, errors = run_service(
        services.device_revoke,
        actor=request.user,
        device=device,
        note=request.POST.get("note", ""),
    )
    if errors:
        for problems in errors.values():
            messages.error(
                request,
                _("The phone “%(phone)s” was not removed: %(why)s")
                % {"phone": device.label, "why": " ".join(problems)},
            )
    else:
        messages.success(
            request,
            _(
                "The phone “%(phone)s” is removed. The phone will delete its data at its next "
                "contact."
            )
            % {"phone": device.label},
        )
    back = reverse("field:devices")
    page = request.POST.get("page", "")
    if page.isdigit() and page != "1":
        back += f"?page={page}"
    return redirect(f"{back}#device-{device.uuid}")
