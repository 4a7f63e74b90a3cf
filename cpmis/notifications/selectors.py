"""A person's unread notifications (only ever their own)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Notification


def unread_for(user: Any, *, limit: int = 20) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).order_by(
        "-created_at", "-id"
    )[:limit]
