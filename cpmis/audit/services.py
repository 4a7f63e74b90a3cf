"""Writing audit events. Call inside the transaction of the write being audited."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from . import context
from .models import AuditEvent


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
    from cpmis import access  # access imports accounts models; keep audit importable alone

    ctx = context.current()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor_id=actor.pk if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        actor_roles=",".join(access.role_labels(actor)) if authenticated else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        ip_address=ctx.ip_address if ctx and record_address else None,
        request_id=ctx.request_id if ctx else "",
        detail=detail or {},
    )
