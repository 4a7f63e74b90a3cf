"""Identifier validation, search normalisation and age rules."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from cpmis.people.identifiers import normalize_nadra_number
from cpmis.people.search import normalize_name, search_key
from cpmis.people.services import age_on, estimated_dob


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("35202-1234567-1", "35202-1234567-1"),
        ("3520212345671", "35202-1234567-1"),
        (" 35202 1234567 1 ", "35202-1234567-1"),
        ("۳۵۲۰۲-۱۲۳۴۵۶۷-۱", "35202-1234567-1"),
        ("٣٥٢٠٢١٢٣٤٥٦٧١", "35202-1234567-1"),
    ],
)
def test_nadra_numbers_are_stored_in_the_5_7_1_form(raw: str, expected: str) -> None:
    assert normalize_nadra_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "123",
        "35202-123456-71",
        "352021234567",
        "35202123456712",
        "3520-21234567-1",
        "35202-1234567-X",
        "0000000000000",
        "३५२०२१२३४५६७१",
    ],
)
def test_invalid_nadra_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalize_nadra_number(raw)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Muhammad ALI", "muhammad ali"),
        ("Zoë  Ñoor", "zoe noor"),
        ("مُحَمَّد", "محمد"),
        ("علي", "علی"),
        ("كريم", "کریم"),
        ("فاطمه", "فاطمہ"),
        ("آمنہ", "امنہ"),
        ("عائشہ", "عايشہ"),
        ("ـمحمـد", "محمد"),
    ],
)
def test_names_normalise_to_the_same_key(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


def test_the_key_keeps_scripts_apart_so_a_query_cannot_span_them() -> None:
    key = search_key("Ali", "علی")
    assert key == "ali | علی"
    assert normalize_name("ali علی") not in key


def test_age_and_estimated_birth_dates() -> None:
    assert age_on(date(2010, 6, 15), date(2026, 6, 14)) == 15
    assert age_on(date(2010, 6, 15), date(2026, 6, 15)) == 16
    for years in (0, 9, 17):
        assert age_on(estimated_dob(years, date(2026, 11, 28)), date(2026, 11, 28)) == years
    assert age_on(estimated_dob(4, date(2028, 2, 29)), date(2028, 2, 29)) == 4
