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

from . import tabulate
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


def _by_jurisdiction(user: Any) -> bool:
    ids = access.jurisdictions_where(user, CAPABILITY)
    return ids is None or len(ids) > 1


def annex_shapes(indicator: Indicator, *, columns: bool) -> list[tabulate.Shape]:
    return tabulate.annex_shapes(indicator, columns=columns)


def _workers() -> int:
    """Indicators counted side by side on PostgreSQL, one connection each (the database's
    aggregation is single-threaded per query); inside a transaction, one after the other,
    since other connections would not see its rows."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, int(settings.CPMIS_ANALYTICS_WORKERS))


def report_tables(*, user: Any, year: int) -> list[PublishedTable]:
    """Every table of the annex for ``year``, in catalogue order."""
    _require(user)
    period = tabulate.period_parse(str(year))
    columns = _by_jurisdiction(user)

    def tables_of(indicator: Indicator) -> list[PublishedTable]:
        return tabulate.compute_tables(
            user=user,
            indicator=indicator,
            period=period,
            shapes=annex_shapes(indicator, columns=columns),
            columns=columns,
        )

    indicators = list(catalogue().values())
    workers = _workers()
    if workers == 1:
        return [t for indicator in indicators for t in tables_of(indicator)]

    def in_thread(indicator: Indicator) -> list[PublishedTable]:
        try:
            return tables_of(indicator)
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=workers) as pool:
        found = list(pool.map(in_thread, indicators))
    return [t for tables in found for t in tables]


def headline_shape(indicator: Indicator, *, columns: bool) -> tabulate.Shape:
    rows = next((d for d in HEADLINE if d in indicator.disaggregations), "quarter")
    return tabulate.shape_for(indicator, rows, columns=columns)


def section_tables(*, user: Any, year: int, section: str) -> list[PublishedTable]:
    """The headline table of each indicator that answers the report section ``section``."""
    _require(user)
    period = tabulate.period_parse(str(year))
    columns = _by_jurisdiction(user)
    tables: list[PublishedTable] = []
    for indicator in catalogue().values():
        if indicator.report_section != section:
            continue
        tables.extend(
            tabulate.compute_tables(
                user=user,
                indicator=indicator,
                period=period,
                shapes=[headline_shape(indicator, columns=columns)],
                columns=columns,
            )
        )
    return tables


def dhis2_payload(*, user: Any, period: tabulate.Period) -> dict[str, Any]:
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
