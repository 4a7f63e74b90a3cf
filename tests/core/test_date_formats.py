"""Dates typed day first become ISO for the serializers; staff pages show one format."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import formats, timezone, translation

from cpmis.core.dates import DateInputError, parse_date, parse_datetime, typed_dates_to_iso


def test_typed_dates_become_iso_and_a_wrong_one_says_what_to_type() -> None:
    data: dict[str, object] = {
        "a": "05/12/2026",
        "b": "5 Dec 2026",
        "c": "",
        "d": None,
        "e": "31/02/2026",
    }
    errors = typed_dates_to_iso(data, ("a", "b", "c", "d", "e"))
    assert data["a"] == data["b"] == "2026-12-05"
    assert data["c"] == "" and data["d"] is None, "blanks are the serializer's to judge"
    assert errors == {"e": ["There is no such day: 31/2/2026."]}
    assert typed_dates_to_iso({"x": "12/31/2026"}, ("x",))["x"][0].startswith("There is no such")


def test_typed_moments_are_pakistan_time() -> None:
    data = {"at": "05/12/2026 14:30"}
    assert typed_dates_to_iso(data, ("at",), with_time=True) == {}
    assert datetime.fromisoformat(data["at"]) == timezone.make_aware(datetime(2026, 12, 5, 14, 30))
    assert data["at"].endswith("+05:00")


def test_pages_show_day_month_year_in_english_and_urdu() -> None:
    moment = timezone.make_aware(datetime(2026, 12, 5, 9, 5))
    for language, december, comma in (("en", "Dec", ","), ("ur", "دسمبر", "،")):
        with translation.override(language):
            assert formats.date_format(date(2026, 12, 5)) == f"5 {december} 2026"
            assert (
                formats.date_format(moment, "DATETIME_FORMAT") == f"5 {december} 2026{comma} 09:05"
            )
            assert formats.date_format(date(2026, 12, 5), "SHORT_DATE_FORMAT") == "05/12/2026"
            assert "%d/%m/%Y" in formats.get_format("DATE_INPUT_FORMATS")
            assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


def test_what_officers_type_is_read_day_first() -> None:
    from cpmis.core.dates import DateInputError, parse_date, parse_datetime

    for typed in ("05/12/2026", "5-12-2026", "5.12.2026", "05122026", "5 Dec 2026", "2026-12-05"):
        assert parse_date(typed) == date(2026, 12, 5), typed
    assert parse_datetime("5 December 2026, 2:30 pm") == timezone.make_aware(
        datetime(2026, 12, 5, 14, 30)
    )
    assert parse_datetime("05/12/2026 14.30").hour == 14
    for wrong in ("", "tomorrow", "32/12/2026", "05/12/2026 25:00", "12/31/2026"):
        try:
            parse_datetime(wrong)
        except DateInputError as exc:
            assert "dd/mm/yyyy" in str(exc) or "no such day" in str(exc) or "hh:mm" in str(exc)
        else:
            raise AssertionError(f"{wrong!r} was read as a date")


def test_dates_typed_in_urdu_are_read() -> None:
    """An Urdu page writes 5 دسمبر 2026, and an Urdu keyboard types Urdu digits."""
    assert parse_date("5 دسمبر 2026") == date(2026, 12, 5)
    assert parse_date("۰۵/۱۲/۲۰۲۶") == date(2026, 12, 5)
    assert parse_datetime("۵ دسمبر ۲۰۲۶، ۱۴:۳۰") == timezone.make_aware(
        datetime(2026, 12, 5, 14, 30)
    )
    with translation.override("ur"), pytest.raises(DateInputError, match="دن/مہینہ/سال"):
        parse_date("کل")
