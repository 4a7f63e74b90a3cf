"""Merging two registry children found to be one child, and undoing it (docs/adr/0012).

A merge is proposed (by a person, or by the linkage run as the system), and only a person
decides it: no code path merges on its own. Merging keeps both records: the merged child
points at the survivor (``Child.merged_into``), the references listed in ``MOVED`` go to the
survivor, and the ids of the rows moved are kept on the ``ChildMerge`` so that an undo moves
back exactly those. Audit events are history and stay with the child they were written for.
"""

from __future__ import annotations

import uuid as uuid_lib
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpmis import access
from cpmis.actors import Actor, person
from cpmis.audit import versioning
from cpmis.audit.services import audit_record
from cpmis.core.errors import Conflict, NotFound
from cpmis.core.text import check_text

from . import hooks
from .models import Child, ChildMerge, MergeFeature, Sex

REASON_MAX = 300
DOB_TOLERANCE_DAYS = 365  # two dates of birth, neither estimated, further apart: two children
AGREEMENT = ("agree", "disagree")


MERGE_TYPE = "people.child_merge"  # the audit object type of a proposal


class MergeConflict(Conflict):
    """The proposal is no longer in the state the action needs (decided, undone)."""


class StaleMerge(versioning.VersionConflict):
    """The proposal changed since the person read it: the 409 lists each version since."""

    message = gettext_lazy("Someone acted on this proposal since you opened it; look again.")


@dataclass(frozen=True)
class Reference:
    """Rows of another table that point at a child and follow it into a merge."""

    label: str  # "app_label.Model.field", the key of the snapshot
    model: str
    field: str
    only: Q  # which of the child's rows move (the rest are history)

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


# Looked up by name, so the registry imports no app that builds on it.
MOVED: tuple[Reference, ...] = (
    Reference("linkage.RecordLink.child", "linkage.RecordLink", "child", Q(undone_at=None)),
    Reference("linkage.ReviewItem.candidate", "linkage.ReviewItem", "candidate", Q(status="open")),
    Reference("cases.Case.child", "cases.Case", "child", Q()),
    Reference("complaints.ComplaintChild.child", "complaints.ComplaintChild", "child", Q()),
)
# Every other foreign key to a child, and why a merge leaves it (a test fails on a new one).
LEFT = {
    "people.Child.merged_into": "the merged child's own pointer at its survivor",
    "people.ChildMerge.child_a": "the proposal's own record",
    "people.ChildMerge.child_b": "the proposal's own record",
    "people.ChildMerge.kept": "the proposal's own record",
    "people.ChildMerge.merged": "the proposal's own record",
    # Derived from that child's own record; linkage compares only children not merged.
    "linkage.ChildFeatures.child": "what linkage derived from the child's own record",
    "linkage.BlockingKey.child": "what linkage derived from the child's own record",
}
# Undone links and decided review items stay with the child they were decided for; audit
# events (object_type "people.child") have no foreign key and are never rewritten.

FEATURE_LABELS = dict(MergeFeature.choices)


# --- evidence and the rules of a merge -----------------------------------------------------


def merge_evidence(a: Child, b: Child) -> dict[str, str]:
    """Which features of two children agree, as "agree"/"disagree"; a feature one of them
    lacks is left out. Names and dates are compared as linkage compares a record with a
    child (``linkage.evidence``: phonetic keys in either script, "Muhammad" dropped), each
    child as written in each of its scripts, the strongest agreement kept; dates agree only
    when the same or with day and month swapped (``linkage.evidence.children_agree``, lent
    through ``hooks``)."""
    best = hooks.compare_children(a, b)
    out: dict[str, str] = {
        feature: best[field]
        for feature, field in (
            (MergeFeature.NAME, "name"),
            (MergeFeature.GUARDIAN_NAME, "father"),
            (MergeFeature.DATE_OF_BIRTH, "date_of_birth"),
            (MergeFeature.B_FORM, "b_form"),
        )
        if field in best
    }
    out[MergeFeature.DISTRICT] = "agree" if a.district_id == b.district_id else "disagree"
    if Sex.UNKNOWN not in (a.sex, b.sex):
        out[MergeFeature.SEX] = "agree" if a.sex == b.sex else "disagree"
    return out


def _clean_evidence(evidence: Any) -> dict[str, str]:
    if evidence is None:
        return {}
    if not isinstance(evidence, dict) or any(
        k not in FEATURE_LABELS or v not in AGREEMENT for k, v in evidence.items()
    ):
        raise ValidationError(
            {
                "evidence": f"Evidence maps {', '.join(FEATURE_LABELS)} to "
                '"agree" or "disagree", and says nothing else.'
            }
        )
    return dict(evidence)


def _refusals(a: Child, b: Child) -> list[str]:
    """Why two children cannot be one: a person must correct a record first."""
    errors = []
    if a.merged_into_id is not None or b.merged_into_id is not None:
        errors.append(
            _(
                "One of these children has already been merged into another child; "
                "use the child it was merged into."
            )
        )
    if Sex.UNKNOWN not in (a.sex, b.sex) and a.sex != b.sex:
        errors.append(
            _(
                "One child is recorded as %(one)s, the other as %(other)s: they cannot be one "
                "child. Correct the record that is wrong first."
            )
            % {"one": a.get_sex_display().lower(), "other": b.get_sex_display().lower()}
        )
    if (
        not a.date_of_birth_estimated
        and not b.date_of_birth_estimated
        and abs((a.date_of_birth - b.date_of_birth).days) > DOB_TOLERANCE_DAYS
    ):
        errors.append(
            _(
                "Their dates of birth (neither estimated) are more than a year apart: they "
                "cannot be one child. Correct the record that is wrong first."
            )
        )
    return errors


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Say why.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({field: _("At most %(max)s characters.") % {"max": REASON_MAX}})
    check_text(reason, field=field)
    return reason


def _lock_children(*pks: int) -> dict[int, Child]:
    """Both children locked, in the order of their ids (two merges never wait on each other
    in opposite orders)."""
    return {c.pk: c for c in Child.objects.select_for_update().filter(pk__in=pks).order_by("pk")}


def _linkage_lock() -> None:
    """Merging moves links and review items: wait for a linkage run at work, as a person's
    linkage decision does (one linkage writer at a time, see docs/adr/0009); linkage lends
    its lock through ``hooks``."""
    hooks.hooks.writer_lock()


def reference_counts(child: Child) -> dict[str, int]:
    """How many rows of each ``MOVED`` table a merge of this child would move."""
    return {
        ref.label: ref.model_class()._default_manager.filter(ref.only, **{ref.field: child}).count()
        for ref in MOVED
    }


# --- the services --------------------------------------------------------------------------


@transaction.atomic
def merge_propose(
    *,
    actor: Actor,
    child_a: Child,
    child_b: Child,
    probability: float | None = None,
    evidence: dict[str, str] | None = None,
    source: str = "",
) -> ChildMerge:
    """Propose that two registry children are one child; a person decides it later.

    ``actor`` is a person who may see both children and holds ``child.merge``, or the linkage
    system (``cpmis.actors.LINKAGE``), which must then name itself in ``source`` ("linkage
    run, model v2").
    The system never proposes again a pair that a person has decided are two children.
    Refused (ValidationError): a child with itself, a merged child, a pair with an open
    proposal, two children of different sex, or dates of birth (not estimated) more than a
    year apart. The evidence says which features agree, never their values; without it, it
    is worked out from the two records."""
    source = (source or "").strip()
    by_system = person(actor) is None
    if by_system:
        if not access.has_capability(actor, "linkage.manage"):
            raise PermissionDenied(_("You cannot propose merging children."))
        if not source:
            raise ValidationError({"source": "A proposal by the system names its source."})
    else:
        if not access.has_capability(actor, "child.merge"):
            raise PermissionDenied(_("You cannot propose merging children."))
        seen = access.children_visible_to(actor).filter(pk__in=[child_a.pk, child_b.pk])
        if seen.count() != len({child_a.pk, child_b.pk}):
            raise NotFound
    if len(source) > 200:
        raise ValidationError({"source": "At most 200 characters."})
    if child_a.pk == child_b.pk:
        raise ValidationError({"__all__": [_("A child cannot be merged with itself.")]})
    if probability is not None and not (
        isinstance(probability, int | float) and 0.0 <= probability <= 1.0
    ):
        raise ValidationError({"probability": "A probability is between 0 and 1."})
    cleaned = _clean_evidence(evidence)
    locked = _lock_children(child_a.pk, child_b.pk)
    a, b = locked[min(locked)], locked[max(locked)]
    refusals = _refusals(a, b)
    if refusals:
        raise ValidationError({"__all__": refusals})
    pair = ChildMerge.objects.filter(child_a=a, child_b=b)
    if pair.filter(status=ChildMerge.Status.PROPOSED).exists():
        raise ValidationError(
            {"__all__": [_("These two children are already proposed for a merge.")]}
        )
    decided_apart = (ChildMerge.Status.REJECTED, ChildMerge.Status.UNMERGED)
    if by_system and pair.filter(status__in=decided_apart).exists():
        raise ValidationError(
            {
                "__all__": [
                    "A person decided that these are two children; only a person may ask again."
                ]
            }
        )
    try:
        with transaction.atomic():
            proposal = ChildMerge.objects.create(
                child_a=a,
                child_b=b,
                proposed_at=timezone.now(),
                proposed_by=person(actor),
                source=source,
                probability=probability,
                evidence=cleaned or merge_evidence(a, b),
            )
    except IntegrityError as exc:  # a proposal of the same pair committed meanwhile
        raise ValidationError(
            {"__all__": [_("These two children are already proposed for a merge.")]}
        ) from exc
    audit_record(
        actor=actor,
        action="child.merge_propose",
        object_type=MERGE_TYPE,
        object_id=proposal.pk,
        detail={
            "children": [str(a.uuid), str(b.uuid)],
            "source": source,
            "probability": probability,
            "evidence": proposal.evidence,
        },
    )
    return proposal


def _child_key(merge: ChildMerge, keep: Any) -> Child:
    """The child of the pair named by ``keep``: a Child, its UUID or its id."""
    for child in merge.children:
        if isinstance(keep, Child):
            if keep.pk == child.pk:
                return child
            continue
        if isinstance(keep, int) and not isinstance(keep, bool):
            if keep == child.pk:
                return child
            continue
        try:
            if uuid_lib.UUID(str(keep)) == child.uuid:
                return child
        except ValueError:
            continue
    raise ValidationError({"keep": _("Choose which of the two children is kept.")})


def _locked_merge(actor: Actor, merge_id: int, version: int) -> ChildMerge:
    """The proposal, locked, if the actor may decide it (404 otherwise), at ``version``."""
    merge = versioning.lock(access.merges_decidable_by(actor), merge_id)
    if merge is None:
        raise NotFound
    versioning.check(merge, version, object_type=MERGE_TYPE, conflict=StaleMerge)
    return merge


def _audit_child(actor: Actor, action: str, child: Child, detail: dict[str, Any]) -> None:
    audit_record(
        actor=actor, action=action, object_type="people.child", object_id=child.uuid, detail=detail
    )


@transaction.atomic
def merge_decide(
    *, actor: Actor, merge_id: int, merge: bool, reason: str, version: int, keep: Any = None
) -> ChildMerge:
    """A person decides a proposal: the same child (``merge``, keeping ``keep``) or two
    children (remembered: the system does not propose them again).

    Merging moves the merged child's active department-record links, open review items,
    cases and complaint children to the survivor, records which rows it moved, points the
    merged child at the survivor, withdraws the other open proposals of the merged child, and
    writes ``child.merge`` on both children. The decider must see both children (404)."""
    reason = _reason(reason)
    proposal = _locked_merge(actor, merge_id, version)
    if proposal.status != ChildMerge.Status.PROPOSED:
        raise MergeConflict(_("This proposal has already been decided."))
    now = timezone.now()
    if not merge:
        proposal.status = ChildMerge.Status.REJECTED
        proposal.decided_by, proposal.decided_at, proposal.reason = person(actor), now, reason
        versioning.save_new_version(
            proposal,
            actor=actor,
            action="child.merge_reject",
            object_type=MERGE_TYPE,
            fields=["status", "decided_by", "decided_at", "reason"],
            detail={"children": [str(c.uuid) for c in proposal.children], "fields": ["status"]},
        )
        return proposal

    survivor_ref = _child_key(proposal, keep)
    _linkage_lock()
    locked = _lock_children(proposal.child_a_id, proposal.child_b_id)
    survivor = locked[survivor_ref.pk]
    merged = locked[
        proposal.child_b_id if survivor.pk == proposal.child_a_id else proposal.child_a_id
    ]
    refusals = _refusals(survivor, merged)
    if refusals:
        raise ValidationError({"__all__": refusals})

    moved: dict[str, list[int]] = {}
    for ref in MOVED:
        model = ref.model_class()
        rows = model._default_manager.filter(ref.only, **{ref.field: merged})
        ids = sorted(rows.values_list("pk", flat=True))
        moved[ref.label] = ids
        if ids:
            model._default_manager.filter(pk__in=ids).update(
                **_repoint(model, ref.field, survivor, now)
            )

    merged.merged_into, merged.updated_at, survivor.updated_at = survivor, now, now
    merged.save(update_fields=["merged_into", "updated_at"])
    survivor.save(update_fields=["updated_at"])

    proposal.status = ChildMerge.Status.MERGED
    proposal.kept, proposal.merged = survivor, merged
    proposal.decided_by, proposal.decided_at, proposal.reason = person(actor), now, reason
    proposal.moved = moved
    versioning.save_new_version(
        proposal,
        actor=actor,
        action="child.merge_accept",
        object_type=MERGE_TYPE,
        fields=["status", "kept", "merged", "decided_by", "decided_at", "reason", "moved"],
        detail={"kept": str(survivor.uuid), "merged": str(merged.uuid), "fields": ["status"]},
    )
    withdrawn = list(
        ChildMerge.objects.select_for_update()
        .filter(Q(child_a=merged) | Q(child_b=merged), status=ChildMerge.Status.PROPOSED)
        .values_list("pk", flat=True)
    )
    ChildMerge.objects.filter(pk__in=withdrawn).update(
        status=ChildMerge.Status.WITHDRAWN, decided_at=now, version=F("version") + 1
    )
    common = {"merge": proposal.pk, "moved": moved, "withdrawn_proposals": withdrawn}
    _audit_child(actor, "child.merge", merged, {**common, "into": str(survivor.uuid)})
    _audit_child(actor, "child.merge", survivor, {**common, "from": str(merged.uuid)})
    return proposal


def _repoint(model: type[models.Model], field: str, child: Child, now: Any) -> dict[str, Any]:
    """What an update that moves rows to ``child`` sets: the field, and for records read with
    optimistic versions (cases, review items) a new version, so that a page opened before the
    move is told to look again."""
    names = {f.name for f in model._meta.get_fields()}
    values: dict[str, Any] = {field: child}
    if "version" in names:
        values["version"] = F("version") + 1
    if "updated_at" in names:
        values["updated_at"] = now
    return values


@transaction.atomic
def merge_undo(*, actor: Actor, merge_id: int, reason: str, version: int) -> ChildMerge:
    """Undo a merge: the rows the merge moved go back to the merged child, if they still
    point at the survivor and are as they were moved (an active link, an open review); what
    was added to the survivor since, or decided since, stays with it. The merged child is a
    registry child again, and ``child.unmerge`` is written on both children."""
    reason = _reason(reason)
    proposal = _locked_merge(actor, merge_id, version)
    if proposal.status != ChildMerge.Status.MERGED:
        raise MergeConflict(_("This merge has already been undone."))
    assert proposal.kept_id is not None and proposal.merged_id is not None
    _linkage_lock()
    locked = _lock_children(proposal.kept_id, proposal.merged_id)
    survivor, merged = locked[proposal.kept_id], locked[proposal.merged_id]
    if survivor.merged_into_id is not None:
        raise ValidationError(
            {
                "__all__": [
                    _(
                        "The kept child has since been merged into another child: undo that "
                        "merge first."
                    )
                ]
            }
        )
    now = timezone.now()
    back: dict[str, list[int]] = {}
    left: dict[str, list[int]] = {}
    for ref in MOVED:
        ids = proposal.moved.get(ref.label, [])
        if not ids:
            continue
        model = ref.model_class()
        still = sorted(
            model._default_manager.filter(
                ref.only, pk__in=ids, **{ref.field: survivor}
            ).values_list("pk", flat=True)
        )
        if still:
            model._default_manager.filter(pk__in=still).update(
                **_repoint(model, ref.field, merged, now)
            )
        back[ref.label] = still
        stayed = sorted(set(ids) - set(still))
        if stayed:
            left[ref.label] = stayed

    merged.merged_into, merged.updated_at, survivor.updated_at = None, now, now
    merged.save(update_fields=["merged_into", "updated_at"])
    survivor.save(update_fields=["updated_at"])
    proposal.status = ChildMerge.Status.UNMERGED
    proposal.undone_by, proposal.undone_at, proposal.undo_reason = person(actor), now, reason
    versioning.save_new_version(
        proposal,
        actor=actor,
        action="child.merge_undo",
        object_type=MERGE_TYPE,
        fields=["status", "undone_by", "undone_at", "undo_reason"],
        detail={"fields": ["status"]},
    )
    common = {"merge": proposal.pk, "moved_back": back, "left_with_survivor": left}
    _audit_child(actor, "child.unmerge", merged, {**common, "from": str(survivor.uuid)})
    _audit_child(actor, "child.unmerge", survivor, {**common, "restored": str(merged.uuid)})
    return proposal
