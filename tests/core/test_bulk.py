"""Many rows at once: ``integers_insert`` (binary COPY on PostgreSQL) writes what it is
given, every 64-bit value exactly, or nothing."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from cpmis.core.bulk import INTEGERS_CHUNK, integers_insert
from cpmis.linkage.models import BlockingKey

pytestmark = pytest.mark.django_db(transaction=True)


def test_integers_arrive_exactly_across_chunks() -> None:
    edges = [-(2**63), 2**63 - 1, 0, -1, 1]
    rows = [(key, 10 + i) for i, key in enumerate(edges)]
    rows += [(i * 7919 - 2**40, 100 + i) for i in range(INTEGERS_CHUNK + 5)]  # two chunks
    with transaction.atomic():
        assert integers_insert(BlockingKey, ("key", "record"), iter(rows)) == len(rows)
    stored = sorted(BlockingKey.objects.values_list("key", "record_id"))
    assert stored == sorted(rows)


def test_a_missing_value_writes_nothing() -> None:
    """Refused before it is sent on PostgreSQL; by the table's check on SQLite."""
    rows = [(1, 1), (2, None), (3, 3)]
    with pytest.raises((TypeError, IntegrityError)), transaction.atomic():
        integers_insert(BlockingKey, ("key", "record"), rows)  # type: ignore[arg-type]
    assert not BlockingKey.objects.exists()
