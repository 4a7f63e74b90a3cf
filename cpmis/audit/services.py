"""Writing audit events: one event (``audit_record``) or many of one action at once
(``audit_records``), both made by ``_event``. Call inside the transaction of the write being
audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from . import context
from .models import AuditEvent

BULK_BATCH = 2000


def _event(
    actor: Any,
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
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    if roles is None:
        roles = ",".join(access.role_labels(actor)) if authenticated else ""
    return AuditEvent(
        occurred_at=occurred_at,
        actor_id=actor.pk if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        actor_roles=roles if authenticated else "",
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        ip_address=ctx.ip_address if ctx and record_address else None,
        request_id=ctx.request_id if ctx else "",
        detail=detail or {},
    )


def audit_record(
    *,
    actor: Any,
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
    actor: Any,
    action: str,
    items: Iterable[tuple[str, Any, dict[str, Any]]],
    record_address: bool = True,
) -> int:
    """Append one event per (object type, object id, detail) of ``items``, all at the same
    time and in batches (a linkage run can link thousands of records). Returns how many."""
    from cpmis import access

    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    roles = ",".join(access.role_labels(actor)) if authenticated else ""
    now = timezone.now()
    events = [
        _event(
            actor,
            action,
            object_type,
            object_id,
            detail,
            record_address=record_address,
            occurred_at=now,
            roles=roles,
        )
        for object_type, object_id, detail in items
    ]
    AuditEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
    return len(events)
