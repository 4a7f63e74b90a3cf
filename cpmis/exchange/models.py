"""Department data exchange: submissions (batches) and the department records they carry.

A department record is identified by its department's own record ID; a later submission of
the same ID corrects it (a new version) instead of adding a second record. A submission is
kept whole: its counts, its errors (row, column, value, reason) and what it changed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cpmis.core.models import DataClassification
from cpmis.reference.models import Department, District, Jurisdiction


class Submission(DataClassification, models.Model):
    class Source(models.TextChoices):
        CSV = "csv", _("CSV file")
        XLSX = "xlsx", _("XLSX file")
        JSON = "json", _("JSON (API)")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("All rows accepted")
        PARTIAL = "partial", _("Some rows rejected")
        REJECTED = "rejected", _("Rejected")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    # The scope it was submitted under (null: national): who else may see it.
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    record_type = models.CharField(max_length=40)
    schema_major = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=8, choices=Source.choices)
    filename = models.CharField(max_length=255, blank=True)
    # What makes a submission repeatable: the file's hash, or the API caller's key.
    content_sha256 = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=100, blank=True)
    date_format = models.CharField(max_length=16)
    encoding = models.CharField(max_length=20, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices)
    rows_total = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    # File-level problems ([message]) and row errors ([{row, column, value, reason}]); the
    # rejected rows as sent (for the "rows to correct" file).
    file_errors = models.JSONField(default=list, blank=True)
    row_errors = models.JSONField(default=list, blank=True)
    rejected_rows = models.JSONField(default=list, blank=True)

    PERSONAL_DATA = ("row_errors", "rejected_rows", "file_errors")
    NOT_PERSONAL_DATA = (
        "id",
        "uuid",
        "department",
        "jurisdiction",
        "record_type",
        "schema_major",
        "source",
        "filename",
        "content_sha256",
        "idempotency_key",
        "date_format",
        "encoding",
        "submitted_by",
        "submitted_at",
        "status",
        "rows_total",
        "rows_rejected",
        "rows_created",
        "rows_updated",
        "rows_unchanged",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["department", "-submitted_at"], name="submission_dept_idx"),
            models.Index(
                fields=["department", "record_type", "content_sha256"], name="submission_sha_idx"
            ),
        ]
        constraints = [
            # One key per department and province, or national (no jurisdiction: 0 here).
            # COALESCE rather than nulls_distinct=False, which SQLite cannot enforce: Django
            # silently leaves such a constraint out there.
            models.UniqueConstraint(
                "department",
                Coalesce("jurisdiction", models.Value(0)),
                "idempotency_key",
                condition=~models.Q(idempotency_key=""),
                name="submission_idempotency_once",
            )
        ]

    def __str__(self) -> str:
        return f"Submission {self.uuid}"

    @property
    def rows_accepted(self) -> int:
        return self.rows_created + self.rows_updated + self.rows_unchanged


class DepartmentRecord(DataClassification, models.Model):
    """One record of a department about a child, in the common standard.

    Indexes are few on purpose (a million rows arrive in one batch): the unique key
    (department, record type, record ID) also serves lookups by department, the (district,
    record type) index lookups by district."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The province or territory of the record's district: a department's record IDs are
    # its own in each province (Punjab Police and KP Police number their FIRs apart).
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    record_type = models.CharField(max_length=40)
    department_record_id = models.CharField(max_length=64)
    schema_major = models.PositiveSmallIntegerField()
    record_date = models.DateField()
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    child_name = models.CharField(max_length=150)
    guardian_relation = models.CharField(max_length=10, blank=True)
    guardian_name = models.CharField(max_length=150, blank=True)
    sex = models.CharField(max_length=16)
    date_of_birth = models.DateField(null=True, blank=True)
    age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    b_form_number = models.CharField(max_length=15, blank=True)
    # The record type's own fields, validated and normalised (dates ISO, sections as
    # catalogue citations).
    data = models.JSONField(default=dict)
    content_sha256 = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    first_submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    last_submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="records"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    PERSONAL_DATA = (
        "child_name",
        "guardian_relation",
        "guardian_name",
        "sex",
        "date_of_birth",
        "age_years",
        "b_form_number",
        "data",
        "department_record_id",
    )
    NOT_PERSONAL_DATA = (
        "id",
        "department",
        "jurisdiction",
        "record_type",
        "schema_major",
        "record_date",
        "district",
        "content_sha256",
        "version",
        "first_submission",
        "last_submission",
        "created_at",
        "updated_at",
    )

    class Meta:
        ordering = ["-record_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "jurisdiction", "record_type", "department_record_id"],
                name="department_record_once",
            )
        ]
        indexes = [
            models.Index(fields=["district", "record_type"], name="deptrecord_district_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} record {self.pk}"
