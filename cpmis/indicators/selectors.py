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

from . import tabulate
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


FILTERABLE = ("jurisdiction", "district", "opsc_category")


def selection_parse(user: Actor, params: Any) -> Selection:
    """A selection from request parameters: indicator, period, breakdown, and the filters
    jurisdiction, district (p-code) and category (an OPSC category)."""
    indicator = indicator_get(user, params.get("indicator", ""))
    period = tabulate.period_parse(params.get("period", ""))
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
    filters: dict[str, Any] = {}
    labels: list[str] = []
    jurisdiction = _code(params, "jurisdiction")
    district = _code(params, "district")
    category = _code(params, "category")
    if jurisdiction:
        _needs(indicator, "jurisdiction")
        from cpmis.reference.models import Jurisdiction

        found = Jurisdiction.objects.filter(iso_code=jurisdiction.upper()).first()
        ids = access.jurisdictions_where(user, CAPABILITY)
        if found is None or (ids is not None and found.pk not in ids):
            raise ValidationError(
                {
                    "jurisdiction": _("%(code)r is not a province or territory you see.")
                    % {"code": jurisdiction}
                }
            )
        filters["jurisdiction"] = found.pk
        labels.append(tabulate.place_name(found))
    if district:
        _needs(indicator, "district")
        place = access.districts_where(user, CAPABILITY).filter(pcode=district.upper()).first()
        if place is None:
            raise ValidationError(
                {"district": _("%(code)r is not a district you see.") % {"code": district}}
            )
        if "jurisdiction" in filters and place.jurisdiction_id != filters["jurisdiction"]:
            raise ValidationError(
                {
                    "district": _("%(district)s is not in the chosen province or territory.")
                    % {"district": tabulate.place_name(place)}
                }
            )
        filters["district"] = place.pk
        labels.append(tabulate.place_name(place))
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
    if breakdown in filters:
        raise ValidationError(
            {
                "breakdown": _("The selection already fixes the %(breakdown)s.")
                % {"breakdown": dimension_label(breakdown).lower()}
            }
        )
    by_jurisdiction = "jurisdiction" not in filters and "district" not in filters
    if by_jurisdiction:
        ids = access.jurisdictions_where(user, CAPABILITY)
        by_jurisdiction = ids is None or len(ids) > 1
    return Selection(indicator, period, breakdown, filters, joined(labels), by_jurisdiction)


_CODE = re.compile(r"^[A-Za-z0-9_-]{0,20}\Z", re.ASCII)


def _code(params: Any, name: str) -> str:
    value = (params.get(name) or "").strip()
    if not _CODE.match(value):
        raise ValidationError(
            {name: _("%(code)r is not a code cpmis knows.") % {"code": value[:20]}}
        )
    return value


def _needs(indicator: Indicator, dimension: str) -> None:
    if dimension not in indicator.disaggregations:
        raise ValidationError(
            {
                dimension if dimension != "opsc_category" else "category": (
                    _("%(indicator)s has no %(dimension)s to filter on.")
                    % {"indicator": indicator.code, "dimension": dimension_label(dimension).lower()}
                )
            }
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
    )


def indicator_table(user: Actor, selection: Selection) -> PublishedTable:
    return selection_tables(user, selection, [breakdown_shape(selection, selection.breakdown)])[0]


def trend_shape(selection: Selection) -> tabulate.Shape:
    """The selection by month, one column: the trend a dashboard draws."""
    return tabulate.Shape("month" if not selection.period.month else "total", False)


def places_shape(selection: Selection) -> tabulate.Shape | None:
    """Where: by province or territory, or by district within the chosen one."""
    if selection.breakdown in {"jurisdiction", "district"} or "district" in selection.filters:
        return None
    where = "district" if "jurisdiction" in selection.filters else "jurisdiction"
    if where not in selection.indicator.disaggregations:
        return None
    return breakdown_shape(selection, where, columns=False)
