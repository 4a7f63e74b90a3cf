"""The append-only audit trail.

No foreign keys, so the trail never blocks or cascades with live data; the application cannot
update or delete an event, and on PostgreSQL a trigger refuses UPDATE and DELETE as well
(migration 0002). Events name records by type and id, never by their personal content.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AuditEventImmutable(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditEventImmutable("Audit events cannot be changed.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AuditEventImmutable("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_roles = models.CharField(max_length=500, blank=True)
    action = models.CharField(max_length=64)  # indexed below (equality only)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    PERSONAL_DATA = ("actor_username", "ip_address")
    NOT_PERSONAL_DATA = (
        "id",
        "occurred_at",
        "actor_id",
        "actor_roles",
        "action",
        "object_type",
        "object_id",
        "request_id",
        "detail",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # A plain index: the action is only ever matched whole. (``db_index`` would add,
            # on PostgreSQL, a second index for LIKE, written to with every event.)
            models.Index(fields=["action"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        when = f"{self.occurred_at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditEventImmutable("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditEventImmutable("Audit events cannot be deleted.")
