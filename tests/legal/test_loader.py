"""The loader refuses bad rows with a clear message and writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cpmis.legal.loader import legal_data_load
from cpmis.legal.models import (
    ComplianceLink,
    OpscDate,
    Penalty,
    ProceduralRule,
    Provision,
    Statute,
)
from tests.legal.conftest import edit_csv


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Statute, Provision, Penalty, ComplianceLink, ProceduralRule, OpscDate)
    )


def test_loading_again_changes_nothing(catalogue: Any) -> None:
    again = legal_data_load()
    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    assert Statute.objects.count() > 0


def offence_with_penalty(rows: list[dict[str, str]]) -> dict[str, str]:
    return next(r for r in rows if r["combination"] and r["prison_max_months"])


def life_only(rows: list[dict[str, str]]) -> dict[str, str]:
    return next(r for r in rows if r["prison_life"] == "yes" and r["prison_term"] == "no")


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        (
            "provisions.csv",
            lambda rows: offence_with_penalty(rows).update(prison_min_months="999"),
            "minimum imprisonment is above the maximum",
        ),
        (
            "provisions.csv",
            lambda rows: offence_with_penalty(rows).update(
                fine_min_rs="99999999999", fine_max_rs="1"
            ),
            "minimum fine is above the maximum",
        ),
        ("statutes.csv", lambda rows: rows[0].update(jurisdiction="PK-XX"), "Unknown jurisdiction"),
        (
            "provisions.csv",
            lambda rows: rows[0].update(report_paragraphs="25;198"),
            "¶198 does not exist",
        ),
        (
            "provisions.csv",
            lambda rows: rows[0].update(report_paragraphs=""),
            "at least one paragraph",
        ),
        ("provisions.csv", lambda rows: rows[0].update(statute="no-such-act"), "Unknown statute"),
        ("provisions.csv", lambda rows: rows[0].update(kind="crime"), "not one of"),
        ("provisions.csv", lambda rows: rows[0].update(valid_from="2016-13-01"), "not a date"),
        (
            "provisions.csv",
            lambda rows: rows.append({**rows[0], "valid_from": "1990-01-01", "valid_to": ""}),
            "in force in this period",
        ),
        ("compliance.csv", lambda rows: rows[0].update(article="13"), "not an article 1–12"),
        (
            "compliance.csv",
            lambda rows: rows[0].update(section="999-Z"),
            "is not in provisions.csv",
        ),
        ("rules.csv", lambda rows: rows[0].update(jurisdiction="PK-XX"), "Unknown jurisdiction"),
        ("opsc_articles.csv", lambda rows: rows[0].update(number="18"), "numbered 1 to 17"),
        (
            "provisions.csv",
            lambda rows: life_only(rows).update(prison_max_months="1200"),
            "imprisonment for life is recorded as life, not as a number of months",
        ),
        (
            "provisions.csv",
            lambda rows: offence_with_penalty(rows).update(prison_term=""),
            "prison_term: '': say yes or no",
        ),
        (
            "opsc_dates.csv",
            lambda rows: rows[1].update(text="The Protocol was ratified on 5th July 2012"),
            "text: Quote the report: the text is not in ¶1",
        ),
        (
            "opsc_dates.csv",
            lambda rows: rows[1].update(date="2000-07-05"),
            "Signature, ratification and entry into force come in that order",
        ),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(
    db: Any, data_copy: Path, file: str, change: Any, message: str
) -> None:
    edit_csv(data_copy / file, change)
    before = counts()
    with pytest.raises(ValidationError) as error:
        legal_data_load(directory=data_copy)
    assert message in str(error.value), str(error.value)
    assert f"{file} line" in str(error.value)
    assert counts() == before
