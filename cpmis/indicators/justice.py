"""Police, FIA and court records as justice statistics: the stage each record shows, the
offences it cites (a list kept in the record, so counted in Python), and for a conviction
whether the sentence lies inside the range the cited provision sets.

The offences are the department's citations, already checked against the legal catalogue when
the record was imported (cpmis.exchange.validation).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q

from cpmis import access
from cpmis.legal.sentencing import Sentence, sentence_within_range

if TYPE_CHECKING:
    from .facts import Source, Window

RECORD_STAGE = {"police_report": "reported", "fia_case": "investigated"}
SERIOUSNESS = {"sale": 0, "prostitution": 1, "pornography": 2, "related": 3}


@dataclass(frozen=True)
class Offence:
    citation: str
    category: str  # OPSC category, or "related" for a provision the catalogue links no article
    penalty: Any


@cache
def _offences_cached(version: int) -> dict[str, Offence]:
    from cpmis.legal.models import Provision

    found: dict[str, Offence] = {}
    for p in Provision.objects.select_related("statute", "penalty"):
        penalty = getattr(p, "penalty", None)
        found[p.citation] = Offence(p.citation, p.opsc_category or "related", penalty)
    return found


def offences() -> dict[str, Offence]:
    from cpmis.legal.models import Provision

    # keyed on the catalogue's size and last id, so an edited catalogue is read again
    marker = Provision.objects.count() * 1_000_003 + (
        Provision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    )
    return _offences_cached(marker)


def offence_categories() -> list[tuple[str, str]]:
    """The offences the OPSC indicators list: provisions the catalogue links to an OPSC
    category, most serious category first."""
    from cpmis.legal.models import Provision

    provisions = [p for p in Provision.objects.select_related("statute").exclude(opsc_category="")]
    provisions.sort(key=lambda p: (SERIOUSNESS.get(p.opsc_category, 9), p.citation))
    return [(p.citation, p.citation) for p in provisions]


def _age_band(dob: Any, age: int | None, on: Any) -> str:
    if dob is not None:
        years = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    elif age is not None:
        years = age
    else:
        return "unknown"
    if years < 0 or years > 17:
        return "unknown"
    return ("0-4", "5-9", "10-14", "15-17")[min(years // 5, 3)]


def _sentence_range(offence: Offence | None, data: dict[str, Any]) -> str:
    months = data.get("sentence_prison_months")
    life = bool(data.get("sentence_life"))
    if offence is None or offence.penalty is None or (months is None and not life):
        return "not_assessed"
    penalty = offence.penalty
    verdict = sentence_within_range(penalty, Sentence(prison_months=months, life=life))
    if verdict.within is None:
        return "not_assessed"
    if verdict.within:
        return "inside"
    if months is not None and penalty.prison_min_months and months < penalty.prison_min_months:
        return "below"
    return "above"


def rows(user: Any, window: Window, *, per_offence: bool) -> Iterator[dict[str, Any]]:
    from cpmis.exchange.models import DepartmentRecord

    q = access.scope_filter(user, "aggregates.view", district_path="district")
    if q is None:
        return
    known = offences()
    records = (
        DepartmentRecord.objects.filter(
            q,
            Q(record_type__in=("police_report", "fia_case", "court_outcome")),
            record_date__gte=window.start,
            record_date__lt=window.end,
        )
        .annotate(j=F("district__jurisdiction_id"))
        .values_list(
            "pk",
            "record_type",
            "j",
            "district_id",
            "sex",
            "date_of_birth",
            "age_years",
            "record_date",
            "data",
        )
        .iterator(chunk_size=5000)
    )
    for pk, record_type, jurisdiction, district, sex, dob, age, day, data in records:
        stage = RECORD_STAGE.get(record_type) or data.get("stage") or "investigated"
        cited = [known[c] for c in data.get("offence_sections") or () if c in known]
        cited.sort(key=lambda o: SERIOUSNESS.get(o.category, 9))
        row = {
            "u": pk,
            "d_quarter": (day.month - 1) // 3 + 1,
            "d_month": day.month,
            "d_jurisdiction": jurisdiction,
            "d_district": district,
            "d_sex": sex if sex in {"female", "male", "transgender"} else "unknown",
            "d_age_band": _age_band(dob, age, day),
            "d_stage": stage,
            "d_opsc_category": cited[0].category if cited else "other",
            "d_sentence_range": _sentence_range(cited[0] if cited else None, data)
            if stage == "convicted"
            else "not_assessed",
        }
        if not per_offence:
            yield row
            continue
        for offence in cited:
            if offence.category in SERIOUSNESS and offence.citation:
                yield {**row, "d_offence": offence.citation}


def source(name: str, *, per_offence: bool) -> Source:
    from .facts import Source

    dims = [
        *("quarter", "month", "jurisdiction", "district", "sex", "age_band"),
        *("stage", "opsc_category", "sentence_range"),
    ]
    if per_offence:
        dims.append("offence")
    return Source(
        name=name,
        date_field="record_date",
        dated="date",
        unit="pk",
        child="",
        dimensions={d: (lambda: None) for d in dims},
        rows=lambda user, window: rows(user, window, per_offence=per_offence),
        extra={"repeats": per_offence},  # a record citing two offences is two rows
    )
