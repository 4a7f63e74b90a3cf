"""From counts to published tables: periods, the full category lists, the table shapes and the
disclosure-control step every table passes.

Shapes: a disaggregation by province or territory (columns, with totals); districts nested in
their province or territory (subtotals); or one column when the figures cover one jurisdiction.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from cpmis import access
from cpmis.actors import Actor

from . import disclosure, engine
from .catalogue import FIXED_CATEGORIES, Indicator, dimension_label
from .engine import GroupingSet, Result
from .facts import NONE_KEY, Window, source
from .tables import SUPPRESSED, TOTAL, Category, Cell, PublishedTable

_PERIOD = re.compile(r"^([0-9]{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?\Z", re.ASCII)


@dataclass(frozen=True)
class Period:
    code: str  # "2025", "2025-Q1", "2025-03"
    label: str
    window: Window
    year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def dhis2(self) -> str:
        """The DHIS2 period: 2025, 2025Q1, 202503."""
        if self.month:
            return f"{self.year}{self.month:02d}"
        if self.quarter:
            return f"{self.year}Q{self.quarter}"
        return str(self.year)


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


def place_name(place: Any) -> str:
    """A province's or district's name as the reader's pages show it (``reference.Named``:
    the Urdu name on an Urdu page where one is recorded), else its English name."""
    return str(getattr(place, "name", None) or place.name_en)


def threshold() -> int:
    return int(settings.CPMIS_SMALL_CELL_THRESHOLD)


# --- categories ------------------------------------------------------------------------------


def categories(dimension: str, user: Actor, period: Period, indicator: Indicator) -> list[Category]:
    from cpmis.reference.models import Jurisdiction

    if dimension == "quarter":
        quarters = [period.quarter] if period.quarter else range(1, 5)
        if period.month:
            quarters = [(period.month - 1) // 3 + 1]
        return [Category(str(q), _("Q%(quarter)s") % {"quarter": q}) for q in quarters]
    if dimension == "month":
        if period.month:
            months: Any = [period.month]
        elif period.quarter:
            months = range(3 * period.quarter - 2, 3 * period.quarter + 1)
        else:
            months = range(1, 13)
        return [Category(str(m), str(MONTHS_SHORT[m])) for m in months]
    if dimension == "jurisdiction":
        ids = access.jurisdictions_where(user, "aggregates.view")
        qs = Jurisdiction.objects.order_by("name_en")
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        found = [Category(str(j.pk), place_name(j)) for j in qs]
        if _registers(indicator):
            found.append(Category(NONE_KEY, _("Federal / national")))
        return found
    if dimension == "district":
        districts = access.districts_where(user, "aggregates.view").select_related("jurisdiction")
        return [
            Category(str(d.pk), place_name(d))
            for d in districts.order_by("jurisdiction__name_en", "name_en")
        ]
    if dimension in FIXED_CATEGORIES:
        return [Category(k, str(label)) for k, label in FIXED_CATEGORIES[dimension]]
    return [Category(k, str(label)) for k, label in _model_choices(dimension)]


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

    def sets(self) -> list[GroupingSet]:
        if self.rows == "total":
            return [("jurisdiction",), ()] if self.by_jurisdiction else [()]
        if self.rows == "jurisdiction":
            return [("jurisdiction",), ()]
        if self.rows == "district":
            return [("district", "jurisdiction"), ("jurisdiction",), ()]
        if self.by_jurisdiction:
            return [(self.rows, "jurisdiction"), (self.rows,), ("jurisdiction",), ()]
        return [(self.rows,), ()]


def shape_for(indicator: Indicator, rows: str, *, columns: bool) -> Shape:
    by_jurisdiction = (
        columns
        and "jurisdiction" in indicator.disaggregations
        and rows not in {"jurisdiction", "district"}
    )
    return Shape(rows, by_jurisdiction)


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


def annex_shapes(indicator: Indicator, *, columns: bool) -> list[Shape]:
    """Every table of an indicator: the total and one per disaggregation."""
    return [Shape("total", columns and "jurisdiction" in indicator.disaggregations)] + [
        shape_for(indicator, d, columns=columns)
        for d in indicator.all_disaggregations
        if d != "jurisdiction" or not columns
    ]


def _layout(
    user: Actor, indicator: Indicator, period: Period, shape: Shape, result: Result
) -> Layout:
    jurisdictions = categories("jurisdiction", user, period, indicator)
    row_values: dict[str, dict[str, str]] = {}  # row key -> the categories that select it
    rows: list[Category] = []
    row_lines: list[tuple[str, list[str]]] = []  # (total row, member rows)
    if shape.rows == "total":
        rows = [Category(TOTAL, _("Total"))]
        row_values[TOTAL] = {}
    elif shape.rows == "district":
        parent = district_jurisdictions(user)
        districts = categories("district", user, period, indicator)
        unplaced = {
            cell[1] for cell in result.get(("district", "jurisdiction"), {}) if cell[0] == NONE_KEY
        }
        for j in jurisdictions:
            members = [d for d in districts if parent.get(d.key) == j.key]
            if j.key in unplaced:  # e.g. complaints not yet sent to a district
                members.append(Category(NONE_KEY, _("District not recorded")))
            if not members:
                continue
            for d in members:
                rows.append(Category(f"d{d.key}.{j.key}", d.label))
                row_values[f"d{d.key}.{j.key}"] = {"district": d.key, "jurisdiction": j.key}
            rows.append(Category(f"j{j.key}", _("%(place)s — all districts") % {"place": j.label}))
            row_values[f"j{j.key}"] = {"jurisdiction": j.key}
            row_lines.append((f"j{j.key}", [f"d{d.key}.{j.key}" for d in members]))
        rows.append(Category(TOTAL, _("Total")))
        row_values[TOTAL] = {}
        row_lines.append((TOTAL, [f"j{j.key}" for j in jurisdictions if f"j{j.key}" in row_values]))
    else:
        for c in categories(shape.rows, user, period, indicator):
            rows.append(c)
            row_values[c.key] = {shape.rows: c.key}
        _add_unlisted(rows, row_values, result, shape.rows)
        rows.append(Category(TOTAL, _("Total")))
        row_values[TOTAL] = {}
        row_lines.append((TOTAL, [r.key for r in rows if r.key != TOTAL]))
    total = Category(TOTAL, _("Total"))
    columns = [*jurisdictions, total] if shape.by_jurisdiction else [total]
    cells: dict[tuple[str, str], Coord] = {}
    for r in rows:
        for c in columns:
            values = dict(row_values[r.key])
            if c.key != TOTAL:
                values["jurisdiction"] = c.key
            cells[(r.key, c.key)] = coord(values)
    lines = [
        (cells[(total, c.key)], tuple(cells[(m, c.key)] for m in members))
        for c in columns
        for total, members in row_lines
    ]
    if shape.by_jurisdiction:
        lines += [
            (cells[(r.key, TOTAL)], tuple(cells[(r.key, c.key)] for c in columns if c.key != TOTAL))
            for r in rows
        ]
    return Layout(shape, rows, columns, cells, lines)


def _period_lines(coords: set[Coord]) -> list[tuple[Coord, tuple[Coord, ...]]]:
    """A quarter is the sum of its months: a line between the quarter and the month tables."""
    found = []
    for c in coords:
        values = dict(c)
        if "quarter" not in values or set(values) - {"quarter", "jurisdiction"}:
            continue
        q = int(values["quarter"])
        months = []
        for m in range(3 * q - 2, 3 * q + 1):
            month = coord({**{k: v for k, v in values.items() if k != "quarter"}, "month": str(m)})
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
) -> list[PublishedTable]:
    """The tables of ``shapes``, protected together with those of ``protected_with`` (by
    default every table of the indicator): a figure shown in two tables is one cell, and the
    lines of every table (and quarters as sums of months) bind the suppression, so no table
    can be subtracted from another to find a hidden figure."""
    src = source(indicator.source)
    wanted = [_layout(user, indicator, period, s, result) for s in shapes]
    everything = wanted + [
        _layout(user, indicator, period, s, result)
        for s in (protected_with or [])
        if s not in shapes
    ]
    raw: dict[Coord, tuple[int, ...]] = {}
    for layout in everything:
        for c in layout.cells.values():
            raw[c] = lookup(result, tuple(k for k, _ in c), dict(c))
    additive = _additive(indicator, src)
    seen: set[tuple[Coord, tuple[Coord, ...]]] = set()
    lines: list[disclosure.Line] = []
    for total, members in [line for layout in everything for line in layout.lines] + _period_lines(
        set(raw)
    ):
        if (total, members) not in seen and members:
            seen.add((total, members))
            lines.append(disclosure.Line(total, members, additive))
    cells, denominators, unaudited = _protect(indicator, raw, lines)
    return [
        _table(indicator, period, layout, cells, denominators, filters_label, unaudited)
        for layout in wanted
    ]


def _table(
    indicator: Indicator,
    period: Period,
    layout: Layout,
    cells: dict[Coord, Cell],
    denominators: dict[Coord, Cell],
    filters_label: str,
    unaudited: str = "",
) -> PublishedTable:
    shape = layout.shape
    title = indicator.base_name_text
    if shape.rows != "total":
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
) -> tuple[dict[Any, Cell], dict[Any, Cell], str]:
    """The cells and denominators as published, and why the audit could not be completed
    ("" when it was)."""
    limit = threshold()
    if indicator.measure == "share":
        cells, denominators, _ = _shares(indicator, raw, limit)
        return cells, denominators, ""
    values = {k: (v[0] if v else 0) for k, v in raw.items()}
    found = (
        disclosure.suppress(values, lines, limit)
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
) -> list[PublishedTable]:
    """Tables of one indicator from one count (one query on PostgreSQL). Every table of the
    indicator for the same selection (``columns``: by province or territory) is protected
    with them, so that whichever tables a page, an export or the report shows, the
    suppression is the same and consistent."""
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
    )
