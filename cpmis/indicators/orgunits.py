"""The organisation units an analyst may pick, as DHIS2 draws them: Pakistan, then each province
or territory, then its districts, limited to the analyst's scope (``cpmis.access``).

One parameter names the unit (``ou``): ``national``, a province's ISO 3166-2 code (PK-PB) or a
district's p-code (PK617). A province is offered whole only to those who see the whole of it;
whoever sees some of its districts picks among those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cpmis import access
from cpmis.actors import Actor

CAPABILITY = "aggregates.view"
NATIONAL = "national"


@dataclass(frozen=True)
class OrgUnit:
    code: str  # "national", "PK-PB", "PK617"
    level: str  # "national", "jurisdiction" or "district"
    label: str
    jurisdiction: Any = None  # reference.Jurisdiction
    district: Any = None  # reference.District

    @property
    def filters(self) -> dict[str, int]:
        """The counts' filters: the province's or the district's primary key."""
        if self.district is not None:
            return {"district": self.district.pk}
        if self.jurisdiction is not None:
            return {"jurisdiction": self.jurisdiction.pk}
        return {}

    @property
    def within(self) -> dict[str, str]:
        """The places a table lists (``tabulate.Within``): the province's districts only."""
        found: dict[str, str] = {}
        if self.jurisdiction is not None:
            found["jurisdiction"] = str(self.jurisdiction.pk)
        if self.district is not None:
            found["district"] = str(self.district.pk)
        return found


@dataclass
class Branch:
    """A province or territory in the picker, with the districts of it the user sees."""

    unit: OrgUnit
    whole: bool  # the user sees all of it: the province itself may be picked
    districts: list[OrgUnit] = field(default_factory=list)


def _name(place: Any) -> str:
    return str(getattr(place, "name", None) or place.name_en)


def root(user: Actor) -> OrgUnit:
    national = access.jurisdictions_where(user, CAPABILITY) is None
    return OrgUnit(NATIONAL, "national", _("Pakistan") if national else _("Everywhere you see"))


def _province(j: Any) -> OrgUnit:
    return OrgUnit(j.iso_code, "jurisdiction", _name(j), jurisdiction=j)


def _district(d: Any) -> OrgUnit:
    return OrgUnit(d.pcode, "district", _name(d), jurisdiction=d.jurisdiction, district=d)


def tree(user: Actor) -> list[Branch]:
    """The provinces and territories of the user's scope with their districts, by name."""
    from cpmis.reference.models import Jurisdiction

    ids = access.jurisdictions_where(user, CAPABILITY)
    places = Jurisdiction.objects.order_by("name_en")
    if ids is not None:
        places = places.filter(pk__in=ids)
    branches = {
        j.pk: Branch(_province(j), access.holds_across_jurisdiction(user, CAPABILITY, j.pk))
        for j in places
    }
    districts = (
        access.districts_where(user, CAPABILITY)
        .select_related("jurisdiction")
        .order_by("jurisdiction__name_en", "name_en")
    )
    for d in districts:
        if d.jurisdiction_id in branches:
            branches[d.jurisdiction_id].districts.append(_district(d))
    return [b for b in branches.values() if b.whole or b.districts]


def orgunit_parse(user: Actor, code: str, *, name: str = "ou") -> OrgUnit:
    """The unit a code names, if the user may pick it; else a ValidationError naming ``name``."""
    from cpmis.reference.models import Jurisdiction

    code = (code or "").strip()
    if not code or code.lower() == NATIONAL:
        return root(user)
    wanted = code.upper()
    province = Jurisdiction.objects.filter(iso_code=wanted).first()
    if province is not None:
        ids = access.jurisdictions_where(user, CAPABILITY)
        if ids is not None and province.pk not in ids:
            raise ValidationError(
                {name: _("%(place)s is outside the places you see.") % {"place": _name(province)}}
            )
        if not access.holds_across_jurisdiction(user, CAPABILITY, province.pk):
            raise ValidationError(
                {
                    name: _(
                        "You see some districts of %(place)s, not all of it: choose one of them."
                    )
                    % {"place": _name(province)}
                }
            )
        return _province(province)
    place = (
        access.districts_where(user, CAPABILITY)
        .select_related("jurisdiction")
        .filter(pcode=wanted)
        .first()
    )
    if place is not None:
        return _district(place)
    from cpmis.reference.models import District

    known = District.objects.filter(pcode=wanted).first()
    if known is not None:
        raise ValidationError(
            {name: _("%(place)s is outside the places you see.") % {"place": _name(known)}}
        )
    raise ValidationError(
        {
            name: _(
                "%(code)r is not a place cpmis knows: choose Pakistan, a province or territory,"
                " or a district."
            )
            % {"code": code[:20]}
        }
    )


def path(unit: OrgUnit, user: Actor) -> list[OrgUnit]:
    """From the top of the tree down to ``unit``: the links of a breadcrumb."""
    found = [root(user)]
    if unit.jurisdiction is not None and access.holds_across_jurisdiction(
        user, CAPABILITY, unit.jurisdiction.pk
    ):
        found.append(_province(unit.jurisdiction))
    if unit.district is not None:
        found.append(unit)
    return found if unit.level != "national" else found[:1]
