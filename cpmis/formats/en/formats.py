"""English date formats: day month year, 24-hour clock, the week starting on Monday.

Django's own ``en`` formats are American (``N j, Y``); cpmis is used in Pakistan, where dates are
written day first. Templates use ``|date:"DATE_FORMAT"`` / ``|date:"DATETIME_FORMAT"`` so that
every page shows a date the same way.
"""

DATE_FORMAT = "j M Y"  # 5 Dec 2026
DATETIME_FORMAT = "j M Y, H:i"  # 5 Dec 2026, 14:30
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# Day first; ISO is accepted too because the API, old links and tests send it.
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 05/12/2026
    "%d-%m-%Y",  # 05-12-2026
    "%d %b %Y",  # 5 Dec 2026
    "%d %B %Y",  # 5 December 2026
    "%Y-%m-%d",  # 2026-12-05
]
DATETIME_INPUT_FORMATS = [
    *(f"{fmt} %H:%M" for fmt in DATE_INPUT_FORMATS),
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    *DATE_INPUT_FORMATS,
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
