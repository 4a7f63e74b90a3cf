"""Casework in words: legal clocks as countdowns, timeline events as sentences, coded values
as their labels."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from cpmis.accounts.models import User
from cpmis.cases import services
from cpmis.cases.models import CaseReference, Concern, EventKind, Perpetrator, RiskLevel

register = template.Library()

SOON = timedelta(hours=48)


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days >= 2:
        return f"{days} days"
    if days == 1:
        return f"1 day {hours} h" if hours else "1 day"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


@register.simple_tag
def countdown(due_at: datetime, now: datetime | None = None) -> str:
    """A badge: "overdue by 2 days", "due in 3 h 20 min", with the date in its title."""
    now = now or timezone.now()
    when = date_format(timezone.localtime(due_at), "DATETIME_FORMAT")
    left = due_at - now
    if left < timedelta(0):
        return format_html(
            '<strong class="badge overdue" title="Due {}">Overdue by {}</strong>', when, _span(left)
        )
    css = "due-soon" if left < SOON else "ok"
    return format_html(
        '<span class="badge {}" title="Due {}">Due in {}</span>', css, when, _span(left)
    )


@register.filter
def concern_labels(values: list[str] | None) -> str:
    labels = dict(Concern.choices)
    return ", ".join(str(labels.get(v, v)) for v in values or [])


@register.filter
def risk_label(value: str) -> str:
    return str(dict(RiskLevel.choices).get(value, value or "not assessed"))


def _officer(pk: Any, users: dict[int, User]) -> str:
    return person(users.get(pk), "an officer")


@register.simple_tag
def describe(event: Any, names: dict[str, Any]) -> str:
    """The event as a sentence (what an officer reads on the timeline)."""
    d = event.details or {}
    kind = event.kind
    users, districts, places = names["users"], names["districts"], names["institutions"]
    if kind == EventKind.REGISTERED:
        return "Case opened"
    if kind == EventKind.ASSIGNED:
        return f"Assigned to {_officer(d.get('officer'), users)}"
    if kind == EventKind.ASSESSED:
        return f"Assessed: risk {risk_label(d.get('risk_level', '')).lower()}"
    if kind == EventKind.PLAN_SET:
        goals = "; ".join(g.get("goal", "") for g in d.get("goals", []) if isinstance(g, dict))
        return f"Case plan set: {goals}" if goals else "Case plan set"
    if kind == EventKind.PLAN_APPROVED:
        return "Case plan approved"
    if kind == EventKind.OFFENCE_ALLEGED:
        return f"Offence alleged: {d.get('citation', '')}"
    if kind == EventKind.TAKEN_INTO_PROTECTION:
        place = places.get(d.get("temporary_institution"))
        return (
            f"Taken into protection (temporary custody at {place})"
            if place
            else ("Taken into protection")
        )
    if kind == EventKind.PRODUCED_BEFORE_COURT:
        return f"Produced before the Court — {d.get('court', '')}"
    if kind == EventKind.ORDER:
        label = services.ORDER_LABELS.get(d.get("kind", ""), "Court order")
        text = f"Court order: {label.lower()}"
        if d.get("final") and d.get("kind") != "final_decision":
            text += " (final)"
        if "child_heard" in d:
            text += "; the child was heard" if d["child_heard"] else "; the child was not heard"
        if d.get("determined_age") is not None:
            text += f"; age determined: {d['determined_age']}"
        return text
    if kind == EventKind.PLACEMENT:
        place = places.get(d.get("institution"))
        option = services.PLACEMENT_LABELS.get(d.get("option", ""), "Placed")
        if place:
            return f"Placed in an institution — {place}"
        carer = {"female": " (a woman caregiver)", "male": " (a man caregiver)"}.get(
            d.get("caregiver_sex", ""), ""
        )
        return f"Placed {option[0].lower()}{option[1:]}{carer}"
    if kind == EventKind.LEGAL_AID_OFFERED:
        return "Legal assistance offered — " + ("accepted" if d.get("accepted") else "declined")
    if kind == EventKind.CLOSURE_REQUESTED:
        return f"Closure requested: {services.CLOSURE_LABELS.get(d.get('reason', ''), '')}"
    if kind in {
        EventKind.TRANSFER_REQUESTED,
        EventKind.TRANSFER_REFUSED,
        EventKind.TRANSFER_WITHDRAWN,
    }:
        target = districts.get(d.get("to_district"), "another district")
        verb = {
            EventKind.TRANSFER_REQUESTED: "requested",
            EventKind.TRANSFER_REFUSED: "declined",
            EventKind.TRANSFER_WITHDRAWN: "withdrawn",
        }[kind]
        return f"Transfer to {target} {verb}"
    if kind == EventKind.TRANSFER_ACCEPTED:
        return (
            f"Transferred from {districts.get(d.get('from_district'), 'another district')} "
            f"to {districts.get(d.get('to_district'), 'another district')}"
        )
    if kind == EventKind.REFERRED:
        place = places.get(d.get("institution"))
        return f"Referred: {d.get('service', '')}" + (f" — {place}" if place else "")
    if kind == EventKind.COMPLAINT_RECEIVED:
        return "A complaint about the child was attached"
    return str(EventKind(kind).label) if kind in EventKind.values else kind


@register.filter
def reference_kind(value: str) -> str:
    return str(dict(CaseReference.Kind.choices).get(value, value))


@register.simple_tag
def perpetrator_text(p: Perpetrator) -> str:
    who = f"{p.number} × " if p.number > 1 else ""
    return (
        f"{who}{p.get_relationship_display()}, {p.get_sex_display().lower()}, "
        f"{p.get_age_band_display().lower()}"
    )


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """A value of a dict by a key held in a variable (a form's posted values and errors)."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def parse_iso(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.simple_tag
def child_age(child: Any) -> str:
    from cpmis.people.services import age_on

    if child is None or child.date_of_birth is None:
        return "age not known"
    age = age_on(child.date_of_birth, timezone.localdate())
    about = "about " if getattr(child, "date_of_birth_estimated", False) else ""
    return f"{about}{age} year{'s' if age != 1 else ''} old"


@register.filter
def person(user: User | None, missing: str = "Not assigned") -> str:
    """An account as people read it: the full name, else the username, else ``missing``."""
    if user is None:
        return missing
    return user.get_full_name().strip() or user.username
