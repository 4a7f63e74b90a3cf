"""The statistical annex of the report: every indicator by every disaggregation of one year,
each table through disclosure control; and the headline tables of each report section.

Each indicator is counted once for all its tables (one grouping-sets query on PostgreSQL).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connection, connections

from cpmis import access
from cpmis.actors import Actor

from . import engine, tabulate
from .catalogue import Indicator, catalogue
from .selectors import CAPABILITY, _require
from .tables import PublishedTable

# The breakdown a section shows first, when the indicator has it.
HEADLINE = (
    "channel",
    "opsc_category",
    "placement_type",
    "service_type",
    "stage",
    "offence",
    "sentence_range",
    "request_kind",
    "profession",
    "topic",
    "sex",
)


def by_jurisdiction(user: Actor) -> bool:
    ids = access.jurisdictions_where(user, CAPABILITY)
    return ids is None or len(ids) > 1


def _workers() -> int:
    """Indicators counted side by side on PostgreSQL, one connection each (the database's
    aggregation is single-threaded per query); inside a transaction, one after the other,
    since other connections would not see its rows."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, int(settings.CPMIS_ANALYTICS_WORKERS))


def report_tables(*, user: Actor, year: int) -> list[PublishedTable]:
    """Every table of the annex for ``year``, in catalogue order. Indicators of the same
    records are counted in one statement; groups of them side by side on PostgreSQL."""
    _require(user)
    period = tabulate.period_parse(str(year))
    columns = by_jurisdiction(user)
    groups: dict[str, list[Indicator]] = {}
    for indicator in catalogue().values():
        groups.setdefault(indicator.source, []).append(indicator)

    def tables_of(group: list[Indicator]) -> dict[str, list[PublishedTable]]:
        shapes = {i.code: tabulate.annex_shapes(i, columns=columns) for i in group}
        requests = [
            engine.Request(
                i,
                period.window,
                tabulate.normalise([s for shape in shapes[i.code] for s in shape.sets()]),
            )
            for i in group
        ]
        results = engine.compute_together(user, requests)
        return {
            i.code: tabulate.publish(
                user=user,
                indicator=i,
                period=period,
                shapes=shapes[i.code],
                result=result,
                protected_with=shapes[i.code],
            )
            for i, result in zip(group, results, strict=True)
        }

    workers = _workers()
    found: dict[str, list[PublishedTable]] = {}
    if workers == 1:
        for group in groups.values():
            found.update(tables_of(group))
    else:

        def in_thread(group: list[Indicator]) -> dict[str, list[PublishedTable]]:
            try:
                return tables_of(group)
            finally:
                connections.close_all()  # this thread's own connection

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for part in pool.map(in_thread, groups.values()):
                found.update(part)
    return [t for code in catalogue() for t in found[code]]


def headlines(tables: list[PublishedTable], *, section: str) -> list[PublishedTable]:
    """From the annex's tables, the headline table of each indicator of ``section``: its
    characteristic breakdown (channel, category, stage…), else the quarters."""
    found: list[PublishedTable] = []
    codes = dict.fromkeys(t.indicator_code for t in tables if t.report_section == section)
    for code in codes:
        mine = [t for t in tables if t.indicator_code == code and t.report_section == section]
        rows = next(
            (d for d in (*HEADLINE, "quarter") if any(t.row_dimension == d for t in mine)), None
        )
        found.extend(t for t in mine if t.row_dimension == rows)
    return found


def dhis2_payload(*, user: Actor, period: tabulate.Period) -> dict[str, Any]:
    """The dataValueSet of every mapped indicator for ``period``: published figures only."""
    from . import dhis2, services

    _require(user)
    config = services.dhis2_mapping_current()
    problems = dhis2.mapping_problems(config)
    if problems:
        raise dhis2.MappingError(problems)
    indicators = catalogue()
    tables = {}
    for code, entry in config["dataElements"].items():
        indicator = indicators[code]
        shape = tabulate.shape_for(indicator, entry["disaggregation"], columns=True)
        tables[code] = tabulate.compute_tables(
            user=user, indicator=indicator, period=period, shapes=[shape], columns=True
        )[0]
    # a province's analyst sends the province's figures, never its total as the country's
    national = access.jurisdictions_where(user, CAPABILITY) is None
    return dhis2.data_values(tables, config, period.dhis2, national=national)
