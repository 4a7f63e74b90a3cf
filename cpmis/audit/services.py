"""Writing audit events: one event (``audit_record``) or many of one action at once
(``audit_records``), both made by ``_event``. Call inside the transaction of the write being
audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from django.utils import timezone

from cpmis.actors import Actor, SystemActor, person
from cpmis.core.bulk import rows_insert

from . import context
from .models import AuditEvent


def _event(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any,
    detail: dict[str, Any] | None,
    *,
    record_address: bool,
    occurred_at: datetime,
    roles: str | None = None,
) -> AuditEvent:
    from cpmis import access  # access imports accounts models; keep audit importable alone

    ctx = context.current()
    who = person(actor)
    if roles is None:
        roles = ",".join(access.role_labels(actor)) if who is not None else ""
    if isinstance(actor, SystemActor):
        username, roles = actor.audit_name, "system"
    else:
        username = who.get_username() if who is not None else ""
    return AuditEvent(
        occurred_at=occurred_at,
        actor_id=who.pk if who is not None else None,
        actor_username=username,
        actor_roles=roles if who is not None or isinstance(actor, SystemActor) else "",
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        ip_address=ctx.ip_address if ctx and record_address else None,
        request_id=ctx.request_id if ctx else "",
        detail=_with_through(detail),
    )


def _with_through(detail: dict[str, Any] | None) -> dict[str, Any]:
    through = context.through_detail()
    if through is None:
        return detail or {}
    return {**(detail or {}), "through": through}


def audit_record(
    *,
    actor: Actor,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    detail: dict[str, Any] | None = None,
    record_address: bool = True,
) -> AuditEvent:
    """Append one event. ``detail`` must hold no personal data: ids, field names, counts.
    ``record_address=False`` leaves out the request's address (an anonymous complaint from
    the public form must not be traceable to the connection it came from)."""
    event = _event(
        actor,
        action,
        object_type,
        object_id,
        detail,
        record_address=record_address,
        occurred_at=timezone.now(),
    )
    event.save(force_insert=True)
    return event


def audit_records(
    *,
    actor: Actor,
    action: str,
    items: Iterable[tuple[str, Any, dict[str, Any]]],
    record_address: bool = True,
) -> int:
    """Append one event per (object type, object id, detail) of ``items``, all at the same
    time and in batches (a linkage run can link thousands of records). Returns how many."""
    from cpmis import access

    roles = ",".join(access.role_labels(actor)) if person(actor) is not None else ""
    # One event made as ``audit_record`` makes it; the rest differ only in their object.
    like = _event(
        actor,
        action,
        "",
        "",
        None,
        record_address=record_address,
        occurred_at=timezone.now(),
        roles=roles,
    )
    common = (
        like.occurred_at,
        like.actor_id,
        like.actor_username,
        like.actor_roles,
        like.action,
        like.ip_address,
        like.request_id,
    )
    # Plain rows (COPY on PostgreSQL): a linkage run writes them by the hundred thousand.
    return rows_insert(
        AuditEvent,
        (
            "occurred_at",
            "actor_id",
            "actor_username",
            "actor_roles",
            "action",
            "ip_address",
            "request_id",
            "object_type",
            "object_id",
            "detail",
        ),
        (
            (
                *common,
                object_type,
                "" if object_id is None else str(object_id),
                orjson.dumps(detail or {}, option=orjson.OPT_NON_STR_KEYS).decode(),
            )
            for object_type, object_id, detail in items
        ),
    )
