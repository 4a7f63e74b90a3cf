"""From counts to published tables: periods, the full category lists, the table shapes and the
disclosure-control step every table passes.

Shapes: a disaggregation by province or territory (columns, with totals); districts nested in
their province or territory (subtotals); or one column when the figures cover one jurisdiction.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from cpmis import access
from cpmis.actors import Actor

from . import disclosure, engine, materialised
from .catalogue import FIXED_CATEGORIES, Indicator, dimension_label
from .engine import GroupingSet, Result
from .facts import NONE_KEY, Window, source, spans_years
from .tables import SUPPRESSED, TOTAL, Category, Cell, PublishedTable

_PERIOD = re.compile(r"^([0-9]{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?\Z", re.ASCII)


@dataclass(frozen=True)
class Period:
    code: str  # "2025", "2025-Q1", "2025-03"; a span of months "2025-06..2026-05"
    label: str
    window: Window
    year: int  # the first year of a span
    quarter: int | None = None
    month: int | None = None
    # "fixed" (a year, a quarter or a month: DHIS2 knows it), or "span" (months across years,
    # a reporting period); ``asked`` is the relative period or edition that resolved to it
    kind: str = "fixed"
    asked: str = ""

    @property
    def dhis2(self) -> str:
        """The DHIS2 period: 2025, 2025Q1, 202503."""
        if self.month:
            return f"{self.year}{self.month:02d}"
        if self.quarter:
            return f"{self.year}Q{self.quarter}"
        return str(self.year)

    @property
    def fixed(self) -> bool:
        return self.kind == "fixed"

    @property
    def choice(self) -> str:
        """The code a picker keeps: the relative period as asked, else the period's own."""
        return self.asked or self.code


# Months on the axis of a trend and in the rows of a table by month.
MONTHS_SHORT = {
    1: pgettext_lazy("abbreviated month", "Jan"),
    2: pgettext_lazy("abbreviated month", "Feb"),
    3: pgettext_lazy("abbreviated month", "Mar"),
    4: pgettext_lazy("abbreviated month", "Apr"),
    5: pgettext_lazy("abbreviated month", "May"),
    6: pgettext_lazy("abbreviated month", "Jun"),
    7: pgettext_lazy("abbreviated month", "Jul"),
    8: pgettext_lazy("abbreviated month", "Aug"),
    9: pgettext_lazy("abbreviated month", "Sep"),
    10: pgettext_lazy("abbreviated month", "Oct"),
    11: pgettext_lazy("abbreviated month", "Nov"),
    12: pgettext_lazy("abbreviated month", "Dec"),
}


def period_parse(code: str) -> Period:
    """A period from its code; its label is in the reader's language."""
    match = _PERIOD.match((code or "").strip())
    if not match:
        raise ValidationError(
            {"period": _("Give a year (2025), a quarter (2025-Q1) or a month (2025-03).")}
        )
    year = int(match.group(1))
    quarter = int(match.group(2)) if match.group(2) else None
    month = int(match.group(3)) if match.group(3) else None
    if year < 2000:
        raise ValidationError({"period": _("cpmis holds no records before 2000.")})
    if year > timezone.localdate().year:
        raise ValidationError(
            {
                "period": _("%(period)s has not begun: choose a period up to today.")
                % {"period": year}
            }
        )
    if month:
        start = date(year, month, 1)
        end = date(year + month // 12, month % 12 + 1, 1)
        label = f"{MONTHS[month]} {year}"
    elif quarter:
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + quarter // 4, (3 * quarter) % 12 + 1, 1)
        label = _("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter}
    else:
        start, end, label = date(year, 1, 1), date(year + 1, 1, 1), str(year)
    if start > timezone.localdate():
        raise ValidationError(
            {
                "period": _("%(period)s has not begun: choose a period up to today.")
                % {"period": label}
            }
        )
    return Period(code.strip(), label, Window(start, end), year, quarter, month)


# Relative periods as DHIS2 names them; each resolves on the server, today in Pakistan's time.
RELATIVE = {
    "LAST_12_MONTHS": pgettext_lazy("relative period", "Last 12 months"),
    "THIS_MONTH": pgettext_lazy("relative period", "This month"),
    "LAST_MONTH": pgettext_lazy("relative period", "Last month"),
    "THIS_QUARTER": pgettext_lazy("relative period", "This quarter"),
    "LAST_QUARTER": pgettext_lazy("relative period", "Last quarter"),
    "THIS_YEAR": pgettext_lazy("relative period", "This year"),
    "LAST_YEAR": pgettext_lazy("relative period", "Last year"),
}
_SPAN = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])\.\.([0-9]{4})-(0[1-9]|1[0-2])\Z", re.ASCII)
_EDITION = re.compile(r"^EDITION-([0-9]{1,9})\Z", re.ASCII)
MAX_SPAN_MONTHS = 120


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_label(day: date) -> str:
    return f"{MONTHS_SHORT[day.month]} {day.year}"


def period_resolve(code: str, *, today: date | None = None) -> Period:
    """Any period a picker offers: a fixed one (``period_parse``), a relative one
    (``RELATIVE``: resolved to a window today, in Pakistan's time, its label saying which),
    a span of months (2025-06..2026-05) or the reporting period of a report edition
    (EDITION-<id>). A period that does not exist or has not begun is refused, naming the
    field ``period``."""
    code = (code or "").strip()
    today = today or timezone.localdate()
    upper = code.upper()
    if upper in RELATIVE:
        return _relative(upper, today)
    if _EDITION.match(upper):
        return _edition(upper, today)
    match = _SPAN.match(code)
    if match:
        start = date(int(match.group(1)), int(match.group(2)), 1)
        last = date(int(match.group(3)), int(match.group(4)), 1)
        return _span(start, add_months(last, 1), today)
    if not _PERIOD.match(code):
        raise ValidationError(
            {
                "period": _(
                    "Give a year (2025), a quarter (2025-Q1), a month (2025-03), months from"
                    " one to another (2025-06..2026-05) or a relative period (%(relative)s)."
                )
                % {"relative": ", ".join(RELATIVE)}
            }
        )
    return period_parse(code)


def _relative(code: str, today: date) -> Period:
    this_month = date(today.year, today.month, 1)
    quarter = (today.month - 1) // 3 + 1
    if code == "LAST_12_MONTHS":
        found = _span(add_months(this_month, -12), this_month, today)
    elif code == "THIS_MONTH":
        found = period_parse(f"{today.year}-{today.month:02d}")
    elif code == "LAST_MONTH":
        last = add_months(this_month, -1)
        found = period_parse(f"{last.year}-{last.month:02d}")
    elif code == "THIS_QUARTER":
        found = period_parse(f"{today.year}-Q{quarter}")
    elif code == "LAST_QUARTER":
        year, q = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
        found = period_parse(f"{year}-Q{q}")
    elif code == "THIS_YEAR":
        found = period_parse(str(today.year))
    else:
        found = period_parse(str(today.year - 1))
    label = _("%(relative)s (%(period)s)") % {"relative": RELATIVE[code], "period": found.label}
    return replace(found, label=label, asked=code)


def _span(start: date, end: date, today: date) -> Period:
    """Whole months from ``start`` to ``end`` (exclusive)."""
    if end <= start:
        raise ValidationError({"period": _("The period ends before it begins.")})
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > MAX_SPAN_MONTHS:
        raise ValidationError(
            {"period": _("Choose at most %(months)s months at once.") % {"months": MAX_SPAN_MONTHS}}
        )
    if start.year < 2000:
        raise ValidationError({"period": _("cpmis holds no records before 2000.")})
    last = add_months(end, -1)
    label = f"{_month_label(start)} – {_month_label(last)}"
    if start > today:
        raise ValidationError(
            {
                "period": _("%(period)s has not begun: choose a period up to today.")
                % {"period": label}
            }
        )
    if months == 12 and start.month == 1:
        return period_parse(str(start.year))
    if months == 1:
        return period_parse(f"{start.year}-{start.month:02d}")
    code = f"{start:%Y-%m}..{last:%Y-%m}"
    return Period(code, label, Window(start, end), start.year, kind="span")


def _edition(code: str, today: date) -> Period:
    """The period a report to the Committee covers (``ReportEdition.period_from`` to
    ``period_to``). Read through the app registry: the report imports the indicators, not the
    other way round."""
    from django.apps import apps
    from django.utils.formats import date_format

    match = _EDITION.match(code)
    assert match is not None
    edition = apps.get_model("reporting", "ReportEdition").objects.filter(pk=int(match.group(1)))
    found = edition.values("title", "period_from", "period_to").first()
    if found is None:
        raise ValidationError(
            {"period": _("No report edition has the code %(code)s.") % {"code": code}}
        )
    start, last = found["period_from"], found["period_to"]
    label = _("Reporting period of %(title)s (%(start)s – %(end)s)") % {
        "title": found["title"],
        "start": date_format(start, "DATE_FORMAT"),
        "end": date_format(last, "DATE_FORMAT"),
    }
    if start < date(2000, 1, 1):
        raise ValidationError({"period": _("cpmis holds no records before 2000.")})
    if start > today:
        raise ValidationError(
            {
                "period": _("%(period)s has not begun: choose a period up to today.")
                % {"period": label}
            }
        )
    window = Window(start, last + timedelta(days=1))
    if start == date(start.year, 1, 1) and last == date(start.year, 12, 31):
        return replace(period_parse(str(start.year)), label=label, asked=code)
    span = f"{start:%Y-%m-%d}..{last:%Y-%m-%d}"
    return Period(span, label, window, start.year, kind="span", asked=code)


def period_months(window: Window) -> list[tuple[int, int]]:
    """The (year, month) of every month the window touches, in order."""
    found = []
    day = date(window.start.year, window.start.month, 1)
    while day < window.end:
        found.append((day.year, day.month))
        day = add_months(day, 1)
    return found


def place_name(place: Any) -> str:
    """A province's or district's name as the reader's pages show it (``reference.Named``:
    the Urdu name on an Urdu page where one is recorded), else its English name."""
    return str(getattr(place, "name", None) or place.name_en)


def threshold() -> int:
    return int(settings.CPMIS_SMALL_CELL_THRESHOLD)


# --- categories ------------------------------------------------------------------------------


Within = dict[
    str, str
]  # the place a selection is limited to: {"jurisdiction": key[, "district": key]}


def categories(
    dimension: str,
    user: Actor,
    period: Period,
    indicator: Indicator,
    within: Within | None = None,
) -> list[Category]:
    """The categories of a disaggregation, in full (a zero is a true zero); places are those
    of the user's scope, and only those ``within`` the chosen place."""
    from cpmis.reference.models import Jurisdiction

    within = within or {}
    if dimension in {"quarter", "month"}:
        return _period_categories(dimension, period.window)
    if dimension == "jurisdiction":
        ids = access.jurisdictions_where(user, "aggregates.view")
        qs = Jurisdiction.objects.order_by("name_en")
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        if "jurisdiction" in within:
            qs = qs.filter(pk=within["jurisdiction"])
        found = [Category(str(j.pk), place_name(j)) for j in qs]
        if _registers(indicator) and "jurisdiction" not in within:
            found.append(Category(NONE_KEY, _("Federal / national")))
        return found
    if dimension == "district":
        districts = access.districts_where(user, "aggregates.view").select_related("jurisdiction")
        if "district" in within:
            districts = districts.filter(pk=within["district"])
        elif "jurisdiction" in within:
            districts = districts.filter(jurisdiction_id=within["jurisdiction"])
        return [
            Category(str(d.pk), place_name(d))
            for d in districts.order_by("jurisdiction__name_en", "name_en")
        ]
    if dimension in FIXED_CATEGORIES:
        return [Category(k, str(label)) for k, label in FIXED_CATEGORIES[dimension]]
    return [Category(k, str(label)) for k, label in _model_choices(dimension)]


def _period_categories(dimension: str, window: Window) -> list[Category]:
    """Months or quarters of the window. Within one calendar year the keys are the month (1-12)
    or the quarter (1-4); across years they carry the year (202503, 20251), as the counts do
    (``facts.year_qualified``), so that March 2025 and March 2026 stay apart."""
    months = period_months(window)
    qualified = spans_years(window)
    if dimension == "month":
        return [
            Category(f"{y}{m:02d}", f"{MONTHS_SHORT[m]} {y}")
            if qualified
            else Category(str(m), str(MONTHS_SHORT[m]))
            for y, m in months
        ]
    quarters = dict.fromkeys((y, (m - 1) // 3 + 1) for y, m in months)
    return [
        Category(f"{y}{q}", _("%(year)s Q%(quarter)s") % {"year": y, "quarter": q})
        if qualified
        else Category(str(q), _("Q%(quarter)s") % {"quarter": q})
        for y, q in quarters
    ]


def _registers(indicator: Indicator) -> bool:
    return not indicator.sensitive


def _model_choices(dimension: str) -> list[tuple[str, Any]]:
    if dimension == "channel":
        from cpmis.complaints.models import Channel

        return list(Channel.choices)
    if dimension == "topic":
        from cpmis.oversight.models import Topic

        return list(Topic.choices)
    if dimension == "profession":
        from cpmis.oversight.models import Profession

        return list(Profession.choices)
    if dimension == "offence":
        from .justice import offence_categories

        return list(offence_categories())
    raise ValidationError(
        {"breakdown": _("Unknown disaggregation %(breakdown)r.") % {"breakdown": dimension}}
    )


def district_jurisdictions(user: Actor) -> dict[str, str]:
    return {
        str(pk): str(j)
        for pk, j in access.districts_where(user, "aggregates.view").values_list(
            "pk", "jurisdiction_id"
        )
    }


# --- shapes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    rows: str  # a disaggregation, or "total"
    by_jurisdiction: bool  # columns: the jurisdictions and their total
    columns: str = ""  # a pivot: a second disaggregation across the columns (with its total)

    @property
    def pivot(self) -> bool:
        return bool(self.columns)

    def sets(self) -> list[GroupingSet]:
        if self.columns:
            return [
                tuple(sorted({*r, *c}))
                for r in _axis_sets(self.rows)
                for c in _axis_sets(self.columns)
            ]
        if self.rows == "total":
            return [("jurisdiction",), ()] if self.by_jurisdiction else [()]
        if self.rows == "jurisdiction":
            return [("jurisdiction",), ()]
        if self.rows == "district":
            return [("district", "jurisdiction"), ("jurisdiction",), ()]
        if self.by_jurisdiction:
            return [(self.rows, "jurisdiction"), (self.rows,), ("jurisdiction",), ()]
        return [(self.rows,), ()]


def _axis_sets(dimension: str) -> list[GroupingSet]:
    if dimension == "total":
        return [()]
    if dimension == "district":
        return [("district", "jurisdiction"), ("jurisdiction",), ()]
    return [(dimension,), ()]


def shape_for(indicator: Indicator, rows: str, *, columns: bool) -> Shape:
    by_jurisdiction = (
        columns
        and "jurisdiction" in indicator.disaggregations
        and rows not in {"jurisdiction", "district"}
    )
    return Shape(rows, by_jurisdiction)


# Disaggregations one of which decides the other: never rows and columns of one pivot.
NESTED = ({"jurisdiction", "district"}, {"quarter", "month"})


def pivot_shape(rows: str, columns: str) -> Shape:
    """A pivot of ``rows`` by ``columns`` ("total": none). By province or territory across the
    columns it is the table by province (the same cells, the same lines)."""
    if columns == "total":
        return Shape(rows, False)
    if columns == "jurisdiction" and rows not in {"jurisdiction", "district"}:
        return Shape(rows, True)
    return Shape(rows, False, columns)


def normalise(sets: list[GroupingSet]) -> tuple[GroupingSet, ...]:
    """Grouping sets with their columns in one order, without repeats."""
    found: dict[GroupingSet, None] = {}
    for s in sets:
        found[tuple(sorted(s))] = None
    return tuple(found)


def lookup(result: Result, grouping: GroupingSet, values: dict[str, str]) -> tuple[int, ...]:
    ordered = tuple(sorted(grouping))
    cell = tuple(values[d] for d in ordered)
    return result.get(ordered, {}).get(cell, ())


# --- tables ----------------------------------------------------------------------------------


Coord = tuple[tuple[str, str], ...]  # a cell of the cube: (disaggregation, category) pairs


def coord(values: dict[str, str]) -> Coord:
    return tuple(sorted(values.items()))


@dataclass
class Layout:
    """A table's rows and columns, each cell named by its coordinates in the indicator's
    cube: the same figure in two tables is one cell."""

    shape: Shape
    rows: list[Category]
    columns: list[Category]
    cells: dict[tuple[str, str], Coord]
    lines: list[tuple[Coord, tuple[Coord, ...]]]


@dataclass
class _Axis:
    """The rows (or the columns) of a table: each one's categories, and which of them are
    totals of which others."""

    items: list[Category]
    values: dict[str, dict[str, str]]  # key -> the categories that select it
    lines: list[tuple[str, list[str]]]  # (total, members)


def annex_shapes(indicator: Indicator, *, columns: bool) -> list[Shape]:
    """Every table of an indicator: the total and one per disaggregation."""
    return [Shape("total", columns and "jurisdiction" in indicator.disaggregations)] + [
        shape_for(indicator, d, columns=columns)
        for d in indicator.all_disaggregations
        if d != "jurisdiction" or not columns
    ]


def axis_size(
    dimension: str, user: Actor, period: Period, indicator: Indicator, within: Within | None
) -> int:
    """How many rows (or columns) a disaggregation takes, totals included, before counting."""
    if dimension == "total":
        return 1
    found = len(categories(dimension, user, period, indicator, within)) + 1
    if dimension == "district" and not (within or {}).get("jurisdiction"):
        found += len(categories("jurisdiction", user, period, indicator, within))
    return found


def _axis(
    dimension: str,
    user: Actor,
    period: Period,
    indicator: Indicator,
    result: Result,
    within: Within | None,
    *,
    unlisted: bool = True,
) -> _Axis:
    total = Category(TOTAL, _("Total"))
    if dimension == "total":
        return _Axis([total], {TOTAL: {}}, [])
    items: list[Category] = []
    values: dict[str, dict[str, str]] = {}
    lines: list[tuple[str, list[str]]] = []
    if dimension == "district":
        jurisdictions = categories("jurisdiction", user, period, indicator, within)
        parent = district_jurisdictions(user)
        districts = categories("district", user, period, indicator, within)
        unplaced = {
            cell[1] for cell in result.get(("district", "jurisdiction"), {}) if cell[0] == NONE_KEY
        }
        one = len(jurisdictions) == 1 and bool((within or {}).get("jurisdiction"))
        for j in jurisdictions:
            members = [d for d in districts if parent.get(d.key) == j.key]
            if j.key in unplaced and "district" not in (within or {}):
                members.append(Category(NONE_KEY, _("District not recorded")))
            if not members:
                continue
            for d in members:
                items.append(Category(f"d{d.key}.{j.key}", d.label))
                values[f"d{d.key}.{j.key}"] = {"district": d.key, "jurisdiction": j.key}
            if one:  # the chosen province's districts and their total, no subtotal
                lines.append((TOTAL, [f"d{d.key}.{j.key}" for d in members]))
                continue
            items.append(Category(f"j{j.key}", _("%(place)s — all districts") % {"place": j.label}))
            values[f"j{j.key}"] = {"jurisdiction": j.key}
            lines.append((f"j{j.key}", [f"d{d.key}.{j.key}" for d in members]))
        if not one:
            lines.append((TOTAL, [f"j{j.key}" for j in jurisdictions if f"j{j.key}" in values]))
    else:
        for c in categories(dimension, user, period, indicator, within):
            items.append(c)
            values[c.key] = {dimension: c.key}
        if unlisted:
            _add_unlisted(items, values, result, dimension)
        lines.append((TOTAL, [r.key for r in items]))
    items.append(total)
    values[TOTAL] = {}
    return _Axis(items, values, lines)


def _layout(
    user: Actor,
    indicator: Indicator,
    period: Period,
    shape: Shape,
    result: Result,
    within: Within | None = None,
) -> Layout:
    rows = _axis(shape.rows, user, period, indicator, result, within)
    if shape.columns:
        columns = _axis(shape.columns, user, period, indicator, result, within)
    elif shape.by_jurisdiction:
        columns = _axis("jurisdiction", user, period, indicator, result, within, unlisted=False)
    else:
        columns = _axis("total", user, period, indicator, result, within)
    cells: dict[tuple[str, str], Coord] = {
        (r.key, c.key): coord({**rows.values[r.key], **columns.values[c.key]})
        for r in rows.items
        for c in columns.items
    }
    lines = [
        (cells[(total, c.key)], tuple(cells[(m, c.key)] for m in members))
        for c in columns.items
        for total, members in rows.lines
    ] + [
        (cells[(r.key, total)], tuple(cells[(r.key, m)] for m in members))
        for r in rows.items
        for total, members in columns.lines
    ]
    return Layout(shape, rows.items, columns.items, cells, lines)


def _period_lines(coords: set[Coord]) -> list[tuple[Coord, tuple[Coord, ...]]]:
    """A quarter is the sum of its months: a line between the quarter and the month tables
    (and the cells of a pivot by quarter or by month). Keys carry the year when the period
    spans years (20251: the months 202501-202503)."""
    found = []
    for c in coords:
        values = dict(c)
        if "quarter" not in values or "month" in values:
            continue
        key = values["quarter"]
        year, q = (key[:-1], int(key[-1])) if len(key) > 1 else ("", int(key))
        months = []
        for m in range(3 * q - 2, 3 * q + 1):
            month_key = f"{year}{m:02d}" if year else str(m)
            month = coord(
                {**{k: v for k, v in values.items() if k != "quarter"}, "month": month_key}
            )
            if month in coords:
                months.append(month)
        if months:
            found.append((c, tuple(months)))
    return found


def publish(
    *,
    user: Actor,
    indicator: Indicator,
    period: Period,
    shapes: list[Shape],
    result: Result,
    filters_label: str = "",
    protected_with: list[Shape] | None = None,
    within: Within | None = None,
) -> list[PublishedTable]:
    """The tables of ``shapes``, protected together with those of ``protected_with`` (by
    default every table of the indicator): a figure shown in two tables is one cell, and the
    lines of every table (and quarters as sums of months) bind the suppression, so no table
    can be subtracted from another to find a hidden figure. ``within``: the place the counts
    are limited to (its districts only, not every district of the scope as zeros).

    Pivots (two disaggregations) are protected in a second step, around the pattern of the
    other tables: those are published the same whether or not a pivot is asked for (the
    dashboard and the pivot page agree), their hidden cells stay hidden, their shown cells
    are taken as known to the reader, and the pivot's own cells are suppressed until no
    hidden figure, of the pivot or of the other tables, can be worked out from all of them."""
    src = source(indicator.source)
    wanted = [_layout(user, indicator, period, s, result, within) for s in shapes]
    everything = wanted + [
        _layout(user, indicator, period, s, result, within)
        for s in (protected_with or [])
        if s not in shapes
    ]
    additive = _additive(indicator, src)
    base = [layout for layout in everything if not layout.shape.pivot]
    raw = _raw(base, result)
    cells, denominators, unaudited = _protect(indicator, raw, _lines(base, raw, additive))
    pivots = [layout for layout in everything if layout.shape.pivot]
    pivot_unaudited = unaudited
    if pivots:
        raw = {**_raw(pivots, result), **raw}
        hidden = {k for k, c in cells.items() if c.suppressed}
        shown = {k for k, c in cells.items() if not c.suppressed}
        more, more_denominators, pivot_unaudited = _protect(
            indicator, raw, _lines(everything, raw, additive), hidden=hidden, keep=shown
        )
        if pivot_unaudited == disclosure.NO_PATTERN:
            raise ValidationError(
                {
                    "columns": _(
                        "This table cannot be published without giving away suppressed"
                        " figures: choose fewer or broader breakdowns, or a longer period."
                    )
                }
            )
        # the other tables' cells as they were published: the second step kept them so
        cells = {**more, **cells}
        denominators = {**more_denominators, **denominators}
    return [
        _table(
            indicator,
            period,
            layout,
            cells,
            denominators,
            filters_label,
            pivot_unaudited if layout.shape.pivot else unaudited,
            additive,
        )
        for layout in wanted
    ]


def _raw(layouts: list[Layout], result: Result) -> dict[Coord, tuple[int, ...]]:
    raw: dict[Coord, tuple[int, ...]] = {}
    for layout in layouts:
        for c in layout.cells.values():
            raw[c] = lookup(result, tuple(k for k, _ in c), dict(c))
    return raw


def _lines(
    layouts: list[Layout], raw: dict[Coord, tuple[int, ...]], additive: bool
) -> list[disclosure.Line]:
    seen: set[tuple[Coord, tuple[Coord, ...]]] = set()
    lines: list[disclosure.Line] = []
    for total, members in [line for layout in layouts for line in layout.lines] + _period_lines(
        set(raw)
    ):
        if (total, members) not in seen and members:
            seen.add((total, members))
            lines.append(disclosure.Line(total, members, additive))
    return lines


def _table(
    indicator: Indicator,
    period: Period,
    layout: Layout,
    cells: dict[Coord, Cell],
    denominators: dict[Coord, Cell],
    filters_label: str,
    unaudited: str = "",
    additive: bool = True,
) -> PublishedTable:
    shape = layout.shape
    title = indicator.base_name_text
    if shape.pivot and shape.rows != "total":
        title = _("%(title)s, by %(rows)s and %(columns)s") % {
            "title": title,
            "rows": _lower_first(dimension_label(shape.rows)),
            "columns": _lower_first(dimension_label(shape.columns)),
        }
    elif shape.pivot:
        title = _("%(title)s, by %(breakdown)s") % {
            "title": title,
            "breakdown": _lower_first(dimension_label(shape.columns)),
        }
    elif shape.rows != "total":
        title = _("%(title)s, by %(breakdown)s") % {
            "title": title,
            "breakdown": _lower_first(dimension_label(shape.rows)),
        }
    if shape.by_jurisdiction:
        title = _("%(title)s, by province or territory") % {"title": title}
    title += f" — {period.label}"
    if filters_label:
        title += f" ({filters_label})"
    note = disclosure.method_note(
        threshold(), indicator.sensitive, share=indicator.measure == "share"
    )
    if unaudited:
        note += " " + _(
            "The check that no suppressed figure can be worked out could not be completed, so"
            " every figure but the zeros is suppressed."
        )
    return PublishedTable(
        indicator_code=indicator.code,
        indicator_name=indicator.name_text,
        unit=indicator.unit,
        measure=indicator.measure,
        title=title,
        period_label=period.label,
        row_dimension=shape.rows,
        row_heading=dimension_label(shape.rows) if shape.rows != "total" else "",
        rows=layout.rows,
        columns=layout.columns,
        cells={k: cells[c] for k, c in layout.cells.items()},
        denominators={k: denominators[c] for k, c in layout.cells.items() if c in denominators},
        note=note,
        articles=indicator.articles,
        report_section=indicator.report_section,
        source=indicator.source,
        definition=indicator.definition_text,
        column_dimension=shape.columns,
        column_heading=dimension_label(shape.columns) if shape.columns else "",
        additive=additive,
    )


def _lower_first(label: str) -> str:
    """ "Age" -> "age", but "OPSC category" stays."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _add_unlisted(
    rows: list[Category], row_key_of: dict[str, dict[str, str]], result: Result, dimension: str
) -> None:
    """Values the records hold that the category list does not (an old code): shown, never
    dropped, so that the rows add up to the total."""
    listed = {r.key for r in rows}
    seen: set[str] = set()
    for grouping, cells in result.items():
        if dimension in grouping:
            i = grouping.index(dimension)
            seen |= {cell[i] for cell in cells}
    for value in sorted(seen - listed):
        label = _("Not recorded") if value == NONE_KEY else value
        rows.append(Category(value, label))
        row_key_of[value] = {dimension: value}


def _additive(indicator: Indicator, src: Any) -> bool:
    if src.extra.get("repeats") or indicator.measure == "count_children":
        return False
    if indicator.measure == "share":
        return src.unit in {"pk", "case_id"}
    return True


def _protect(
    indicator: Indicator,
    raw: dict[Any, tuple[int, ...]],
    lines: list[disclosure.Line],
    *,
    hidden: set[Any] | None = None,
    keep: set[Any] | None = None,
) -> tuple[dict[Any, Cell], dict[Any, Cell], str]:
    """The cells and denominators as published, and why the audit could not be completed
    ("" when it was). ``hidden`` and ``keep``: cells other tables already hide and show
    (``disclosure.suppress``)."""
    limit = threshold()
    if indicator.measure == "share":
        cells, denominators, _ = _shares(indicator, raw, limit)
        return cells, denominators, ""
    values = {k: (v[0] if v else 0) for k, v in raw.items()}
    found = (
        materialised.suppression(
            values,
            lines,
            limit,
            also_primary=hidden,
            keep=keep,
            compute=lambda: disclosure.suppress(
                values, lines, limit, also_primary=hidden, keep=keep
            ),
        )
        if indicator.sensitive
        else disclosure.Suppression()
    )
    cells = {
        k: Cell(None, True, SUPPRESSED) if k in found.hidden else Cell(v, False, f"{v:,}")
        for k, v in values.items()
    }
    return cells, {}, found.unaudited


def _shares(
    indicator: Indicator, raw: dict[Any, tuple[int, ...]], limit: int
) -> tuple[dict[Any, Cell], dict[Any, Cell], set[Any]]:
    """On-time shares. The counts behind them are not published, so no sum links two cells;
    a share of fewer than ``limit`` children or cases is suppressed, and where fewer than
    ``limit`` were on time (or late) the share is shown as a bound ("< 20 %", "> 96 %"), which
    does not give the small count away."""
    cells: dict[Any, Cell] = {}
    denominators: dict[Any, Cell] = {}
    hidden: set[Any] = set()
    for k, v in raw.items():
        num, den = (v[0], v[1]) if v else (0, 0)
        late = den - num
        if den == 0:
            cells[k], denominators[k] = Cell(None, False, "–"), Cell(0, False, "0")
        elif indicator.sensitive and den < limit:
            hidden.add(k)
            cells[k] = denominators[k] = Cell(None, True, SUPPRESSED)
        elif indicator.sensitive and 0 < num < limit:
            cells[k] = Cell(None, False, f"< {math.ceil(100 * limit / den)} %")
            denominators[k] = Cell(None, True, SUPPRESSED)
        elif indicator.sensitive and 0 < late < limit:
            cells[k] = Cell(None, False, f"> {math.floor(100 * (den - limit) / den)} %")
            denominators[k] = Cell(None, True, SUPPRESSED)
        else:
            cells[k] = Cell(num / den, False, f"{round(100 * num / den)} %")
            denominators[k] = Cell(den, False, f"{den:,}")
    return cells, denominators, hidden


def compute_tables(
    *,
    user: Actor,
    indicator: Indicator,
    period: Period,
    shapes: list[Shape],
    filters: dict[str, Any] | None = None,
    filters_label: str = "",
    columns: bool | None = None,
    within: Within | None = None,
) -> list[PublishedTable]:
    """Tables of one indicator from one count (one query on PostgreSQL). Every table of the
    indicator for the same selection (``columns``: by province or territory) is protected
    with them, so that whichever tables a page, an export or the report shows, the
    suppression is the same and consistent; a pivot among ``shapes`` is protected around
    them (``publish``). ``within``: the place ``filters`` limit the counts to."""
    if columns is None:
        columns = any(s.by_jurisdiction for s in shapes)
    everything = annex_shapes(indicator, columns=columns)
    sets = normalise([s for shape in [*shapes, *everything] for s in shape.sets()])
    request = engine.Request(indicator, period.window, sets, tuple((filters or {}).items()))
    result = engine.compute(user, request)
    return publish(
        user=user,
        indicator=indicator,
        period=period,
        shapes=shapes,
        result=result,
        filters_label=filters_label,
        protected_with=everything,
        within=within,
    )


SORTS = ("natural", "label", "total")


def sort_rows(table: PublishedTable, how: str) -> PublishedTable:
    """The rows in their categories' order ("natural"), by label, or by total (largest
    first). Rows whose total is suppressed go last, by label: their place among the others
    would say how large they are. Districts are sorted within their province; subtotals and
    the total stay where they are."""
    if how not in {"label", "total"}:
        return table

    def key(row: Category) -> tuple[int, float, str]:
        label = row.label.casefold()
        if how == "label":
            return (0, 0.0, label)
        cell = table.cell(row.key, TOTAL)
        if cell.suppressed or cell.value is None:
            return (1, 0.0, label)
        return (0, -float(cell.value), label)

    ordered: list[Category] = []
    segment: list[Category] = []
    for row in table.rows:
        fixed = row.key == TOTAL or (table.row_dimension == "district" and row.key[:1] == "j")
        if fixed:
            ordered.extend(sorted(segment, key=key))
            ordered.append(row)
            segment = []
        else:
            segment.append(row)
    ordered.extend(sorted(segment, key=key))
    return replace(table, rows=ordered)
