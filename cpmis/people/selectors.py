"""Reads of the people registry, always through cpmis.access; reads of a child are audited."""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cpmis import access
from cpmis.audit.services import audit_record

from .models import Child
from .search import normalize_name


def child_search(*, user: Any, q: str = "", district: str = "", sex: str = "") -> QuerySet[Child]:
    """Children the user may see, filtered by a partial name (either script), district, sex."""
    qs = access.children_visible_to(user).select_related("district")
    key = normalize_name(q)
    if key:
        qs = qs.filter(name_search__contains=key)
    if district:
        qs = qs.filter(district__pcode=district)
    if sex:
        qs = qs.filter(sex=sex)
    return qs.order_by("-registered_at", "-id")


def children_listed(*, user: Any, children: Iterable[Child], query: dict[str, Any]) -> None:
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


def child_read(*, user: Any, child_uuid: uuid_lib.UUID | str, purpose: str = "view") -> Child:
    """One child the user may see, audited; Http404 for anything else (even if it exists)."""
    try:
        key = uuid_lib.UUID(str(child_uuid))
    except ValueError as exc:
        raise Http404 from exc
    child = (
        access.children_visible_to(user)
        .select_related("district__jurisdiction", "owner")
        .filter(uuid=key)
        .first()
    )
    if child is None:
        raise Http404
    audit_record(
        actor=user,
        action="child.read",
        object_type="people.child",
        object_id=child.uuid,
        detail={"purpose": purpose},
    )
    return child
