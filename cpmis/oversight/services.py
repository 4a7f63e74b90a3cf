"""Writes of the oversight registers: each checks the capability (``selectors`` decides),
locks and checks the version the caller read, validates (``full_clean``), saves and writes
its audit event in one transaction. The system acts as a named ``cpmis.actors.SystemActor``.

Nothing is deleted: a wrong record is corrected, and an assignment's history is kept in
``AssignmentUpdate`` rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from cpmis.actors import Actor, person
from cpmis.audit import versioning
from cpmis.audit.services import audit_record
from cpmis.reference.models import Department

from . import selectors
from .models import (
    ActivityParticipants,
    AssignmentUpdate,
    ImplementationStatus,
    LegalAssistanceRequest,
    ParticipantSex,
    PreventionActivity,
    Profession,
    Recommendation,
    RecommendationAssignment,
)

ACTIVITY_FIELDS = (
    "kind",
    "title",
    "description",
    "held_on",
    "ended_on",
    "jurisdiction",
    "district",
    "organiser",
    "organiser_name",
    "topic",
    "materials_distributed",
    "report_paragraphs",
)
LEGAL_REQUEST_FIELDS = (
    "kind",
    "direction",
    "country",
    "dated_on",
    "opsc_category",
    "status",
    "decided_on",
    "jurisdiction",
    "reference",
    "note",
)
RECOMMENDATION_FIELDS = (
    "document",
    "paragraph",
    "text",
    "theme",
    "issued_on",
    "report_sections",
    "articles",
)
MAX_COUNT = 1_000_000  # participants of one group at one activity: more is a typing error


class VersionConflict(versioning.VersionConflict):
    """The record changed since the caller read it."""

    def __init__(
        self,
        record: Any,
        read: int,
        changes: list[versioning.Change],
        message: str | None = None,
    ) -> None:
        super().__init__(
            record,
            read,
            changes,
            message
            or gettext(
                "This record was changed by someone else since you opened it (you read version "
                "%(read)s, it is now at version %(current)s)."
            )
            % {"read": read, "current": record.version},
        )


def _object_type(record: Any) -> str:
    """The audit object type of an oversight record."""
    return {
        PreventionActivity: "oversight.activity",
        LegalAssistanceRequest: "oversight.legal_request",
        Recommendation: "oversight.recommendation",
        RecommendationAssignment: "oversight.assignment",
    }[type(record)]


def _require_edit(actor: Actor) -> None:
    if not selectors.can_edit(actor):
        raise PermissionDenied(
            gettext("Only a Commission analyst can change the oversight registers.")
        )


def _check_version(record: Any, version: int | None) -> None:
    versioning.check(record, version, object_type=_object_type(record), conflict=VersionConflict)


def _unknown(changes: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        message = gettext("Not a field that can be changed here.")
        raise ValidationError({f: message for f in unknown})


def _lock_and_apply(
    model: Any,
    record: Any,
    version: int | None,
    changes: Mapping[str, Any],
    allowed: tuple[str, ...],
) -> tuple[Any, list[str]]:
    """The record locked, checked against the version the caller read, with ``changes``
    applied; and the names of the fields that changed."""
    _unknown(changes, allowed)
    locked = versioning.lock(model.objects.all(), record.pk)
    if locked is None:
        raise model.DoesNotExist
    _check_version(locked, version)
    return locked, _apply(locked, changes)


def _save_new_version(record: Any, actor: Actor, action: str, detail: dict[str, Any]) -> None:
    """Validate, save the next version and audit it (``audit.versioning``)."""
    record.full_clean()
    record.updated_at = timezone.now()
    versioning.save_new_version(
        record, actor=actor, action=action, object_type=_object_type(record), detail=detail
    )


def _apply(record: Any, changes: Mapping[str, Any]) -> list[str]:
    changed = []
    for field, value in changes.items():
        if getattr(record, field) != value:
            setattr(record, field, value)
            changed.append(field)
    return sorted(changed)


# --- prevention activities -------------------------------------------------------------------


def participants_clean(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, int]]:
    """(profession, sex, count) rows, each group once; rows counting zero are left out."""
    out: dict[tuple[str, str], int] = {}
    for row in rows:
        profession, sex, count = row.get("profession"), row.get("sex"), row.get("count")
        if profession not in Profession.values:
            raise ValidationError(
                {
                    "participants": gettext("Unknown profession %(profession)s.")
                    % {"profession": repr(profession)}
                }
            )
        if sex not in ParticipantSex.values:
            raise ValidationError(
                {"participants": gettext("Unknown sex %(sex)s.") % {"sex": repr(sex)}}
            )
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COUNT:
            raise ValidationError(
                {
                    "participants": gettext("A count is a whole number from 0 to %(max)s.")
                    % {"max": f"{MAX_COUNT:,}"}
                }
            )
        key = (str(profession), str(sex))
        if key in out:
            raise ValidationError(
                {
                    "participants": gettext("%(profession)s, %(sex)s: given twice.")
                    % {
                        "profession": Profession(profession).label,
                        "sex": ParticipantSex(sex).label.lower(),  # as its value ("female")
                    }
                }
            )
        if count:
            out[key] = count
    return [(p, s, c) for (p, s), c in out.items()]


def _participants_replace(activity: PreventionActivity, rows: list[tuple[str, str, int]]) -> None:
    activity.participants.all().delete()
    ActivityParticipants.objects.bulk_create(
        ActivityParticipants(activity=activity, profession=p, sex=s, count=c) for p, s, c in rows
    )


@transaction.atomic
def activity_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    held_on: date,
    topic: str,
    participants: Iterable[Mapping[str, Any]] = (),
    **fields: Any,
) -> PreventionActivity:
    """Record a training, awareness event or material, with its participants by profession
    and sex."""
    _require_edit(actor)
    _unknown(fields, ACTIVITY_FIELDS)
    rows = participants_clean(participants)
    now = timezone.now()
    activity = PreventionActivity(
        kind=kind,
        title=title,
        held_on=held_on,
        topic=topic,
        created_by=person(actor),
        created_at=now,
        updated_at=now,
        **fields,
    )
    activity.full_clean()
    activity.save()
    _participants_replace(activity, rows)
    audit_record(
        actor=actor,
        action="oversight.activity.create",
        object_type="oversight.activity",
        object_id=activity.pk,
        detail={"kind": kind, "participants": sum(c for _, _, c in rows)},
    )
    return activity


@transaction.atomic
def activity_update(
    *,
    actor: Actor,
    activity: PreventionActivity,
    version: int | None,
    participants: Iterable[Mapping[str, Any]] | None = None,
    **changes: Any,
) -> PreventionActivity:
    """Correct an activity; ``participants``, when given, replace the old counts."""
    _require_edit(actor)
    locked, changed = _lock_and_apply(
        PreventionActivity, activity, version, changes, ACTIVITY_FIELDS
    )
    if participants is not None:
        rows = participants_clean(participants)
        old = sorted(locked.participants.values_list("profession", "sex", "count"))
        if sorted(rows) != old:
            changed.append("participants")
    if not changed:
        return locked
    _save_new_version(locked, actor, "oversight.activity.update", {"fields": sorted(changed)})
    if participants is not None:
        _participants_replace(locked, rows)
    return locked


# --- legal assistance ------------------------------------------------------------------------


@transaction.atomic
def legal_request_create(*, actor: Actor, **fields: Any) -> LegalAssistanceRequest:
    """Record an extradition or mutual legal assistance request."""
    _require_edit(actor)
    _unknown(fields, LEGAL_REQUEST_FIELDS)
    now = timezone.now()
    request = LegalAssistanceRequest(created_by=person(actor), created_at=now, updated_at=now)
    _apply(request, fields)
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action="oversight.legal_request.create",
        object_type="oversight.legal_request",
        object_id=request.pk,
        detail={"kind": request.kind, "direction": request.direction, "status": request.status},
    )
    return request


@transaction.atomic
def legal_request_update(
    *, actor: Actor, request: LegalAssistanceRequest, version: int | None, **changes: Any
) -> LegalAssistanceRequest:
    """Correct a request or record its decision."""
    _require_edit(actor)
    locked, changed = _lock_and_apply(
        LegalAssistanceRequest, request, version, changes, LEGAL_REQUEST_FIELDS
    )
    if not changed:
        return locked
    _save_new_version(
        locked,
        actor,
        "oversight.legal_request.update",
        {"fields": changed, "status": locked.status},
    )
    return locked


# --- recommendations -------------------------------------------------------------------------


@transaction.atomic
def recommendation_create(
    *, actor: Actor, document: str, paragraph: str, text: str, issued_on: date, **fields: Any
) -> Recommendation:
    """Record a concluding observation or recommendation of the Committee."""
    _require_edit(actor)
    _unknown(fields, RECOMMENDATION_FIELDS)
    now = timezone.now()
    recommendation = Recommendation(
        document=document,
        paragraph=paragraph,
        text=text,
        issued_on=issued_on,
        created_by=person(actor),
        created_at=now,
        updated_at=now,
        **fields,
    )
    recommendation.full_clean()
    recommendation.save()
    audit_record(
        actor=actor,
        action="oversight.recommendation.create",
        object_type="oversight.recommendation",
        object_id=recommendation.pk,
        detail={"sections": recommendation.report_sections},
    )
    return recommendation


@transaction.atomic
def recommendation_update(
    *, actor: Actor, recommendation: Recommendation, version: int | None, **changes: Any
) -> Recommendation:
    _require_edit(actor)
    locked, changed = _lock_and_apply(
        Recommendation, recommendation, version, changes, RECOMMENDATION_FIELDS
    )
    if not changed:
        return locked
    _save_new_version(locked, actor, "oversight.recommendation.update", {"fields": changed})
    return locked


def _history(assignment: RecommendationAssignment, actor: Actor, note: str) -> AssignmentUpdate:
    update = AssignmentUpdate(
        assignment=assignment,
        status=assignment.status,
        action=assignment.action,
        note=note,
        by=person(actor),
        at=assignment.updated_at,
    )
    update.full_clean()
    update.save()
    return update


@transaction.atomic
def assignment_set(
    *,
    actor: Actor,
    recommendation: Recommendation,
    institution: Department,
    version: int | None = None,
    note: str = "",
    **fields: Any,
) -> RecommendationAssignment:
    """Give a recommendation to an institution, or change that assignment (``lead``,
    ``action``, ``status``, ``due_on``). A change of status or action is kept in the
    history."""
    _require_edit(actor)
    _unknown(fields, ("lead", "action", "status", "due_on"))
    Recommendation.objects.select_for_update().filter(pk=recommendation.pk).first()
    assignment = (
        RecommendationAssignment.objects.select_for_update()
        .filter(recommendation=recommendation, institution=institution)
        .first()
    )
    created = assignment is None
    if assignment is None:
        assignment = RecommendationAssignment(
            recommendation=recommendation, institution=institution
        )
    else:
        _check_version(assignment, version)
    before = (assignment.status, assignment.action)
    changed = _apply(assignment, fields)
    if not created and not changed:
        return assignment
    assignment.updated_by = person(actor)
    detail = {
        "recommendation": recommendation.pk,
        "institution": institution.code,
        "fields": sorted(fields) if created else changed,
        "status": assignment.status,
    }
    if created:
        assignment.full_clean()
        assignment.updated_at = timezone.now()
        assignment.save()
        audit_record(
            actor=actor,
            action="oversight.assignment.create",
            object_type="oversight.assignment",
            object_id=assignment.pk,
            detail=detail,
        )
    else:
        _save_new_version(assignment, actor, "oversight.assignment.update", detail)
    if created or (assignment.status, assignment.action) != before:
        _history(assignment, actor, note)
    return assignment


@transaction.atomic
def assignment_report(
    *,
    actor: Actor,
    assignment: RecommendationAssignment,
    status: str,
    note: str,
    version: int | None,
    action: str | None = None,
) -> AssignmentUpdate:
    """The institution reports where it stands: a status, a note and, if it changed, its
    action. An analyst may report for any institution; a focal point for their own."""
    locked = (
        RecommendationAssignment.objects.select_for_update()
        .select_related("institution")
        .get(pk=assignment.pk)
    )
    if not selectors.can_report(actor, locked):
        raise PermissionDenied(
            gettext("Only the institution given this recommendation can report on it.")
        )
    _check_version(locked, version)
    if status not in ImplementationStatus.values:
        raise ValidationError(
            {"status": gettext("Unknown status %(status)s.") % {"status": repr(status)}}
        )
    if not (note or "").strip():
        raise ValidationError({"note": gettext("Say what was done (or why not).")})
    changed = _apply(locked, {"status": status, **({"action": action} if action else {})})
    locked.updated_by = person(actor)
    _save_new_version(
        locked,
        actor,
        "oversight.assignment.report",
        {
            "recommendation": locked.recommendation_id,
            "institution": locked.institution.code,
            "status": status,
            "fields": changed,
        },
    )
    return _history(locked, actor, note.strip())
