"""The pack: what a phone stores for offline casework, and nothing more.

Only the officer's own open cases (assigned to them, in their workable scope), each with what
the case page shows: the child as the officer knows them, the stage and next step, the timeline
as sentences, the running clocks, and the field actions the workflow offers now. Labels are in
the officer's language; the phone shows them as they are. The institutions of the officer's
districts (not personal data) are there for placements.

Read in a fixed number of queries for the whole caseload, whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from cpmis import access
from cpmis.accounts.models import User
from cpmis.cases import selectors as case_selectors
from cpmis.cases import services as case_services
from cpmis.cases import workflow
from cpmis.cases.deadlines import rule_basis, shown_basis
from cpmis.cases.models import (
    Case,
    CaseEvent,
    CaseOffence,
    Concern,
    Institution,
    RiskLevel,
    Stage,
    Task,
    Transfer,
)
from cpmis.cases.templatetags.casework import child_age, describe, event_note
from cpmis.cases.templatetags.casework import person as person_name
from cpmis.legal.selectors import rule_for
from cpmis.people.models import Sex
from cpmis.people.services import age_on

# The actions a phone can queue, as the case page names its steps.
FIELD_STEPS = ("visit", "follow-up", "assess", "protect", "place")


def settings_for_phone() -> dict[str, int]:
    return {
        "idle_lock_seconds": settings.CPMIS_FIELD_IDLE_LOCK_SECONDS,
        "max_wrong_pins": settings.CPMIS_FIELD_MAX_WRONG_PINS,
        "batch": settings.CPMIS_FIELD_SYNC_BATCH,
        "clock_skew_seconds": int(case_services.CLOCK_SKEW.total_seconds()),
    }


def caseload(user: User) -> QuerySet[Case]:
    """The cases a phone may hold: the officer's own, open, within their workable scope."""
    return (
        access.cases_workable_by(user)
        .filter(assigned_to_id=user.pk)
        .exclude(stage=Stage.CLOSED)
        .select_related("child", "district", "jurisdiction", "assigned_to")
        .order_by("opened_at", "id")
    )


def _choices(pairs: Iterable[tuple[Any, Any]]) -> list[list[str]]:
    return [[str(code), str(label)] for code, label in pairs]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def case_records(user: User, cases: list[Case]) -> list[dict[str, Any]]:
    """Each case as the phone shows it (the shape the brief of ADR 0020 gives)."""
    ids = [c.pk for c in cases]
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    for e in (
        CaseEvent.objects.filter(case_id__in=ids)
        .select_related("recorded_by")
        .order_by("occurred_at", "id")
    ):
        events[e.case_id].append(e)
    tasks: dict[int, list[Task]] = defaultdict(list)
    for t in Task.objects.filter(case_id__in=ids).order_by("due_at", "id"):
        tasks[t.case_id].append(t)
    pending = set(
        Transfer.objects.filter(case_id__in=ids, status=Transfer.Status.PENDING).values_list(
            "case_id", flat=True
        )
    )
    with_offences = set(
        CaseOffence.objects.filter(case_id__in=ids).values_list("case_id", flat=True)
    )
    names = case_selectors.timeline_names([e for group in events.values() for e in group])
    production: dict[int, tuple[int, str]] = {}
    can_work = access.has_capability(user, "case.work")
    today = timezone.localdate()
    out = []
    for case in cases:
        own = events[case.pk]
        state = workflow.CaseState.of(
            case, own, transfer_pending=case.pk in pending, has_offences=case.pk in with_offences
        )
        offers = [
            o
            for o in workflow.offers(state, can_work=can_work, can_supervise=False)
            if o.step.name in FIELD_STEPS
        ]
        if case.jurisdiction_id not in production:
            rule = rule_for("production_before_court", case.jurisdiction)
            production[case.jurisdiction_id] = (rule.hours or 0, shown_basis(rule_basis(rule)))
        hours, basis = production[case.jurisdiction_id]
        child = case.child
        out.append(
            {
                "uuid": str(case.uuid),
                "number": case.number,
                "version": case.version,
                "stage": case.stage,
                "stage_label": str(case.get_stage_display()),
                "risk_label": str(RiskLevel(case.risk_level or case.initial_risk).label),
                "concerns": [str(Concern(c).label) for c in case.concerns if c in Concern.values],
                "in_protection": case.in_protection,
                "opened_at": _iso(case.opened_at),
                "district": {"pcode": case.district.pcode, "name": case.district.name},
                "child": {
                    "name": child.name_latin or child.name_urdu,
                    "name_urdu": child.name_urdu,
                    "sex": child.sex,
                    "sex_label": str(Sex(child.sex).label) if child.sex in Sex.values else "",
                    "age": age_on(child.date_of_birth, today) if child.date_of_birth else None,
                    "age_text": child_age(child),
                    "date_of_birth": _iso(child.date_of_birth),
                    "dob_estimated": child.date_of_birth_estimated,
                },
                "next_step": str(workflow.next_step(state)),
                "timeline": [
                    {
                        "kind": e.kind,
                        "label": str(e.get_kind_display()),
                        "occurred_at": _iso(e.occurred_at),
                        "recorded_at": _iso(e.recorded_at),
                        "by": person_name(e.recorded_by, ""),
                        "summary": describe(e, names),
                        "note": event_note(e.note),
                    }
                    for e in own
                ],
                "tasks": [
                    {
                        "kind": t.kind,
                        "label": str(t.get_kind_display()),
                        "due_at": _iso(t.due_at),
                        "done_at": _iso(t.done_at),
                        "basis": shown_basis(t.basis),
                        "for_supervisor": t.for_supervisor,
                    }
                    for t in tasks[case.pk]
                ],
                "offers": [
                    {"action": o.step.name, "label": str(o.step.label), "why_not": o.why_not}
                    for o in offers
                ],
                "production_hours": hours,
                "production_basis": basis,
            }
        )
    return out


def institutions_for(user: User) -> list[dict[str, Any]]:
    districts = access.districts_where(user, "case.work")
    return [
        {
            "id": i.pk,
            "name": i.name,
            "district": i.district.pcode,
            "type": str(i.type),
            "accepts": i.accepts,
            "age_min": i.age_min,
            "age_max": i.age_max,
            "free": max(i.capacity - i.occupancy, 0),
        }
        for i in Institution.objects.filter(district__in=districts).select_related(
            "type", "district"
        )
    ]


def build(user: User, device_uuid: str) -> dict[str, Any]:
    districts = access.districts_where(user, "case.work").order_by("name_en")
    cases = list(caseload(user))
    return {
        "server_now": timezone.now().isoformat(),
        "device": device_uuid,
        "language": (get_language() or "en")[:2],
        "user": {
            "username": user.username,
            "name": person_name(user),
            "districts": [{"pcode": d.pcode, "name": d.name} for d in districts],
        },
        "settings": settings_for_phone(),
        "choices": {
            "risk_levels": _choices(RiskLevel.choices),
            "concerns": _choices(Concern.choices),
            "placement_options": _choices(case_services.PLACEMENT_LABELS.items()),
            "sexes": _choices(Sex.choices),
        },
        "institutions": institutions_for(user),
        "cases": case_records(user, cases),
    }
