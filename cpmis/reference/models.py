"""Reference data: jurisdictions, districts, departments and institution types.

Shipped as CSV files in ``data/`` (sources and licences in ``data/SOURCES.md``) and loaded
by ``services.reference_data_load``. Codes are stable; rows are matched on them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cpmis.core.models import DataClassification


class Named:
    """A place's or a body's name in the page's language: the Urdu name on an Urdu page
    where one is recorded, else the English one."""

    name_en: str
    name_ur: str

    @property
    def name(self) -> str:
        if self.name_ur and (get_language() or "").startswith("ur"):
            return self.name_ur
        return self.name_en


class Jurisdiction(Named, DataClassification, models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        FEDERAL_TERRITORY = "federal_territory", _("Federal territory")
        TERRITORY = "territory", _("Territory")

    iso_code = models.CharField(max_length=6, unique=True, help_text="ISO 3166-2:PK, e.g. PK-PB")
    pcode = models.CharField(max_length=4, unique=True, help_text="Administrative p-code, e.g. PK6")
    name_en = models.CharField(max_length=100)
    name_ur = models.CharField(max_length=100, blank=True)
    short_name = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=Kind.choices)

    NOT_PERSONAL_DATA = ("id", "iso_code", "pcode", "name_en", "name_ur", "short_name", "kind")

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name


class District(Named, DataClassification, models.Model):
    pcode = models.CharField(max_length=8, unique=True, help_text="p-code, e.g. PK601")
    name_en = models.CharField(max_length=100)
    name_ur = models.CharField(max_length=100, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="districts"
    )

    NOT_PERSONAL_DATA = ("id", "pcode", "name_en", "name_ur", "jurisdiction")

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return f"{self.name} ({self.pcode})"


class Department(Named, DataClassification, models.Model):
    class Level(models.TextChoices):
        FEDERAL = "federal", _("Federal")
        PROVINCIAL = "provincial", _("Provincial")

    code = models.SlugField(max_length=40, unique=True)
    name_en = models.CharField(max_length=150)
    name_ur = models.CharField(max_length=150, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices)
    description = models.TextField(blank=True)
    report_paragraphs = models.CharField(max_length=100, blank=True, help_text="OPSC report ¶")

    NOT_PERSONAL_DATA = (
        "id",
        "code",
        "name_en",
        "name_ur",
        "level",
        "description",
        "report_paragraphs",
    )

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name


class InstitutionType(Named, DataClassification, models.Model):
    class Category(models.TextChoices):
        OFFICE = "office", _("Office")
        RESIDENTIAL = "residential", _("Residential care")
        NON_RESIDENTIAL = "non_residential", _("Non-residential service")
        CUSTODIAL = "custodial", _("Custodial (juvenile justice)")
        SERVICE = "service", _("Service provider")

    code = models.SlugField(max_length=40, unique=True)
    name_en = models.CharField(max_length=150)
    name_ur = models.CharField(max_length=150, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.TextField(blank=True)
    report_paragraphs = models.CharField(max_length=100, blank=True, help_text="OPSC report ¶")

    NOT_PERSONAL_DATA = (
        "id",
        "code",
        "name_en",
        "name_ur",
        "category",
        "description",
        "report_paragraphs",
    )

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name
