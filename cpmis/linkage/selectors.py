"""Reads of linkage, every one through ``cpmis.access``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from cpmis import access
from cpmis.actors import Actor
from cpmis.audit.services import audit_record
from cpmis.core.errors import NotFound
from cpmis.exchange.models import DepartmentRecord
from cpmis.people.models import Child, Sex
from cpmis.reference.models import District

from . import evidence
from .models import LinkageModel, RecordLink, ReviewItem


def model_current() -> LinkageModel | None:
    """The newest installed model, or None before the first run installs the shipped one
    (``services.model_ensure``)."""
    return LinkageModel.objects.order_by("-version").first()


def review_queue(*, user: Actor) -> QuerySet[ReviewItem]:
    """Open review items of the user's districts, oldest first."""
    return (
        access.review_items_visible_to(user)
        .filter(status=ReviewItem.Status.OPEN)
        .select_related("record__department", "record__district", "candidate__district")
        .order_by("created_at", "pk")
    )


@dataclass
class Comparison:
    """How one record of the group agrees with the candidate (``evidence.Agreement`` codes
    by field), without the candidate's values."""

    item: ReviewItem
    evidence: dict[str, str]


@dataclass
class Review:
    item: ReviewItem
    group: list[ReviewItem]  # the records that wait together (the item's included)
    # The candidate child, only to who may see it (``access.children_visible_to``). Anyone
    # else sees of the candidate only its district, its sex and ``comparisons``.
    candidate: Child | None
    candidate_district: District
    candidate_sex: str
    comparisons: list[Comparison]  # one per record of the group
    candidate_links: list[RecordLink]  # sources and dates of what is known of the candidate

    @property
    def candidate_visible(self) -> bool:
        return self.candidate is not None

    @property
    def candidate_sex_display(self) -> str:
        return str(Sex(self.candidate_sex).label) if self.candidate_sex in Sex.values else ""


def review_get(*, user: Actor, item_id: int) -> Review:
    """A review item with both sides, audited: the group's records (of the reviewer's
    districts), the candidate, and the sources and dates (not the names) of the records
    already linked to the candidate. A reviewer who may not see the candidate child gets,
    instead of it, whether each record agrees with it (``evidence.compare``), its district
    and its sex. Once decided, an item is shown only to those who may see the child."""
    visible = access.review_items_visible_to(user)
    item = (
        visible.select_related(
            "record__department", "record__district", "candidate__district", "model"
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound
    child = item.candidate
    shown = access.children_visible_to(user).filter(pk=child.pk).exists()
    if item.status != ReviewItem.Status.OPEN and not shown:
        raise NotFound
    group = list(
        visible.filter(group=item.group)
        .select_related("record__department", "record__district")
        .order_by("pk")
    )
    candidate_links = list(
        RecordLink.objects.filter(child=child, undone_at=None)
        .select_related("record__department", "record__district")
        .order_by("record__record_date")
    )
    commons = evidence.child_commons(child)
    comparisons = [
        Comparison(member, evidence.compare_best(evidence.record_common(member.record), commons))
        for member in group
    ]
    audit_record(
        actor=user,
        action="linkage.review_view",
        object_type="linkage.review",
        object_id=item.pk,
        detail={
            "candidate": item.candidate_id,
            "candidate_shown": shown,
            "records": [m.record_id for m in group],
            "candidate_records": [link.record_id for link in candidate_links],
        },
    )
    return Review(
        item=item,
        group=group,
        candidate=child if shown else None,
        candidate_district=child.district,
        candidate_sex=child.sex,
        comparisons=comparisons,
        candidate_links=candidate_links,
    )


def child_links(*, user: Actor, child: Child) -> QuerySet[RecordLink]:
    """The department records linked to a child the user may see, newest first."""
    return (
        access.links_visible_to(user)
        .filter(child=child)
        .select_related("record__department", "record__district", "model")
        .order_by("-record__record_date", "-pk")
    )


def child_links_marked(user: Actor, child: Child) -> list[tuple[RecordLink, bool]]:
    """Up to 200 of the child's links, each with whether the user may undo it: for the
    child's page (lent to people through ``cpmis.people.hooks``)."""
    links = list(child_links(user=user, child=child)[:200])
    undoable = set(
        access.links_undoable_by(user)
        .filter(pk__in=[link.pk for link in links])
        .values_list("pk", flat=True)
    )
    return [(link, link.pk in undoable) for link in links]


def pending_filter() -> Q:
    """Records with no active link and no open review: what a linkage run takes."""
    active = RecordLink.objects.filter(record_id=OuterRef("pk"), undone_at=None)
    waiting = ReviewItem.objects.filter(record_id=OuterRef("pk"), status=ReviewItem.Status.OPEN)
    return ~Q(Exists(active)) & ~Q(Exists(waiting))


def waiting(*, user: Actor) -> QuerySet[DepartmentRecord]:
    """Records of the user's districts with no active link and no open review."""
    return (
        access.records_linkable_by(user)
        .filter(pending_filter())
        .select_related("department", "district")
        .order_by("record_date", "pk")
    )
