"""Writing and dismissing notifications. ``notify`` runs inside the caller's transaction (a
notification exists exactly when the change it tells of was written)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cpmis.actors import Actor
from cpmis.audit.services import audit_record

from .models import MESSAGES, Notification


def notify(
    *,
    users: Iterable[Any],
    kind: str,
    params: dict[str, Any],
    link: str = "",
) -> int:
    """One notification per distinct user; returns how many were written. The message is
    the kind's (``models.MESSAGES``) with ``params``: kept in English, shown in the reader's
    language."""
    template = MESSAGES[kind]
    message = template % {k: v["en"] if isinstance(v, dict) else v for k, v in params.items()}
    now = timezone.now()
    rows = {
        u.pk: Notification(
            user_id=u.pk,
            kind=kind,
            message=message[:300],
            params=params,
            link=link[:200],
            created_at=now,
        )
        for u in users
        if u is not None
    }
    Notification.objects.bulk_create(rows.values())
    return len(rows)


@transaction.atomic
def notification_dismiss(*, actor: Actor, notification_id: int) -> Notification:
    """A person dismisses one of their own notifications (anyone else's is refused as absent)."""
    notification = (
        Notification.objects.select_for_update()
        .filter(pk=notification_id, user_id=getattr(actor, "pk", 0) or 0)
        .first()
    )
    if notification is None:
        raise PermissionDenied("There is no such notification for you.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(
            actor=actor,
            action="notification.dismiss",
            object_type="notifications.notification",
            object_id=notification.pk,
        )
    return notification
