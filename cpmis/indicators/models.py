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


class Aggregate(DataClassification, models.Model):
    """A count kept: one indicator's figures (every grouping set asked for) for one period, one
    view of the records (the reader's scope) and one filter, with the state of the tables it
    was counted from (``fingerprint``). Read instead of counting again while the tables have
    not changed; refreshed by the ``indicators.refresh`` job when they have. Counts, before
    disclosure control: read only by the engine, whose every output goes through it."""

    key = models.CharField(max_length=64, unique=True)
    indicator = models.CharField(max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    scope = models.CharField(max_length=500)
    request = models.JSONField()  # what to count again: sets and filters
    result = models.JSONField()
    fingerprint = models.CharField(max_length=200)
    computed_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)  # how long counting took
    read_at = models.DateTimeField()

    NOT_PERSONAL_DATA = (
        "id",
        "key",
        "indicator",
        "period_start",
        "period_end",
        "scope",
        "request",
        "result",
        "fingerprint",
        "computed_for",
        "computed_at",
        "seconds",
        "read_at",
    )

    class Meta:
        indexes = [models.Index(fields=["read_at"], name="aggregate_read_at")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_start}–{self.period_end} ({self.scope})"


class Protection(DataClassification, models.Model):
    """A disclosure-control pattern kept: which cells of a selection's tables are hidden,
    for exactly these figures, these lines, this threshold and this version of the method
    (all in ``key``, a digest). Finding the pattern and auditing it takes linear programs;
    the same figures protected again give the same pattern, so it is read back. Holds cell
    names (an indicator's categories), no figure."""

    key = models.CharField(max_length=64, unique=True)
    hidden = models.JSONField()
    unaudited = models.CharField(max_length=200, blank=True)
    computed_at = models.DateTimeField()
    read_at = models.DateTimeField()

    NOT_PERSONAL_DATA = ("id", "key", "hidden", "unaudited", "computed_at", "read_at")

    class Meta:
        indexes = [models.Index(fields=["read_at"], name="protection_read_at")]

    def __str__(self) -> str:
        return f"protection {self.key[:12]}"
