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
from django.utils.translation import gettext_lazy as _

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
    # No foreign-key constraint in the database, as for the blocking keys: derived from the
    # record as the run read it under the linkage lock, a million at a time, and each check
    # would wait for the commit (ADR 0013). The ORM deletes them with their record.
    record = models.OneToOneField(
        DepartmentRecord,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
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
        AUTOMATIC = "automatic", _("Linked automatically")
        NEW_CHILD = "new_child", _("New child registered")
        REVIEW = "review", _("Decided in review")
        MANUAL = "manual", _("Linked by hand")

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
        # (The child's foreign key has its index: no second one on the child here.)

    def __str__(self) -> str:
        return f"record {self.record_id} → child {self.child_id} ({self.method})"


class ReviewItem(DataClassification, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a decision")
        SAME = "same", _("Same child")
        DIFFERENT = "different", _("Different child")
        WITHDRAWN = "withdrawn", _("Withdrawn (the record was linked otherwise)")

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


class ChildFeatures(DataClassification, models.Model):
    """What the model compares of a registry child (one row per script its name is written
    in), derived once per change of the child (``child_updated_at``)."""

    child = models.OneToOneField(  # unchecked in the database, as a record's features
        Child, primary_key=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    feature_format = models.PositiveSmallIntegerField()
    child_updated_at = models.DateTimeField()
    rows = models.JSONField()

    PERSONAL_DATA = ("rows",)
    NOT_PERSONAL_DATA = ("child", "feature_format", "child_updated_at")

    def __str__(self) -> str:
        return f"features of child {self.child_id}"


class BlockingKey(DataClassification, models.Model):
    """One blocking key of a record or a registry child (``model.blocking_keys``), a 64-bit
    hash, indexed: a new batch reads only the known records and children that share a key
    with it, not the whole population."""

    key = models.BigIntegerField()
    # No foreign-key constraint in the database: a run writes some twenty keys a record (18
    # million for a batch of a million), and checking each at the commit took a sixth of
    # the run. The keys are an index derived from rows that the run has just read under the
    # linkage lock; the ORM deletes them with their record or child (CASCADE), and a key
    # whose owner is gone finds nothing (its features are read through a join). ADR 0013.
    record = models.ForeignKey(
        DepartmentRecord,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the partial index below serves, without the empty entries
    )
    child = models.ForeignKey(
        Child,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    NOT_PERSONAL_DATA = ("id", "key", "record", "child")

    class Meta:
        indexes = [
            models.Index(fields=["key"], name="blockingkey_key"),
            # Each key has one owner: the other column is empty, and left out of its index
            # (an index of millions of empty entries costs a linkage run at each write).
            models.Index(
                fields=["record"],
                name="blockingkey_record",
                condition=Q(record__isnull=False),
            ),
            models.Index(
                fields=["child"],
                name="blockingkey_child",
                condition=Q(child__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(record__isnull=True, child__isnull=False)
                | Q(record__isnull=False, child__isnull=True),
                name="blockingkey_one_owner",
            )
        ]

    def __str__(self) -> str:
        owner = f"record {self.record_id}" if self.record_id else f"child {self.child_id}"
        return f"blocking key of {owner}"


class NameFrequency(DataClassification, models.Model):
    """How many records and children of the population carry each name key (the model's
    term frequencies): kept up to date by each run, so that a batch weighs agreement on a
    common name by the whole population's figures without reading it."""

    column = models.CharField(max_length=16)
    key = models.CharField(max_length=120)
    count = models.PositiveIntegerField(default=0)

    PERSONAL_DATA = ("key",)
    NOT_PERSONAL_DATA = ("id", "column", "count")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["column", "key"], name="namefrequency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.column} {self.key}: {self.count}"
