"""Field devices and the actions officers record on them without a connection.

A ``Device`` is one browser on one officer's phone, enrolled for offline casework. The server
keeps no key to the phone's store (the PIN never leaves the phone): it keeps a hash of the
device's secret, so that the phone can ask whether it must wipe itself even when its session is
gone, and the times of its last contact and sync, for the supervisor.

A ``FieldAction`` is the receipt of one action queued on a device: what the officer recorded
(kept whatever happens to it, so nothing is lost), when it happened in the field, when the
phone queued it and when the server received it, and what became of it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cpmis.core.models import DataClassification


class Device(DataClassification, models.Model):
    class EndReason(models.TextChoices):
        REVOKED = "revoked", pgettext_lazy("device ended", "Removed by a supervisor")
        SIGNED_OUT = "signed_out", pgettext_lazy("device ended", "Signed out")
        ACCOUNT_DISABLED = "account_disabled", pgettext_lazy("device ended", "Account disabled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_devices"
    )
    label = models.CharField(max_length=80)
    user_agent = models.CharField(max_length=200, blank=True)
    secret_hash = models.CharField(max_length=64)  # SHA-256 hex of the device's secret
    enrolled_at = models.DateTimeField()
    last_contact_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    end_note = models.CharField(max_length=300, blank=True)
    wiped_at = models.DateTimeField(null=True, blank=True)  # the phone said it wiped itself

    NOT_PERSONAL_DATA = (
        "id",
        "uuid",
        "user",
        "label",
        "user_agent",
        "secret_hash",
        "enrolled_at",
        "last_contact_at",
        "last_sync_at",
        "ended_at",
        "end_reason",
        "ended_by",
        "end_note",
        "wiped_at",
    )

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        indexes = [models.Index(fields=["user", "ended_at"], name="device_user_active_idx")]

    def __str__(self) -> str:
        return f"{self.label} of {self.user_id}"

    @property
    def active(self) -> bool:
        return self.ended_at is None


class FieldAction(DataClassification, models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        FOLLOW_UP = "follow-up", _("Follow-up visit")
        ASSESS = "assess", _("Assessment")
        PROTECT = "protect", _("Taken into protection")
        PLACE = "place", _("Placement")
        REGISTER = "register", _("New child and case")

    class Status(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("field action", "Recorded")
        CONFLICT = "conflict", pgettext_lazy("field action", "Changed meanwhile: your decision")
        HELD = "held", pgettext_lazy("field action", "Waiting for an earlier action")
        REFUSED = "refused", pgettext_lazy("field action", "Not recorded")
        DISCARDED = "discarded", pgettext_lazy("field action", "Set aside by the officer")

    key = models.UUIDField(unique=True)  # the idempotency key the phone gave it
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="actions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    case_uuid = models.UUIDField()  # the case it is for (a new one for "register")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    base_version = models.PositiveIntegerField(null=True, blank=True)
    field_time = models.DateTimeField()  # when it happened, as recorded in the field
    queued_at = models.DateTimeField()  # the phone's clock when it was queued
    received_at = models.DateTimeField()  # when the server first received it
    digest = models.CharField(max_length=64)  # SHA-256 of what was recorded
    data = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices)
    outcome = models.JSONField(default=dict, blank=True)
    result_version = models.PositiveIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_DATA = ("data", "outcome")
    NOT_PERSONAL_DATA = (
        "id",
        "key",
        "device",
        "user",
        "seq",
        "kind",
        "case_uuid",
        "case",
        "base_version",
        "field_time",
        "queued_at",
        "received_at",
        "digest",
        "status",
        "result_version",
        "decided_at",
    )

    class Meta:
        ordering = ["device", "seq", "id"]
        indexes = [
            models.Index(fields=["device", "status"], name="field_action_device_status_idx"),
            models.Index(fields=["case", "device"], name="field_action_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"
