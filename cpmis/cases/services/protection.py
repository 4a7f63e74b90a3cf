"""Protection, court and placement: taking the child into protection (the clocks start), the
court's orders, placements, legal aid, release and the other events of the casework."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from cpmis.actors import Actor, person
from cpmis.legal.selectors import rule_for
from cpmis.people.models import Sex
from cpmis.people.services import age_on

from ..models import (
    Case,
    EventKind,
    Institution,
    Stage,
)
from ..workflow import stages_of
from ._common import OPEN_STAGES, _begin, _check_officer, _events, _is_girl, _record, _refuse, _when


@transaction.atomic
def protection_take(
    *,
    actor: Actor,
    case: Case,
    occurred_at: datetime | None = None,
    temporary_institution: Institution | None = None,
    version: int | None = None,
) -> Case:
    """Taking the child into protection starts the clocks of the case's jurisdiction."""
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("protect"),
        action=pgettext("case action", "take into protection"),
    )
    if case.in_protection:
        raise ValidationError({"stage": _("The child is already in protection.")})
    _check_officer(case, person(actor))
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
    actor: Actor,
    case: Case,
    court: str,
    occurred_at: datetime | None = None,
    version: int | None = None,
) -> Case:
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("produce"),
        action=pgettext("case action", "record a production in"),
    )
    events = _events(case)
    taken = [e for e in events if e.kind == EventKind.TAKEN_INTO_PROTECTION]
    if not case.in_protection or not taken:
        raise ValidationError(
            {
                "stage": _(
                    "The child is produced before the Court after being taken into protection."
                )
            }
        )
    when = _when(case, occurred_at)
    if when < taken[-1].occurred_at:
        raise ValidationError(
            {"occurred_at": _("Production cannot precede taking into protection.")}
        )
    if not court.strip():
        raise ValidationError({"court": _("Name the Court.")})
    _record(actor, case, EventKind.PRODUCED_BEFORE_COURT, when, details={"court": court[:200]})
    return case


ORDER_LABELS = {
    "custody": gettext_lazy("Custody"),
    "placement": gettext_lazy("Placement"),
    "medical_examination": gettext_lazy("Medical examination"),
    "age_determination": gettext_lazy("Age determination"),
    "legal_aid": gettext_lazy("Legal aid"),
    "release": gettext_lazy("Release"),
    "final_decision": gettext_lazy("Final decision"),
}
ORDER_KINDS = tuple(ORDER_LABELS)


@transaction.atomic
def order_record(
    *,
    actor: Actor,
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
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("order"),
        action=pgettext("case action", "record an order in"),
    )
    if kind not in ORDER_KINDS:
        raise ValidationError({"kind": _("Choose the kind of order from the list.")})
    if not any(e.kind == EventKind.PRODUCED_BEFORE_COURT for e in _events(case)):
        raise ValidationError(
            {"kind": _("A Court order follows the child's production before the Court.")}
        )
    when = _when(case, occurred_at)
    details: dict[str, Any] = {"kind": kind, "final": final or kind == "final_decision"}
    if kind in {"custody", "placement"}:
        if not (child_views.strip() or not_heard_reason.strip()):
            raise _refuse(
                _(
                    "A custody or placement order needs the child's views, or the reason the "
                    "child could not be heard"
                ),
                "child_heard_before_custody_order",
                case,
                "child_views",
            )
        details["child_heard"] = bool(child_views.strip())
    if kind == "age_determination":
        if not medical_report.strip() or determined_age is None:
            raise _refuse(
                _(
                    "A disputed age is decided by the Court on a medical report: record the "
                    "report and the age determined"
                ),
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
    "parental": gettext_lazy("With the parents"),
    "extended_family": gettext_lazy("With the extended family"),
    "non_kinship": gettext_lazy("Non-kinship care (foster family)"),
    "institution": gettext_lazy("In an institution"),
}
PLACEMENT_OPTIONS = tuple(PLACEMENT_LABELS)


def _check_institution_near(case: Case, institution: Institution) -> None:
    """Placements and referrals go to places of the case's province (the pickers offer the
    district's first, then the rest of the province)."""
    if institution.district.jurisdiction_id != case.jurisdiction_id:
        raise ValidationError(
            {
                "institution": _(
                    "%(place)s is outside %(jurisdiction)s: choose a place in the case's province."
                )
                % {"place": institution.name, "jurisdiction": case.jurisdiction.name_en}
            }
        )


def _check_institution(case: Case, institution: Institution, when: datetime) -> None:
    child = case.child
    _check_institution_near(case, institution)
    if institution.occupancy >= institution.capacity:
        raise ValidationError(
            {"institution": _("%(place)s is full.") % {"place": institution.name}}
        )
    girl = _is_girl(child)
    if (girl and institution.accepts == Institution.Accepts.BOYS) or (
        not girl and child.sex == Sex.MALE and institution.accepts == Institution.Accepts.GIRLS
    ):
        raise ValidationError(
            {
                "institution": _("%(place)s does not accept this child's sex.")
                % {"place": institution.name}
            }
        )
    age = age_on(child.date_of_birth, timezone.localtime(when).date())
    if not institution.age_min <= age <= institution.age_max:
        ages = f"{institution.age_min}–{institution.age_max}"
        raise ValidationError(
            {
                "institution": _("%(place)s accepts ages %(ages)s.")
                % {"place": institution.name, "ages": ages}
            }
        )


@transaction.atomic
def placement_make(
    *,
    actor: Actor,
    case: Case,
    option: str,
    occurred_at: datetime | None = None,
    institution: Institution | None = None,
    caregiver_sex: str = "",
    lower_option_reason: str = "",
    version: int | None = None,
) -> Case:
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("place"),
        action=pgettext("case action", "place the child of"),
    )
    order = rule_for("placement_preference", case.jurisdiction).rule.value.split(";")
    if option not in PLACEMENT_OPTIONS:
        raise ValidationError({"option": _("Choose where the child is placed from the list.")})
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
            _("Removing a child from the family needs a Court order (custody or placement)"),
            "child_heard_before_custody_order",
            case,
            "option",
        )
    if option in order and order.index(option) > 0 and not lower_option_reason.strip():
        then = pgettext("list separator", ", then ")
        preferred = then.join(str(PLACEMENT_LABELS.get(o, o)).lower() for o in order)
        raise _refuse(
            _(
                "The law prefers placement %(preferred)s: say why the preferred options were "
                "not possible"
            )
            % {"preferred": preferred},
            "placement_preference",
            case,
            "lower_option_reason",
        )
    details: dict[str, Any] = {"option": option}
    _leave_institution(case)  # a new placement ends the current one
    if option == "institution":
        if institution is None:
            raise ValidationError({"institution": _("Choose the institution.")})
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
                {"caregiver_sex": _("Record the caregiver's sex (a safeguard for girl children).")}
            )
        if _is_girl(case.child) and caregiver_sex == "male":
            raise _refuse(
                _("A girl child is never placed in the care of a male caregiver"),
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
    actor: Actor,
    case: Case,
    accepted: bool,
    occurred_at: datetime | None = None,
    version: int | None = None,
) -> Case:
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("legal-aid"),
        action=pgettext("case action", "offer legal aid in"),
    )
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
    actor: Actor,
    case: Case,
    kind: str,
    occurred_at: datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """Hearings, reviews, delay reports, visits and follow-up visits: events with a date and a
    note (a visit's note says what the officer found, so it is required)."""
    allowed: dict[str, Iterable[str]] = {
        EventKind.REVIEW: stages_of("review"),
        EventKind.HEARING: stages_of("hearing"),
        EventKind.DELAY_REPORT: stages_of("delay-report"),
        EventKind.FOLLOW_UP_VISIT: stages_of("follow-up"),
        EventKind.VISIT: stages_of("visit"),
    }
    if kind not in allowed:
        raise ValidationError({"kind": _("Not an event that can be recorded this way.")})
    case = _begin(
        actor,
        case,
        version,
        stages=allowed[kind],
        action=pgettext("case action", "record a %(event)s for")
        % {"event": EventKind(kind).label.lower()},
    )
    if (
        kind == EventKind.HEARING
        and not case.events.filter(kind=EventKind.PRODUCED_BEFORE_COURT).exists()
    ):
        raise ValidationError(
            {"kind": _("A hearing follows the child's production before the Court.")}
        )
    if kind == EventKind.VISIT and not note.strip():
        raise ValidationError({"note": _("Say what you found on the visit.")})
    _record(actor, case, kind, _when(case, occurred_at), note=note)
    return case


@transaction.atomic
def complaint_attach_to(
    *, actor: Actor, case: Case, complaint_ref: str, note: str = "", version: int | None = None
) -> Case:
    """A new complaint about a child whose case is open: it joins the case's timeline so the
    officer working the case sees it (the complaints service links the complaint itself)."""
    case = _begin(
        actor, case, version, stages=OPEN_STAGES, action=pgettext("case action", "attach to")
    )
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
    actor: Actor,
    case: Case,
    occurred_at: datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """Release from protection (an institution or jail): six months of follow-up begin."""
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("release"),
        action=pgettext("case action", "release the child of"),
    )
    if not case.in_protection:
        raise ValidationError({"stage": _("The child is not in protection.")})
    when = _when(case, occurred_at)
    events = _events(case)
    if not any(
        e.kind == EventKind.ORDER and e.details.get("kind") in {"release", "final_decision"}
        for e in events
    ):
        raise ValidationError(
            {"stage": _("A release follows a Court order of release or a final decision.")}
        )
    _leave_institution(case)
    case.in_protection = False
    case.save(update_fields=["in_protection"])
    _record(actor, case, EventKind.RELEASED, when, note=note, stage=Stage.FOLLOW_UP)
    return case
