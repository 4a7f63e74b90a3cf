"""Reads of the indicators: the catalogue and one indicator's table for a selection.

Input is checked here (an unknown indicator, disaggregation, filter value, a future period) and
refused with a ValidationError naming the field; every figure comes out of
``tabulate`` through disclosure control and covers the districts of the user's scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from cpmis import access
from cpmis.actors import Actor

from . import orgunits, tabulate
from .catalogue import Indicator, catalogue, dimension_label, joined
from .tables import PublishedTable

CAPABILITY = "aggregates.view"


def _require(user: Actor) -> None:
    if not access.has_capability(user, CAPABILITY):
        raise PermissionDenied(_("Indicators are open to analysts."))


def indicator_list(user: Actor) -> list[Indicator]:
    _require(user)
    return list(catalogue().values())


def indicator_get(user: Actor, code: str) -> Indicator:
    _require(user)
    found = catalogue().get((code or "").strip().upper())
    if found is None:
        raise ValidationError(
            {"indicator": _("No indicator has the code %(code)r.") % {"code": code}}
        )
    return found


@dataclass
class Selection:
    """What a dashboard or an export asks for, checked."""

    indicator: Indicator
    period: tabulate.Period
    breakdown: str = "total"
    filters: dict[str, Any] = field(default_factory=dict)
    filters_label: str = ""
    by_jurisdiction: bool = True
    orgunit: orgunits.OrgUnit | None = None

    @property
    def within(self) -> tabulate.Within:
        return self.orgunit.within if self.orgunit is not None else {}


FILTERABLE = ("jurisdiction", "district", "opsc_category")


def selection_parse(user: Actor, params: Any) -> Selection:
    """A selection from request parameters: indicator, period (fixed, relative, a span of
    months or a report edition's: ``tabulate.period_resolve``), breakdown, the org unit
    (``ou``: national, a province's ISO code or a district's p-code; the older
    ``jurisdiction`` and ``district`` still work) and category (an OPSC category)."""
    indicator = indicator_get(user, params.get("indicator", ""))
    period = tabulate.period_resolve(params.get("period", ""))
    breakdown = (params.get("breakdown") or "total").strip()
    allowed = ("total", *indicator.all_disaggregations)
    if breakdown not in allowed:
        raise ValidationError(
            {
                "breakdown": _(
                    "%(indicator)s cannot be broken down by %(breakdown)r; choose one of "
                    "%(choices)s."
                )
                % {
                    "indicator": indicator.code,
                    "breakdown": breakdown,
                    "choices": ", ".join(allowed),
                }
            }
        )
    unit, field_name = _orgunit(user, params)
    filters: dict[str, Any] = {}
    labels: list[str] = []
    if unit.level != "national":
        _needs(indicator, unit.level, field_name)
        filters.update(unit.filters)
        labels.append(unit.label)
    category = _code(params, "category")
    if category:
        _needs(indicator, "opsc_category")
        from .catalogue import FIXED_CATEGORIES

        known = dict(FIXED_CATEGORIES["opsc_category"])
        if category not in known:
            raise ValidationError(
                {
                    "category": _("Unknown category %(category)r; use one of %(choices)s.")
                    % {"category": category, "choices": ", ".join(known)}
                }
            )
        wanted = indicator.filter.get("opsc_category")
        if isinstance(wanted, list) and category not in wanted:
            raise ValidationError(
                {
                    "category": _("%(indicator)s does not count %(category)s.")
                    % {"indicator": indicator.code, "category": str(known[category]).lower()}
                }
            )
        filters["opsc_category"] = category
        labels.append(str(known[category]))
    _not_fixed(breakdown, filters, "breakdown")
    by_jurisdiction = "jurisdiction" not in filters and "district" not in filters
    if by_jurisdiction:
        ids = access.jurisdictions_where(user, CAPABILITY)
        by_jurisdiction = ids is None or len(ids) > 1
    return Selection(indicator, period, breakdown, filters, joined(labels), by_jurisdiction, unit)


def _not_fixed(dimension: str, filters: dict[str, Any], name: str) -> None:
    """A breakdown by what the selection already fixes (by province, in Punjab) is refused."""
    fixed = dimension in filters or (dimension == "jurisdiction" and "district" in filters)
    if fixed:
        raise ValidationError(
            {
                name: _("The selection already fixes the %(breakdown)s.")
                % {"breakdown": dimension_label(dimension).lower()}
            }
        )


def _orgunit(user: Actor, params: Any) -> tuple[orgunits.OrgUnit, str]:
    """The org unit asked for, and the parameter that named it (for its errors)."""
    ou = (params.get("ou") or "").strip()
    if ou:
        if not _CODE.match(ou):
            raise ValidationError(
                {"ou": _("%(code)r is not a code cpmis knows.") % {"code": ou[:20]}}
            )
        return orgunits.orgunit_parse(user, ou), "ou"
    jurisdiction = _code(params, "jurisdiction")
    district = _code(params, "district")
    if district:
        unit = _legacy(user, district, "district")
        if jurisdiction:
            province = _legacy(user, jurisdiction, "jurisdiction")
            if unit.jurisdiction.pk != province.jurisdiction.pk:
                raise ValidationError(
                    {
                        "district": _("%(district)s is not in the chosen province or territory.")
                        % {"district": unit.label}
                    }
                )
        return unit, "district"
    if jurisdiction:
        return _legacy(user, jurisdiction, "jurisdiction"), "jurisdiction"
    return orgunits.root(user), "ou"


def _legacy(user: Actor, code: str, name: str) -> orgunits.OrgUnit:
    """``jurisdiction=PK-PB`` or ``district=PK617`` as older links and API clients send them:
    the same units, each checked as its own field."""
    unit = orgunits.orgunit_parse(user, code, name=name)
    level = "district" if name == "district" else "jurisdiction"
    if unit.level != level:
        message = (
            _("%(code)r is not a district you see.")
            if level == "district"
            else _("%(code)r is not a province or territory you see.")
        )
        raise ValidationError({name: message % {"code": code}})
    return unit


_CODE = re.compile(r"^[A-Za-z0-9_-]{0,20}\Z", re.ASCII)


def _code(params: Any, name: str) -> str:
    value = (params.get(name) or "").strip()
    if not _CODE.match(value):
        raise ValidationError(
            {name: _("%(code)r is not a code cpmis knows.") % {"code": value[:20]}}
        )
    return value


def _needs(indicator: Indicator, dimension: str, name: str = "") -> None:
    if dimension not in indicator.disaggregations:
        if dimension == "district" and "jurisdiction" in indicator.disaggregations:
            message = _(
                "%(indicator)s is not counted by district: choose its province or territory,"
                " or the whole country."
            ) % {"indicator": indicator.code}
        else:
            message = _("%(indicator)s has no %(dimension)s to filter on.") % {
                "indicator": indicator.code,
                "dimension": dimension_label(dimension).lower(),
            }
        raise ValidationError(
            {name or (dimension if dimension != "opsc_category" else "category"): message}
        )


def breakdown_shape(selection: Selection, rows: str, columns: bool | None = None) -> tabulate.Shape:
    return tabulate.shape_for(
        selection.indicator,
        rows,
        columns=selection.by_jurisdiction if columns is None else columns,
    )


def selection_tables(
    user: Actor, selection: Selection, shapes: list[tabulate.Shape]
) -> list[PublishedTable]:
    """Tables of the selection, protected together with every table of the indicator for
    the same selection (one suppression pattern, whichever are shown)."""
    _require(user)
    return tabulate.compute_tables(
        user=user,
        indicator=selection.indicator,
        period=selection.period,
        shapes=shapes,
        filters=selection.filters,
        filters_label=selection.filters_label,
        columns=selection.by_jurisdiction,
        within=selection.within,
    )


def indicator_table(user: Actor, selection: Selection) -> PublishedTable:
    return selection_tables(user, selection, [breakdown_shape(selection, selection.breakdown)])[0]


def trend_shape(selection: Selection) -> tabulate.Shape:
    """The selection by month (by quarter beyond two years), one column: the trend a
    dashboard draws."""
    if selection.period.month:
        return tabulate.Shape("total", False)
    months = len(tabulate.period_months(selection.period.window))
    return tabulate.Shape("month" if months <= 24 else "quarter", False)


def places_shape(selection: Selection) -> tabulate.Shape | None:
    """Where: by province or territory, or by district within the chosen one."""
    if selection.breakdown in {"jurisdiction", "district"} or "district" in selection.filters:
        return None
    where = "district" if "jurisdiction" in selection.filters else "jurisdiction"
    if where not in selection.indicator.disaggregations:
        return None
    return breakdown_shape(selection, where, columns=False)


# A pivot larger than this is refused: more cells than a screen (or a reader) takes in.
PIVOT_LIMIT = 2000


@dataclass
class Pivot:
    """A table of one's own: one disaggregation of an indicator across the rows, another (or
    none) across the columns, for a selection of place and period."""

    selection: Selection
    rows: str
    columns: str
    sort: str = "natural"

    @property
    def shape(self) -> tabulate.Shape:
        return tabulate.pivot_shape(self.rows, self.columns)


def pivot_parse(user: Actor, params: Any) -> Pivot:
    """A pivot from request parameters: those of a selection (``selection_parse``; its
    ``breakdown`` is not used), ``rows`` and ``columns`` (disaggregations of the indicator, or
    "total" for none) and ``sort`` (natural, label or total)."""
    plain = {k: params.get(k) for k in params if k != "breakdown"}
    selection = selection_parse(user, plain)
    indicator = selection.indicator
    allowed = ("total", *indicator.all_disaggregations)
    rows = (params.get("rows") or "total").strip()
    columns = (params.get("columns") or "total").strip()
    for name, value in (("rows", rows), ("columns", columns)):
        if value not in allowed:
            raise ValidationError(
                {
                    name: _(
                        "%(indicator)s has no breakdown %(breakdown)r; choose one of %(choices)s."
                    )
                    % {
                        "indicator": indicator.code,
                        "breakdown": value[:40],
                        "choices": joined(dimension_label(d) for d in allowed),
                    }
                }
            )
        _not_fixed(value, selection.filters, name)
    if rows == columns and rows != "total":
        raise ValidationError(
            {"columns": _("Choose a breakdown for the columns other than the rows'.")}
        )
    if {rows, columns} in tabulate.NESTED:
        raise ValidationError(
            {
                "columns": _("%(rows)s and %(columns)s cannot be crossed: one decides the other.")
                % {"rows": dimension_label(rows), "columns": dimension_label(columns).lower()}
            }
        )
    sort = (params.get("sort") or "natural").strip()
    if sort not in tabulate.SORTS:
        raise ValidationError({"sort": _("Sort by the natural order, by label or by total.")})
    pivot = Pivot(selection, rows, columns, sort)
    cells = _pivot_size(user, pivot)
    if cells > PIVOT_LIMIT:
        raise ValidationError(
            {
                "columns": _(
                    "This table would have %(cells)s cells; a page shows at most %(limit)s."
                    " Choose a smaller place, or breakdowns with fewer categories."
                )
                % {"cells": f"{cells:,}", "limit": f"{PIVOT_LIMIT:,}"}
            }
        )
    return pivot


def _pivot_size(user: Actor, pivot: Pivot) -> int:
    selection = pivot.selection
    sizes = [
        tabulate.axis_size(d, user, selection.period, selection.indicator, selection.within)
        for d in (pivot.rows, pivot.columns)
    ]
    return sizes[0] * sizes[1]


def pivot_table(user: Actor, pivot: Pivot) -> PublishedTable:
    """The pivot's table, through the same disclosure control as every table of its selection
    (protected around them: ``tabulate.publish``), its rows sorted as asked."""
    [table] = selection_tables(user, pivot.selection, [pivot.shape])
    return tabulate.sort_rows(table, pivot.sort)
