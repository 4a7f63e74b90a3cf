"""Urdu dates: day month year as on English pages (5 دسمبر 2026; the month's Urdu name
comes from Django's Urdu catalog), with the Urdu comma before the time; the same inputs."""

from cpmis.formats.en.formats import (  # noqa: F401 - Django reads these names from this module
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    THOUSAND_SEPARATOR,
    TIME_FORMAT,
    YEAR_MONTH_FORMAT,
)

DATE_FORMAT = "j F Y"  # 5 دسمبر 2026 (Urdu writes the month in full)
DATETIME_FORMAT = "j F Y، H:i"  # 5 دسمبر 2026، 14:30
