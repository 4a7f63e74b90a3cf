"""A linkage run that writes many blocking keys sets the key table's two busiest indexes aside
and builds them again (``linkage.keystore``): the indexes come back exactly as the migrations
made them, in the same transaction, and only where the write is a large share of the table."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, connections, transaction

from cpmis.core.bulk import rows_insert
from cpmis.linkage import keystore
from cpmis.linkage.models import BlockingKey

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(
    not POSTGRES, reason="SQLite writes through its indexes: nothing is set aside there"
)
TABLE = BlockingKey._meta.db_table


def _indexes() -> dict[str, str]:
    """The key table's indexes, by name, as PostgreSQL defines them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
            " AND schemaname = current_schema()",
            [TABLE],
        )
        return dict(cursor.fetchall())


def _keys(count: int) -> None:
    """``count`` keys of children, and the table counted as the planner counts it."""
    rows_insert(BlockingKey, ("key", "child"), ((n * 7919, 1 + n // 16) for n in range(count)))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(TABLE)}")


def test_sqlite_sets_nothing_aside() -> None:
    if POSTGRES:
        pytest.skip("PostgreSQL sets indexes aside: the tests below")
    with transaction.atomic(), keystore.bulk_writing(1_000_000) as aside:
        assert aside == []


@postgres_only
def test_a_large_write_builds_the_indexes_again_as_they_were() -> None:
    before = _indexes()
    assert set(keystore.SET_ASIDE) <= set(before)
    with transaction.atomic():
        with keystore.bulk_writing(100) as aside:
            assert sorted(aside) == sorted(keystore.SET_ASIDE)
            assert not set(keystore.SET_ASIDE) & set(_indexes())
            _keys(1600)
        assert _indexes() == before
    assert BlockingKey.objects.count() == 1600


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_keys_go_through_the_indexes() -> None:
    before = _indexes()
    with keystore.bulk_writing(100) as aside:
        assert aside == []
        _keys(10)
    assert _indexes() == before


@postgres_only
def test_a_small_write_goes_through_the_indexes() -> None:
    _keys(2000)
    rows = 2000 * keystore.REBUILD_SHARE / keystore.KEYS_PER_ROW  # 12.5: a tenth of the table
    with transaction.atomic():
        with keystore.bulk_writing(int(rows)) as aside:
            assert aside == []
            assert set(keystore.SET_ASIDE) <= set(_indexes())
        with keystore.bulk_writing(int(rows) + 1) as aside:
            assert sorted(aside) == sorted(keystore.SET_ASIDE)


@postgres_only
def test_a_write_inside_another_leaves_the_indexes_to_it() -> None:
    before = _indexes()
    with transaction.atomic():
        with keystore.bulk_writing(100) as outer:
            with keystore.bulk_writing(100) as inner:
                assert inner == []
            assert not set(outer) & set(_indexes())  # the inner one built nothing
        assert _indexes() == before


@postgres_only
def test_a_failed_write_never_commits_without_its_indexes() -> None:
    """An error caught inside the transaction still takes it back to before the drop."""
    before = _indexes()
    with transaction.atomic():
        try:
            with keystore.bulk_writing(100):
                _keys(10)
                raise ValueError("a row the run could not write")
        except ValueError:
            pass
    assert _indexes() == before
    assert not BlockingKey.objects.exists()


@contextmanager
def _table_held() -> Iterator[None]:
    """Another connection reads the key table in a transaction left open (a backup)."""
    ready, release = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def hold() -> None:
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS SHARE MODE")
                ready.set()
                release.wait(30)
                cursor.execute("ROLLBACK")
        except BaseException as error:
            failure.append(error)
            ready.set()
        finally:
            other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait(30)
    try:
        assert not failure, failure
        yield
    finally:
        release.set()
        thread.join(30)


@postgres_only
def test_a_held_table_is_written_through_its_indexes(monkeypatch: Any) -> None:
    monkeypatch.setattr(keystore, "LOCK_TIMEOUT", "200ms")
    before = _indexes()
    with _table_held(), transaction.atomic():
        with keystore.bulk_writing(100) as aside:
            assert aside == []
            _keys(10)
        assert _indexes() == before
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone() == ("0",)  # as it was before the attempt
