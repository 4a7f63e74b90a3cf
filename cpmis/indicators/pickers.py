"""What the org-unit and period pickers offer, server-rendered (they work without JavaScript):
the tree of places of the analyst's scope, and periods as DHIS2 offers them, relative ones
first, each with the label of the window it resolves to today."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from cpmis.actors import Actor

from . import orgunits, tabulate

RELATIVE_ORDER = (
    "LAST_12_MONTHS",
    "THIS_YEAR",
    "LAST_YEAR",
    "THIS_QUARTER",
    "LAST_QUARTER",
    "THIS_MONTH",
    "LAST_MONTH",
)
YEARS, QUARTER_YEARS, MONTHS_BACK, EDITIONS = 10, 3, 24, 5


@dataclass
class Group:
    label: str
    choices: list[tuple[str, str]]  # (code, label)


def period_groups(current: str = "") -> list[Group]:
    """Relative periods, the reporting periods of the latest report editions, years, quarters
    and months, none in the future. A period asked for that none of them is (an older month
    from a link) is offered first, so that the picker shows what the page shows."""
    today = timezone.localdate()
    groups = [
        Group(
            _("Relative periods"),
            [(c, tabulate.period_resolve(c, today=today).label) for c in RELATIVE_ORDER],
        )
    ]
    reports = []
    editions = apps.get_model("reporting", "ReportEdition").objects.filter(period_from__lte=today)
    for pk in editions.order_by("-period_to", "-pk").values_list("pk", flat=True)[:EDITIONS]:
        try:
            found = tabulate.period_resolve(f"EDITION-{pk}", today=today)
        except ValidationError:
            continue
        reports.append((f"EDITION-{pk}", found.label))
    if reports:
        groups.append(Group(_("Reports to the Committee"), reports))
    groups.append(
        Group(_("Years"), [(str(y), str(y)) for y in range(today.year, today.year - YEARS, -1)])
    )
    quarters = []
    for year in range(today.year, today.year - QUARTER_YEARS, -1):
        for q in range(4, 0, -1):
            if year == today.year and 3 * q - 2 > today.month:
                continue
            quarters.append(
                (f"{year}-Q{q}", _("%(year)s Q%(quarter)s") % {"year": year, "quarter": q})
            )
    groups.append(Group(_("Quarters"), quarters))
    months = []
    for back in range(MONTHS_BACK):
        day = tabulate.add_months(today.replace(day=1), -back)
        months.append((f"{day.year}-{day.month:02d}", f"{MONTHS[day.month]} {day.year}"))
    groups.append(Group(_("Months"), months))
    offered = {code for g in groups for code, _label in g.choices}
    if current and current not in offered and current.upper() not in offered:
        try:
            found = tabulate.period_resolve(current, today=today)
        except ValidationError:
            pass
        else:
            groups.insert(0, Group(_("Chosen period"), [(current, found.label)]))
    return groups


def context(user: Actor, *, ou: str, period: str) -> dict[str, Any]:
    """The pickers' part of a page's context: the tree, the choices and what is chosen."""
    return {
        "ou_root": orgunits.root(user),
        "ou_tree": orgunits.tree(user),
        "ou_chosen": ou or orgunits.NATIONAL,
        "period_groups": period_groups(period),
        "period_chosen": period,
    }
