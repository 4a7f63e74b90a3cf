"""What the indicators keep in the database: the DHIS2 mapping configuration (the catalogue
itself is a reviewed data file, ``data/indicators.json``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cpmis.core.models import DataClassification


class Dhis2Mapping(DataClassification, models.Model):
    """One version of the mapping from cpmis's indicators to a DHIS2 instance's metadata;
    the highest version is in force. Checked before it is saved (``dhis2.mapping_problems``)."""

    version = models.PositiveIntegerField(unique=True)
    config = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    NOT_PERSONAL_DATA = ("id", "version", "config", "note", "created_by", "created_at")

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"DHIS2 mapping v{self.version}"
