"""Complaints from every channel (report ¶80): registered once, queued for the Child
Protection Unit of their district, and triaged into a case, a referral or a closure.

The person who complained holds a tracking code; only its keyed hash is stored (``tracking``),
so the table alone cannot be turned back into codes.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpmis.cases.models import Case, Concern
from cpmis.core.models import DataClassification
from cpmis.people.models import Child, Sex
from cpmis.reference.models import District, Jurisdiction


class Channel(models.TextChoices):
    ONLINE = "online", _("Online complaint form")
    HELPLINE = "helpline", _("Helpline call")
    OFFICE = "office", _("Walk-in at a complaint office")
    COMPLAINT_BOX = "complaint_box", _("School complaint box")
    LETTER = "letter", _("Letter")
    REFERRAL = "referral", _("Referral from a department or NGO")


class Status(models.TextChoices):
    RECEIVED = "received", _("Waiting for triage")
    CASE_OPENED = "case_opened", _("Case opened")
    ATTACHED = "attached", _("Attached to an existing case")
    REFERRED = "referred", _("Referred to another body")
    CLOSED = "closed", _("Closed")


class ReporterKind(models.TextChoices):
    ANONYMOUS = "anonymous", _("Anonymous")
    CHILD = "child", _("The child concerned")
    PARENT = "parent", _("Parent or family member")
    TEACHER = "teacher", _("Teacher or school staff")
    OFFICIAL = "official", _("Official or NGO worker")
    OTHER = "other", _("Someone else")


class ReferralBody(models.TextChoices):
    POLICE = "police", _("Police")
    FIA = "fia", _("Federal Investigation Agency")
    OMBUDSMAN = "ombudsman", _("Ombudsman / Children Complaint Office")
    EDUCATION = "education", _("Education department")
    HEALTH = "health", _("Health department")
    SOCIAL_WELFARE = "social_welfare", _("Social welfare department")
    NGO = "ngo", _("NGO or service provider")
    OTHER = "other", _("Other body")


class ClosureReason(models.TextChoices):
    NOT_CHILD_PROTECTION = "not_child_protection", _("Not a child-protection matter")
    INSUFFICIENT_INFORMATION = "insufficient_information", _("Not enough information to act")
    DUPLICATE = "duplicate", _("Duplicate of another complaint")
    RESOLVED = "resolved", _("Resolved without a case")
    UNFOUNDED = "unfounded", _("Found to be unfounded after checking")
    REFERRAL_COMPLETED = "referral_completed", _("Referral followed up and completed")
    OTHER = "other", _("Other (explained in the note)")


class Complaint(DataClassification, models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Keyed hash (HMAC-SHA256) of the tracking code given to the person who complained.
    tracking = models.CharField(max_length=64, unique=True, editable=False)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where it is triaged: the district's CPU, or the jurisdiction's when the district is unknown.
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(max_length=200, blank=True, help_text="Where it happened.")
    source = models.CharField(
        max_length=200, blank=True, help_text="School of a complaint box; referring body."
    )
    reporter_kind = models.CharField(
        max_length=16, choices=ReporterKind.choices, default=ReporterKind.ANONYMOUS
    )
    reporter_name = models.CharField(max_length=150, blank=True)
    reporter_phone = models.CharField(max_length=20, blank=True)
    concerns = models.JSONField(default=list)
    narrative = models.TextField()
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="en")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    triage_due_at = models.DateTimeField()
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    referred_to = models.CharField(max_length=16, choices=ReferralBody.choices, blank=True)
    referral_follow_up_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=32, choices=ClosureReason.choices, blank=True)
    # An identical public submission within a day is kept, but queued once (flood control).
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    PERSONAL_DATA = (
        "place",
        "source",
        "reporter_kind",
        "reporter_name",
        "reporter_phone",
        "concerns",
        "narrative",
        "fingerprint",  # a hash of what was typed: it could confirm a guess of it
    )
    NOT_PERSONAL_DATA = (
        "id",
        "uuid",
        "tracking",
        "channel",
        "received_at",
        "recorded_at",
        "recorded_by",
        "jurisdiction",
        "district",
        "language",
        "status",
        "triage_due_at",
        "triaged_at",
        "triaged_by",
        "case",
        "referred_to",
        "referral_follow_up_on",
        "closure_reason",
        "duplicate_of",
        "version",
    )

    class Meta:
        ordering = ["triage_due_at", "id"]
        indexes = [
            models.Index(
                fields=["district", "status", "triage_due_at"], name="complaint_queue_idx"
            ),
            models.Index(
                fields=["jurisdiction", "status", "triage_due_at"], name="complaint_jqueue_idx"
            ),
            models.Index(fields=["fingerprint", "received_at"], name="complaint_fingerprint_idx"),
        ]

    def __str__(self) -> str:
        # Never the narrative or a name: this string reaches logs.
        return f"Complaint {self.uuid}"

    @property
    def short_ref(self) -> str:
        return str(self.uuid)[:8].upper()

    @property
    def overdue(self) -> bool:
        return self.status == Status.RECEIVED and self.triage_due_at < timezone.now()

    @property
    def concern_labels(self) -> list[str]:
        labels = dict(Concern.choices)
        return [str(labels.get(c, c)) for c in self.concerns or []]


class ComplaintChild(DataClassification, models.Model):
    """A child the complaint is about, as far as the reporter knew."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=150, blank=True)
    sex = models.CharField(max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.CharField(
        max_length=300, blank=True, help_text="Class, what they look like, where they are."
    )
    # Set at triage: the registry child this is, and the case opened for them.
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    PERSONAL_DATA = ("name", "sex", "age_years", "description")
    NOT_PERSONAL_DATA = ("id", "complaint", "child", "case")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Child {self.pk} of {self.complaint}"


class ComplaintEventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ROUTED = "routed", _("Sent to a district")
    CASE_OPENED = "case_opened", _("Case opened")
    ATTACHED = "attached", _("Attached to an existing case")
    REFERRED = "referred", _("Referred")
    REFERRAL_FOLLOWED_UP = "referral_followed_up", _("Referral followed up")
    CLOSED = "closed", _("Closed")
    DUPLICATE = "duplicate", _("Identical submission received again")


class ComplaintEvent(DataClassification, models.Model):
    """The complaint's history, as the complaint page shows it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=ComplaintEventKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    PERSONAL_DATA = ("note",)
    NOT_PERSONAL_DATA = ("id", "complaint", "kind", "occurred_at", "actor", "details")

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.complaint}"


class TriageTime(DataClassification, models.Model):
    """How soon a complaint must be triaged: a setting per jurisdiction (empty jurisdiction:
    the default). Policy, not law."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    hours = models.PositiveIntegerField()

    NOT_PERSONAL_DATA = ("id", "jurisdiction", "hours")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction"], name="triage_time_once", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"Triage within {self.hours} h"
