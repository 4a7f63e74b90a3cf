"""Many plain rows into one table at once, for derived data written by the hundred thousand
(a linkage run's features and blocking keys): no model instances, no signals, no ids back.

On PostgreSQL the rows go in by COPY; elsewhere (SQLite) by one prepared INSERT run for each
row (``executemany``). The values are given as the database stores them: JSON as text, dates
as dates, foreign keys as ids. The caller's transaction holds them like any other write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import Field, Model

SQL_CHUNK = 5000  # rows per executemany


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:  # pragma: no cover - a caller's slip
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return str(field.column)


def rows_insert(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (one value per name of ``fields``, in that order) into ``model``'s
    table; returns how many."""
    columns = ", ".join(connection.ops.quote_name(_column(model, f)) for f in fields)
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
        iterator = iter(rows)
        while chunk := list(islice(iterator, SQL_CHUNK)):
            cursor.executemany(statement, chunk)
            count += len(chunk)
    return count
