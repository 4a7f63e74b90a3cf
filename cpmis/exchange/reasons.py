"""The words of a batch's report: every reason a row or a file is refused, as a template with
named placeholders.

A submission keeps its report in English (``Submission.row_errors`` and ``file_errors``, as
the API returns them): a worker writes it, in no reader's language. A page, or the error
report a focal point downloads, shows each reason in the reader's language: ``localize``
finds the template a stored reason was made from and translates it with the same values
(a file's header problems are stored joined into one text: each is found and translated).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from django.utils.translation import gettext, gettext_noop

# --- a cell -----------------------------------------------------------------------------------
REQUIRED = gettext_noop("required")
CONTROL_CHARACTERS = gettext_noop("contains control characters")
LONGER_THAN = gettext_noop("longer than %(max_length)s characters")
NOT_ONE_OF = gettext_noop("not one of: %(choices)s")
NOT_IN_FORM = gettext_noop("not in the expected form")
NOT_WHOLE_NUMBER = gettext_noop("not a whole number")
OUTSIDE_RANGE = gettext_noop("outside %(minimum)s–%(maximum)s")
NOT_TRUE_OR_FALSE = gettext_noop("not true or false")
NOT_A_DATE = gettext_noop("not a date written %(date_format)s")
IN_THE_FUTURE = gettext_noop("in the future")
BEFORE_1990 = gettext_noop("before 1990")
# --- a row ------------------------------------------------------------------------------------
NO_SUCH_DISTRICT = gettext_noop("no district has this p-code")
OUTSIDE_SCOPE = gettext_noop("outside the province, territory or district you submit for")
NOT_IN_CATALOGUE = gettext_noop("not in the legal catalogue: %(sections)s (see /legal/)")
AFTER_RECORD_DATE = gettext_noop("after the record date")
NOT_A_CHILD = gettext_noop("18 or older on the record date: not a child")
BEFORE_ADMISSION = gettext_noop("before the admission")
EXTRA_CELLS = gettext_noop("more cells than the header has columns")
SAME_RECORD_ID = gettext_noop("the same record ID as row %(row)s of this batch")
# --- the file ---------------------------------------------------------------------------------
TOO_MANY_ROWS = gettext_noop("More than %(count)s rows: split the batch.")
TOO_MANY_RECORDS = gettext_noop("More than %(count)s records: split the batch.")
DAMAGED_UNICODE = gettext_noop(
    "The file starts as Unicode text but a byte at position %(position)s is not: it is "
    "damaged, or was saved in two encodings."
)
NOT_UTF8 = gettext_noop(
    "The file is not UTF-8 (a byte at position %(position)s is not valid UTF-8). If Excel "
    "saved it as 'CSV' on Windows in Urdu, submit it again with the encoding Windows-1256; "
    "or save it as 'CSV UTF-8' or as XLSX."
)
NOT_UTF16 = gettext_noop("The file is not UTF-16.")
UTF8_NOT_1256 = gettext_noop("This file is UTF-8, not Windows-1256: submit it again as UTF-8.")
NOT_1256 = gettext_noop("The file is not Windows-1256.")
UNKNOWN_ENCODING = gettext_noop("Unknown encoding %(encoding)s; use one of %(encodings)s.")
NUL_CHARACTERS = gettext_noop(
    "The file contains NUL characters: it is not a text file in this encoding."
)
EMPTY_FILE = gettext_noop("The file is empty.")
MALFORMED_CSV = gettext_noop("The CSV is malformed: %(error)s.")
NOT_A_ZIP = gettext_noop("This is not an XLSX file (not a zip archive), or it is damaged.")
XLSX_DAMAGED = gettext_noop("The XLSX file is damaged.")
XLSX_TOO_BIG = gettext_noop(
    "The XLSX file unpacks to %(size)s MB, over the limit of %(limit)s MB: split it into "
    "smaller batches."
)
XLSX_RATIO = gettext_noop("The XLSX file is compressed suspiciously well; it was not opened.")
XLSX_NOT_A_WORKBOOK = gettext_noop("The XLSX file is damaged or not a workbook Excel wrote.")
XLSX_UNSAFE = gettext_noop("The XLSX file could not be read safely.")
XLSX_EMPTY = gettext_noop("The workbook's first sheet is empty.")
RECORD_NOT_OBJECT = gettext_noop("Record %(number)s is not an object.")
FIELDS_NOT_IN_STANDARD = gettext_noop("Fields not in the standard: %(fields)s.")
NOT_THE_HEADER = gettext_noop(
    "The first row is not the template's header (no known column found): is the file "
    "separated by commas, semicolons or tabs, and is the header on the first row?"
)
OTHER_VERSION = gettext_noop(
    "The columns are those of version %(version)s of %(record_type)s: declare that version "
    "for this file, or use the current template."
)
MISSING_COLUMNS = gettext_noop("Missing columns: %(columns)s.")
EXTRA_COLUMNS = gettext_noop("Columns not in the standard: %(columns)s.")
DUPLICATED_COLUMNS = gettext_noop("Columns given twice: %(columns)s.")
NO_ROWS = gettext_noop("The batch has no rows.")
FIRST_PROBLEMS = gettext_noop("Only the first %(count)s problems are listed.")

TEMPLATES: tuple[str, ...] = tuple(
    value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def say(template: str, **values: Any) -> str:
    """A reason in English, as a submission stores it."""
    return template % values


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each template as a pattern that finds its values; those without a value first."""
    patterns = []
    for template in sorted(TEMPLATES, key=lambda t: (bool(_PLACEHOLDER.search(t)), -len(t))):
        parts = _PLACEHOLDER.split(template)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*?)" for i, part in enumerate(parts)
        )
        patterns.append((template, re.compile(regex, re.S)))
    return tuple(patterns)


JOINED_LIMIT = 2_000  # characters of a file's problems that are put in the reader's language


def parse(text: str, *, joined: bool = False) -> list[tuple[str, dict[str, str]]] | None:
    """The template (and its values) ``text`` was made from, or None if none. ``joined``:
    the text may be several made from templates, joined by spaces (a file's problems)."""
    if not text or (joined and len(text) > JOINED_LIMIT):
        return None  # shown as stored: the search below grows with the square of the length
    if not joined:
        for template, pattern in _patterns():
            match = pattern.fullmatch(text)
            if match is not None:
                return [(template, match.groupdict())]
        return None
    ends = [i for i, c in enumerate(text) if c == " "] + [len(text)]
    failed: set[int] = set()

    def from_(start: int) -> list[tuple[str, dict[str, str]]] | None:
        if start in failed:
            return None
        for end in (e for e in ends if e > start):  # the shortest first: one problem each
            for template, pattern in _patterns():
                match = pattern.fullmatch(text, start, end)
                if match is None:
                    continue
                rest = [] if end == len(text) else from_(end + 1)
                if rest is not None:
                    return [(template, match.groupdict()), *rest]
        failed.add(start)
        return None

    return from_(0)


def localize(text: str, *, joined: bool = False) -> str:
    """A stored reason in the reader's language (unchanged in English); ``joined`` as for
    ``parse`` (a file's problems)."""
    parts = parse(text, joined=joined)
    if parts is None:  # another module's message (the NADRA number's), translated as it is
        return gettext(text) if text else text
    return " ".join(gettext(template) % values for template, values in parts)


def localizer() -> Callable[[str], str]:
    """``localize`` for one report's rows, which repeat their reasons: each looked up once."""
    seen: dict[str, str] = {}

    def localized(text: str) -> str:
        if text not in seen:
            seen[text] = localize(text)
        return seen[text]

    return localized
