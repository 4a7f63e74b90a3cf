"""Closing a case: a request, a supervisor's decision, reopening, and correcting an event."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from cpmis.actors import Actor

from ..models import (
    Case,
    CaseEvent,
    EventKind,
    Stage,
)
from ..workflow import CORRECTABLE, plan_status, stages_of
from ._common import OPEN_STAGES, _begin, _events, _new_version, _recompute, _record, _refuse, _when
from .transfer import _pending_transfer

CLOSURE_LABELS = {
    "reintegrated": gettext_lazy("Reintegrated with the family or community"),
    "transferred": gettext_lazy("Transferred to another service"),
    "reached_18": gettext_lazy("The child turned 18"),
    "no_longer_at_risk": gettext_lazy("No longer at risk"),
    "died": gettext_lazy("The child died"),
    "lost_contact": gettext_lazy("Contact lost"),
    "duplicate": gettext_lazy("Opened twice (duplicate)"),
}
CLOSURE_REASONS = tuple(CLOSURE_LABELS)
# Closures that do not wait for an approved plan: the plan's work did not happen.
NO_PLAN_NEEDED = frozenset({"died", "duplicate", "transferred"})


@transaction.atomic
def closure_request(
    *, actor: Actor, case: Case, reason: str, note: str = "", version: int | None = None
) -> Case:
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("request-closure"),
        action=pgettext("case action", "request closure of"),
    )
    if reason not in CLOSURE_REASONS:
        raise ValidationError({"reason": _("Choose the reason for closure from the list.")})
    if case.in_protection:
        raise ValidationError({"reason": _("The child is still in protection: release first.")})
    events = _events(case)
    if case.offences.exists() and not any(e.kind == EventKind.LEGAL_AID_OFFERED for e in events):
        raise _refuse(
            _("A child victim of an offence is offered legal assistance before closure"),
            "legal_aid",
            case,
            "reason",
        )
    if _pending_transfer(case) is not None:
        raise ValidationError(
            {"reason": _("A transfer of this case is waiting for an answer: withdraw it first.")}
        )
    plan, approved = plan_status(events)
    if plan is not None and not approved and reason not in NO_PLAN_NEEDED:
        raise ValidationError(
            {"reason": _("The supervisor approves the case plan before the case can close.")}
        )
    _record(
        actor,
        case,
        EventKind.CLOSURE_REQUESTED,
        timezone.now(),
        details={"reason": reason, "from_stage": case.stage},
        note=note,
        stage=Stage.CLOSURE_REQUESTED,
    )
    return case


@transaction.atomic
def closure_decide(
    *, actor: Actor, case: Case, approve: bool, note: str = "", version: int | None = None
) -> Case:
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("decide-closure"),
        action=pgettext("case action", "decide the closure of"),
        supervise=True,
    )
    request = case.events.filter(kind=EventKind.CLOSURE_REQUESTED).order_by("-occurred_at").first()
    assert request is not None
    now = timezone.now()
    if approve:
        case.closed_at = now
        case.save(update_fields=["closed_at"])
        _record(actor, case, EventKind.CLOSURE_APPROVED, now, note=note, stage=Stage.CLOSED)
    else:
        _record(
            actor,
            case,
            EventKind.CLOSURE_REJECTED,
            now,
            note=note,
            stage=request.details.get("from_stage", Stage.IMPLEMENTATION),
        )
    return case


@transaction.atomic
def case_reopen(*, actor: Actor, case: Case, note: str, version: int | None = None) -> Case:
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("reopen"),
        action=pgettext("case action", "reopen"),
        supervise=True,
    )
    if not note.strip():
        raise ValidationError({"note": _("Say why the case is reopened.")})
    case.closed_at = None
    case.save(update_fields=["closed_at"])
    stage = Stage.ASSESSED if case.risk_level else Stage.REGISTERED
    _record(actor, case, EventKind.REOPENED, timezone.now(), note=note, stage=stage)
    return case


@transaction.atomic
def event_correct(
    *,
    actor: Actor,
    event: CaseEvent,
    occurred_at: datetime,
    reason: str,
    version: int | None = None,
) -> CaseEvent:
    """Correct when an event happened (a mistyped date or hour). The tasks are computed again
    from the corrected record, so every deadline that depends on it moves with it; the old
    time stays in the event's details and in the audit trail."""
    case = _begin(
        actor,
        event.case,
        version,
        stages=OPEN_STAGES,
        action=pgettext("case action", "correct an event of"),
    )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the time is corrected.")})
    if event.kind not in CORRECTABLE:
        raise ValidationError(
            {
                "occurred_at": _(
                    "The time of “%(event)s” is the time it was recorded: it cannot be corrected."
                )
                % {"event": EventKind(event.kind).label}
            }
        )
    when = _when(case, occurred_at)
    others = [e for e in _events(case) if e.pk != event.pk]
    moved = CaseEvent(kind=event.kind, occurred_at=when)
    order = [e.kind for e in sorted([*others, moved], key=lambda e: e.occurred_at)]
    for before, after in (
        (EventKind.TAKEN_INTO_PROTECTION, EventKind.PRODUCED_BEFORE_COURT),
        (EventKind.PRODUCED_BEFORE_COURT, EventKind.ORDER),
    ):
        if before in order and after in order and order.index(after) < order.index(before):
            raise ValidationError(
                {"occurred_at": _("The corrected time puts events out of order.")}
            )
    previous = event.occurred_at
    event.details = {**event.details, "corrected_from": previous.isoformat()}
    event.occurred_at = when
    event.note = (event.note + "\n" if event.note else "") + f"Time corrected: {reason}"
    event.save(update_fields=["occurred_at", "details", "note"])
    _new_version(actor, case, "case.event_corrected", {"event": event.pk})
    _recompute(case)
    return event
