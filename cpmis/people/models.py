"""The people registry: children known to the child-protection system."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cpmis.core.models import DataClassification
from cpmis.reference.models import District

from .identifiers import validate_nadra_number


class Sex(models.TextChoices):
    # A child's sex: in Urdu a girl or a boy, not the adult "female" / "male".
    FEMALE = "female", pgettext_lazy("sex of a child", "Female")
    MALE = "male", pgettext_lazy("sex of a child", "Male")
    TRANSGENDER = "transgender", pgettext_lazy("sex of a child", "Transgender / intersex")
    UNKNOWN = "unknown", pgettext_lazy("sex of a child", "Unknown")


class GuardianRelation(models.TextChoices):
    # Records in Pakistan name a child as son/daughter of (s/o, d/o) a father or guardian.
    FATHER = "father", _("Father (s/o, d/o)")
    MOTHER = "mother", _("Mother")
    GUARDIAN = "guardian", _("Guardian")
    UNKNOWN = "unknown", _("Unknown")


class Locality(models.TextChoices):
    # Where the child lives, as the census and the Committee's disaggregation class it.
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")
    UNKNOWN = "unknown", _("Unknown")


class Disability(models.TextChoices):
    # Washington Group Short Set domains, as used for SDG and UN reporting.
    SEEING = "seeing", _("Seeing")
    HEARING = "hearing", _("Hearing")
    MOBILITY = "mobility", _("Walking or climbing")
    COGNITION = "cognition", _("Remembering or concentrating")
    SELF_CARE = "self_care", _("Self-care")
    COMMUNICATION = "communication", _("Communicating")


class Child(DataClassification, models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name_latin = models.CharField("name (Latin script)", max_length=150, blank=True)
    name_urdu = models.CharField("name (Urdu script)", max_length=150, blank=True)
    guardian_relation = models.CharField(
        max_length=16, choices=GuardianRelation.choices, default=GuardianRelation.FATHER
    )
    guardian_name_latin = models.CharField(max_length=150, blank=True)
    guardian_name_urdu = models.CharField(max_length=150, blank=True)
    sex = models.CharField(max_length=16, choices=Sex.choices)
    date_of_birth = models.DateField()
    date_of_birth_estimated = models.BooleanField(
        default=False, help_text="True when only an approximate age was known."
    )
    b_form_number = models.CharField(
        "B-form / CRC number", max_length=15, blank=True, validators=[validate_nadra_number]
    )
    cnic = models.CharField("CNIC", max_length=15, blank=True, validators=[validate_nadra_number])
    nationality = models.CharField(max_length=2, default="PK", help_text="ISO 3166-1 alpha-2")
    has_disability = models.BooleanField(null=True, blank=True, help_text="Unknown when empty.")
    disabilities = models.JSONField(default=list, blank=True)
    address = models.TextField(blank=True)
    locality = models.CharField(max_length=8, choices=Locality.choices, default=Locality.UNKNOWN)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="children")
    contact_name = models.CharField(max_length=150, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The officer responsible for this child (a CPO's caseload).",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Normalised names (see search.py), maintained by the services; never shown.
    name_search = models.TextField(blank=True, editable=False)
    # A child found to be another one is kept, never deleted, and points at the survivor
    # (merging.py); it leaves lists and search but its page still answers.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    PERSONAL_DATA = (
        "name_latin",
        "name_urdu",
        "guardian_relation",
        "guardian_name_latin",
        "guardian_name_urdu",
        "sex",
        "date_of_birth",
        "date_of_birth_estimated",
        "b_form_number",
        "cnic",
        "nationality",
        "has_disability",
        "disabilities",
        "address",
        "locality",
        "contact_name",
        "contact_phone",
        "name_search",
    )
    NOT_PERSONAL_DATA = (
        "id",
        "uuid",
        "district",
        "owner",
        "registered_by",
        "registered_at",
        "updated_at",
        "merged_into",
    )

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name_plural = "children"
        indexes = [
            models.Index(fields=["district", "-registered_at"], name="child_district_recent_idx"),
            models.Index(fields=["owner", "-registered_at"], name="child_owner_recent_idx"),
            models.Index(fields=["b_form_number"], name="child_bform_idx"),
        ]

    def __str__(self) -> str:
        # Never the name: this string ends up in logs and error reports.
        return f"Child {self.uuid}"

    def get_disabilities_display(self) -> list[str]:
        labels = dict(Disability.choices)
        return [str(labels.get(d, d)) for d in self.disabilities or []]

    @property
    def display_name(self) -> str:
        return self.name_latin or self.name_urdu or gettext("(no name recorded)")


class MergeFeature(models.TextChoices):
    # What a proposal's evidence may say agrees or disagrees; never the values themselves.
    NAME = "name", _("Name")
    GUARDIAN_NAME = "guardian_name", _("Father's / guardian's name")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    B_FORM = "b_form", _("B-form")
    DISTRICT = "district", _("District")
    SEX = "sex", _("Sex")


class ChildMerge(DataClassification, models.Model):
    """A proposal that two registry children are one child, and what became of it.

    The pair is stored in the order of the children's ids (``child_a`` < ``child_b``), so one
    unordered pair has at most one open proposal; which child survives is chosen when a
    person decides (``kept``, ``merged``). ``moved`` lists, per table, the ids of the rows
    that the merge moved to the survivor, so that an undo moves back exactly those.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for a decision")
        MERGED = "merged", _("Merged: the same child")
        REJECTED = "rejected", _("Different children")
        UNMERGED = "unmerged", _("Merge undone")
        WITHDRAWN = "withdrawn", _("Withdrawn (one of the children was merged otherwise)")

    child_a = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    child_b = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text='Who proposed it when no person did: "linkage run, model v2".',
    )
    probability = models.FloatField(null=True, blank=True)
    evidence = models.JSONField(
        default=dict, blank=True, help_text='Feature → "agree" or "disagree"; never values.'
    )
    kept = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    merged = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    moved = models.JSONField(default=dict, blank=True, help_text="Table → ids moved by the merge.")
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_reason = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    # Free text a reviewer types may name the child.
    PERSONAL_DATA = ("reason", "undo_reason")
    NOT_PERSONAL_DATA = (
        "id",
        "child_a",
        "child_b",
        "status",
        "proposed_at",
        "proposed_by",
        "source",
        "probability",
        "evidence",
        "kept",
        "merged",
        "decided_at",
        "decided_by",
        "moved",
        "undone_at",
        "undone_by",
        "version",
    )

    class Meta:
        ordering = ["proposed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(child_a__lt=models.F("child_b")), name="merge_pair_ordered"
            ),
            models.UniqueConstraint(
                fields=["child_a", "child_b"],
                condition=models.Q(status="proposed"),
                name="one_open_merge_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"], name="childmerge_queue")]

    def __str__(self) -> str:
        return f"merge {self.pk}: child {self.child_a_id} / child {self.child_b_id} ({self.status})"

    @property
    def children(self) -> tuple[Child, Child]:
        return self.child_a, self.child_b
