"""Messages to a person inside cpmis ("your transfer was accepted"), shown on their home until
they dismiss them.

A notification names a record by its number and a link, never a child: it may outlive the
reader's access to the record (a transferred case), and the link then answers 404.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cpmis.core.models import DataClassification


class Notification(DataClassification, models.Model):
    class Kind(models.TextChoices):
        TRANSFER_REQUESTED = "transfer_requested", "Transfer waiting for you"
        TRANSFER_ACCEPTED = "transfer_accepted", "Transfer accepted"
        TRANSFER_DECLINED = "transfer_declined", "Transfer declined"
        TRANSFER_WITHDRAWN = "transfer_withdrawn", "Transfer withdrawn"
        CASE_ASSIGNED = "case_assigned", "Case assigned to you"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_DATA = ("message",)
    NOT_PERSONAL_DATA = ("id", "user", "kind", "link", "created_at", "read_at")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
