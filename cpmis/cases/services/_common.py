"""What every change to a case shares: the version check and the lock, the event and the
recomputed stage and tasks, the safeguards on who may hold a case, and the 409 of a conflict."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpmis import access
from cpmis.accounts.models import User
from cpmis.actors import Actor, person
from cpmis.audit import versioning
from cpmis.legal.selectors import rule_for
from cpmis.notifications.models import Notification
from cpmis.notifications.services import notify
from cpmis.people.models import Child, Sex

from .. import deadlines
from ..models import (
    Case,
    CaseEvent,
    Stage,
    Task,
)

OPEN_STAGES = frozenset(Stage.values) - {Stage.CLOSED, Stage.CLOSURE_REQUESTED}
CLOCK_SKEW = timedelta(minutes=5)


CASE_TYPE = "cases.case"  # the audit object type of a case (its id there is the uuid)


class CaseConflict(versioning.VersionConflict):
    """The case changed since the caller read it: one change per version, each named by the
    kind of event (``assessed``) or of action (``perpetrator_added``) it recorded."""

    message = gettext_lazy("The case was changed by someone else since you opened it.")

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
            _("A girl child is never taken into or kept in the care of a male officer"),
            "girl_child_female_carer",
            case,
            "officer",
        )


def _when(case: Case, occurred_at: datetime | None) -> datetime:
    now = timezone.now()
    moment = occurred_at or now
    if moment > now + CLOCK_SKEW:
        raise ValidationError({"occurred_at": _("This date is in the future.")})
    if moment < case.opened_at - CLOCK_SKEW:
        raise ValidationError({"occurred_at": _("This date is before the case was opened.")})
    return moment


def _locked(actor: Actor, case: Case, *, supervise: bool = False) -> Case:
    scope = access.cases_supervised_by(actor) if supervise else access.cases_workable_by(actor)
    locked = versioning.lock(scope.select_related("child", "jurisdiction"), case.pk)
    if locked is None:
        raise PermissionDenied(
            _("Only a supervisor of this case's district can do this.")
            if supervise
            else _("You cannot work on this case.")
        )
    return locked


def _begin(
    actor: Actor,
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
    actor: Actor, case: Case, action: str, detail: dict[str, Any], fields: Iterable[str] = ()
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
    actor: Actor,
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
        recorded_by=person(actor),
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
            {
                "stage": _("You cannot %(action)s a case at the stage “%(stage)s”.")
                % {"action": action, "stage": case.get_stage_display()}
            }
        )


def _case_link(case: Case) -> str:
    from django.urls import reverse

    return reverse("cases:case", kwargs={"uuid": case.uuid})


def _tell_officer(case: Case, officer: User) -> None:
    notify(
        users=[officer],
        kind=Notification.Kind.CASE_ASSIGNED,
        params={"number": case.number},
        link=_case_link(case),
    )


def _check_chosen_officer(case: Case, officer: User) -> None:
    """When a supervisor gives a girl's case to someone, that officer must be recorded as a
    woman: an account whose sex is "not stated" could be a man (ICT CPA 2018 s.20)."""
    if _is_girl(case.child) and officer.sex != User.Sex.FEMALE:
        if officer.sex == User.Sex.MALE:
            _check_officer(case, officer)
        raise _refuse(
            _(
                "A girl's case is given only to a woman officer, and %(officer)s's sex is not "
                "recorded: an administrator records it in the account first"
            )
            % {"officer": officer},
            "girl_child_female_carer",
            case,
            "officer",
        )


def _check_officer_works_here(officer: User, case: Case) -> None:
    if not access.is_district_cpo(officer, case.district_id):
        raise ValidationError(
            {"officer": _("Choose a Child Protection Officer of the case's district.")}
        )
