"""Shared model conventions, and the counters behind the rate limits of the public pages.

Every model of cpmis declares which of its fields are personal data (``PERSONAL_DATA``) and
which are not (``NOT_PERSONAL_DATA``); ``tests/core/test_personal_data.py`` fails when a field
is in neither list, so each new field gets a decision.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class DataClassification:
    """Mixin for models: list every concrete field in exactly one of the two tuples."""

    PERSONAL_DATA: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL_DATA: ClassVar[tuple[str, ...]] = ()


class CacheCounter(DataClassification, models.Model):
    """A counter of the database-backed cache ``cpmis.core.counters.DatabaseCounterCache``
    (the rate limits of the public pages): one row per key, until it expires."""

    key = models.CharField(max_length=250, unique=True)
    value = models.BigIntegerField()
    expires = models.DateTimeField(db_index=True)

    # A rate limit's key is a digest of the client's address (with the limit's window), so
    # it is treated as personal data; it is deleted soon after its window ends.
    PERSONAL_DATA = ("key",)
    NOT_PERSONAL_DATA = ("id", "value", "expires")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
