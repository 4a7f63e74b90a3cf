"""Counts computed once and kept while the records they come from do not change.

At national scale an indicator's figures for a year take seconds to count (a million cases,
grouped every way the tables need). The dashboard, the pivot table, the exports and the report
ask for the same counts again and again, so the engine keeps each count it makes
(``Aggregate``: one indicator, one period, one view of the records, one filter, the grouping
sets asked for) with the *fingerprint* of the tables it read, and reads it back instead of
counting while the fingerprint is unchanged.

The fingerprint is PostgreSQL's own count of the rows inserted, updated and deleted in each of
those tables (``pg_stat_user_tables``, plus the reader's own transaction's from
``pg_stat_xact_user_tables``), with the time the statistics were last reset. Every write
counts, whatever made it (a service, a bulk import, COPY, a migration), so no write path has
to remember to invalidate anything. PostgreSQL publishes another session's counts when that
session goes idle (within a second, at most ten), which is how stale a kept count can be.
Sources whose rows depend on the clock (deadlines due "by now") add the hour.

A kept count is refreshed by the ``indicators.refresh`` job (every ten minutes, on the
schedule) when its tables have changed, for the counts read in the last week, so the next
reader finds it ready; a reader who finds a count out of date before the job has run counts
afresh, and keeps the new count.

Only PostgreSQL keeps counts: SQLite (the embedded demo) has no write statistics, and its
counts are small; there every count is made afresh.

The kept counts are the raw figures, before disclosure control: they leave this module only
for the engine, whose results every page, export and report passes through
``tabulate.publish``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cpmis import access
from cpmis.actors import Actor

# The engine's types, named for the reader: the engine imports this module, not the reverse
# (a request has .indicator, .window, .sets and .filters; a result is engine.Result).
Request = Any
Result = dict[tuple[str, ...], dict[tuple[str, ...], tuple[int, ...]]]

logger = logging.getLogger(__name__)

# Sources whose rows depend on the time of day, not only on the tables: deadlines count as
# late once they are past.
CLOCK_SOURCES = frozenset({"production", "decision"})
READ_WITHIN = timedelta(days=7)  # counts read in this time are refreshed by the job
_IDENTIFIER = re.compile(r'"([a-z0-9_]+)"')


def enabled() -> bool:
    return connection.vendor == "postgresql" and bool(settings.CPMIS_ANALYTICS_KEEP)


def _tables(sql: str) -> list[str]:
    """The tables ``sql`` names (quoted, as Django writes them, or bare, as hand-written
    SQL does), among the database's own."""
    known = _known_tables()
    quoted = set(_IDENTIFIER.findall(sql))
    bare = set(re.findall(r"\b([a-z][a-z0-9_]*)\b", sql))
    return sorted(t for t in known if t in quoted or t in bare)


_KNOWN: list[str] = []


def _known_tables() -> list[str]:
    if not _KNOWN:
        _KNOWN.extend(connection.introspection.table_names())
    return _KNOWN


def fingerprint(tables: list[str], source_name: str) -> str:
    """The state of ``tables``: PostgreSQL's counts of rows written in each, with the reset
    time of the statistics (one query of the statistics views)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.relname, s.n_tup_ins + s.n_tup_upd + s.n_tup_del"
            " + COALESCE(x.n_tup_ins + x.n_tup_upd + x.n_tup_del, 0)"
            " FROM pg_stat_user_tables s"
            " LEFT JOIN pg_stat_xact_user_tables x ON x.relid = s.relid"
            " WHERE s.relname = ANY(%s) ORDER BY s.relname",
            [tables],
        )
        counts = cursor.fetchall()
        cursor.execute(
            "SELECT COALESCE(pg_stat_get_db_stat_reset_time(oid)::text, '')"
            " FROM pg_database WHERE datname = current_database()"
        )
        reset = cursor.fetchone()
    text = json.dumps([counts, reset[0] if reset else ""])
    if source_name in CLOCK_SOURCES:
        text += timezone.now().strftime("%Y%m%d%H")
    return hashlib.sha256(text.encode()).hexdigest()


def _key(user: Actor, request: Request) -> tuple[str, str, dict[str, Any]]:
    scope = access.scope_key(user, "aggregates.view")
    asked = {
        "sets": sorted([list(s) for s in request.sets]),
        "filters": sorted([[k, _plain(v)] for k, v in request.filters]),
    }
    text = json.dumps(
        [
            request.indicator.code,
            request.indicator.measure,
            request.indicator.source,
            sorted([[k, _plain(v)] for k, v in request.indicator.filter.items()]),
            request.window.start.isoformat(),
            request.window.end.isoformat(),
            scope,
            asked,
        ],
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest(), scope, asked


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value)
    return str(value)


def _encode(result: Result) -> list[Any]:
    return [
        [list(s), [[list(cell), list(m)] for cell, m in cells.items()]]
        for s, cells in result.items()
    ]


def _decode(data: list[Any]) -> Result:
    return {tuple(s): {tuple(cell): tuple(m) for cell, m in cells} for s, cells in data}


@dataclass
class Lookup:
    """A request's key, the state of its tables now and the kept count (None: count it)."""

    key: str
    scope: str
    asked: dict[str, Any]
    state: str
    result: Result | None


def lookup(user: Actor, request: Request, sql: str, *, reader: bool = True) -> Lookup | None:
    """The kept count of ``request``, whose rows ``sql`` reads, if its tables have not
    changed since it was counted; None where counts are not kept (SQLite, or a request that
    reads nothing)."""
    if not enabled() or not sql:
        return None
    from .models import Aggregate

    key, scope, asked = _key(user, request)
    state = fingerprint(_tables(sql), request.indicator.source)
    found = Lookup(key, scope, asked, state, None)
    kept = Aggregate.objects.filter(key=key).only("fingerprint", "result").first()
    if kept is not None and kept.fingerprint == state:
        if reader:  # a person read it (the refresh job does not count: it would keep it alive)
            now = timezone.now()
            Aggregate.objects.filter(pk=kept.pk, read_at__lt=now - timedelta(minutes=5)).update(
                read_at=now
            )
        found.result = _decode(kept.result)
    return found


def keep(
    user: Actor,
    request: Request,
    found: Lookup,
    result: Result,
    seconds: float,
    *,
    reader: bool = True,
) -> None:
    """Keep ``result``, counted for ``request`` with its tables in the state ``found`` saw
    before counting (a write during the count leaves it out of date, as it should). Counted
    again by the refresh job (``reader`` False), it keeps the time a person last read it."""
    _keep(user, request, found.key, found.scope, found.asked, found.state, result, seconds, reader)


def _keep(
    user: Actor,
    request: Request,
    key: str,
    scope: str,
    asked: dict[str, Any],
    state: str,
    result: Result,
    seconds: float,
    reader: bool = True,
) -> None:
    from django.contrib.auth import get_user_model

    from .models import Aggregate

    now = timezone.now()
    who = user if isinstance(user, get_user_model()) else None
    values = {
        "indicator": request.indicator.code,
        "period_start": request.window.start,
        "period_end": request.window.end,
        "scope": scope,
        "request": asked,
        "result": _encode(result),
        "fingerprint": state,
        "computed_for": who,
        "computed_at": now,
        "seconds": round(seconds, 3),
    }
    try:
        with transaction.atomic():
            Aggregate.objects.update_or_create(
                key=key,
                # the time a person last read it: now when a person asked for the count, kept
                # as it was when the refresh job counted it again
                defaults={**values, "read_at": now} if reader else values,
                create_defaults={**values, "read_at": now},
            )
    except Exception:  # keeping is an optimisation: the reader has the count anyway
        logger.exception("could not keep the count of %s", request.indicator.code)


def recent() -> Any:
    """The kept counts read in the last week (older ones are deleted): what the refresh job
    keeps up to date."""
    from .models import Aggregate

    Aggregate.objects.filter(read_at__lt=timezone.now() - READ_WITHIN).delete()
    return Aggregate.objects.filter(read_at__gte=timezone.now() - READ_WITHIN).select_related(
        "computed_for"
    )


def still_theirs(kept: Any) -> bool:
    """Whether the person a count was made for still has that view of the records."""
    user = kept.computed_for
    return bool(
        user is not None
        and user.is_active
        and access.scope_key(user, "aggregates.view") == kept.scope
    )


# --- disclosure-control patterns --------------------------------------------------------------

_METHOD: list[str] = []


def _method() -> str:
    """The version of the disclosure-control method: a digest of its code, so a pattern kept
    by another version is never read back."""
    if not _METHOD:
        from pathlib import Path

        from . import disclosure

        _METHOD.append(hashlib.sha256(Path(str(disclosure.__file__)).read_bytes()).hexdigest())
    return _METHOD[0]


def _coord(value: Any) -> Any:
    """A cell's name as JSON gives it back (lists) made hashable again (tuples)."""
    if isinstance(value, list):
        return tuple(_coord(v) for v in value)
    return value


def suppression(
    values: dict[Any, int],
    lines: list[Any],
    threshold: int,
    *,
    also_primary: set[Any] | None,
    keep: set[Any] | None,
    compute: Any,
) -> Any:
    """``compute()`` (``disclosure.suppress`` for these arguments), or the pattern kept for
    exactly the same figures, lines, threshold and method. Kept on every database: the key
    holds everything the pattern depends on, so nothing can make a kept one stale."""
    from .disclosure import Suppression
    from .models import Protection

    text = json.dumps(
        [
            _method(),
            threshold,
            sorted([list(k), v] for k, v in values.items()),
            sorted(
                [list(line.total), [list(m) for m in line.members], line.additive] for line in lines
            ),
            sorted(list(k) for k in (also_primary or ())),
            sorted(list(k) for k in (keep or ())),
        ],
        default=list,
    )
    key = hashlib.sha256(text.encode()).hexdigest()
    kept = Protection.objects.filter(key=key).first()
    now = timezone.now()
    if kept is not None:
        if kept.read_at < now - timedelta(minutes=5):
            Protection.objects.filter(pk=kept.pk).update(read_at=now)
        return Suppression({_coord(k) for k in kept.hidden}, kept.unaudited)
    found = compute()
    try:
        with transaction.atomic():
            Protection.objects.update_or_create(
                key=key,
                defaults={
                    "hidden": sorted(list(k) for k in found.hidden),
                    "unaudited": found.unaudited[:200],
                    "computed_at": now,
                    "read_at": now,
                },
            )
    except Exception:  # keeping is an optimisation: the reader has the pattern anyway
        logger.exception("could not keep a disclosure-control pattern")
    return found


def forget_unread() -> int:
    """Drop patterns nobody has read for a week (their figures have changed since, or no one
    asks for them); returns how many."""
    from .models import Protection

    deleted, _ = Protection.objects.filter(read_at__lt=timezone.now() - READ_WITHIN).delete()
    return int(deleted)
