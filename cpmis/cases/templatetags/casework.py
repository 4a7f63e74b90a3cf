"""Casework in words: legal clocks as countdowns, timeline events as sentences, coded values
as their labels."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.apps import apps
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_noop, ngettext, pgettext
from django.utils.translation import gettext as _

from cpmis.accounts.models import User
from cpmis.cases import services
from cpmis.cases.deadlines import shown_basis
from cpmis.cases.models import CaseReference, Concern, EventKind, Perpetrator, RiskLevel

register = template.Library()

SOON = timedelta(hours=48)


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days >= 2:
        return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
    if days == 1:
        return _("1 day %(hours)s h") % {"hours": hours} if hours else _("1 day")
    if hours:
        if minutes:
            return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": minutes}


@register.simple_tag
def countdown(due_at: datetime, now: datetime | None = None) -> str:
    """A badge: "overdue by 2 days", "due in 3 h 20 min", with the date in its title."""
    now = now or timezone.now()
    when = date_format(timezone.localtime(due_at), "DATETIME_FORMAT")
    left = due_at - now
    if left < timedelta(0):
        return format_html(
            '<strong class="badge overdue" title="{}">{}</strong>',
            _("Due %(when)s") % {"when": when},
            _("Overdue by %(span)s") % {"span": _span(left)},
        )
    css = "due-soon" if left < SOON else "ok"
    return format_html(
        '<span class="badge {}" title="{}">{}</span>',
        css,
        _("Due %(when)s") % {"when": when},
        _("Due in %(span)s") % {"span": _span(left)},
    )


@register.filter
def concern_labels(values: list[str] | None) -> str:
    labels = dict(Concern.choices)
    return pgettext("list separator", ", ").join(str(labels.get(v, v)) for v in values or [])


@register.filter
def risk_label(value: str) -> str:
    return str(dict(RiskLevel.choices).get(value, value or _("not assessed")))


def _officer(pk: Any, users: dict[int, User]) -> str:
    return person(users.get(pk), _("an officer"))


@register.simple_tag
def describe(event: Any, names: dict[str, Any]) -> str:
    """The event as a sentence (what an officer reads on the timeline)."""
    d = event.details or {}
    kind = event.kind
    users, districts, places = names["users"], names["districts"], names["institutions"]
    if kind == EventKind.REGISTERED:
        return _("Case opened")
    if kind == EventKind.ASSIGNED:
        return _("Assigned to %(officer)s") % {"officer": _officer(d.get("officer"), users)}
    if kind == EventKind.ASSESSED:
        return _("Assessed: risk %(risk)s") % {"risk": risk_label(d.get("risk_level", "")).lower()}
    if kind == EventKind.PLAN_SET:
        goals = pgettext("list of clauses", "; ").join(
            g.get("goal", "") for g in d.get("goals", []) if isinstance(g, dict)
        )
        return _("Case plan set: %(goals)s") % {"goals": goals} if goals else _("Case plan set")
    if kind == EventKind.PLAN_APPROVED:
        return _("Case plan approved")
    if kind == EventKind.OFFENCE_ALLEGED:
        return _("Offence alleged: %(citation)s") % {"citation": d.get("citation", "")}
    if kind == EventKind.TAKEN_INTO_PROTECTION:
        place = places.get(d.get("temporary_institution"))
        return (
            _("Taken into protection (temporary custody at %(place)s)") % {"place": place}
            if place
            else _("Taken into protection")
        )
    if kind == EventKind.PRODUCED_BEFORE_COURT:
        return _("Produced before the Court — %(court)s") % {"court": d.get("court", "")}
    if kind == EventKind.ORDER:
        label = str(services.ORDER_LABELS.get(d.get("kind", ""), _("Court order")))
        text = _("Court order: %(kind)s") % {"kind": label.lower()}
        if d.get("final") and d.get("kind") != "final_decision":
            text += " " + _("(final)")
        clauses = [text]
        if "child_heard" in d:
            clauses.append(
                _("the child was heard") if d["child_heard"] else _("the child was not heard")
            )
        if d.get("determined_age") is not None:
            clauses.append(_("age determined: %(age)s") % {"age": d["determined_age"]})
        return pgettext("list of clauses", "; ").join(clauses)
    if kind == EventKind.PLACEMENT:
        place = places.get(d.get("institution"))
        option = str(services.PLACEMENT_LABELS.get(d.get("option", ""), _("Placed")))
        if place:
            return _("Placed in an institution — %(place)s") % {"place": place}
        carer = {"female": _("(a woman caregiver)"), "male": _("(a man caregiver)")}.get(
            d.get("caregiver_sex", ""), ""
        )
        return _("Placed %(option)s%(carer)s") % {
            "option": f"{option[0].lower()}{option[1:]}",
            "carer": f" {carer}" if carer else "",
        }
    if kind == EventKind.LEGAL_AID_OFFERED:
        if d.get("accepted"):
            return _("Legal assistance offered — accepted")
        return _("Legal assistance offered — declined")
    if kind == EventKind.CLOSURE_REQUESTED:
        return _("Closure requested: %(reason)s") % {
            "reason": services.CLOSURE_LABELS.get(d.get("reason", ""), "")
        }
    if kind in {
        EventKind.TRANSFER_REQUESTED,
        EventKind.TRANSFER_REFUSED,
        EventKind.TRANSFER_WITHDRAWN,
    }:
        target = districts.get(d.get("to_district"), _("another district"))
        sentence = {
            EventKind.TRANSFER_REQUESTED: _("Transfer to %(district)s requested"),
            EventKind.TRANSFER_REFUSED: _("Transfer to %(district)s declined"),
            EventKind.TRANSFER_WITHDRAWN: _("Transfer to %(district)s withdrawn"),
        }[kind]
        return sentence % {"district": target}
    if kind == EventKind.TRANSFER_ACCEPTED:
        return _("Transferred from %(from)s to %(to)s") % {
            "from": districts.get(d.get("from_district"), _("another district")),
            "to": districts.get(d.get("to_district"), _("another district")),
        }
    if kind == EventKind.REFERRED:
        place = places.get(d.get("institution"))
        if place:
            return _("Referred: %(service)s — %(place)s") % {
                "service": d.get("service", ""),
                "place": place,
            }
        return _("Referred: %(service)s") % {"service": d.get("service", "")}
    if kind == EventKind.COMPLAINT_RECEIVED:
        return _("A complaint about the child was attached")
    return str(EventKind(kind).label) if kind in EventKind.values else kind


@register.filter
def reference_kind(value: str) -> str:
    return str(dict(CaseReference.Kind.choices).get(value, value))


@register.simple_tag
def perpetrator_text(p: Perpetrator) -> str:
    who = f"{p.number} × " if p.number > 1 else ""
    parts = [
        p.get_relationship_display(),
        p.get_sex_display().lower(),
        p.get_age_band_display().lower(),
    ]
    return who + pgettext("list separator", ", ").join(str(x) for x in parts)


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
        return _("age not known")
    age = age_on(child.date_of_birth, timezone.localdate())
    if getattr(child, "date_of_birth_estimated", False):
        return ngettext("about %(age)s year old", "about %(age)s years old", age) % {"age": age}
    return ngettext("%(age)s year old", "%(age)s years old", age) % {"age": age}


@register.filter
def person(user: User | None, missing: str | None = None) -> str:
    """An account as people read it: the full name, else the username, else ``missing``
    ("Not assigned" unless the template names another)."""
    if user is None:
        return missing if missing is not None else _("Not assigned")
    return user.get_full_name().strip() or user.username


# An event recorded this long after it happened shows when it was recorded too (a visit noted
# on a phone offline and received at its sync, a custody recorded the next morning).
LATE_ENTRY = timedelta(hours=1)


@register.filter
def entered_late(event: Any) -> bool:
    return bool(event.recorded_at - event.occurred_at > LATE_ENTRY)


@register.filter
def basis(text: str) -> str:
    """A task's stored basis in the reader's language (``deadlines.shown_basis``)."""
    return shown_basis(text or "")


# The labels services write before what a person typed into an event's note (in English, as
# stored), and the complaint a case was opened from: shown in the reader's language.
_NOTE_LABELS = {
    "Child's views": gettext_noop("Child's views"),
    "Not heard because": gettext_noop("Not heard because"),
    "Medical report": gettext_noop("Medical report"),
    "Why not a preferred option": gettext_noop("Why not a preferred option"),
    "Time corrected": gettext_noop("Time corrected"),
}
_NOTE_LINE = re.compile(r"^(?P<label>" + "|".join(map(re.escape, _NOTE_LABELS)) + r"): ")
_FROM_COMPLAINT = re.compile(r"^Opened from complaint (?P<ref>\S+) \((?P<channel>[a-z_]+)\)\.$")
gettext_noop("Opened from complaint %(ref)s (%(channel)s).")


@register.filter
def event_note(text: str) -> str:
    """An event's note with the labels cpmis wrote in it in the reader's language; what the
    person typed stays as typed. Notes are stored in English: an English page shows them so."""
    if (get_language() or "en").startswith("en"):
        return text
    lines = []
    for line in (text or "").split("\n"):
        if found := _FROM_COMPLAINT.match(line):
            # the complaints app sits above cases: its channels are read from the registry
            field = apps.get_model("complaints", "Complaint")._meta.get_field("channel")
            channel = dict(field.choices or ()).get(found["channel"], found["channel"])
            line = _("Opened from complaint %(ref)s (%(channel)s).") % {
                "ref": found["ref"],
                "channel": channel,
            }
        elif found := _NOTE_LINE.match(line):
            label = _(_NOTE_LABELS[found["label"]])
            line = f"{label}: {line[found.end() :]}"
        lines.append(line)
    return "\n".join(lines)
