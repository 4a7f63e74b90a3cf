"""Writing the stored blocking keys (``BlockingKey``) in bulk.

The keys are an index of tens of millions of 64-bit hashes. Written one by one into a
b-tree on the hash, each lands on a random page. Measured on PostgreSQL 15 with its default
settings (128 MB of shared buffers): the 16.4 million keys of a national batch took 101 s to
write into a table of 4 million through its four indexes; with the hash and record indexes
set aside, 18 s, and 5 s and 2 s to build them again from the whole table. At a tenth of the
table (2 million keys into 20 million), building the hash index again (5 s) still took half
the time of writing through it (10 s). bench/README, exchange_job, has the figures.

So a linkage run that writes keys amounting to at least ``REBUILD_SHARE`` of the table sets
the hash and record indexes aside and builds them again when it is done, in its own
transaction: a crash or an error rolls the whole back, indexes included. Dropping an index
needs the table to itself; only linkage runs (which hold the linkage lock) read these keys,
and a backup that holds the table makes the run write through the indexes rather than wait.
Smaller runs (the daily batches) write through the indexes as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction
from django.db.models import Index

from .models import BlockingKey

REBUILD_SHARE = 0.1  # of the table's rows: keys this many are written with indexes aside
KEYS_PER_ROW = 16  # about, the stored keys of one feature row (``model.blocking_key_sets``)
SET_ASIDE = ("blockingkey_key", "blockingkey_record")  # the two a run writes most into
LOCK_TIMEOUT = "2s"  # waited for the table before writing through the indexes instead


@contextmanager
def bulk_writing(rows: int) -> Iterator[list[str]]:
    """Around writing the keys of ``rows`` feature rows, inside a linkage run's transaction.
    Yields the names of the indexes set aside (none, mostly): built again on the way out.
    Where an enclosing call has set them aside already, nothing more happens here."""
    aside = _set_aside(rows * KEYS_PER_ROW)
    try:
        yield [index.name for index in aside]
    except BaseException:
        if aside:  # never committed without them: back to before they were dropped
            transaction.set_rollback(True)
        raise
    if aside:
        with connection.schema_editor() as editor:
            for index in aside:
                editor.add_index(BlockingKey, index)


def _set_aside(keys: int) -> list[Index]:
    """Drop the indexes of ``SET_ASIDE`` that exist when ``keys`` new keys are a large share
    of the table; returns those dropped."""
    # Outside a transaction (a one-off call) the keys go through the indexes: a table left
    # without them by a failure half-way would be worse than a slow write.
    if connection.vendor != "postgresql" or keys <= 0 or not connection.in_atomic_block:
        return []
    table = BlockingKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename = %s",
            [table],
        )
        present = {name for (name,) in cursor.fetchall()}
        indexes = [i for i in BlockingKey._meta.indexes if i.name in present & set(SET_ASIDE)]
        if not indexes:
            return []
        # The planner's count, kept by (auto)vacuum, analyze and index builds; -1 when the
        # table was never counted (a new one, small).
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        (rows,) = cursor.fetchone()
        if rows < 0:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            (rows,) = cursor.fetchone()
        if keys < REBUILD_SHARE * rows:
            return []
        cursor.execute("SELECT current_setting('lock_timeout')")
        (before,) = cursor.fetchone()
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
        try:
            with transaction.atomic(), connection.schema_editor() as editor:
                for index in indexes:
                    editor.remove_index(BlockingKey, index)
        except OperationalError:  # another transaction holds the table (a backup)
            return []
        finally:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
    return indexes
