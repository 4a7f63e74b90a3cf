"""Reads of the people registry, always through cpmis.access; reads of a child are audited."""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from cpmis import access
from cpmis.actors import Actor
from cpmis.audit.services import audit_record
from cpmis.core.errors import NotFound

from .merging import reference_counts
from .models import Child, ChildMerge
from .search import normalize_name


def child_search(*, user: Actor, q: str = "", district: str = "", sex: str = "") -> QuerySet[Child]:
    """Children the user may see, filtered by a partial name (either script), district, sex.
    A child merged into another is not listed (its page still answers)."""
    qs = access.children_listed_to(user).select_related("district")
    key = normalize_name(q)
    if key:
        qs = qs.filter(name_search__contains=key)
    if district:
        qs = qs.filter(district__pcode=district)
    if sex:
        qs = qs.filter(sex=sex)
    return qs.order_by("-registered_at", "-id")


def children_listed(*, user: Actor, children: Iterable[Child], query: dict[str, Any]) -> None:
    """Audit that a list of children was shown: which records, never the search words."""
    audit_record(
        actor=user,
        action="child.list",
        object_type="people.child",
        detail={
            "results": [str(c.uuid) for c in children],
            "filters": sorted(k for k, v in query.items() if v),
        },
    )


def child_read(*, user: Actor, child_uuid: uuid_lib.UUID | str, purpose: str = "view") -> Child:
    """One child the user may see, audited; NotFound for anything else (even if it exists)."""
    try:
        key = uuid_lib.UUID(str(child_uuid))
    except ValueError as exc:
        raise NotFound from exc
    child = (
        access.children_visible_to(user)
        .select_related("district__jurisdiction", "owner")
        .filter(uuid=key)
        .first()
    )
    if child is None:
        raise NotFound
    audit_record(
        actor=user,
        action="child.read",
        object_type="people.child",
        object_id=child.uuid,
        detail={"purpose": purpose},
    )
    return child


# --- merges --------------------------------------------------------------------------------


def merge_queue(*, user: Actor) -> QuerySet[ChildMerge]:
    """Open merge proposals whose two children the user may see, oldest first."""
    return (
        access.merges_visible_to(user)
        .filter(status=ChildMerge.Status.PROPOSED)
        .select_related("child_a__district", "child_b__district", "proposed_by")
        .order_by("proposed_at", "pk")
    )


@dataclass
class MergeSide:
    child: Child
    references: dict[str, int]  # rows of each moved table that point at the child

    @property
    def linked_records(self) -> int:
        return self.references.get("linkage.RecordLink.child", 0)

    @property
    def cases(self) -> int:
        return self.references.get("cases.Case.child", 0)

    @property
    def complaints(self) -> int:
        return self.references.get("complaints.ComplaintChild.child", 0)

    @property
    def open_reviews(self) -> int:
        return self.references.get("linkage.ReviewItem.candidate", 0)


@dataclass
class MergeView:
    merge: ChildMerge
    sides: list[MergeSide]
    can_decide: bool


def merge_read(*, user: Actor, merge_id: int) -> MergeView:
    """A proposal with both children side by side, if the user may see both (NotFound
    otherwise); reading it is audited as a read of each child."""
    merge = (
        access.merges_visible_to(user)
        .select_related(
            "child_a__district__jurisdiction",
            "child_b__district__jurisdiction",
            "kept",
            "merged",
            "proposed_by",
            "decided_by",
            "undone_by",
        )
        .filter(pk=merge_id)
        .first()
    )
    if merge is None:
        raise NotFound
    for child in merge.children:
        audit_record(
            actor=user,
            action="child.read",
            object_type="people.child",
            object_id=child.uuid,
            detail={"purpose": "merge", "merge": merge.pk},
        )
    return MergeView(
        merge=merge,
        sides=[MergeSide(c, reference_counts(c)) for c in merge.children],
        can_decide=access.merges_decidable_by(user).filter(pk=merge.pk).exists(),
    )


@dataclass
class ChildMerges:
    """What a child's page says of merges: the survivor it was merged into (if the reader
    may see it) and that merge, the children merged into it, and open proposals."""

    merged_into: Child | None = None
    merge: ChildMerge | None = None  # the merge that took this child away
    can_undo: bool = False
    merged_from: list[ChildMerge] = field(default_factory=list)
    proposals: list[ChildMerge] = field(default_factory=list)


def child_merges(*, user: Actor, child: Child) -> ChildMerges:
    out = ChildMerges()
    visible = access.merges_visible_to(user)
    involving = Q(child_a=child) | Q(child_b=child)
    if child.merged_into_id is not None:
        out.merged_into = access.children_visible_to(user).filter(pk=child.merged_into_id).first()
        out.merge = (
            visible.filter(merged=child, status=ChildMerge.Status.MERGED)
            .select_related("kept", "decided_by")
            .order_by("-decided_at")
            .first()
        )
        out.can_undo = (
            out.merge is not None
            and access.merges_decidable_by(user).filter(pk=out.merge.pk).exists()
        )
    out.merged_from = list(
        visible.filter(kept=child, status=ChildMerge.Status.MERGED)
        .select_related("merged")
        .order_by("decided_at")
    )
    if access.has_capability(user, "child.merge"):
        out.proposals = list(visible.filter(involving, status=ChildMerge.Status.PROPOSED))
    return out
