"""Opening a case, assigning it, assessing the child and planning the work."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cpmis import access
from cpmis.accounts.models import User
from cpmis.actors import Actor, person
from cpmis.legal.models import Provision
from cpmis.people.models import Child

from .. import numbering
from ..models import (
    Case,
    CaseOffence,
    Concern,
    EventKind,
    RiskLevel,
    Stage,
)
from ..workflow import plan_status, stages_of
from ._common import (
    CLOCK_SKEW,
    _begin,
    _check_chosen_officer,
    _check_officer,
    _check_officer_works_here,
    _events,
    _record,
    _tell_officer,
    _when,
)


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    child: Child,
    initial_risk: str,
    concerns: list[str],
    opened_at: datetime | None = None,
    assigned_to: User | None = None,
    note: str = "",
    uuid: UUID | None = None,
) -> Case:
    """Open a case for ``child``. ``uuid``: the id a phone gave the case it registered offline
    (the actions recorded after it name the case by it); a new one when absent."""
    if not access.children_visible_to(actor).filter(pk=child.pk).exists():
        raise PermissionDenied(_("You cannot open a case for this child."))
    if not access.districts_where(actor, "case.work").filter(pk=child.district_id).exists():
        raise PermissionDenied(_("You cannot open cases in this child's district."))
    if initial_risk not in RiskLevel.values:
        raise ValidationError({"initial_risk": _("Give the risk level: high, medium or low.")})
    unknown = [c for c in concerns if c not in Concern.values]
    if unknown or not concerns:
        raise ValidationError({"concerns": _("Give at least one known protection concern.")})
    now = timezone.now()
    opened = opened_at or now
    if opened > now + CLOCK_SKEW:
        raise ValidationError({"opened_at": _("This date is in the future.")})
    is_cpo = access.is_cpo(actor)
    if assigned_to is not None and assigned_to != actor:
        supervises = access.districts_where(actor, "case.supervise")
        if not supervises.filter(pk=child.district_id).exists():
            raise PermissionDenied(_("Only a supervisor assigns a case to another officer."))
    officer = assigned_to or (person(actor) if is_cpo else None)
    if uuid is not None and Case.objects.filter(uuid=uuid).exists():
        raise ValidationError({"uuid": _("A case with this id exists already.")})
    case = Case(
        **({"uuid": uuid} if uuid is not None else {}),
        number=numbering.next_number(child.district, opened),
        child=child,
        district=child.district,
        jurisdiction=child.district.jurisdiction,
        initial_risk=initial_risk,
        concerns=sorted(set(concerns)),
        assigned_to=officer,
        assigned_at=now if officer is not None else None,
        opened_at=opened,
        created_by=person(actor),
        updated_at=now,
    )
    _check_officer(case, officer)
    if officer is not None:
        _check_officer_works_here(officer, case)
        if officer != actor:
            _check_chosen_officer(case, officer)
    case.save()
    _record(actor, case, EventKind.REGISTERED, opened, note=note)
    if officer is not None and officer != actor:
        _tell_officer(case, officer)
    return case


@transaction.atomic
def case_assign(*, actor: Actor, case: Case, officer: User, version: int | None = None) -> Case:
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("assign"),
        action=pgettext("case action", "assign"),
        supervise=True,
    )
    _check_officer_works_here(officer, case)
    _check_officer(case, officer)
    _check_chosen_officer(case, officer)
    if case.assigned_to_id == officer.pk:
        raise ValidationError(
            {"officer": _("The case is already assigned to %(officer)s.") % {"officer": officer}}
        )
    now = timezone.now()
    case.assigned_to = officer
    case.assigned_at = now
    case.save(update_fields=["assigned_to", "assigned_at"])
    _record(actor, case, EventKind.ASSIGNED, now, details={"officer": officer.pk})
    _tell_officer(case, officer)
    return case


def case_assign_many(
    *, actor: Actor, cases: list[Case], officer: User
) -> tuple[list[Case], dict[str, str]]:
    """Assign several cases to one officer, each in its own transaction (one refused case does
    not undo the others); returns the assigned cases and, by case number, why others were not."""
    done: list[Case] = []
    refused: dict[str, str] = {}
    for case in cases:
        try:
            done.append(case_assign(actor=actor, case=case, officer=officer))
        except ValidationError as exc:
            refused[case.number] = " ".join(exc.messages)
        except PermissionDenied as exc:
            refused[case.number] = str(exc)
    return done, refused


@transaction.atomic
def case_assess(
    *,
    actor: Actor,
    case: Case,
    risk_level: str,
    occurred_at: datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    case = _begin(
        actor, case, version, stages=stages_of("assess"), action=pgettext("case action", "assess")
    )
    if risk_level not in RiskLevel.values:
        raise ValidationError({"risk_level": _("Give the risk level: high, medium or low.")})
    when = _when(case, occurred_at)
    case.risk_level = risk_level
    case.save(update_fields=["risk_level"])
    stage = Stage.ASSESSED if case.stage == Stage.REGISTERED else None
    _record(
        actor,
        case,
        EventKind.ASSESSED,
        when,
        details={"risk_level": risk_level},
        note=note,
        stage=stage,
    )
    return case


@transaction.atomic
def case_plan(
    *,
    actor: Actor,
    case: Case,
    goals: list[dict[str, Any]],
    occurred_at: datetime | None = None,
    version: int | None = None,
) -> Case:
    """The intervention plan: goals with the services, the person responsible and dates."""
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("plan"),
        action=pgettext("case action", "set the plan of"),
    )
    if not goals or not all(isinstance(g, dict) and g.get("goal") for g in goals):
        raise ValidationError(
            {
                "goals": _(
                    "Give at least one goal, with its services, who is responsible and by when."
                )
            }
        )
    when = _when(case, occurred_at)
    stage = Stage.PLANNED if case.stage == Stage.ASSESSED else None
    _record(actor, case, EventKind.PLAN_SET, when, details={"goals": goals}, stage=stage)
    return case


@transaction.atomic
def case_plan_approve(*, actor: Actor, case: Case, version: int | None = None) -> Case:
    """The supervisor approves the latest plan, whatever was recorded after it (a placement
    moves the case to implementation; the plan can still be approved there)."""
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("approve-plan"),
        action=pgettext("case action", "approve the plan of"),
        supervise=True,
    )
    latest, approved = plan_status(_events(case))
    if latest is None:
        raise ValidationError({"stage": _("No case plan is set yet: the officer sets it first.")})
    if approved:
        raise ValidationError({"stage": _("The latest case plan is already approved.")})
    _record(
        actor,
        case,
        EventKind.PLAN_APPROVED,
        timezone.now(),
        details={"plan": latest.pk},
        stage=Stage.IMPLEMENTATION if case.stage == Stage.PLANNED else None,
    )
    return case


@transaction.atomic
def offence_allege(
    *, actor: Actor, case: Case, provision: Provision, version: int | None = None
) -> Case:
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("offence"),
        action=pgettext("case action", "add an offence to"),
    )
    if provision.kind not in {Provision.Kind.OFFENCE, Provision.Kind.PENALTY}:
        raise ValidationError(
            {"provision": _("%(citation)s is not an offence.") % {"citation": provision.citation}}
        )
    statute_jurisdiction = provision.statute.jurisdiction_id
    if statute_jurisdiction is not None and statute_jurisdiction != case.jurisdiction_id:
        raise ValidationError(
            {
                "provision": _("%(citation)s is not law in %(jurisdiction)s.")
                % {"citation": provision.citation, "jurisdiction": case.jurisdiction.name_en}
            }
        )
    if CaseOffence.objects.filter(case=case, provision=provision).exists():
        raise ValidationError(
            {"provision": _("%(citation)s is already recorded.") % {"citation": provision.citation}}
        )
    CaseOffence.objects.get_or_create(case=case, provision=provision)
    _record(
        actor,
        case,
        EventKind.OFFENCE_ALLEGED,
        timezone.now(),
        details={"provision": provision.pk, "citation": provision.citation},
    )
    return case
