"""Linkage of department records to the registry's children.

- ``LinkageModel``: a trained model, versioned; never edited. Its thresholds were chosen
  from its own match probabilities when it was trained.
- ``RecordFeatures``: what the model compares, derived from a department record once (so a
  new batch is compared with a million linked records without deriving theirs again).
- ``RecordLink``: a department record belongs to a child. Undoing a link keeps the row
  (``undone_at``); at most one link of a record is active.
- ``ReviewItem``: a record the model could not decide, with its best candidate child.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from cpmis.core.models import DataClassification
from cpmis.exchange.models import DepartmentRecord
from cpmis.people.models import Child


class LinkageModel(DataClassification, models.Model):
    version = models.PositiveIntegerField(unique=True)
    splink = models.JSONField(help_text="The trained Splink model (settings with m and u).")
    feature_format = models.PositiveSmallIntegerField()
    link_threshold = models.FloatField()
    review_threshold = models.FloatField()
    trained_on = models.PositiveIntegerField(help_text="Records the model was estimated on.")
    source = models.CharField(max_length=200, help_text="What it was trained on.")
    sha256 = models.CharField(max_length=64)
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    NOT_PERSONAL_DATA = (
        "id",
        "version",
        "splink",
        "feature_format",
        "link_threshold",
        "review_threshold",
        "trained_on",
        "source",
        "sha256",
        "trained_at",
        "trained_by",
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"linkage model v{self.version}"


class RecordFeatures(DataClassification, models.Model):
    record = models.OneToOneField(
        DepartmentRecord, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    feature_format = models.PositiveSmallIntegerField()
    record_version = models.PositiveIntegerField()
    data = models.JSONField()

    PERSONAL_DATA = ("data",)
    NOT_PERSONAL_DATA = ("record", "feature_format", "record_version")

    def __str__(self) -> str:
        return f"features of record {self.record_id}"


class RecordLink(DataClassification, models.Model):
    class Method(models.TextChoices):
        AUTOMATIC = "automatic", "Linked automatically"
        NEW_CHILD = "new_child", "New child registered"
        REVIEW = "review", "Decided in review"
        MANUAL = "manual", "Linked by hand"

    record = models.ForeignKey(DepartmentRecord, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=16, choices=Method.choices)
    probability = models.FloatField(null=True, blank=True)
    model = models.ForeignKey(
        LinkageModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_reason = models.CharField(max_length=300, blank=True)

    PERSONAL_DATA = ("undo_reason",)
    NOT_PERSONAL_DATA = (
        "id",
        "record",
        "child",
        "method",
        "probability",
        "model",
        "created_at",
        "created_by",
        "undone_at",
        "undone_by",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=Q(undone_at=None), name="one_active_link_per_record"
            )
        ]
        indexes = [models.Index(fields=["child"], name="recordlink_child")]

    def __str__(self) -> str:
        return f"record {self.record_id} → child {self.child_id} ({self.method})"


class ReviewItem(DataClassification, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a decision"
        SAME = "same", "Same child"
        DIFFERENT = "different", "Different child"
        WITHDRAWN = "withdrawn", "Withdrawn (the record was linked otherwise)"

    record = models.ForeignKey(DepartmentRecord, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField()
    model = models.ForeignKey(LinkageModel, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    # Records the model put together wait in one group and are decided together.
    group = models.UUIDField(db_index=True)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    NOT_PERSONAL_DATA = (
        "id",
        "record",
        "candidate",
        "probability",
        "model",
        "status",
        "group",
        "created_at",
        "decided_at",
        "decided_by",
        "version",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=Q(status="open"), name="one_open_review_per_record"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="reviewitem_queue")]

    def __str__(self) -> str:
        return f"review of record {self.record_id} against child {self.candidate_id}"
