"""The shipped catalogue, checked against the report it comes from."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from cpmis.legal import report
from cpmis.legal.models import (
    ComplianceLink,
    OpscArticle,
    OpscDate,
    Penalty,
    ProceduralRule,
    Provision,
    Statute,
)
from cpmis.legal.text import section_key

UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
NUMBER_WORDS = {
    **UNITS,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "twenty-five": 25,
    "fifty": 50,
}


def numbers_in(text: str) -> set[int]:
    """Every amount the text states, in digits ("500,000") or words ("five hundred thousand")."""
    found = {int(m.replace(",", "")) for m in re.findall(r"\d[\d,]*", text)}
    words = re.findall(r"[a-z]+", text.lower())
    for i, word in enumerate(words):
        if word in NUMBER_WORDS or word in TENS:
            value = NUMBER_WORDS.get(word) or TENS[word]
            rest = words[i + 1 : i + 4]
            if word in TENS and rest and rest[0] in UNITS:  # "twenty five", "twenty-four"
                value += UNITS[rest[0]]
                rest = rest[1:]
            found.add(value)
            for follower in rest:
                if follower == "hundred":
                    value *= 100
                elif follower == "thousand":
                    value *= 1000
                elif follower in {"lac", "lakh", "lacs", "lakhs"}:
                    value *= 100_000
                elif follower == "million":
                    value *= 1_000_000
                else:
                    break
                found.add(value)
    return found


def test_the_report_has_its_97_paragraphs() -> None:
    assert sorted(report.paragraphs()) == list(range(1, 98))
    assert "369-A" in report.text(25)


def test_the_catalogue_is_substantial(catalogue: Any) -> None:
    assert Statute.objects.count() >= 20
    assert Provision.objects.count() >= 60
    assert Penalty.objects.count() >= 10
    assert OpscArticle.objects.count() == 17
    assert ComplianceLink.objects.count() >= 20
    assert all(a.obligation for a in OpscArticle.objects.filter(number__lte=12))


def test_every_record_cites_an_existing_paragraph(catalogue: Any) -> None:
    for model in (Statute, Provision, ComplianceLink, ProceduralRule):
        for obj in model.objects.all():
            assert obj.report_paragraphs, obj
            assert set(obj.report_paragraphs) <= set(report.paragraphs()), obj


SECTION = re.compile(
    r"\bSections?\s*((?:\d+(?:\s*-\s*[A-Z]\b|-[A-Z])?(?:\s*\(\s*\w+\s*\))*"
    r"(?:\s*(?:,|and|to)\s*)?)+)"
)


def sections_named(number: int) -> set[str]:
    keys = set()
    for match in SECTION.finditer(report.text(number)):
        for part in re.split(r",|\band\b|\bto\b", match.group(1)):
            key = section_key(part)
            if key:
                keys.add(key)
    return keys


@pytest.mark.parametrize("number", [3, *range(16, 54), 61])
def test_every_section_the_report_names_is_in_the_catalogue(catalogue: Any, number: int) -> None:
    cited: dict[str, set[int]] = {}
    for key, paragraphs in Provision.objects.values_list("section_key", "report_paragraphs"):
        cited.setdefault(key, set()).update(paragraphs)
    # "Section 10(1) b & q" names 10(1)(b) and 10(1)(q): a cited subsection covers its parent.
    cited_here = {key for key, paragraphs in cited.items() if number in paragraphs}
    missing = {
        key
        for key in sections_named(number)
        if not any(c == key or (c.startswith(key) and c[len(key)].isalpha()) for c in cited_here)
    }
    assert not missing, f"¶{number} names sections {sorted(missing)}: no provision cites it there"


def test_penalties_of_paragraphs_25_to_37_match_the_text(catalogue: Any) -> None:
    checked = 0
    for penalty in Penalty.objects.select_related("provision"):
        cited = [n for n in penalty.provision.report_paragraphs if 25 <= n <= 37]
        if not cited:
            continue
        stated = set().union(*(numbers_in(report.text(n)) for n in cited))
        for months in (penalty.prison_min_months, penalty.prison_max_months):
            if months is not None:
                assert (months % 12 == 0 and months // 12 in stated) or months in stated, (
                    penalty.provision,
                    months,
                    cited,
                )
        for rupees in (penalty.fine_min_rs, penalty.fine_max_rs):
            if rupees is not None:
                assert rupees in stated, (penalty.provision, rupees, cited)
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize(
    ("statute", "section", "expected"),
    [
        (
            "ppc-1860",
            "369-A",
            {
                "prison_min_months": 60,
                "prison_max_months": 84,
                "fine_min_rs": 500_000,
                "fine_max_rs": 700_000,
                "combination": "or_both",
            },
        ),
        (
            "ppc-1860",
            "292-C",
            {
                "prison_min_months": 24,
                "prison_max_months": 84,
                "fine_min_rs": 200_000,
                "fine_max_rs": 700_000,
                "combination": "or_both",
            },
        ),
    ],
)
def test_the_examples_of_the_domain_guide(
    catalogue: Any, statute: str, section: str, expected: dict[str, Any]
) -> None:
    penalty = Penalty.objects.get(
        provision__statute__code=statute, provision__section_key=section_key(section)
    )
    assert {k: getattr(penalty, k) for k in expected} == expected


def test_every_rule_has_a_policy_default(catalogue: Any) -> None:
    codes = set(ProceduralRule.objects.values_list("code", flat=True))
    defaults = ProceduralRule.objects.filter(scope=ProceduralRule.Scope.DEFAULT)
    assert {r.code for r in defaults} == codes
    assert all(r.basis == "policy" and r.statute_id is None for r in defaults)


def test_every_penalty_of_life_or_death_is_recorded_as_such_with_its_paragraph(
    catalogue: Any,
) -> None:
    found = 0
    for penalty in Penalty.objects.select_related("provision__statute"):
        words = penalty.penalty_text.lower()
        evidence = " ".join(report.text(n) for n in penalty.provision.report_paragraphs).lower()
        assert penalty.prison_life == ("life" in words), penalty.provision
        assert penalty.death == ("death" in words), penalty.provision
        if penalty.prison_life or penalty.death:
            found += 1
            assert words in evidence, (penalty.provision, penalty.provision.report_paragraphs)
            # life is a kind of penalty, not a number of months
            assert penalty.prison_min_months is None and penalty.prison_max_months is None
            assert penalty.prison_term is ("term" in words or "years" in words)
    assert found >= 1  # PPC s.365-B, "liable to be punished for life" (¶28)


def test_the_opsc_dates_of_pakistan_are_in_the_catalogue_with_paragraph_1(
    catalogue: Any,
) -> None:
    assert {d.event: d.date for d in OpscDate.objects.all()} == {
        "signed": date(2001, 9, 26),
        "ratified": date(2011, 7, 5),
        "in_force": date(2011, 8, 5),
    }
    for d in OpscDate.objects.all():
        assert d.report_paragraphs == [1]
        assert d.text and d.text in report.text(1)
