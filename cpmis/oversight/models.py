"""Oversight registers: national records of what the State does under the OPSC, not about
children.

- ``PreventionActivity`` and its ``ActivityParticipants``: trainings, awareness events and
  materials (report ¶93–97), with participants counted by profession and sex (aggregate
  numbers, never persons).
- ``LegalAssistanceRequest``: extradition and mutual legal assistance requests (OPSC art.
  5–6, report ¶43–45).
- ``Recommendation``: a concluding observation or recommendation of the Committee (COR),
  linked to the report sections that answer it; ``RecommendationAssignment``: an institution
  responsible for it, with its action and status; ``AssignmentUpdate``: every change of that
  status or action.

The rules that need no database live in ``clean()`` so that ``full_clean()`` (called by every
service) enforces them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cpmis.core.models import DataClassification
from cpmis.legal.models import OpscCategory
from cpmis.legal.report_structure import SECTION_CODES, SECTIONS
from cpmis.reference.models import Department, District, Jurisdiction

from .countries import ISO_3166_ALPHA2, country_name

OPSC_ARTICLES = range(1, 18)  # the Optional Protocol has 17 articles


def _not_future(value: Any, field: str, errors: dict[str, str]) -> None:
    if value is not None and value > timezone.localdate():
        errors[field] = gettext("The date cannot be in the future.")


def paragraphs_validate(value: Any) -> list[int]:
    """Paragraphs of the initial report (¶1–¶97), as in the legal catalogue."""
    from cpmis.legal import validation

    return validation.paragraphs(value, required=False)


def sections_validate(value: Any, field: str = "report_sections") -> list[str]:
    """Codes of the report's sections (``cpmis.legal.report_structure.SECTION_CODES``)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(
            {field: gettext("Give the report sections as a list of section codes.")}
        )
    unknown = [v for v in value if v not in SECTION_CODES]
    if unknown:
        known = ", ".join(s.code for s in SECTIONS)
        raise ValidationError(
            {
                field: gettext("Unknown section code %(code)s; the sections are: %(known)s.")
                % {"code": repr(unknown[0]), "known": known}
            }
        )
    order = {s.code: i for i, s in enumerate(SECTIONS)}
    return sorted(set(value), key=order.__getitem__)


def articles_validate(value: Any, field: str = "articles") -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise ValidationError({field: gettext("Give the OPSC articles as a list of numbers.")})
    wrong = [v for v in value if v not in OPSC_ARTICLES]
    if wrong:
        raise ValidationError(
            {
                field: gettext("Article %(article)s does not exist: the OPSC has 1 to 17.")
                % {"article": wrong[0]}
            }
        )
    return sorted(set(value))


class ActivityKind(models.TextChoices):
    TRAINING = "training", _("Training")
    AWARENESS_EVENT = "awareness_event", _("Awareness event")
    MATERIAL = "material", _("Materials produced or distributed")


class Topic(models.TextChoices):
    OPSC_GENERAL = "opsc_general", _("The Optional Protocol in general")
    TRAFFICKING = "trafficking", _("Sale and trafficking of children")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation and prostitution")
    ONLINE_ABUSE = "online_abuse", _("Online abuse and child sexual abuse material")
    CHILD_PROTECTION_LAW = "child_protection_law", _("Child protection law and procedure")
    VICTIM_SUPPORT = "victim_support", _("Support, recovery and reintegration of victims")
    OTHER = "other", _("Other")


class Profession(models.TextChoices):
    JUDICIARY = "judiciary", _("Judges and magistrates")
    PROSECUTION = "prosecution", _("Prosecutors")
    POLICE = "police", _("Police")
    FIA = "fia", _("FIA officers")
    SOCIAL_WELFARE = "social_welfare", _("Social welfare and child protection officers")
    HEALTH = "health", _("Health workers")
    EDUCATION = "education", _("Teachers and education staff")
    LAWYERS = "lawyers", _("Lawyers")
    CIVIL_SOCIETY = "civil_society", _("Civil society and NGOs")
    MEDIA = "media", _("Media")
    COMMUNITY = "community", _("Community members and parents")
    CHILDREN = "children", _("Children")
    OTHER = "other", _("Other")


class ParticipantSex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    TRANSGENDER = "transgender", _("Transgender")


class PreventionActivity(DataClassification, models.Model):
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    held_on = models.DateField(help_text="The day it was held (the first day).")
    ended_on = models.DateField(null=True, blank=True, help_text="The last day, if several.")
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: federal or national.",
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organiser = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organiser_name = models.CharField(
        max_length=150, blank=True, help_text="The organising body as named (an academy, an NGO)."
    )
    topic = models.CharField(max_length=24, choices=Topic.choices)
    materials_distributed = models.PositiveIntegerField(default=0)
    report_paragraphs = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    NOT_PERSONAL_DATA = (
        "id",
        "kind",
        "title",
        "description",
        "held_on",
        "ended_on",
        "jurisdiction",
        "district",
        "organiser",
        "organiser_name",
        "topic",
        "materials_distributed",
        "report_paragraphs",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["kind", "held_on"], name="activity_kind_held")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.held_on})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _not_future(self.held_on, "held_on", errors)
        if self.held_on and self.ended_on and self.ended_on < self.held_on:
            errors["ended_on"] = gettext("The last day cannot be before the first.")
        district = self.district if self.district_id is not None else None
        if district is not None:
            if self.jurisdiction_id is None:
                errors["district"] = gettext(
                    "Give the province or territory of the district as well."
                )
            elif district.jurisdiction_id != self.jurisdiction_id:
                errors["district"] = gettext(
                    "The district is not in the province or territory given."
                )
        if errors:
            raise ValidationError(errors)
        try:
            self.report_paragraphs = paragraphs_validate(self.report_paragraphs)
        except ValidationError as exc:
            raise ValidationError({"report_paragraphs": exc.messages}) from None

    @property
    def participants_total(self) -> int:
        return sum(p.count for p in self.participants.all())


class ActivityParticipants(DataClassification, models.Model):
    """How many of one profession and sex took part (a count, not persons)."""

    activity = models.ForeignKey(
        PreventionActivity, on_delete=models.CASCADE, related_name="participants"
    )
    profession = models.CharField(max_length=20, choices=Profession.choices)
    sex = models.CharField(max_length=12, choices=ParticipantSex.choices)
    count = models.PositiveIntegerField()

    NOT_PERSONAL_DATA = ("id", "activity", "profession", "sex", "count")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "profession", "sex"], name="participants_once_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.profession} ({self.sex})"


class LegalAssistanceRequest(DataClassification, models.Model):
    class Kind(models.TextChoices):
        EXTRADITION = "extradition", _("Extradition")
        MLA = "mla", _("Mutual legal assistance")

    class Direction(models.TextChoices):
        INCOMING = "incoming", _("Received by Pakistan")
        OUTGOING = "outgoing", _("Made by Pakistan")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    DECIDED = frozenset({Status.GRANTED, Status.REFUSED, Status.WITHDRAWN})

    kind = models.CharField(max_length=12, choices=Kind.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    country = models.CharField(max_length=2, help_text="The other State, ISO 3166-1 alpha-2.")
    dated_on = models.DateField()
    opsc_category = models.CharField(max_length=16, choices=OpscCategory.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_on = models.DateField(null=True, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(max_length=100, blank=True, help_text="A file number.")
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # A request concerns an offender, but the register holds only the State, the dates, the
    # category and a file number: no name. The free note may name someone, so it is personal.
    PERSONAL_DATA = ("note",)
    NOT_PERSONAL_DATA = (
        "id",
        "kind",
        "direction",
        "country",
        "dated_on",
        "opsc_category",
        "status",
        "decided_on",
        "jurisdiction",
        "reference",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    )

    class Meta:
        ordering = ["-dated_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.direction} {self.country} ({self.dated_on})"

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        code = self.country or ""
        if not re.fullmatch(r"[A-Z]{2}", code):
            errors["country"] = gettext(
                "Give the country as two capital letters (ISO 3166-1), e.g. AE."
            )
        elif code == "PK":
            errors["country"] = gettext("The other State cannot be Pakistan.")
        elif code not in ISO_3166_ALPHA2:
            errors["country"] = gettext("%(code)s is not an ISO 3166-1 country code.") % {
                "code": code
            }
        _not_future(self.dated_on, "dated_on", errors)
        _not_future(self.decided_on, "decided_on", errors)
        if self.status in self.DECIDED and self.decided_on is None:
            errors["decided_on"] = gettext(
                "Give the date of the decision (granted, refused or withdrawn)."
            )
        if self.status == self.Status.PENDING and self.decided_on is not None:
            errors["decided_on"] = gettext("A pending request has no decision date.")
        if self.decided_on and self.dated_on and self.decided_on < self.dated_on:
            errors["decided_on"] = gettext("The decision cannot be before the request.")
        if errors:
            raise ValidationError(errors)


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    PARTIALLY_IMPLEMENTED = "partially_implemented", _("Partially implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    NOT_IMPLEMENTED = "not_implemented", _("Not implemented")


def overall_status(statuses: Iterable[str]) -> str:
    """The status of a recommendation from those of its institutions: implemented when all
    are; partially when any has implemented something; in progress when any is at work; not
    implemented when all say so; otherwise not started (also with no institution).
    ``selectors.with_overall_status`` computes the same in the database."""
    found = list(statuses)
    s = ImplementationStatus
    if not found:
        return s.NOT_STARTED
    if all(v == s.IMPLEMENTED for v in found):
        return s.IMPLEMENTED
    if any(v in (s.IMPLEMENTED, s.PARTIALLY_IMPLEMENTED) for v in found):
        return s.PARTIALLY_IMPLEMENTED
    if any(v == s.IN_PROGRESS for v in found):
        return s.IN_PROGRESS
    if all(v == s.NOT_IMPLEMENTED for v in found):
        return s.NOT_IMPLEMENTED
    return s.NOT_STARTED


def paragraph_sort_key(paragraph: str) -> str:
    """ "17(b)" sorts after "9": the leading number zero-padded."""
    m = re.match(r"\s*(\d+)(.*)", paragraph)
    return f"{int(m.group(1)):06d}{m.group(2).strip()}" if m else paragraph


class Recommendation(DataClassification, models.Model):
    document = models.CharField(max_length=60, help_text="e.g. CRC/C/OPSC/PAK/CO/1")
    paragraph = models.CharField(max_length=20, help_text="e.g. 17(b)")
    paragraph_key = models.CharField(max_length=30, editable=False, default="")
    text = models.TextField()
    theme = models.CharField(max_length=200, blank=True)
    issued_on = models.DateField()
    report_sections = models.JSONField(default=list, blank=True)
    articles = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    NOT_PERSONAL_DATA = (
        "id",
        "document",
        "paragraph",
        "paragraph_key",
        "text",
        "theme",
        "issued_on",
        "report_sections",
        "articles",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    )

    class Meta:
        ordering = ["document", "paragraph_key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "paragraph"], name="recommendation_once_per_paragraph"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} ¶{self.paragraph}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        self.document = (self.document or "").strip()
        self.paragraph = (self.paragraph or "").strip()
        if self.paragraph and not re.fullmatch(r"\d{1,3}(\s*\([a-z]{1,4}\))*", self.paragraph):
            errors["paragraph"] = gettext(
                "Give the paragraph as in the document, e.g. 17 or 17(b)."
            )
        _not_future(self.issued_on, "issued_on", errors)
        checks = (("report_sections", sections_validate), ("articles", articles_validate))
        for field, check in checks:
            try:
                setattr(self, field, check(getattr(self, field)))
            except ValidationError as exc:
                errors[field] = exc.messages
        if errors:
            raise ValidationError(errors)
        self.paragraph_key = paragraph_sort_key(self.paragraph)

    @property
    def status(self) -> str:
        """The overall status (annotated by the selectors, else from the assignments)."""
        annotated = getattr(self, "overall_status", None)
        if annotated is not None:
            return str(annotated)
        return overall_status(a.status for a in self.assignments.all())

    def get_status_display(self) -> str:
        return str(ImplementationStatus(self.status).label)


class RecommendationAssignment(DataClassification, models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="assignments"
    )
    institution = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    lead = models.BooleanField(default=False, help_text="The institution that leads.")
    action = models.TextField(blank=True, help_text="What the institution does.")
    status = models.CharField(
        max_length=24,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_STARTED,
    )
    due_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    NOT_PERSONAL_DATA = (
        "id",
        "recommendation",
        "institution",
        "lead",
        "action",
        "status",
        "due_on",
        "version",
        "updated_at",
        "updated_by",
    )

    class Meta:
        ordering = ["-lead", "institution__name_en", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "institution"], name="assignment_once_per_institution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} → {self.institution}"


class AssignmentUpdate(DataClassification, models.Model):
    """A change of an assignment's status or action, as reported (the history)."""

    assignment = models.ForeignKey(
        RecommendationAssignment, on_delete=models.CASCADE, related_name="updates"
    )
    status = models.CharField(max_length=24, choices=ImplementationStatus.choices)
    action = models.TextField(blank=True, help_text="The action as it stood after this update.")
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    NOT_PERSONAL_DATA = ("id", "assignment", "status", "action", "note", "by", "at")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.status} at {self.at:%Y-%m-%d}"
