"""The people registry: children known to the child-protection system."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cpmis.core.models import DataClassification
from cpmis.reference.models import District

from .identifiers import validate_nadra_number


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    TRANSGENDER = "transgender", "Transgender / intersex"
    UNKNOWN = "unknown", "Unknown"


class GuardianRelation(models.TextChoices):
    # Records in Pakistan name a child as son/daughter of (s/o, d/o) a father or guardian.
    FATHER = "father", "Father (s/o, d/o)"
    MOTHER = "mother", "Mother"
    GUARDIAN = "guardian", "Guardian"
    UNKNOWN = "unknown", "Unknown"


class Locality(models.TextChoices):
    # Where the child lives, as the census and the Committee's disaggregation class it.
    URBAN = "urban", "Urban"
    RURAL = "rural", "Rural"
    UNKNOWN = "unknown", "Unknown"


class Disability(models.TextChoices):
    # Washington Group Short Set domains, as used for SDG and UN reporting.
    SEEING = "seeing", "Seeing"
    HEARING = "hearing", "Hearing"
    MOBILITY = "mobility", "Walking or climbing"
    COGNITION = "cognition", "Remembering or concentrating"
    SELF_CARE = "self_care", "Self-care"
    COMMUNICATION = "communication", "Communicating"


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
        return self.name_latin or self.name_urdu or "(no name recorded)"
