"""Shared model conventions.

Every model of cpmis declares which of its fields are personal data (``PERSONAL_DATA``) and
which are not (``NOT_PERSONAL_DATA``); ``tests/core/test_personal_data.py`` fails when a field
is in neither list, so each new field gets a decision.
"""

from __future__ import annotations

from typing import ClassVar


class DataClassification:
    """Mixin for models: list every concrete field in exactly one of the two tuples."""

    PERSONAL_DATA: ClassVar[tuple[str, ...]] = ()
    NOT_PERSONAL_DATA: ClassVar[tuple[str, ...]] = ()
