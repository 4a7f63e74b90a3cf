"""Case management: a case of a child, its timeline of events, and the tasks (deadlines) that
the events and the law of the case's jurisdiction imply.

Events are the record; the stage and the tasks are derived from them by the services, so
correcting an event corrects its deadlines.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cpmis.core.models import DataClassification
from cpmis.legal.models import Provision
from cpmis.people.models import Child
from cpmis.reference.models import District, InstitutionType, Jurisdiction


class Stage(models.TextChoices):
    # Inter-Agency Guidelines for Case Management and Child Protection (2014)
    REGISTERED = "registered", _("Identification and registration")
    ASSESSED = "assessed", _("Assessment")
    PLANNED = "planned", _("Case plan")
    IMPLEMENTATION = "implementation", _("Implementation")
    FOLLOW_UP = "follow_up", _("Follow-up and review")
    CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
    CLOSED = "closed", _("Closed")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Concern(models.TextChoices):
    TRAFFICKED = "trafficked", _("Trafficked or sold")
    SEXUALLY_EXPLOITED = "sexually_exploited", _("Sexually exploited (prostitution)")
    PORNOGRAPHY = "pornography", _("Used in pornography")
    SEXUALLY_ABUSED = "sexually_abused", _("Sexually abused")
    ABUSED = "abused", _("Physically or emotionally abused")
    NEGLECTED = "neglected", _("Neglected or destitute")
    STREET_CHILD = "street_child", _("Street child")
    CHILD_LABOUR = "child_labour", _("Child labour or bonded labour")
    BEGGING = "begging", _("Begging")
    MISSING = "missing", _("Missing, lost or runaway")
    CHILD_MARRIAGE = "child_marriage", _("Child marriage")
    IN_CONFLICT_WITH_LAW = "in_conflict_with_law", _("In conflict with the law")


class Institution(DataClassification, models.Model):
    """A minimal directory of places a child can be placed or referred to."""

    class Accepts(models.TextChoices):
        GIRLS = "girls", _("Girls only")
        BOYS = "boys", _("Boys only")
        ALL = "all", _("Girls and boys")

    name = models.CharField(max_length=200)
    type = models.ForeignKey(InstitutionType, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    accepts = models.CharField(max_length=8, choices=Accepts.choices, default=Accepts.ALL)
    age_min = models.PositiveSmallIntegerField(default=0)
    age_max = models.PositiveSmallIntegerField(default=17)
    capacity = models.PositiveIntegerField()
    occupancy = models.PositiveIntegerField(default=0)

    NOT_PERSONAL_DATA = (
        "id",
        "name",
        "type",
        "district",
        "accepts",
        "age_min",
        "age_max",
        "capacity",
        "occupancy",
    )

    class Meta:
        ordering = ["district__name_en", "name"]
        constraints = [
            models.CheckConstraint(
                name="institution_not_over_capacity",
                condition=models.Q(occupancy__lte=models.F("capacity")),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Case(DataClassification, models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The number people read, say on the phone and search for: PB-LHR-2026-000123
    # (jurisdiction, district, year of opening, sequence). Given at opening, never changed,
    # not even by a transfer (see numbering.py).
    number = models.CharField(max_length=24, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    # Whose law sets the clocks; it changes only by an accepted transfer.
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.REGISTERED)
    initial_risk = models.CharField(max_length=8, choices=RiskLevel.choices)
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, blank=True)
    concerns = models.JSONField(default=list)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    in_protection = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    PERSONAL_DATA = ("concerns", "risk_level", "initial_risk", "in_protection")
    NOT_PERSONAL_DATA = (
        "id",
        "uuid",
        "number",
        "child",
        "district",
        "jurisdiction",
        "stage",
        "assigned_to",
        "assigned_at",
        "opened_at",
        "closed_at",
        "version",
        "created_by",
        "updated_at",
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["district", "stage"], name="case_district_stage_idx"),
            models.Index(fields=["assigned_to", "stage"], name="case_assignee_stage_idx"),
            # a CPO's newly assigned cases on their home
            models.Index(fields=["assigned_to", "-assigned_at"], name="case_assignee_recent_idx"),
            # the open cases per officer of a district (index only)
            models.Index(
                fields=["district", "assigned_to", "id"],
                condition=~models.Q(stage="closed"),
                name="case_open_officer_idx",
            ),
            # a supervisor's unassigned cases on their home (a small, partial index)
            models.Index(
                fields=["district", "-opened_at"],
                condition=models.Q(assigned_to__isnull=True) & ~models.Q(stage="closed"),
                name="case_unassigned_idx",
            ),
            models.Index(fields=["opened_at"], name="case_opened_idx"),  # statistics by period
        ]

    def __str__(self) -> str:
        return f"Case {self.number or self.uuid}"


class CaseNumberCounter(DataClassification, models.Model):
    """The last sequence number given under a prefix ("PB-LHR-2026"); rows are locked while a
    number is taken, so two officers opening cases at once never get the same number."""

    prefix = models.CharField(max_length=16, unique=True)
    last = models.PositiveIntegerField(default=0)

    NOT_PERSONAL_DATA = ("id", "prefix", "last")

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


class Transfer(DataClassification, models.Model):
    """A request to move a case to another district's CPU. Until the receiving supervisor
    accepts it, the case stays with the sending district."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("transfer status", "Waiting for an answer")
        ACCEPTED = "accepted", pgettext_lazy("transfer status", "Accepted")
        DECLINED = "declined", pgettext_lazy("transfer status", "Declined")
        WITHDRAWN = "withdrawn", pgettext_lazy("transfer status", "Withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    to_district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    PERSONAL_DATA = ("reason", "decision_note")
    NOT_PERSONAL_DATA = (
        "id",
        "case",
        "from_district",
        "to_district",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="one_pending_transfer_per_case",
            )
        ]
        indexes = [
            # a supervisor's transfers inbox: one indexed query
            models.Index(
                fields=["to_district", "requested_at"],
                condition=models.Q(status="pending"),
                name="transfer_waiting_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Transfer of {self.case_id} to {self.to_district_id} ({self.status})"


class EventKind(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("case event", "Registered")
    ASSIGNED = "assigned", _("Assigned to an officer")
    ASSESSED = "assessed", _("Assessed")
    PLAN_SET = "plan_set", _("Case plan set")
    PLAN_APPROVED = "plan_approved", _("Case plan approved")
    OFFENCE_ALLEGED = "offence_alleged", _("Offence alleged")
    TAKEN_INTO_PROTECTION = "taken_into_protection", _("Taken into protection")
    PRODUCED_BEFORE_COURT = "produced_before_court", _("Produced before the Court")
    HEARING = "hearing", _("Court hearing")
    ORDER = "order", _("Court order")
    DELAY_REPORT = "delay_report", _("Delay report sent to the District Judge")
    LEGAL_AID_OFFERED = "legal_aid_offered", _("Legal assistance offered")
    PLACEMENT = "placement", _("Placed")
    REVIEW = "review", _("Plan reviewed")
    RELEASED = "released", _("Released")
    FOLLOW_UP_VISIT = "follow_up_visit", _("Follow-up visit")
    # A home, field or institution visit at any open stage, with what the officer saw.
    VISIT = "visit", _("Visit")
    CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
    CLOSURE_APPROVED = "closure_approved", _("Closure approved")
    CLOSURE_REJECTED = "closure_rejected", _("Closure refused")
    REOPENED = "reopened", _("Reopened")
    TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
    TRANSFER_ACCEPTED = "transfer_accepted", _("Transfer accepted")
    TRANSFER_REFUSED = "transfer_refused", _("Transfer declined")
    TRANSFER_WITHDRAWN = "transfer_withdrawn", _("Transfer withdrawn")
    REFERRED = "referred", _("Referred to a service")
    COMPLAINT_RECEIVED = "complaint_received", _("Complaint about the child attached")


class CaseEvent(DataClassification, models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    PERSONAL_DATA = ("details", "note")
    NOT_PERSONAL_DATA = ("id", "case", "kind", "occurred_at", "recorded_at", "recorded_by")

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["case", "kind"], name="event_case_kind_idx"),
            # the statistics read one kind of event over a period
            models.Index(fields=["kind", "occurred_at"], name="event_kind_when_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d %H:%M}"


class CaseOffence(DataClassification, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="offences")
    provision = models.ForeignKey(Provision, on_delete=models.PROTECT, related_name="+")

    NOT_PERSONAL_DATA = ("id", "case", "provision")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "provision"], name="case_offence_once")
        ]

    def __str__(self) -> str:
        return f"{self.provision} alleged in {self.case}"


class TaskKind(models.TextChoices):
    ASSESSMENT = "assessment", _("Assess the child")
    PRODUCTION = "production", _("Produce the child before the Court")
    DECISION = "decision", _("Final decision of the Court")
    DELAY_REPORT = "delay_report", _("Delay report to the District Judge")
    PLAN_REVIEW = "plan_review", _("Review the case plan")
    FOLLOW_UP_VISIT = "follow_up_visit", _("Follow-up visit")
    CLOSURE_APPROVAL = "closure_approval", _("Approve or refuse closure")


class Task(DataClassification, models.Model):
    """An open obligation with its due time, derived from the events (never typed in)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=24, choices=TaskKind.choices)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    for_supervisor = models.BooleanField(default=False)
    basis = models.CharField(max_length=300, help_text="The law or policy that sets the time.")
    # The case's district and officer when the tasks were computed (every change of either
    # recomputes them), so a district's overdue tasks per officer is one index-only read.
    district = models.ForeignKey(
        District, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    NOT_PERSONAL_DATA = (
        "id",
        "case",
        "kind",
        "due_at",
        "done_at",
        "for_supervisor",
        "basis",
        "district",
        "assigned_to",
    )

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["done_at", "due_at"], name="task_open_due_idx"),
            models.Index(fields=["kind", "due_at"], name="task_kind_due_idx"),  # statistics
            # the open decisions in due order (cases near the four-month limit)
            models.Index(
                fields=["kind", "due_at"],
                condition=models.Q(done_at__isnull=True),
                name="task_open_kind_due_idx",
            ),
            # a district's open tasks by due time and officer (overdue tasks per officer)
            models.Index(
                fields=["district", "due_at", "assigned_to"],
                condition=models.Q(done_at__isnull=True),
                name="task_open_district_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} due {self.due_at:%Y-%m-%d %H:%M}"


class Perpetrator(DataClassification, models.Model):
    """Alleged perpetrators: no more than the case needs (no names)."""

    class Relationship(models.TextChoices):
        PARENT = "parent", _("Parent or step-parent")
        RELATIVE = "relative", _("Other relative")
        ACQUAINTANCE = "acquaintance", _("Neighbour or acquaintance")
        EMPLOYER = "employer", _("Employer")
        CAREGIVER = "caregiver", _("Teacher or caregiver")
        STRANGER = "stranger", _("Stranger")
        TRAFFICKER = "trafficker", _("Trafficker or organised group")
        UNKNOWN = "unknown", _("Unknown")

    class AgeBand(models.TextChoices):
        CHILD = "child", _("Under 18")
        ADULT = "adult", _("18 or older")
        UNKNOWN = "unknown", _("Unknown")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrators")
    number = models.PositiveSmallIntegerField(default=1)
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    sex = models.CharField(
        max_length=8,
        choices=[("female", _("Female")), ("male", _("Male")), ("unknown", _("Unknown"))],
    )
    age_band = models.CharField(max_length=8, choices=AgeBand.choices)

    PERSONAL_DATA = ("relationship", "sex", "age_band", "number")
    NOT_PERSONAL_DATA = ("id", "case")

    def __str__(self) -> str:
        return f"Perpetrator(s) in {self.case}"


class CaseReference(DataClassification, models.Model):
    """Numbers of the same matter at other bodies: police FIR, FIA case, court case."""

    class Kind(models.TextChoices):
        FIR = "fir", _("Police FIR")
        FIA = "fia", _("FIA case")
        COURT = "court", _("Court case")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="references")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    number = models.CharField(max_length=60)
    authority = models.CharField(max_length=150, blank=True, help_text="Police station, court…")

    PERSONAL_DATA = ("number",)
    NOT_PERSONAL_DATA = ("id", "case", "kind", "authority")

    def __str__(self) -> str:
        return f"{self.kind} reference of {self.case}"


class ResponseTime(DataClassification, models.Model):
    """How fast a registered case must be assessed, by risk level: a setting per jurisdiction
    (empty jurisdiction: the default). Policy, not law."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices)
    hours = models.PositiveIntegerField()

    NOT_PERSONAL_DATA = ("id", "jurisdiction", "risk_level", "hours")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "risk_level"],
                name="response_time_once",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.risk_level}: {self.hours} h"
