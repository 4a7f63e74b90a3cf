"""Many rows into one table at once, for what is written by the hundred thousand: plain rows
(a linkage run's features, blocking keys, links; audit events), no model instances, no
signals, no ids back (``rows_insert``; ``integers_insert`` for rows of 64-bit numbers, the
blocking keys); or new model instances, given their ids (``objects_insert``: the children a
linkage run registers).

On PostgreSQL the rows go in by COPY; elsewhere (SQLite) by one prepared INSERT run for each
row (``executemany``), each value prepared by its field as the ORM would (times, uuids). The
values are given as Python values, but JSON as text and foreign keys as ids. The caller's
transaction holds them like any other write.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.db import connection, connections
from django.db.models import Field, JSONField, Model

SQL_CHUNK = 5000  # rows per executemany


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:  # pragma: no cover - a caller's slip
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def rows_insert(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (one value per name of ``fields``, in that order) into ``model``'s
    table; returns how many."""
    model_fields = [_field(model, name) for name in fields]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in model_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        statement = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 - the model's own names
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        prepare = [None if isinstance(f, JSONField) else f.get_db_prep_save for f in model_fields]
        iterator = (
            [v if p is None else p(v, connection) for p, v in zip(prepare, row, strict=True)]
            for row in rows
        )
        while chunk := list(islice(iterator, SQL_CHUNK)):
            cursor.executemany(statement, chunk)
            count += len(chunk)
    return count


# Binary COPY: a file header (signature, flags, no extension) and, per row, its number of
# columns and each value's length and big-endian bytes; a trailer ends it.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = b"\xff\xff"
INTEGERS_CHUNK = 100_000  # rows encoded at once


def integers_insert(
    model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[int]]
) -> int:
    """``rows_insert`` for rows of 64-bit integers, none missing (a linkage run's blocking
    keys: twenty million for a batch of a million). On PostgreSQL by binary COPY, each chunk
    encoded at once: the server reads the numbers as they are rather than parsing text, and
    no row passes through Python on its own. Returns how many."""
    if connection.vendor != "postgresql":
        return rows_insert(model, fields, rows)
    import numpy as np

    model_fields = [_field(model, name) for name in fields]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in model_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    layout = [("n", ">i2")]
    for index in range(len(fields)):
        layout += [(f"length{index}", ">i4"), (f"value{index}", ">i8")]
    row_type = np.dtype(layout)
    count = 0
    iterator = iter(rows)
    statement = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        copy.write(_BINARY_HEADER)
        while chunk := list(islice(iterator, INTEGERS_CHUNK)):
            encoded = np.empty(len(chunk), dtype=row_type)
            encoded["n"] = len(fields)
            for index in range(len(fields)):
                encoded[f"length{index}"] = 8
                # A missing value (None) or one beyond 64 bits fails here, before the chunk
                # is sent.
                encoded[f"value{index}"] = np.fromiter(
                    (row[index] for row in chunk), dtype=np.int64, count=len(chunk)
                )
            copy.write(encoded.tobytes())
            count += len(chunk)
        copy.write(_BINARY_TRAILER)
    return count


def objects_insert(objects: Sequence[Model]) -> None:
    """Insert new instances of one model and give each its id, as ``bulk_create`` does, but
    on PostgreSQL by COPY: the ids are taken from the table's sequence first, then the rows
    go in with them (a linkage run registers children by the ten thousand). Each field's
    ``pre_save`` runs, as for ``bulk_create``; no ``save()``, no signals."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=SQL_CHUNK // 10)
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objects)],
        )
        for obj, (new_id,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = new_id
    fields = [f for f in meta.concrete_fields if f.column]
    # Each value passes two of its field's methods; they and the connection (a per-thread
    # proxy otherwise looked up for each value) are found once, not for each of millions.
    real = connections[connection.alias]
    steps = [(f.pre_save, f.get_db_prep_save) for f in fields]
    rows_insert(
        model,
        [f.attname for f in fields],
        ([prepare(pre_save(obj, True), real) for pre_save, prepare in steps] for obj in objects),
    )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the block runs (a decorator too).

    Work over a million rows holds millions of objects; each full collection walks them
    all, holding the interpreter's lock for seconds (a job's progress thread, and the
    request threads of the process, wait meanwhile). Such work makes few reference cycles:
    what it leaves is collected when the block ends. Nested blocks leave it to the outer."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
