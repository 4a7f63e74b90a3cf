"""Counting: one indicator, one period, many breakdowns at once.

On PostgreSQL every breakdown of an indicator is one ``GROUP BY GROUPING SETS`` query over the
indicator's rows (the rows are written once, as a Django queryset, in ``facts``). SQLite has no
grouping sets: there each breakdown is its own ``GROUP BY``. Sources kept in lists (the
offences of a department record) are counted in Python from one pass over their rows.

A result maps each grouping set (a tuple of disaggregation codes, () for the total) to the
measure per combination of category keys. Keys are strings; a missing value is "none".
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from cpmis.actors import Actor

from . import materialised
from .catalogue import Indicator
from .facts import Source, Window, queryset, source

_NAME = re.compile(r"^[a-z_]{1,40}$")
GroupingSet = tuple[str, ...]
# a count or a sum: (n,); a share: (on time, all)
Measure = tuple[int, ...]
Result = dict[GroupingSet, dict[tuple[str, ...], Measure]]


class UnknownColumn(ValueError):
    """A breakdown or filter the source has no column for. Names of columns are written into
    the SQL text (values never are), so only a source's own dimensions may pass."""


def _check_columns(src: Source, names: Iterable[str]) -> None:
    # a real check, not an assert: ``python -O`` strips asserts
    unknown = sorted({n for n in names if n not in src.dimensions or not _NAME.match(n)})
    if unknown:
        raise UnknownColumn(
            f"The {src.name} records have no column {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(src.dimensions))}."
        )


@dataclass(frozen=True)
class Request:
    indicator: Indicator
    window: Window
    sets: tuple[GroupingSet, ...]
    filters: tuple[tuple[str, Any], ...] = ()


def key(value: Any) -> str:
    return "none" if value is None or value == "" else str(value)


def _measure_sql(indicator: Indicator, src: Source, where: str = "") -> list[str]:
    """The aggregates of the indicator's measure; ``where`` limits them to some rows (several
    indicators of the same records counted in one statement)."""
    only = f" FILTER (WHERE {where})" if where else ""
    if indicator.measure == "sum":
        return [f"COALESCE(SUM(f.amt){only}, 0)"]
    if indicator.measure == "count_children":
        return [f"COUNT(DISTINCT f.c){only}"]
    if indicator.measure == "share":
        return [
            f"COUNT(DISTINCT CASE WHEN f.ok = 1 THEN f.u END){only}",
            f"COUNT(DISTINCT f.u){only}",
        ]
    if src.unit == "pk" and not src.extra.get("repeats"):
        return [f"COUNT(*){only}"]
    return [f"COUNT(DISTINCT f.u){only}"]


def compute_together(user: Actor, requests: list[Request]) -> list[Result]:
    """Indicators of the same records (e.g. cases opened, and child victims among them) in
    one statement on PostgreSQL: one read of the rows, each indicator's own filter as a
    FILTER clause of its aggregates. Elsewhere, or when they differ in more than their
    filters, one after the other. Counts kept (``materialised``) are read, not made again,
    while their tables have not changed."""
    for r in requests:
        _check_request(r)
    found = [materialised.lookup(user, r, _sql_for(user, r)) for r in requests]
    if all(f is not None and f.result is not None for f in found):
        return [f.result for f in found if f is not None and f.result is not None]
    started = time.perf_counter()
    results = _together_live(user, requests)
    seconds = (time.perf_counter() - started) / len(requests)
    for request, lookup, result in zip(requests, found, results, strict=True):
        if lookup is not None:
            materialised.keep(user, request, lookup, result, seconds)
    return results


def _together_live(user: Actor, requests: list[Request]) -> list[Result]:
    first = requests[0]
    src = source(first.indicator.source)
    same = all(
        source(r.indicator.source) is src and r.window == first.window and not r.filters
        for r in requests
    )
    if len(requests) == 1 or not same or connection.vendor != "postgresql" or src.sql:
        return [_compute_live(user, r) for r in requests]
    sets = tuple(dict.fromkeys(s for r in requests for s in r.sets))
    filter_dims = sorted({d for r in requests for d in r.indicator.filter})
    dims = sorted({d for s in sets for d in s})
    _check_columns(src, [*dims, *filter_dims])
    qs = queryset(user, src, first.window, {}, sorted({*dims, *filter_dims}))
    results: list[Result] = [{s: {} for s in r.sets} for r in requests]
    if qs.query.is_empty():
        return results
    inner, inner_params = qs.query.sql_with_params()
    measures: list[str] = []
    params: list[Any] = []
    widths = []
    for r in requests:
        clauses = [f'f."d_{name}"::text = ANY(%s)' for name in r.indicator.filter]
        found = _measure_sql(r.indicator, src, " AND ".join(clauses))
        for _ in found:
            for wanted in r.indicator.filter.values():
                many = wanted if isinstance(wanted, list | tuple | set) else [wanted]
                params.append([str(v) for v in many])
        measures.extend(found)
        widths.append(len(found))
    combined: Result = {s: {} for s in sets}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('work_mem', %s, true)", [settings.CPMIS_ANALYTICS_WORK_MEM]
        )
        _grouping_sets(cursor, inner, [*params, *inner_params], dims, sets, measures, combined)
    start = 0
    for r, result, width in zip(requests, results, widths, strict=True):
        for s in r.sets:
            for cell, values in combined[s].items():
                mine = values[start : start + width]
                if any(mine):  # a group none of whose rows this indicator counts is absent
                    result[s][cell] = mine
        start += width
    return results


def compute(user: Actor, request: Request) -> Result:
    """The counts of ``request``: kept ones while their tables have not changed
    (``materialised``), else counted now."""
    _check_request(request)
    found = materialised.lookup(user, request, _sql_for(user, request))
    if found is not None and found.result is not None:
        return found.result
    started = time.perf_counter()
    result = _compute_live(user, request)
    if found is not None:
        materialised.keep(user, request, found, result, time.perf_counter() - started)
    return result


def _check_request(request: Request) -> None:
    src = source(request.indicator.source)
    filters = {**request.indicator.filter, **dict(request.filters)}
    _check_columns(src, [*{d for s in request.sets for d in s}, *filters])


def _sql_for(user: Actor, request: Request) -> str:
    """The SQL whose rows ``request`` counts, on PostgreSQL ("" elsewhere, or when it reads
    nothing): its tables are the kept count's fingerprint."""
    if not materialised.enabled():
        return ""
    src = source(request.indicator.source)
    filters = {**request.indicator.filter, **dict(request.filters)}
    if src.sql is not None:
        found = src.sql(user, request.window)
        return "" if found is None else _filtered_sql(*found, filters)[0]
    dims = sorted({d for s in request.sets for d in s})
    qs = queryset(user, src, request.window, filters, dims)
    if qs.query.is_empty():
        return ""
    return str(qs.query.sql_with_params()[0])


def refresh_kept(*, progress: Any = None) -> dict[str, int]:
    """Count again every kept count read in the last week whose tables have changed, as the
    person it was first counted for (a count is a view of the records: if that person no
    longer has that view, or the catalogue changed the indicator, it is dropped). Returns
    how many were refreshed, dropped and found current."""
    from .catalogue import catalogue

    done = {"refreshed": 0, "dropped": 0, "current": 0}
    if not materialised.enabled():
        return done
    for kept in materialised.recent().iterator(chunk_size=200):
        indicator = catalogue().get(kept.indicator)
        if indicator is None or not materialised.still_theirs(kept):
            kept.delete()
            done["dropped"] += 1
            continue
        user = kept.computed_for
        request = Request(
            indicator,
            Window(kept.period_start, kept.period_end),
            tuple(tuple(s) for s in kept.request.get("sets", [])),
            tuple((k, v) for k, v in kept.request.get("filters", [])),
        )
        found = materialised.lookup(user, request, _sql_for(user, request), reader=False)
        if found is None or found.key != kept.key:  # the indicator changed: count when asked
            kept.delete()
            done["dropped"] += 1
            continue
        if found.result is not None:
            done["current"] += 1
            continue
        started = time.perf_counter()
        result = _compute_live(user, request)
        seconds = time.perf_counter() - started
        materialised.keep(user, request, found, result, seconds, reader=False)
        done["refreshed"] += 1
        if progress is not None:
            progress.update("refreshing", refreshed=done["refreshed"])
    return done


def _compute_live(user: Actor, request: Request) -> Result:
    indicator = request.indicator
    src = source(indicator.source)
    filters = {**indicator.filter, **dict(request.filters)}
    dims = sorted({d for s in request.sets for d in s})
    _check_columns(src, [*dims, *filters])
    result: Result = {s: {} for s in request.sets}
    postgres = connection.vendor == "postgresql"
    params: Any
    if src.sql is not None and postgres:
        found = src.sql(user, request.window)
        if found is None:
            return result
        inner, params = _filtered_sql(*found, filters)
    elif src.in_python:
        return _compute_python(user, request, src, filters)
    else:
        qs = queryset(user, src, request.window, filters, dims)
        if qs.query.is_empty():
            return result
        if not postgres:
            return aggregate(qs.iterator(chunk_size=5000), request, src)
        inner, params = qs.query.sql_with_params()
    measures = _measure_sql(indicator, src)
    with transaction.atomic(), connection.cursor() as cursor:
        # memory to sort and hash a year of records in one pass (for this transaction only)
        cursor.execute(
            "SELECT set_config('work_mem', %s, true)", [settings.CPMIS_ANALYTICS_WORK_MEM]
        )
        if len(request.sets) > 1:
            _grouping_sets(cursor, inner, params, dims, request.sets, measures, result)
        else:
            _group_by(cursor, inner, params, request.sets[0], measures, result)
    return result


def _filtered_sql(sql: str, params: list[Any], filters: dict[str, Any]) -> tuple[str, list[Any]]:
    if not filters:
        return sql, params
    clauses, values = [], list(params)
    for name, wanted in filters.items():
        many = wanted if isinstance(wanted, list | tuple | set) else [wanted]
        clauses.append(f'g."d_{name}"::text = ANY(%s)')
        values.append([str(v) for v in many])
    return f"SELECT * FROM ({sql}) g WHERE {' AND '.join(clauses)}", values  # noqa: S608


def _grouping_sets(
    cursor: Any,
    inner: str,
    params: Any,
    dims: list[str],
    sets: tuple[GroupingSet, ...],
    measures: list[str],
    result: Result,
) -> None:
    columns = [f'f."d_{d}"' for d in dims]
    grouping = f"GROUPING({', '.join(columns)})" if columns else "0"
    spec = ", ".join("(" + ", ".join(f'f."d_{d}"' for d in s) + ")" for s in sets)
    cursor.execute(
        f"SELECT {', '.join([*columns, grouping, *measures])} "  # noqa: S608 (names checked)
        f"FROM ({inner}) f GROUP BY GROUPING SETS ({spec})",
        params,
    )
    width = len(dims)
    by_mask = {sum(1 << (width - 1 - i) for i, d in enumerate(dims) if d not in s): s for s in sets}
    for row in cursor.fetchall():
        grouping_set = by_mask[row[width]]
        values = dict(zip(dims, row[:width], strict=True))
        cell = tuple(key(values[d]) for d in grouping_set)
        result[grouping_set][cell] = tuple(int(v or 0) for v in row[width + 1 :])


def _group_by(
    cursor: Any,
    inner: str,
    params: Any,
    grouping: GroupingSet,
    measures: list[str],
    result: Result,
) -> None:
    columns = [f'f."d_{d}"' for d in grouping]
    group = f" GROUP BY {', '.join(columns)}" if columns else ""
    sql = f"SELECT {', '.join([*columns, *measures])} FROM ({inner}) f{group}"  # noqa: S608
    cursor.execute(sql, params)
    width = len(grouping)
    for row in cursor.fetchall():
        cell = tuple(key(v) for v in row[:width])
        result[grouping][cell] = tuple(int(v or 0) for v in row[width:])


def _compute_python(user: Actor, request: Request, src: Source, filters: dict[str, Any]) -> Result:
    assert src.rows is not None
    wanted = {
        name: ({key(v) for v in value} if isinstance(value, list | tuple | set) else {key(value)})
        for name, value in filters.items()
    }
    return aggregate(_filtered(src.rows(user, request.window), wanted), request, src)


def aggregate(rows: Iterable[dict[str, Any]], request: Request, src: Source) -> Result:
    """The measure of ``rows`` for every grouping set, counted in Python: for sources kept in
    lists, and on SQLite, where one pass over the rows beats a GROUP BY per breakdown."""
    measure = request.indicator.measure
    distinct = measure == "share" or src.unit != "pk" or bool(src.extra.get("repeats"))
    field = "c" if measure == "count_children" else "u"
    units: dict[GroupingSet, dict[tuple[str, ...], Any]] = {
        s: defaultdict(set if distinct or measure == "count_children" else int)
        for s in request.sets
    }
    oks: dict[GroupingSet, dict[tuple[str, ...], set[Any]]] = {
        s: defaultdict(set) for s in request.sets
    }
    keyed = [(s, [f"d_{d}" for d in s]) for s in request.sets]
    for row in rows:
        for grouping, names in keyed:
            cell = tuple(key(row[n]) for n in names)
            if measure == "sum":
                units[grouping][cell] += row["amt"] or 0
            elif distinct or measure == "count_children":
                units[grouping][cell].add(row[field])
                if measure == "share" and row.get("ok"):
                    oks[grouping][cell].add(row["u"])
            else:
                units[grouping][cell] += 1
    result: Result = {}
    for grouping in request.sets:
        cells = units[grouping]
        if measure == "share":
            result[grouping] = {
                c: (len(oks[grouping].get(c, ())), len(u)) for c, u in cells.items()
            }
        elif measure == "sum" or not (distinct or measure == "count_children"):
            result[grouping] = {c: (int(n),) for c, n in cells.items()}
        else:
            result[grouping] = {c: (len(u),) for c, u in cells.items()}
    return result


def _filtered(
    rows: Iterable[dict[str, Any]], wanted: dict[str, set[str]]
) -> Iterable[dict[str, Any]]:
    if not wanted:
        return rows
    return (r for r in rows if all(key(r.get(f"d_{n}")) in ok for n, ok in wanted.items()))
