"""The catalogue is data: complete, consistent with the report and the law."""

from __future__ import annotations

import csv

from cpmis.indicators.catalogue import OTHER_DIMENSIONS, catalogue
from cpmis.indicators.facts import source
from cpmis.legal.models import ProceduralRule
from cpmis.legal.report_structure import SECTION_CODES


def test_the_issue_s_indicators_are_all_there():
    names = " | ".join(i.name.lower() for i in catalogue().values())
    for wanted in (
        "complaints received",
        "cases opened",
        "child victims",
        "within 24 hours",
        "within four months",
        "placements",
        "recovery and reintegration",
        "followed up",
        "convicted and acquitted",
        "statutory range",
        "extradition and mutual legal assistance",
        "trainings",
        "awareness events",
    ):
        assert wanted in names, wanted


def test_every_indicator_is_complete_and_cites_its_report_section():
    for indicator in catalogue().values():
        assert indicator.definition and indicator.unit and indicator.articles
        assert indicator.report_section in SECTION_CODES
        assert indicator.report_paragraphs
        assert set(indicator.disaggregations) <= set(OTHER_DIMENSIONS)
        src = source(indicator.source)  # every source exists and has the disaggregations
        assert set(indicator.all_disaggregations) <= set(src.dimensions), indicator.code


def test_law_derived_indicators_name_a_rule_that_cites_statute_and_paragraph(db):
    coded = [i for i in catalogue().values() if i.rule]
    assert {i.code for i in coded} >= {"PRT01", "PRT02", "REC02"}
    for indicator in coded:
        rules = ProceduralRule.objects.filter(code=indicator.rule)
        assert rules.exists(), indicator.rule
        assert all(r.report_paragraphs for r in rules)
        assert any(r.statute_id for r in rules)


def test_committee_disaggregations_are_offered_for_children():
    victims = catalogue()["CAS02"]
    for d in ("sex", "age_band", "locality", "nationality", "disability", "district"):
        assert d in victims.disaggregations
    assert {"quarter", "month"} <= set(victims.all_disaggregations)


def test_the_catalogue_file_is_valid_json_with_unique_codes():
    codes = [i.code for i in catalogue().values()]
    assert len(codes) == len(set(codes)) >= 15
    # the rule codes exist in the law's data file too (reviewed together)
    with open("cpmis/legal/data/rules.csv", encoding="utf-8") as f:
        rule_codes = {row["code"] for row in csv.DictReader(f)}
    assert {i.rule for i in catalogue().values() if i.rule} <= rule_codes


def test_every_text_of_the_catalogue_is_listed_for_translation():
    from cpmis.indicators.catalogue import CATALOGUE_TEXTS, UNIT_LABELS

    listed = set(CATALOGUE_TEXTS)
    for indicator in catalogue().values():
        assert indicator.name in listed, indicator.code
        assert indicator.name.split(", by ")[0] in listed, indicator.code
        assert indicator.definition in listed, indicator.code
        assert indicator.unit in UNIT_LABELS, indicator.code
