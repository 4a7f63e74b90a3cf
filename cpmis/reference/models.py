"""Reference data: jurisdictions, districts, departments and institution types.

Shipped as CSV files in ``data/`` (sources and licences in ``data/SOURCES.md``) and loaded
by ``services.reference_data_load``. Codes are stable; rows are matched on them.
"""

from __future__ import annotations

from django.db import models

from cpmis.core.models import DataClassification


class Jurisdiction(DataClassification, models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", "Province"
        FEDERAL_TERRITORY = "federal_territory", "Federal territory"
        TERRITORY = "territory", "Territory"

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
        return self.name_en


class District(DataClassification, models.Model):
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
        return f"{self.name_en} ({self.pcode})"


class Department(DataClassification, models.Model):
    class Level(models.TextChoices):
        FEDERAL = "federal", "Federal"
        PROVINCIAL = "provincial", "Provincial"

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
        return self.name_en


class InstitutionType(DataClassification, models.Model):
    class Category(models.TextChoices):
        OFFICE = "office", "Office"
        RESIDENTIAL = "residential", "Residential care"
        NON_RESIDENTIAL = "non_residential", "Non-residential service"
        CUSTODIAL = "custodial", "Custodial (juvenile justice)"
        SERVICE = "service", "Service provider"

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
        return self.name_en
