"""Reading the audit trail: administrators and auditors only (decided in cpmis.access)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from cpmis import access
from cpmis.actors import Actor

from .models import AuditEvent


def audit_event_list(
    *,
    user: Actor,
    actor_id: int | None = None,
    actor_username: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    qs = access.audit_events_visible_to(user)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if actor_username:
        qs = qs.filter(actor_username=actor_username)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(occurred_at__gte=since)
    if until:
        qs = qs.filter(occurred_at__lt=until)
    return qs
