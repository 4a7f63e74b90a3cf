"""The indicator catalogue (``data/indicators.json``) and the disaggregations it may use.

The catalogue is data, reviewed like the law's data: each indicator says what is counted, from
which records, for which OPSC article and report section. The categories of a disaggregation
are listed in full, so that a zero is a true zero and every table has the same rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cpmis.legal.report_structure import SECTION_CODES

DATA = Path(__file__).resolve().parent / "data" / "indicators.json"

MEASURES = ("count", "count_children", "sum", "share")
PERIOD_DIMENSIONS = ("quarter", "month")
# Every indicator may be broken down by period; these are listed in the catalogue per indicator.
OTHER_DIMENSIONS = (
    "jurisdiction",
    "district",
    "sex",
    "age_band",
    "locality",
    "nationality",
    "disability",
    "channel",
    "opsc_category",
    "placement_type",
    "service_type",
    "stage",
    "offence",
    "sentence_range",
    "request_kind",
    "direction",
    "request_status",
    "topic",
    "profession",
    "participant_sex",
)
DIMENSION_LABELS = {
    "total": _("Total"),
    "quarter": _("Quarter"),
    "month": _("Month"),
    "jurisdiction": _("Province or territory"),
    "district": _("District"),
    "sex": _("Sex"),
    "age_band": _("Age"),
    "locality": _("Urban or rural"),
    "nationality": _("Nationality"),
    "disability": _("Disability"),
    "channel": _("Channel"),
    "opsc_category": _("OPSC category"),
    "placement_type": _("Type of placement"),
    "service_type": _("Service"),
    "stage": _("Stage"),
    "offence": _("Offence"),
    "sentence_range": _("Sentence"),
    "request_kind": _("Request"),
    "direction": _("Direction"),
    "request_status": _("Status"),
    "topic": _("Topic"),
    "profession": _("Profession or audience"),
    "participant_sex": _("Sex"),
}

# The catalogue's texts as people read them, for translation: each name (and the part before
# ", by", which titles the tables), each definition and each unit of ``data/indicators.json``.
# A text missing here is shown in English; keep this list in step with the file.
CATALOGUE_TEXTS = (
    gettext_noop("Complaints received, by channel"),
    gettext_noop("Complaints received"),
    gettext_noop("Cases opened, by OPSC category"),
    gettext_noop("Cases opened"),
    gettext_noop("Child victims identified"),
    gettext_noop("Children produced before a Court within 24 hours of being taken into protection"),
    gettext_noop("Court decisions within four months of production"),
    gettext_noop("Placements, by type"),
    gettext_noop("Placements"),
    gettext_noop("Children receiving recovery and reintegration services, by service type"),
    gettext_noop("Children receiving recovery and reintegration services"),
    gettext_noop("Children followed up after release"),
    gettext_noop(
        "Cases reported, investigated, prosecuted, convicted and acquitted, by OPSC category"
    ),
    gettext_noop("Cases reported, investigated, prosecuted, convicted and acquitted"),
    gettext_noop("Cases per offence, by stage"),
    gettext_noop("Cases per offence"),
    gettext_noop("Sentences inside and outside the statutory range"),
    gettext_noop("Extradition and mutual legal assistance requests"),
    gettext_noop("Trainings held, by topic"),
    gettext_noop("Trainings held"),
    gettext_noop("Participants in trainings, by profession and sex"),
    gettext_noop("Participants in trainings"),
    gettext_noop("Awareness events held"),
    gettext_noop("Participants in awareness events, by audience and sex"),
    gettext_noop("Participants in awareness events"),
    gettext_noop("Awareness materials distributed"),
    gettext_noop(
        "Complaints about children registered in cpmis whose date of receipt falls in the "
        "period, from every channel (complaint boxes, helplines, offices, online). A "
        "duplicate complaint is counted once."
    ),
    gettext_noop(
        "Child-protection cases opened in the period. Each case is classed once, by its most "
        "serious concern: sale of children or trafficking, then child prostitution or sexual "
        "exploitation, then child pornography, then related offences (sexual abuse, child "
        "marriage, child labour, begging); other cases are 'not an OPSC offence'."
    ),
    gettext_noop(
        "Distinct children with a case opened in the period whose concern is an OPSC offence "
        "or a related offence (sale or trafficking, prostitution or sexual exploitation, "
        "pornography, sexual abuse, child marriage, child labour, begging). A child with "
        "several cases is counted once in each cell; totals count each child once."
    ),
    gettext_noop(
        "Children taken into protection whose production before the Court fell due in the "
        "period; the share is those produced on or before the time the law sets (24 hours). A "
        "production not yet made counts as late once it is overdue."
    ),
    gettext_noop(
        "Cases whose final decision by the Court fell due in the period; the share is those "
        "decided within four months of the child's production before the Court."
    ),
    gettext_noop(
        "Placements of children made in the period by order or decision in a case: with a "
        "parent, with extended family, in non-kinship (foster) care, or in an institution."
    ),
    gettext_noop(
        "Distinct children referred in the period to a recovery or reintegration service "
        "(medical, psychosocial, legal aid, education, shelter, family tracing, vocational "
        "training, other)."
    ),
    gettext_noop(
        "Distinct children with a follow-up visit in the period within six months after their "
        "release from an institution, as the law of the case's jurisdiction requires."
    ),
    gettext_noop(
        "Department records (police, FIA, courts) dated in the period, by the stage they "
        "record: reported (police FIR), investigated (FIA case or court record of "
        "investigation), prosecuted, convicted, acquitted, withdrawn. A record citing "
        "offences of several OPSC categories is counted once, under its most serious "
        "category."
    ),
    gettext_noop(
        "Department records dated in the period that cite each offence of the legal catalogue "
        "linked to the OPSC. A record citing two offences counts under both; the total counts "
        "it once."
    ),
    gettext_noop(
        "Convictions dated in the period, by whether the prison sentence lies inside the "
        "range the penalty provision of the most serious cited offence sets, below its "
        "minimum, above its maximum, or cannot be assessed (no prison term recorded, or no "
        "range in the law)."
    ),
    gettext_noop(
        "Requests for extradition or mutual legal assistance in matters of OPSC offences, "
        "received or made in the period, from the register of requests."
    ),
    gettext_noop(
        "Trainings on the OPSC and child protection held in the period, from the register of "
        "prevention activities."
    ),
    gettext_noop(
        "People trained in the period (the participant numbers recorded for each training), "
        "by profession and sex."
    ),
    gettext_noop(
        "Awareness-raising events on the sale of children, child prostitution and child "
        "pornography held in the period."
    ),
    gettext_noop(
        "People reached by awareness events held in the period (the numbers recorded for each "
        "event), by audience and sex."
    ),
    gettext_noop("Copies of manuals, leaflets and other materials distributed in the period."),
)
UNIT_LABELS = {
    "complaints": pgettext_lazy("what an indicator counts", "complaints"),
    "cases": pgettext_lazy("what an indicator counts", "cases"),
    "children": pgettext_lazy("what an indicator counts", "children"),
    "placements": pgettext_lazy("what an indicator counts", "placements"),
    "records": pgettext_lazy("what an indicator counts", "records"),
    "convictions": pgettext_lazy("what an indicator counts", "convictions"),
    "requests": pgettext_lazy("what an indicator counts", "requests"),
    "trainings": pgettext_lazy("what an indicator counts", "trainings"),
    "participants": pgettext_lazy("what an indicator counts", "participants"),
    "events": pgettext_lazy("what an indicator counts", "events"),
    "copies": pgettext_lazy("what an indicator counts", "copies"),
}

# Fixed category lists (database-backed ones — jurisdictions, districts, offences, professions,
# channels — are listed by ``cpmis.indicators.dimensions``).
FIXED_CATEGORIES: dict[str, list[tuple[str, str | Promise]]] = {
    "sex": [
        ("female", _("Female")),
        ("male", _("Male")),
        ("transgender", _("Transgender / intersex")),
        ("unknown", _("Not recorded")),
    ],
    "age_band": [
        ("0-4", "0–4"),
        ("5-9", "5–9"),
        ("10-14", "10–14"),
        ("15-17", "15–17"),
        ("unknown", _("Not recorded")),
    ],
    "locality": [("urban", _("Urban")), ("rural", _("Rural")), ("unknown", _("Not recorded"))],
    "nationality": [("PK", _("Pakistani")), ("AF", _("Afghan")), ("other", _("Other"))],
    "disability": [
        ("yes", _("With a disability")),
        ("no", _("No disability")),
        ("unknown", _("Not known")),
    ],
    "opsc_category": [
        ("sale", _("Sale of children / trafficking")),
        ("prostitution", _("Child prostitution / sexual exploitation")),
        ("pornography", _("Child pornography")),
        ("related", _("Related offences")),
        ("other", _("Not an OPSC offence")),
    ],
    "placement_type": [
        ("parental", _("With a parent")),
        ("extended_family", _("Extended family (kinship care)")),
        ("non_kinship", _("Non-kinship (foster) care")),
        ("institution", _("Institution")),
    ],
    "service_type": [
        ("medical", _("Medical care")),
        ("psychosocial", _("Psychosocial support")),
        ("legal_aid", _("Legal aid")),
        ("education", _("Education")),
        ("shelter", _("Shelter")),
        ("family_tracing", _("Family tracing and reunification")),
        ("vocational", _("Vocational training")),
        ("other", _("Other")),
    ],
    "stage": [
        ("reported", _("Reported (FIR)")),
        ("investigated", _("Investigated")),
        ("prosecuted", _("Prosecuted")),
        ("convicted", _("Convicted")),
        ("acquitted", _("Acquitted")),
        ("withdrawn", pgettext_lazy("stage of a criminal case", "Withdrawn")),
    ],
    "sentence_range": [
        ("inside", _("Inside the statutory range")),
        ("below", _("Below the statutory minimum")),
        ("above", _("Above the statutory maximum")),
        ("not_assessed", _("Cannot be assessed")),
    ],
    "request_kind": [("extradition", _("Extradition")), ("mla", _("Mutual legal assistance"))],
    "direction": [("incoming", _("Received by Pakistan")), ("outgoing", _("Made by Pakistan"))],
    "request_status": [
        ("pending", _("Pending")),
        ("granted", _("Granted")),
        ("refused", _("Refused")),
        ("withdrawn", _("Withdrawn")),
    ],
    "participant_sex": [
        ("female", _("Female")),
        ("male", _("Male")),
        ("transgender", _("Transgender")),
    ],
}


class CatalogueError(ValueError):
    """The catalogue file is inconsistent (a test loads it; a bad edit fails CI)."""


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str
    unit: str
    source: str
    measure: str
    articles: tuple[int, ...]
    report_section: str
    report_paragraphs: tuple[int, ...]
    disaggregations: tuple[str, ...]
    filter: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    rule: str = ""
    sensitive: bool = True  # about children: small cells are suppressed

    @property
    def all_disaggregations(self) -> tuple[str, ...]:
        return (*PERIOD_DIMENSIONS, *self.disaggregations)

    @property
    def counts_children(self) -> bool:
        return self.measure == "count_children"

    @property
    def name_text(self) -> str:
        """The name in the reader's language (``CATALOGUE_TEXTS``)."""
        return gettext(self.name)

    @property
    def base_name_text(self) -> str:
        """The name without its ", by …" part, in the reader's language: what titles a table."""
        return gettext(self.name.split(", by ")[0])

    @property
    def definition_text(self) -> str:
        return gettext(self.definition)

    @property
    def unit_text(self) -> str:
        return unit_label(self.unit)


@cache
def catalogue() -> dict[str, Indicator]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    found: dict[str, Indicator] = {}
    for item in raw["indicators"]:
        indicator = Indicator(
            code=item["code"],
            name=item["name"],
            definition=item["definition"],
            unit=item["unit"],
            source=item["source"],
            measure=item["measure"],
            articles=tuple(item["articles"]),
            report_section=item["report_section"],
            report_paragraphs=tuple(item["report_paragraphs"]),
            disaggregations=tuple(item["disaggregations"]),
            filter=dict(item.get("filter", {})),
            rule=item.get("rule", ""),
            sensitive=bool(item.get("sensitive", True)),
        )
        _check(indicator, found)
        found[indicator.code] = indicator
    return found


def _check(indicator: Indicator, found: dict[str, Indicator]) -> None:
    problems = []
    if indicator.code in found:
        problems.append("listed twice")
    if indicator.measure not in MEASURES:
        problems.append(f"measure {indicator.measure!r} is not one of {MEASURES}")
    unknown = [d for d in indicator.disaggregations if d not in OTHER_DIMENSIONS]
    if unknown:
        problems.append(f"unknown disaggregations {unknown}")
    if indicator.report_section not in SECTION_CODES:
        problems.append(f"unknown report section {indicator.report_section!r}")
    if problems:
        raise CatalogueError(f"Indicator {indicator.code}: {'; '.join(problems)}.")


def indicator(code: str) -> Indicator | None:
    return catalogue().get(code)


def dimension_label(code: str) -> str:
    """The disaggregation's label in the reader's language."""
    return str(DIMENSION_LABELS.get(code, code))


def joined(items: Any) -> str:
    """Labels as one list, with the reader's comma ("، " in Urdu)."""
    return pgettext("between the items of a list", ", ").join(str(i) for i in items)


def unit_label(unit: str) -> str:
    """What an indicator counts ("children", "cases"…) in the reader's language."""
    return str(UNIT_LABELS.get(unit, unit))
