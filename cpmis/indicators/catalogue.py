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
    "total": "Total",
    "quarter": "Quarter",
    "month": "Month",
    "jurisdiction": "Province or territory",
    "district": "District",
    "sex": "Sex",
    "age_band": "Age",
    "locality": "Urban or rural",
    "nationality": "Nationality",
    "disability": "Disability",
    "channel": "Channel",
    "opsc_category": "OPSC category",
    "placement_type": "Type of placement",
    "service_type": "Service",
    "stage": "Stage",
    "offence": "Offence",
    "sentence_range": "Sentence",
    "request_kind": "Request",
    "direction": "Direction",
    "request_status": "Status",
    "topic": "Topic",
    "profession": "Profession or audience",
    "participant_sex": "Sex",
}

# Fixed category lists (database-backed ones — jurisdictions, districts, offences, professions,
# channels — are listed by ``cpmis.indicators.dimensions``).
FIXED_CATEGORIES: dict[str, list[tuple[str, str]]] = {
    "sex": [
        ("female", "Female"),
        ("male", "Male"),
        ("transgender", "Transgender / intersex"),
        ("unknown", "Not recorded"),
    ],
    "age_band": [
        ("0-4", "0–4"),
        ("5-9", "5–9"),
        ("10-14", "10–14"),
        ("15-17", "15–17"),
        ("unknown", "Not recorded"),
    ],
    "locality": [("urban", "Urban"), ("rural", "Rural"), ("unknown", "Not recorded")],
    "nationality": [("PK", "Pakistani"), ("AF", "Afghan"), ("other", "Other")],
    "disability": [("yes", "With a disability"), ("no", "No disability"), ("unknown", "Not known")],
    "opsc_category": [
        ("sale", "Sale of children / trafficking"),
        ("prostitution", "Child prostitution / sexual exploitation"),
        ("pornography", "Child pornography"),
        ("related", "Related offences"),
        ("other", "Not an OPSC offence"),
    ],
    "placement_type": [
        ("parental", "With a parent"),
        ("extended_family", "Extended family (kinship care)"),
        ("non_kinship", "Non-kinship (foster) care"),
        ("institution", "Institution"),
    ],
    "service_type": [
        ("medical", "Medical care"),
        ("psychosocial", "Psychosocial support"),
        ("legal_aid", "Legal aid"),
        ("education", "Education"),
        ("shelter", "Shelter"),
        ("family_tracing", "Family tracing and reunification"),
        ("vocational", "Vocational training"),
        ("other", "Other"),
    ],
    "stage": [
        ("reported", "Reported (FIR)"),
        ("investigated", "Investigated"),
        ("prosecuted", "Prosecuted"),
        ("convicted", "Convicted"),
        ("acquitted", "Acquitted"),
        ("withdrawn", "Withdrawn"),
    ],
    "sentence_range": [
        ("inside", "Inside the statutory range"),
        ("below", "Below the statutory minimum"),
        ("above", "Above the statutory maximum"),
        ("not_assessed", "Cannot be assessed"),
    ],
    "request_kind": [("extradition", "Extradition"), ("mla", "Mutual legal assistance")],
    "direction": [("incoming", "Received by Pakistan"), ("outgoing", "Made by Pakistan")],
    "request_status": [
        ("pending", "Pending"),
        ("granted", "Granted"),
        ("refused", "Refused"),
        ("withdrawn", "Withdrawn"),
    ],
    "participant_sex": [("female", "Female"), ("male", "Male"), ("transgender", "Transgender")],
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
    return DIMENSION_LABELS.get(code, code)
