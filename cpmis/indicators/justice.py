"""Police, FIA and court records as justice statistics: the stage each record shows, the
offences it cites (a list kept in the record, so counted in Python), and for a conviction
whether the sentence lies inside the range the cited provision sets.

The offences are the department's citations, already checked against the legal catalogue when
the record was imported (cpmis.exchange.validation).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q

from cpmis import access
from cpmis.actors import Actor

if TYPE_CHECKING:
    from .facts import Window

RECORD_STAGE = {"police_report": "reported", "fia_case": "investigated"}
SERIOUSNESS = {"sale": 0, "prostitution": 1, "pornography": 2, "related": 3}


@dataclass(frozen=True)
class Offence:
    citation: str
    category: str  # OPSC category, or "related" for a provision the catalogue links no article
    penalty: Any


def offences() -> dict[str, Offence]:
    """The catalogue's provisions by citation with their penalties, read on every call so that
    an edited penalty judges sentences at once (as ``rows_sql`` does, reading them in its own
    query). Not cached: one query of a hundred-odd rows, about 5 ms, beside a pass over a year
    of records."""
    from cpmis.legal.models import Provision

    found: dict[str, Offence] = {}
    for p in Provision.objects.select_related("statute", "penalty"):
        penalty = getattr(p, "penalty", None)
        found[p.citation] = Offence(p.citation, p.opsc_category or "related", penalty)
    return found


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
    """The prison term against the range of the provision's penalty (fines are not assessed:
    the indicator is about terms of imprisonment)."""
    months = data.get("sentence_prison_months")
    if isinstance(months, bool) or not isinstance(months, int | float):
        months = None  # only a number is a term (the record's schema says so)
    life = data.get("sentence_life") is True
    penalty = offence.penalty if offence is not None else None
    if penalty is None or (months is None and not life):
        return "not_assessed"
    if life:
        return "inside" if penalty.prison_life or penalty.death else "above"
    if penalty.combination == "fine_only":
        return "above"
    if not penalty.prison_term:
        return "below"  # a term of years where the law allows only life (or death)
    if penalty.prison_min_months is not None and months < penalty.prison_min_months:
        return "below"
    # The range bounds the term, whether or not life may also be imposed (as
    # ``legal.sentencing`` judges a sentence).
    if penalty.prison_max_months is not None and months > penalty.prison_max_months:
        return "above"
    return "inside"


def rows(user: Actor, window: Window, *, per_offence: bool) -> Iterator[dict[str, Any]]:
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
    qualified = window.start.year != (window.end - timedelta(days=1)).year  # facts.spans_years
    for pk, record_type, jurisdiction, district, sex, dob, age, day, data in records:
        stage = RECORD_STAGE.get(record_type) or data.get("stage") or "investigated"
        listed = data.get("offence_sections")
        cited = [known[c] for c in listed if c in known] if isinstance(listed, list) else []
        cited.sort(key=lambda o: SERIOUSNESS.get(o.category, 9))
        row = {
            "u": pk,
            "d_quarter": (day.month - 1) // 3 + 1 + (day.year * 10 if qualified else 0),
            "d_month": day.month + (day.year * 100 if qualified else 0),
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


# --- the same rows as SQL, for PostgreSQL (where a pass in Python over every record of a
# year would dominate the annex). Tests run both and compare them.

_PROVISIONS = """
SELECT s.short_title || CASE WHEN s.kind = 'constitution' THEN ' Art.' ELSE ' s.' END
         || p.section AS citation,
       COALESCE(NULLIF(p.opsc_category, ''), 'related') AS category,
       CASE COALESCE(NULLIF(p.opsc_category, ''), 'related')
         WHEN 'sale' THEN 0 WHEN 'prostitution' THEN 1 WHEN 'pornography' THEN 2 ELSE 3
       END AS seriousness,
       pen.id IS NOT NULL AS has_penalty, pen.prison_min_months AS min_months,
       pen.prison_max_months AS max_months,
       COALESCE(pen.prison_life, FALSE) OR COALESCE(pen.death, FALSE) AS unlimited,
       COALESCE(pen.prison_term, FALSE) AS term_allowed,
       pen.combination
FROM legal_provision p
JOIN legal_statute s ON s.id = p.statute_id
LEFT JOIN legal_penalty pen ON pen.provision_id = p.id
"""
_CITED = (
    "jsonb_array_elements_text(CASE WHEN jsonb_typeof(r.data -> 'offence_sections') = 'array' "
    "THEN r.data -> 'offence_sections' ELSE '[]'::jsonb END) WITH ORDINALITY AS o(cit, n)"
)
_STAGE = (
    "CASE r.record_type WHEN 'police_report' THEN 'reported' WHEN 'fia_case' THEN 'investigated'"
    " ELSE COALESCE(NULLIF(r.data ->> 'stage', ''), 'investigated') END"
)
_BAND = (
    "CASE WHEN {y} IS NULL OR {y} < 0 OR {y} > 17 THEN 'unknown' WHEN {y} < 5 THEN '0-4' "
    "WHEN {y} < 10 THEN '5-9' WHEN {y} < 15 THEN '10-14' ELSE '15-17' END"
)
_MONTHS = (
    "CASE WHEN jsonb_typeof(r.data -> 'sentence_prison_months') = 'number' "
    "THEN (r.data ->> 'sentence_prison_months')::numeric END"
)
_LIFE = "COALESCE(r.data -> 'sentence_life' = 'true'::jsonb, FALSE)"
_RANGE = f"""CASE
  WHEN {_STAGE} <> 'convicted' THEN 'not_assessed'
  WHEN top.has_penalty IS NOT TRUE OR ({_MONTHS} IS NULL AND NOT {_LIFE}) THEN 'not_assessed'
  WHEN {_LIFE} THEN CASE WHEN top.unlimited THEN 'inside' ELSE 'above' END
  WHEN top.combination = 'fine_only' THEN 'above'
  WHEN NOT top.term_allowed THEN 'below'
  WHEN top.min_months IS NOT NULL AND {_MONTHS} < top.min_months THEN 'below'
  WHEN top.max_months IS NOT NULL AND {_MONTHS} > top.max_months THEN 'above'
  ELSE 'inside' END"""


def rows_sql(user: Actor, window: Window, *, per_offence: bool) -> tuple[str, list[Any]] | None:
    """The rows of ``rows()`` as one PostgreSQL query (None: the user sees no district)."""
    q = access.scope_filter(user, "aggregates.view", district_path="district")
    if q is None:
        return None
    params: list[Any] = [window.start, window.end]
    scope = ""
    if access.jurisdictions_where(user, "aggregates.view") is not None:
        districts = list(
            access.districts_where(user, "aggregates.view").values_list("pk", flat=True)
        )
        scope = " AND r.district_id = ANY(%s)"
        params.append(districts)
    age = "EXTRACT(YEAR FROM age(r.record_date, r.date_of_birth))"
    offence = ""
    if per_offence:
        offence = (
            f" CROSS JOIN LATERAL (SELECT DISTINCT pr.citation FROM {_CITED} "  # noqa: S608
            "JOIN provisions pr ON pr.citation = o.cit) AS x(d_offence)"
        )
    quarter, month = "EXTRACT(QUARTER FROM r.record_date)", "EXTRACT(MONTH FROM r.record_date)"
    if window.start.year != (window.end - timedelta(days=1)).year:  # facts.spans_years
        year = "EXTRACT(YEAR FROM r.record_date)"
        quarter, month = f"({year} * 10 + {quarter})", f"({year} * 100 + {month})"
    sql = f"""
WITH provisions AS ({_PROVISIONS})
SELECT r.id AS u,
  {quarter} AS d_quarter,
  {month} AS d_month,
  d.jurisdiction_id AS d_jurisdiction,
  r.district_id AS d_district,
  CASE WHEN r.sex IN ('female', 'male', 'transgender') THEN r.sex ELSE 'unknown' END AS d_sex,
  CASE WHEN r.date_of_birth IS NOT NULL THEN {_BAND.format(y=age)}
       ELSE {_BAND.format(y="r.age_years")} END AS d_age_band,
  {_STAGE} AS d_stage,
  COALESCE(top.category, 'other') AS d_opsc_category,
  {_RANGE} AS d_sentence_range{", x.d_offence" if per_offence else ""}
FROM exchange_departmentrecord r
JOIN reference_district d ON d.id = r.district_id
LEFT JOIN LATERAL (
  SELECT pr.* FROM {_CITED} JOIN provisions pr ON pr.citation = o.cit
  ORDER BY pr.seriousness, o.n LIMIT 1
) top ON TRUE{offence}
WHERE r.record_type IN ('police_report', 'fia_case', 'court_outcome')
  AND r.record_date >= %s AND r.record_date < %s{scope}
"""  # noqa: S608 - fixed text; the values are parameters
    return sql, params
