"""The State party report under the OPSC, written in cpmis.

- ``ReportEdition``: one report being prepared (the second periodic report, say), with the
  year whose statistics it uses and the period it covers. A final edition is read-only.
- ``NarrativeVersion``: the text of one section, versioned; a section's current text is its
  highest version. Versions are never edited, so the history and diffs are exact.
- ``ReviewComment``: a reviewer's comment on a section (the "zero draft" consultation of
  paragraph 15 of the initial report), optionally on one version and in reply to another.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cpmis.core.models import DataClassification
from cpmis.legal.report_structure import BY_CODE, SECTION_CODES

SECTION_CHOICES = [(code, section.heading) for code, section in BY_CODE.items()]


def validate_section(value: str) -> None:
    if value not in SECTION_CODES:
        raise ValidationError(gettext("Unknown report section %(section)r.") % {"section": value})


class ReportEdition(DataClassification, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ZERO_DRAFT = "zero_draft", _("Zero draft")
        CONSULTATION = "consultation", _("In consultation")
        FINAL = "final", _("Final")

    title = models.CharField(max_length=300)
    symbol = models.CharField(
        max_length=60,
        blank=True,
        help_text="The document symbol, e.g. CRC/C/OPSC/PAK/2 (empty until it is known).",
    )
    reporting_year = models.PositiveSmallIntegerField(
        help_text="The year whose statistics the report uses."
    )
    period_from = models.DateField(help_text="First day of the period the report covers.")
    period_to = models.DateField(help_text="Last day of the period the report covers.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    NOT_PERSONAL_DATA = (
        "id",
        "title",
        "symbol",
        "reporting_year",
        "period_from",
        "period_to",
        "status",
        "created_by",
        "created_at",
        "version",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL


class NarrativeVersion(DataClassification, models.Model):
    edition = models.ForeignKey(ReportEdition, on_delete=models.CASCADE, related_name="versions")
    section = models.CharField(
        max_length=40, choices=SECTION_CHOICES, validators=[validate_section]
    )
    number = models.PositiveIntegerField()
    # The report's own text, written for publication; it names institutions, not children.
    text = models.TextField()
    summary = models.CharField(max_length=200, blank=True, help_text="What changed.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    NOT_PERSONAL_DATA = (
        "id",
        "edition",
        "section",
        "number",
        "text",
        "summary",
        "author",
        "created_at",
    )

    class Meta:
        ordering = ["edition", "section", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "section", "number"], name="one_version_number_per_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.section} v{self.number}"


class ReviewComment(DataClassification, models.Model):
    edition = models.ForeignKey(ReportEdition, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(
        max_length=40, choices=SECTION_CHOICES, validators=[validate_section]
    )
    on_version = models.ForeignKey(
        NarrativeVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A reviewer's free text may name a person or a case: treated as personal data.
    text = models.TextField()
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    PERSONAL_DATA = ("text",)
    NOT_PERSONAL_DATA = (
        "id",
        "edition",
        "section",
        "on_version",
        "reply_to",
        "author",
        "created_at",
        "resolved_at",
        "resolved_by",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["edition", "section"], name="reviewcomment_section")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.section}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ReportSnapshot(DataClassification, models.Model):
    """What one generated report said: its numbered paragraphs and its published figures
    (after disclosure control, as the reader who asked for it saw them). Kept so that two
    versions, or two editions, can be compared: what changed in the text, which paragraphs
    were renumbered, which figures moved."""

    edition = models.ForeignKey(ReportEdition, on_delete=models.CASCADE, related_name="snapshots")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # whose view of the figures (``access.scope_key``, "none" without figures): a snapshot is
    # shown only to readers with the same view
    scope = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)  # of paragraphs and figures: equal means unchanged
    status = models.CharField(max_length=16)
    # [[number, section, text], …] in order
    paragraphs = models.JSONField(default=list)
    # {"<indicator>:<breakdown>": {"number": "A.3", "title": …, "cells": {"row\tcolumn": "12"}}}
    figures = models.JSONField(default=dict)

    # The report's own text and figures that passed disclosure control: published matter.
    NOT_PERSONAL_DATA = (
        "id",
        "edition",
        "number",
        "created_at",
        "created_by",
        "scope",
        "digest",
        "status",
        "paragraphs",
        "figures",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="one_snapshot_number")
        ]

    def __str__(self) -> str:
        return f"{self.edition} v{self.number}"

    @property
    def label(self) -> str:
        return gettext("%(title)s, version %(number)s (%(status)s)") % {
            "title": self.edition.title,
            "number": self.number,
            "status": ReportEdition.Status(self.status).label
            if self.status in ReportEdition.Status.values
            else self.status,
        }
