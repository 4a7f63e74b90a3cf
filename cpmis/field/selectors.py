"""Reads of the field app: the phones a supervisor oversees, each with what became of the
actions it sent. Every read goes through ``cpmis.access``."""

from __future__ import annotations

import uuid as uuid_lib

from django.db.models import Count, F, Q, QuerySet

from cpmis import access
from cpmis.accounts.models import RoleAssignment, User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.actors import Actor
from cpmis.core.errors import NotFound
from cpmis.reference.models import District

from .models import Device, FieldAction

_STATUS = FieldAction.Status


def device_list(*, user: Actor) -> QuerySet[Device]:
    """The devices of the officers the user supervises, each officer's together (by name),
    phones in use before ended ones, newest first; each annotated with how many of its actions
    were not recorded (``refused_count``), wait for the officer's decision (``conflict_count``)
    and wait behind one of those (``held_count``)."""
    # The scope joins role assignments (one row per assignment, made distinct): counting
    # actions across that join would multiply them, so the scope is a subquery of ids.
    scope = access.devices_supervised_by(user).values("pk")
    return (
        Device.objects.filter(pk__in=scope)
        .select_related("user", "ended_by")
        .annotate(
            refused_count=Count("actions", filter=Q(actions__status=_STATUS.REFUSED)),
            conflict_count=Count("actions", filter=Q(actions__status=_STATUS.CONFLICT)),
            held_count=Count("actions", filter=Q(actions__status=_STATUS.HELD)),
        )
        .order_by(
            "user__first_name",
            "user__last_name",
            "user__username",
            F("ended_at").desc(nulls_first=True),
            "-enrolled_at",
            "-id",
        )
    )


def device_get(*, user: Actor, device_uuid: str) -> Device:
    """One device the user supervises; NotFound for anything else, a malformed id included."""
    try:
        key = uuid_lib.UUID(str(device_uuid))
    except ValueError as exc:
        raise NotFound from exc
    device = (
        access.devices_supervised_by(user).select_related("user", "ended_by").filter(uuid=key)
    ).first()
    if device is None:
        raise NotFound
    return device


def officers_without_device(*, user: Actor) -> QuerySet[User]:
    """The active officers of the user's districts who use no phone offline now."""
    districts = access.districts_where(user, "case.supervise")
    return access.officers_in(districts).exclude(
        pk__in=Device.objects.filter(ended_at__isnull=True).values("user_id")
    )


def officer_districts(*, user: Actor, officer_ids: set[int]) -> dict[int, list[District]]:
    """For each of these officers, the districts the user supervises where they are a Child
    Protection Officer (one query)."""
    found: dict[int, list[District]] = {}
    assignments = (
        RoleAssignment.objects.filter(
            user_id__in=officer_ids,
            role=Role.CPO,
            scope_level=ScopeLevel.DISTRICT,
            district__in=access.districts_where(user, "case.supervise"),
        )
        .select_related("district")
        .order_by("district__name_en")
    )
    for a in assignments:
        if a.district is not None:
            found.setdefault(a.user_id, []).append(a.district)
    return found
