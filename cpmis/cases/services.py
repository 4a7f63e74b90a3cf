"""Every change to a case: permission, the law's preconditions and safeguards (each refusal
cites its statute and the report), one transaction, the event, the derived stage and tasks,
and the audit record.

Optimistic versioning (``audit.versioning``): a caller passes the ``version`` it read; if the
case changed since, ``CaseConflict`` says what happened in between, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cpmis import access
from cpmis.accounts.models import User
from cpmis.audit import versioning
from cpmis.audit.services import audit_record
from cpmis.legal.models import Provision
from cpmis.legal.selectors import rule_for
from cpmis.notifications.models import Notification
from cpmis.notifications.services import notify
from cpmis.people.models import Child, Sex
from cpmis.people.services import age_on
from cpmis.reference.models import District

from . import deadlines, numbering
from .models import (
    Case,
    CaseEvent,
    CaseOffence,
    CaseReference,
    Concern,
    EventKind,
    Institution,
    Perpetrator,
    RiskLevel,
    Stage,
    Task,
    Transfer,
)
from .workflow import CORRECTABLE, plan_status, stages_of

OPEN_STAGES = frozenset(Stage.values) - {Stage.CLOSED, Stage.CLOSURE_REQUESTED}
CLOCK_SKEW = timedelta(minutes=5)


CASE_TYPE = "cases.case"  # the audit object type of a case (its id there is the uuid)


class CaseConflict(versioning.VersionConflict):
    """The case changed since the caller read it: one change per version, each named by the
    kind of event (``assessed``) or of action (``perpetrator_added``) it recorded."""

    message = "The case was changed by someone else since you opened it."

    def payload(self) -> dict[str, Any]:
        return {
            "detail": str(self),
            "version": self.current,
            "changes": [
                {
                    "version": c.version,
                    "kind": c.action.removeprefix("case."),
                    "occurred_at": c.at.isoformat() if c.at else None,
                    "recorded_by": c.by or None,
                }
                for c in self.changes
            ],
        }


def _refuse(
    message: str, rule_code: str | None = None, case: Case | None = None, field: str = "__all__"
) -> ValidationError:
    if rule_code and case is not None:
        message = f"{message} ({rule_for(rule_code, case.jurisdiction).citation})"
    return ValidationError({field: message})


def _is_girl(child: Child) -> bool:
    return child.sex == Sex.FEMALE


def _check_officer(case: Case, officer: User | None) -> None:
    if officer is not None and _is_girl(case.child) and officer.sex == User.Sex.MALE:
        raise _refuse(
            "A girl child is never taken into or kept in the care of a male officer",
            "girl_child_female_carer",
            case,
            "officer",
        )


def _when(case: Case, occurred_at: datetime | None) -> datetime:
    now = timezone.now()
    moment = occurred_at or now
    if moment > now + CLOCK_SKEW:
        raise ValidationError({"occurred_at": "This date is in the future."})
    if moment < case.opened_at - CLOCK_SKEW:
        raise ValidationError({"occurred_at": "This date is before the case was opened."})
    return moment


def _locked(actor: Any, case: Case, *, supervise: bool = False) -> Case:
    scope = access.cases_supervised_by(actor) if supervise else access.cases_workable_by(actor)
    locked = versioning.lock(scope.select_related("child", "jurisdiction"), case.pk)
    if locked is None:
        raise PermissionDenied(
            "Only a supervisor of this case's district can do this."
            if supervise
            else "You cannot work on this case."
        )
    return locked


def _begin(
    actor: Any,
    case: Case,
    version: int | None,
    *,
    stages: Iterable[str] | None = None,
    action: str = "change",
    supervise: bool = False,
) -> Case:
    """The start of every change: lock the case the actor may work on (or supervise), check
    the version they read, and that the case is at a stage where ``action`` is possible."""
    locked = _locked(actor, case, supervise=supervise)
    _check_version(locked, version)
    if stages is not None:
        _require_stage(locked, stages, action)
    return locked


def _check_version(case: Case, version: int | None) -> None:
    versioning.check(
        case, version, object_type=CASE_TYPE, object_id=case.uuid, conflict=CaseConflict
    )


def _new_version(
    actor: Any, case: Case, action: str, detail: dict[str, Any], fields: Iterable[str] = ()
) -> None:
    case.updated_at = timezone.now()
    versioning.save_new_version(
        case,
        actor=actor,
        action=action,
        object_type=CASE_TYPE,
        object_id=case.uuid,
        fields=[*fields, "updated_at"],
        detail=detail,
    )


def _events(case: Case) -> list[CaseEvent]:
    return list(case.events.all())


def _recompute(case: Case) -> None:
    """Replace the case's tasks with those its events imply (deadlines follow corrections)."""
    specs = deadlines.compute(case, _events(case))
    Task.objects.filter(case=case).delete()
    Task.objects.bulk_create(
        Task(
            case=case,
            district_id=case.district_id,
            assigned_to_id=case.assigned_to_id,
            kind=s.kind,
            due_at=s.due_at,
            done_at=s.done_at,
            basis=s.basis[:300],
            for_supervisor=s.for_supervisor,
        )
        for s in specs
    )


def _record(
    actor: Any,
    case: Case,
    kind: str,
    occurred_at: datetime,
    *,
    details: dict[str, Any] | None = None,
    note: str = "",
    stage: str | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        occurred_at=occurred_at,
        recorded_at=timezone.now(),
        recorded_by=actor,
        details=details or {},
        note=note,
    )
    fields = []
    if stage is not None and stage != case.stage:
        case.stage = stage
        fields.append("stage")
    _new_version(actor, case, f"case.{kind}", {"event": event.pk}, fields)
    _recompute(case)
    return event


def _require_stage(case: Case, allowed: Iterable[str], action: str) -> None:
    if case.stage not in set(allowed):
        raise ValidationError(
            {"stage": f"You cannot {action} a case at the stage “{case.get_stage_display()}”."}
        )


# --- opening, assignment, assessment, plan --------------------------------------------------


@transaction.atomic
def case_open(
    *,
    actor: Any,
    child: Child,
    initial_risk: str,
    concerns: list[str],
    opened_at: datetime | None = None,
    assigned_to: User | None = None,
    note: str = "",
) -> Case:
    if not access.children_visible_to(actor).filter(pk=child.pk).exists():
        raise PermissionDenied("You cannot open a case for this child.")
    if not access.districts_where(actor, "case.work").filter(pk=child.district_id).exists():
        raise PermissionDenied("You cannot open cases in this child's district.")
    if initial_risk not in RiskLevel.values:
        raise ValidationError({"initial_risk": "Give the risk level: high, medium or low."})
    unknown = [c for c in concerns if c not in Concern.values]
    if unknown or not concerns:
        raise ValidationError({"concerns": "Give at least one known protection concern."})
    now = timezone.now()
    opened = opened_at or now
    if opened > now + CLOCK_SKEW:
        raise ValidationError({"opened_at": "This date is in the future."})
    is_cpo = access.is_cpo(actor)
    if assigned_to is not None and assigned_to != actor:
        supervises = access.districts_where(actor, "case.supervise")
        if not supervises.filter(pk=child.district_id).exists():
            raise PermissionDenied("Only a supervisor assigns a case to another officer.")
    officer = assigned_to or (actor if is_cpo else None)
    case = Case(
        number=numbering.next_number(child.district, opened),
        child=child,
        district=child.district,
        jurisdiction=child.district.jurisdiction,
        initial_risk=initial_risk,
        concerns=sorted(set(concerns)),
        assigned_to=officer,
        assigned_at=now if officer is not None else None,
        opened_at=opened,
        created_by=actor,
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


def _case_link(case: Case) -> str:
    from django.urls import reverse

    return reverse("cases:case", kwargs={"uuid": case.uuid})


def _tell_officer(case: Case, officer: User) -> None:
    notify(
        users=[officer],
        kind=Notification.Kind.CASE_ASSIGNED,
        message=f"Case {case.number} is assigned to you.",
        link=_case_link(case),
    )


def _check_chosen_officer(case: Case, officer: User) -> None:
    """When a supervisor gives a girl's case to someone, that officer must be recorded as a
    woman: an account whose sex is "not stated" could be a man (ICT CPA 2018 s.20)."""
    if _is_girl(case.child) and officer.sex != User.Sex.FEMALE:
        if officer.sex == User.Sex.MALE:
            _check_officer(case, officer)
        raise _refuse(
            f"A girl's case is given only to a woman officer, and {officer}'s sex is not "
            "recorded: an administrator records it in the account first",
            "girl_child_female_carer",
            case,
            "officer",
        )


def _check_officer_works_here(officer: User, case: Case) -> None:
    if not access.is_district_cpo(officer, case.district_id):
        raise ValidationError(
            {"officer": "Choose a Child Protection Officer of the case's district."}
        )


@transaction.atomic
def case_assign(*, actor: Any, case: Case, officer: User, version: int | None = None) -> Case:
    case = _begin(actor, case, version, stages=stages_of("assign"), action="assign", supervise=True)
    _check_officer_works_here(officer, case)
    _check_officer(case, officer)
    _check_chosen_officer(case, officer)
    if case.assigned_to_id == officer.pk:
        raise ValidationError({"officer": f"The case is already assigned to {officer}."})
    now = timezone.now()
    case.assigned_to = officer
    case.assigned_at = now
    case.save(update_fields=["assigned_to", "assigned_at"])
    _record(actor, case, EventKind.ASSIGNED, now, details={"officer": officer.pk})
    _tell_officer(case, officer)
    return case


def case_assign_many(
    *, actor: Any, cases: list[Case], officer: User
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
    actor: Any,
    case: Case,
    risk_level: str,
    occurred_at: datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    case = _begin(actor, case, version, stages=stages_of("assess"), action="assess")
    if risk_level not in RiskLevel.values:
        raise ValidationError({"risk_level": "Give the risk level: high, medium or low."})
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
    actor: Any,
    case: Case,
    goals: list[dict[str, Any]],
    occurred_at: datetime | None = None,
    version: int | None = None,
) -> Case:
    """The intervention plan: goals with the services, the person responsible and dates."""
    case = _begin(actor, case, version, stages=stages_of("plan"), action="set the plan of")
    if not goals or not all(isinstance(g, dict) and g.get("goal") for g in goals):
        raise ValidationError(
            {"goals": "Give at least one goal, with its services, who is responsible and by when."}
        )
    when = _when(case, occurred_at)
    stage = Stage.PLANNED if case.stage == Stage.ASSESSED else None
    _record(actor, case, EventKind.PLAN_SET, when, details={"goals": goals}, stage=stage)
    return case


@transaction.atomic
def case_plan_approve(*, actor: Any, case: Case, version: int | None = None) -> Case:
    """The supervisor approves the latest plan, whatever was recorded after it (a placement
    moves the case to implementation; the plan can still be approved there)."""
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("approve-plan"),
        action="approve the plan of",
        supervise=True,
    )
    latest, approved = plan_status(_events(case))
    if latest is None:
        raise ValidationError({"stage": "No case plan is set yet: the officer sets it first."})
    if approved:
        raise ValidationError({"stage": "The latest case plan is already approved."})
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
    *, actor: Any, case: Case, provision: Provision, version: int | None = None
) -> Case:
    case = _begin(actor, case, version, stages=stages_of("offence"), action="add an offence to")
    if provision.kind not in {Provision.Kind.OFFENCE, Provision.Kind.PENALTY}:
        raise ValidationError({"provision": f"{provision.citation} is not an offence."})
    statute_jurisdiction = provision.statute.jurisdiction_id
    if statute_jurisdiction is not None and statute_jurisdiction != case.jurisdiction_id:
        raise ValidationError(
            {"provision": f"{provision.citation} is not law in {case.jurisdiction.name_en}."}
        )
    if CaseOffence.objects.filter(case=case, provision=provision).exists():
        raise ValidationError({"provision": f"{provision.citation} is already recorded."})
    CaseOffence.objects.get_or_create(case=case, provision=provision)
    _record(
        actor,
        case,
        EventKind.OFFENCE_ALLEGED,
        timezone.now(),
        details={"provision": provision.pk, "citation": provision.citation},
    )
    return case


# --- protection, court, placement -----------------------------------------------------------


@transaction.atomic
def protection_take(
    *,
    actor: Any,
    case: Case,
    occurred_at: datetime | None = None,
    temporary_institution: Institution | None = None,
    version: int | None = None,
) -> Case:
    """Taking the child into protection starts the clocks of the case's jurisdiction."""
    case = _begin(actor, case, version, stages=stages_of("protect"), action="take into protection")
    if case.in_protection:
        raise ValidationError({"stage": "The child is already in protection."})
    _check_officer(case, actor)
    _check_officer(case, case.assigned_to)
    when = _when(case, occurred_at)
    details: dict[str, Any] = {}
    if temporary_institution is not None:
        _check_institution(case, temporary_institution, when)
        details["temporary_institution"] = temporary_institution.pk
    case.in_protection = True
    case.save(update_fields=["in_protection"])
    _record(actor, case, EventKind.TAKEN_INTO_PROTECTION, when, details=details)
    return case


@transaction.atomic
def court_produce(
    *,
    actor: Any,
    case: Case,
    court: str,
    occurred_at: datetime | None = None,
    version: int | None = None,
) -> Case:
    case = _begin(
        actor, case, version, stages=stages_of("produce"), action="record a production in"
    )
    events = _events(case)
    taken = [e for e in events if e.kind == EventKind.TAKEN_INTO_PROTECTION]
    if not case.in_protection or not taken:
        raise ValidationError(
            {"stage": "The child is produced before the Court after being taken into protection."}
        )
    when = _when(case, occurred_at)
    if when < taken[-1].occurred_at:
        raise ValidationError({"occurred_at": "Production cannot precede taking into protection."})
    if not court.strip():
        raise ValidationError({"court": "Name the Court."})
    _record(actor, case, EventKind.PRODUCED_BEFORE_COURT, when, details={"court": court[:200]})
    return case


ORDER_LABELS = {
    "custody": "Custody",
    "placement": "Placement",
    "medical_examination": "Medical examination",
    "age_determination": "Age determination",
    "legal_aid": "Legal aid",
    "release": "Release",
    "final_decision": "Final decision",
}
ORDER_KINDS = tuple(ORDER_LABELS)


@transaction.atomic
def order_record(
    *,
    actor: Any,
    case: Case,
    kind: str,
    occurred_at: datetime | None = None,
    child_views: str = "",
    not_heard_reason: str = "",
    medical_report: str = "",
    determined_age: int | None = None,
    final: bool = False,
    note: str = "",
    version: int | None = None,
) -> Case:
    case = _begin(actor, case, version, stages=stages_of("order"), action="record an order in")
    if kind not in ORDER_KINDS:
        raise ValidationError({"kind": "Choose the kind of order from the list."})
    if not any(e.kind == EventKind.PRODUCED_BEFORE_COURT for e in _events(case)):
        raise ValidationError(
            {"kind": "A Court order follows the child's production before the Court."}
        )
    when = _when(case, occurred_at)
    details: dict[str, Any] = {"kind": kind, "final": final or kind == "final_decision"}
    if kind in {"custody", "placement"}:
        if not (child_views.strip() or not_heard_reason.strip()):
            raise _refuse(
                "A custody or placement order needs the child's views, or the reason the child "
                "could not be heard",
                "child_heard_before_custody_order",
                case,
                "child_views",
            )
        details["child_heard"] = bool(child_views.strip())
    if kind == "age_determination":
        if not medical_report.strip() or determined_age is None:
            raise _refuse(
                "A disputed age is decided by the Court on a medical report: record the report "
                "and the age determined",
                "age_dispute_medical_report",
                case,
                "medical_report",
            )
        details["determined_age"] = determined_age
    text = "\n".join(
        x
        for x in (
            child_views and f"Child's views: {child_views}",
            not_heard_reason and f"Not heard because: {not_heard_reason}",
            medical_report and f"Medical report: {medical_report}",
            note,
        )
        if x
    )
    _record(actor, case, EventKind.ORDER, when, details=details, note=text)
    return case


def _leave_institution(case: Case) -> None:
    """Free the place the child holds, if the current placement is in an institution."""
    current = case.events.filter(kind=EventKind.PLACEMENT).order_by("-occurred_at", "-id").first()
    released = case.events.filter(kind=EventKind.RELEASED).order_by("-occurred_at").first()
    if current is None or not current.details.get("institution"):
        return
    if released is not None and released.occurred_at >= current.occurred_at:
        return  # already freed at release
    institution = Institution.objects.select_for_update().get(pk=current.details["institution"])
    institution.occupancy = max(institution.occupancy - 1, 0)
    institution.save(update_fields=["occupancy"])


PLACEMENT_LABELS = {
    "parental": "With the parents",
    "extended_family": "With the extended family",
    "non_kinship": "Non-kinship care (foster family)",
    "institution": "In an institution",
}
PLACEMENT_OPTIONS = tuple(PLACEMENT_LABELS)


def _check_institution_near(case: Case, institution: Institution) -> None:
    """Placements and referrals go to places of the case's province (the pickers offer the
    district's first, then the rest of the province)."""
    if institution.district.jurisdiction_id != case.jurisdiction_id:
        raise ValidationError(
            {
                "institution": f"{institution.name} is outside {case.jurisdiction.name_en}: "
                "choose a place in the case's province."
            }
        )


def _check_institution(case: Case, institution: Institution, when: datetime) -> None:
    child = case.child
    _check_institution_near(case, institution)
    if institution.occupancy >= institution.capacity:
        raise ValidationError({"institution": f"{institution.name} is full."})
    girl = _is_girl(child)
    if (girl and institution.accepts == Institution.Accepts.BOYS) or (
        not girl and child.sex == Sex.MALE and institution.accepts == Institution.Accepts.GIRLS
    ):
        raise ValidationError(
            {"institution": f"{institution.name} does not accept this child's sex."}
        )
    age = age_on(child.date_of_birth, timezone.localtime(when).date())
    if not institution.age_min <= age <= institution.age_max:
        ages = f"{institution.age_min}–{institution.age_max}"
        raise ValidationError({"institution": f"{institution.name} accepts ages {ages}."})


@transaction.atomic
def placement_make(
    *,
    actor: Any,
    case: Case,
    option: str,
    occurred_at: datetime | None = None,
    institution: Institution | None = None,
    caregiver_sex: str = "",
    lower_option_reason: str = "",
    version: int | None = None,
) -> Case:
    case = _begin(actor, case, version, stages=stages_of("place"), action="place the child of")
    order = rule_for("placement_preference", case.jurisdiction).rule.value.split(";")
    if option not in PLACEMENT_OPTIONS:
        raise ValidationError({"option": "Choose where the child is placed from the list."})
    when = _when(case, occurred_at)
    orders = [
        e
        for e in _events(case)
        if e.kind == EventKind.ORDER
        and e.details.get("kind") in {"custody", "placement"}
        and e.occurred_at <= when
    ]
    if option != "parental" and not orders:
        raise _refuse(
            "Removing a child from the family needs a Court order (custody or placement)",
            "child_heard_before_custody_order",
            case,
            "option",
        )
    if option in order and order.index(option) > 0 and not lower_option_reason.strip():
        preferred = ", then ".join(PLACEMENT_LABELS.get(o, o).lower() for o in order)
        raise _refuse(
            f"The law prefers placement {preferred}: say why the preferred options were not "
            "possible",
            "placement_preference",
            case,
            "lower_option_reason",
        )
    details: dict[str, Any] = {"option": option}
    _leave_institution(case)  # a new placement ends the current one
    if option == "institution":
        if institution is None:
            raise ValidationError({"institution": "Choose the institution."})
        locked = (
            Institution.objects.select_for_update(of=("self",))
            .select_related("district")
            .get(pk=institution.pk)
        )
        _check_institution(case, locked, when)  # on the locked row: occupancy is current
        locked.occupancy += 1
        locked.save(update_fields=["occupancy"])
        details["institution"] = institution.pk
    else:
        if caregiver_sex not in {"female", "male"}:
            raise ValidationError(
                {"caregiver_sex": "Record the caregiver's sex (a safeguard for girl children)."}
            )
        if _is_girl(case.child) and caregiver_sex == "male":
            raise _refuse(
                "A girl child is never placed in the care of a male caregiver",
                "girl_child_female_carer",
                case,
                "caregiver_sex",
            )
        details["caregiver_sex"] = caregiver_sex
    stage = (
        Stage.IMPLEMENTATION
        if case.stage in {Stage.REGISTERED, Stage.ASSESSED, Stage.PLANNED}
        else None
    )
    _record(
        actor,
        case,
        EventKind.PLACEMENT,
        when,
        details=details,
        note=lower_option_reason and f"Why not a preferred option: {lower_option_reason}",
        stage=stage,
    )
    return case


@transaction.atomic
def legal_aid_offer(
    *,
    actor: Any,
    case: Case,
    accepted: bool,
    occurred_at: datetime | None = None,
    version: int | None = None,
) -> Case:
    case = _begin(actor, case, version, stages=stages_of("legal-aid"), action="offer legal aid in")
    _record(
        actor,
        case,
        EventKind.LEGAL_AID_OFFERED,
        _when(case, occurred_at),
        details={"accepted": bool(accepted)},
    )
    return case


@transaction.atomic
def simple_event(
    *,
    actor: Any,
    case: Case,
    kind: str,
    occurred_at: datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """Hearings, reviews, delay reports and follow-up visits: events with a date and a note."""
    allowed: dict[str, Iterable[str]] = {
        EventKind.REVIEW: stages_of("review"),
        EventKind.HEARING: stages_of("hearing"),
        EventKind.DELAY_REPORT: stages_of("delay-report"),
        EventKind.FOLLOW_UP_VISIT: stages_of("follow-up"),
    }
    if kind not in allowed:
        raise ValidationError({"kind": "Not an event that can be recorded this way."})
    case = _begin(
        actor,
        case,
        version,
        stages=allowed[kind],
        action=f"record a {EventKind(kind).label.lower()} for",
    )
    if (
        kind == EventKind.HEARING
        and not case.events.filter(kind=EventKind.PRODUCED_BEFORE_COURT).exists()
    ):
        raise ValidationError(
            {"kind": "A hearing follows the child's production before the Court."}
        )
    _record(actor, case, kind, _when(case, occurred_at), note=note)
    return case


@transaction.atomic
def complaint_attach_to(
    *, actor: Any, case: Case, complaint_ref: str, note: str = "", version: int | None = None
) -> Case:
    """A new complaint about a child whose case is open: it joins the case's timeline so the
    officer working the case sees it (the complaints service links the complaint itself)."""
    case = _begin(actor, case, version, stages=OPEN_STAGES, action="attach to")
    _record(
        actor,
        case,
        EventKind.COMPLAINT_RECEIVED,
        timezone.now(),
        details={"complaint": complaint_ref},
        note=note,
    )
    return case


@transaction.atomic
def release(
    *,
    actor: Any,
    case: Case,
    occurred_at: datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """Release from protection (an institution or jail): six months of follow-up begin."""
    case = _begin(actor, case, version, stages=stages_of("release"), action="release the child of")
    if not case.in_protection:
        raise ValidationError({"stage": "The child is not in protection."})
    when = _when(case, occurred_at)
    events = _events(case)
    if not any(
        e.kind == EventKind.ORDER and e.details.get("kind") in {"release", "final_decision"}
        for e in events
    ):
        raise ValidationError(
            {"stage": "A release follows a Court order of release or a final decision."}
        )
    _leave_institution(case)
    case.in_protection = False
    case.save(update_fields=["in_protection"])
    _record(actor, case, EventKind.RELEASED, when, note=note, stage=Stage.FOLLOW_UP)
    return case


# --- closure --------------------------------------------------------------------------------


CLOSURE_LABELS = {
    "reintegrated": "Reintegrated with the family or community",
    "transferred": "Transferred to another service",
    "reached_18": "The child turned 18",
    "no_longer_at_risk": "No longer at risk",
    "died": "The child died",
    "lost_contact": "Contact lost",
    "duplicate": "Opened twice (duplicate)",
}
CLOSURE_REASONS = tuple(CLOSURE_LABELS)
# Closures that do not wait for an approved plan: the plan's work did not happen.
NO_PLAN_NEEDED = frozenset({"died", "duplicate", "transferred"})


@transaction.atomic
def closure_request(
    *, actor: Any, case: Case, reason: str, note: str = "", version: int | None = None
) -> Case:
    case = _begin(
        actor, case, version, stages=stages_of("request-closure"), action="request closure of"
    )
    if reason not in CLOSURE_REASONS:
        raise ValidationError({"reason": "Choose the reason for closure from the list."})
    if case.in_protection:
        raise ValidationError({"reason": "The child is still in protection: release first."})
    events = _events(case)
    if case.offences.exists() and not any(e.kind == EventKind.LEGAL_AID_OFFERED for e in events):
        raise _refuse(
            "A child victim of an offence is offered legal assistance before closure",
            "legal_aid",
            case,
            "reason",
        )
    if _pending_transfer(case) is not None:
        raise ValidationError(
            {"reason": "A transfer of this case is waiting for an answer: withdraw it first."}
        )
    plan, approved = plan_status(events)
    if plan is not None and not approved and reason not in NO_PLAN_NEEDED:
        raise ValidationError(
            {"reason": "The supervisor approves the case plan before the case can close."}
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
    *, actor: Any, case: Case, approve: bool, note: str = "", version: int | None = None
) -> Case:
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("decide-closure"),
        action="decide the closure of",
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
def case_reopen(*, actor: Any, case: Case, note: str, version: int | None = None) -> Case:
    case = _begin(actor, case, version, stages=stages_of("reopen"), action="reopen", supervise=True)
    if not note.strip():
        raise ValidationError({"note": "Say why the case is reopened."})
    case.closed_at = None
    case.save(update_fields=["closed_at"])
    stage = Stage.ASSESSED if case.risk_level else Stage.REGISTERED
    _record(actor, case, EventKind.REOPENED, timezone.now(), note=note, stage=stage)
    return case


@transaction.atomic
def event_correct(
    *, actor: Any, event: CaseEvent, occurred_at: datetime, reason: str, version: int | None = None
) -> CaseEvent:
    """Correct when an event happened (a mistyped date or hour). The tasks are computed again
    from the corrected record, so every deadline that depends on it moves with it; the old
    time stays in the event's details and in the audit trail."""
    case = _begin(
        actor,
        event.case,
        version,
        stages=OPEN_STAGES,
        action="correct an event of",
    )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the time is corrected."})
    if event.kind not in CORRECTABLE:
        raise ValidationError(
            {
                "occurred_at": f"The time of “{EventKind(event.kind).label}” is the time it was "
                "recorded: it cannot be corrected."
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
            raise ValidationError({"occurred_at": "The corrected time puts events out of order."})
    previous = event.occurred_at
    event.details = {**event.details, "corrected_from": previous.isoformat()}
    event.occurred_at = when
    event.note = (event.note + "\n" if event.note else "") + f"Time corrected: {reason}"
    event.save(update_fields=["occurred_at", "details", "note"])
    _new_version(actor, case, "case.event_corrected", {"event": event.pk})
    _recompute(case)
    return event


# --- transfer and referral --------------------------------------------------------------------


def _pending_transfer(case: Case) -> Transfer | None:
    return case.transfers.filter(status=Transfer.Status.PENDING).first()


@transaction.atomic
def transfer_request(
    *, actor: Any, case: Case, to_district: District, reason: str, version: int | None = None
) -> Transfer:
    """Ask the CPU of another district (or jurisdiction) to take the case over. The case stays
    with the sending district until the receiving supervisor accepts."""
    case = _begin(actor, case, version, stages=stages_of("transfer"), action="transfer")
    if to_district.pk == case.district_id:
        raise ValidationError({"to_district": "The case is already in this district."})
    if _pending_transfer(case) is not None:
        raise ValidationError({"to_district": "A transfer of this case is already waiting."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case moves."})
    receivers = list(access.supervisors_of(to_district))
    if not receivers:
        raise ValidationError(
            {
                "to_district": f"{to_district.name_en} has no CPU supervisor in cpmis to accept "
                "the case: ask an administrator, or choose another district."
            }
        )
    now = timezone.now()
    transfer = Transfer.objects.create(
        case=case,
        from_district_id=case.district_id,
        to_district=to_district,
        reason=reason.strip()[:2000],
        requested_by=actor,
        requested_at=now,
    )
    _record(
        actor,
        case,
        EventKind.TRANSFER_REQUESTED,
        now,
        details={"to_district": to_district.pk, "transfer": transfer.pk},
        note=reason,
    )
    notify(
        users=receivers,
        kind=Notification.Kind.TRANSFER_REQUESTED,
        message=f"Case {case.number} from {case.district.name_en} waits for your answer.",
        link=_transfers_link(),
    )
    return transfer


@transaction.atomic
def transfer_withdraw(
    *, actor: Any, case: Case, note: str = "", version: int | None = None
) -> Transfer:
    """The sending side takes back a request nobody has answered (the family did not move
    after all, or nobody in the receiving district can answer)."""
    case = _begin(actor, case, version, stages=stages_of("withdraw-transfer"), action="withdraw")
    transfer = (
        case.transfers.select_for_update(of=("self",))
        .filter(status=Transfer.Status.PENDING)
        .select_related("to_district")
        .first()
    )
    if transfer is None:
        raise ValidationError(
            {"__all__": "No transfer of this case is waiting: nothing to withdraw."}
        )
    _transfer_closed(
        actor, case, transfer, Transfer.Status.WITHDRAWN, EventKind.TRANSFER_WITHDRAWN, note
    )
    notify(
        users=access.supervisors_of(transfer.to_district),
        kind=Notification.Kind.TRANSFER_WITHDRAWN,
        message=f"{case.district.name_en} withdrew the transfer of case {case.number}.",
    )
    return transfer


def _transfer_closed(
    actor: Any, case: Case, transfer: Transfer, status: str, kind: str, note: str
) -> None:
    """A request ends without the case moving (declined, withdrawn): the transfer says who
    ended it and why, and the case's timeline records it."""
    now = timezone.now()
    transfer.status = status
    transfer.decided_by = actor
    transfer.decided_at = now
    transfer.decision_note = note.strip()[:4000]
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record(
        actor,
        case,
        kind,
        now,
        details={"transfer": transfer.pk, "to_district": transfer.to_district_id},
        note=note,
    )


def _transfers_link() -> str:
    from django.urls import reverse

    return reverse("cases:transfers")


@transaction.atomic
def transfer_decide(
    *,
    actor: Any,
    transfer: Transfer,
    accept: bool,
    officer: User | None = None,
    note: str = "",
) -> Transfer:
    """The receiving supervisor accepts or declines (with a reason). From acceptance on, the
    case is in the new district and its clocks follow the law of the new jurisdiction. Both
    sides are notified."""
    locked = (
        access.transfers_waiting_for(actor)
        .select_for_update(of=("self",))
        .filter(pk=transfer.pk)
        .select_related("to_district__jurisdiction", "from_district")
        .first()
    )
    if locked is None:
        done = Transfer.objects.filter(pk=transfer.pk).exclude(status=Transfer.Status.PENDING)
        if done.exists():
            raise ValidationError(
                {"accept": "This transfer was already answered: nothing was changed."}
            )
        raise PermissionDenied("Only a supervisor of the receiving district can answer.")
    transfer = locked
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("child", "jurisdiction", "district")
        .get(pk=transfer.case_id)
    )
    if case.stage not in stages_of("transfer"):
        raise ValidationError(
            {
                "accept": f"The case is now at the stage “{case.get_stage_display()}”: it can "
                "no longer be transferred. Ask the sending district to withdraw the request."
            }
        )
    sending_side = [transfer.requested_by, case.assigned_to, *access.supervisors_of(case.district)]
    if not accept:
        if not note.strip():
            raise ValidationError({"note": "Say why the transfer is declined."})
        _transfer_closed(
            actor, case, transfer, Transfer.Status.DECLINED, EventKind.TRANSFER_REFUSED, note
        )
        notify(
            users=sending_side,
            kind=Notification.Kind.TRANSFER_DECLINED,
            message=f"{transfer.to_district.name_en} declined the transfer of case "
            f"{case.number}; the case stays with {case.district.name_en}.",
            link=_case_link(case),
        )
        return transfer
    now = timezone.now()
    transfer.decided_by = actor
    transfer.decided_at = now
    transfer.decision_note = note.strip()[:4000]
    target = transfer.to_district
    details = {
        "from_district": case.district_id,
        "to_district": target.pk,
        "from_jurisdiction": case.jurisdiction_id,
        "to_jurisdiction": target.jurisdiction_id,
        "transfer": transfer.pk,
    }
    case.district = target
    case.jurisdiction = target.jurisdiction
    case.assigned_to = None
    case.assigned_at = None
    if officer is not None:
        _check_officer_works_here(officer, case)
        _check_officer(case, officer)
        _check_chosen_officer(case, officer)
        case.assigned_to = officer
        case.assigned_at = now
    case.save(update_fields=["district", "jurisdiction", "assigned_to", "assigned_at"])
    child = case.child
    others_open_here = (
        Case.objects.filter(child=child, district_id=details["from_district"])
        .exclude(pk=case.pk)
        .exclude(stage=Stage.CLOSED)
        .exists()
    )
    if not others_open_here:
        # the child is now known to the receiving district; while another case of the child
        # stays open in the sending district, the child stays there too (its officers keep
        # reading the child's record for that case)
        child.district = target
        child.owner = None
        child.save(update_fields=["district", "owner"])
    transfer.status = Transfer.Status.ACCEPTED
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record(actor, case, EventKind.TRANSFER_ACCEPTED, now, details=details, note=note)
    notify(
        users=sending_side,
        kind=Notification.Kind.TRANSFER_ACCEPTED,
        message=f"{target.name_en} accepted case {case.number}; it is no longer in your "
        "district's caseload.",
    )
    if officer is not None:
        _tell_officer(case, officer)
    return transfer


@transaction.atomic
def referral_make(
    *,
    actor: Any,
    case: Case,
    service: str,
    institution: Institution | None = None,
    follow_up_on: datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """Refer the child to a service (health, education, legal aid, shelter, psychosocial…)."""
    case = _begin(actor, case, version, stages=stages_of("refer"), action="refer")
    if not service.strip():
        raise ValidationError({"service": "Name the service."})
    details: dict[str, Any] = {"service": service[:100]}
    if institution is not None:
        _check_institution_near(case, institution)
        details["institution"] = institution.pk
    if follow_up_on is not None:
        if (
            not timezone.now() - timedelta(days=1)
            <= follow_up_on
            <= timezone.now() + timedelta(days=2 * 366)
        ):
            raise ValidationError(
                {"follow_up_on": "Plan the follow-up between today and two years from now."}
            )
        details["follow_up_on"] = follow_up_on.isoformat()
    _record(actor, case, EventKind.REFERRED, timezone.now(), details=details, note=note)
    return case


# --- what is known about the offence: perpetrators and the other bodies' references ----------


def _touch(actor: Any, case: Case, action: str, detail: dict[str, Any]) -> None:
    """A new version for a change that records no event of the case."""
    _new_version(actor, case, action, detail)


@transaction.atomic
def perpetrator_add(
    *,
    actor: Any,
    case: Case,
    relationship: str,
    sex: str,
    age_band: str,
    number: int = 1,
    version: int | None = None,
) -> Perpetrator:
    case = _begin(
        actor, case, version, stages=stages_of("perpetrator"), action="add a perpetrator to"
    )
    perpetrator = Perpetrator(
        case=case, relationship=relationship, sex=sex, age_band=age_band, number=number
    )
    perpetrator.full_clean()
    perpetrator.save()
    _touch(actor, case, "case.perpetrator_added", {"perpetrator": perpetrator.pk})
    return perpetrator


@transaction.atomic
def reference_add(
    *,
    actor: Any,
    case: Case,
    kind: str,
    number: str,
    authority: str = "",
    version: int | None = None,
) -> CaseReference:
    """The police FIR, FIA or court number of the same matter (links to department data)."""
    case = _begin(actor, case, version, stages=stages_of("reference"), action="add a number to")
    reference = CaseReference(case=case, kind=kind, number=number.strip(), authority=authority)
    reference.full_clean()
    if CaseReference.objects.filter(case=case, kind=kind, number=reference.number).exists():
        raise ValidationError({"number": "This reference is already recorded."})
    reference.save()
    _touch(actor, case, "case.reference_added", {"reference": reference.pk})
    return reference


@transaction.atomic
def institution_create(*, actor: Any, **fields: Any) -> Institution:
    """Add a place to the directory (an administrator's reference data)."""
    if actor is not None and not access.has_capability(actor, "institution.manage"):
        raise PermissionDenied("Only an administrator keeps the directory.")
    institution = Institution(**fields)
    if institution.age_min > institution.age_max:
        raise ValidationError({"age_min": "The youngest age accepted is above the oldest."})
    institution.full_clean()
    institution.save()
    audit_record(
        actor=actor,
        action="institution.create",
        object_type="cases.institution",
        object_id=institution.pk,
    )
    return institution
