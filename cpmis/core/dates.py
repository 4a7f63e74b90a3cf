"""Dates as people in Pakistan write them: day first, Pakistan time.

Staff pages show one format (``5 Dec 2026`` and ``5 Dec 2026, 14:30``, see ``cpmis/formats``)
and their date fields are text fields that accept what an officer types: ``05/12/2026``,
``5-12-2026``, ``5 Dec 2026`` or ``2026-12-05``, with an optional ``14:30``. A browser's own
date picker shows the format of the browser's locale (US ``mm/dd/yyyy`` on many phones), so it
is not used. The API keeps ISO 8601.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableMapping
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DATE_PLACEHOLDER = _("dd/mm/yyyy")
# Casework dates lie in a child's lifetime or soon after: a year outside is a typing mistake.
FIRST_YEAR, LAST_YEAR = 1900, 2200
DATETIME_PLACEHOLDER = _("dd/mm/yyyy hh:mm")
TIME_MESSAGE = _("Give the time as hh:mm, for example 14:30.")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
} | {
    # Urdu month names, as an Urdu page writes them (5 دسمبر 2026)
    name: number
    for number, name in enumerate(
        (
            "جنوری",
            "فروری",
            "مارچ",
            "اپریل",
            "مئی",
            "جون",
            "جولائی",
            "اگست",
            "ستمبر",
            "اکتوبر",
            "نومبر",
            "دسمبر",
        ),
        start=1,
    )
}
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DIGITS = re.compile(r"^(\d{2})(\d{2})(\d{4})$")  # 05122026: a phone's number pad has no "/"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})[\s\-]+([^\W\d_]+)\.?[,،]?[\s\-]+(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:\s*([ap])\.?m\.?)?$")


class DateInputError(ValueError):
    """What the person typed is not a date; the message says what to type."""


def parse_date(text: str) -> date:
    value = " ".join((text or "").strip().lower().split())
    if not value:
        raise DateInputError(gettext("Give the date as %(format)s.") % {"format": DATE_PLACEHOLDER})
    day = month = year = 0
    if (m := _NUMERIC.match(value)) or (m := _DIGITS.match(value)):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _ISO.match(value):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif (m := _WORDS.match(value)) and m[2] in _MONTHS:
        day, month, year = int(m[1]), _MONTHS[m[2]], int(m[3])
    else:
        raise DateInputError(
            gettext("“%(typed)s” is not a date: write it as %(format)s.")
            % {"typed": text.strip()[:40], "format": DATE_PLACEHOLDER}
        )
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateInputError(
            gettext("Give a year between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise DateInputError(
            gettext("There is no such day: %(day)s/%(month)s/%(year)s.")
            % {"day": day, "month": month, "year": year}
        ) from exc


def _parse_time(text: str) -> time:
    m = _TIME.match(text.strip().lower())
    if m is None:
        raise DateInputError(str(TIME_MESSAGE))
    hour, minute = int(m[1]), int(m[2])
    if m[3]:  # 2:30 pm
        if not 1 <= hour <= 12:
            raise DateInputError(str(TIME_MESSAGE))
        hour = hour % 12 + (12 if m[3] == "p" else 0)
    if hour > 23 or minute > 59:
        raise DateInputError(str(TIME_MESSAGE))
    return time(hour, minute)


def parse_datetime(text: str) -> datetime:
    """A date with an optional time (Pakistan time), as an aware datetime."""
    value = " ".join((text or "").replace(",", " ").replace("،", " ").split())
    if not value:
        raise DateInputError(
            gettext("Give the date and time as %(format)s.") % {"format": DATETIME_PLACEHOLDER}
        )
    parts = value.rsplit(" ", 1)
    moment = time(0, 0)
    day_text = value
    if len(parts) == 2 and (":" in parts[1] or ("." in parts[1] and parts[1][0].isdigit())):
        day_text, moment = parts[0], _parse_time(parts[1])
    elif len(parts) == 2 and parts[1].lower().rstrip(".") in {"am", "pm", "a.m", "p.m"}:
        head = parts[0].rsplit(" ", 1)
        if len(head) != 2:
            raise DateInputError(
                gettext("Give the date and time as %(format)s.") % {"format": DATETIME_PLACEHOLDER}
            )
        day_text, moment = head[0], _parse_time(f"{head[1]} {parts[1]}".replace(" ", ""))
    day = parse_date(day_text)
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_current_timezone())


def format_date_input(value: date | datetime | None) -> str:
    """The value a date field shows (what parse_date reads back)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime_input(value: datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def typed_dates_to_iso(
    data: MutableMapping[str, Any], fields: Iterable[str], *, with_time: bool = False
) -> dict[str, list[str]]:
    """Rewrite the dates typed into ``data``'s ``fields`` as ISO 8601, in place, so that a
    serializer (which reads ISO only) can validate the rest. A blank field is left alone: the
    serializer says whether it is required. The result is the message for each field that is
    not a date; the caller shows it instead of the serializer's."""
    errors: dict[str, list[str]] = {}
    for field in fields:
        raw = data.get(field)
        if not isinstance(raw, str) or not raw.strip():
            continue
        try:
            data[field] = (parse_datetime(raw) if with_time else parse_date(raw)).isoformat()
        except DateInputError as exc:
            errors[field] = [str(exc)]
    return errors
