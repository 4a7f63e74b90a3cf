"""A person's unread notifications (only ever their own)."""

from __future__ import annotations

from django.db.models import QuerySet

from cpmis.actors import Actor, person

from .models import Notification


def unread_for(user: Actor, *, limit: int = 20) -> QuerySet[Notification]:
    who = person(user)
    if who is None:
        return Notification.objects.none()
    return Notification.objects.filter(user_id=who.pk, read_at__isnull=True).order_by(
        "-created_at", "-id"
    )[:limit]
