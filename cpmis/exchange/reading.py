"""Reading a submitted file into a header and rows of text, or a clear file-level refusal.

CSV: UTF-8 (with or without a byte-order mark), UTF-16 (with its byte-order mark, as Excel's
"Unicode text" saves it) or Windows-1256 (Excel's "CSV" on Urdu Windows) when the batch
declares it: a file that is not UTF-8 is never decoded by guesswork. The delimiter (comma,
semicolon, tab) is the one that splits the header into the template's columns.

XLSX: the zip is inspected before it is opened (total uncompressed size and compression
ratio, so a zip bomb is refused unread), and openpyxl parses the XML through defusedxml
(entity expansion refused). Cells that Excel stores as dates are taken as dates, whatever
the batch's date format.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import reasons
from .reasons import say

ENCODINGS = {
    "auto": _("UTF-8 or UTF-16 (with its byte-order mark)"),
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "windows-1256": _("Windows-1256 (Urdu ANSI, as older Excel saves CSV)"),
}
DELIMITERS = (",", ";", "\t", "|")
MAX_ROWS = 1_000_000  # per batch; reading stops beyond it
XLSX_MAX_UNCOMPRESSED = 400 * 1024 * 1024
XLSX_MAX_RATIO = 150  # uncompressed / compressed, per member


class FileProblem(Exception):
    """The file cannot be read as a batch; the message says why and what to do."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[Any]]  # cells as read: text, or date / number from XLSX
    numbers: list[int]  # each row's line (CSV) or row (XLSX) number in the file
    encoding: str = ""


def _too_many() -> FileProblem:
    return FileProblem(say(reasons.TOO_MANY_ROWS, count=f"{MAX_ROWS:,}"))


def _decode(content: bytes, encoding: str) -> tuple[str, str]:
    try:
        if content.startswith(codecs.BOM_UTF8):
            return content[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8"
        if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return content.decode("utf-16"), "utf-16"
    except UnicodeDecodeError as exc:
        raise FileProblem(say(reasons.DAMAGED_UNICODE, position=exc.start)) from exc
    if encoding in ("auto", "utf-8"):
        try:
            return content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            raise FileProblem(say(reasons.NOT_UTF8, position=exc.start)) from exc
    if encoding == "utf-16":
        try:
            return content.decode("utf-16-le"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FileProblem(reasons.NOT_UTF16) from exc
    if encoding == "windows-1256":
        try:
            if not content.isascii():
                content.decode("utf-8")  # valid UTF-8 with Urdu in it is not Windows-1256
                raise FileProblem(reasons.UTF8_NOT_1256)
        except UnicodeDecodeError:
            pass
        try:
            return content.decode("cp1256"), "windows-1256"
        except UnicodeDecodeError as exc:
            raise FileProblem(reasons.NOT_1256) from exc
    raise FileProblem(
        say(reasons.UNKNOWN_ENCODING, encoding=repr(encoding), encodings=", ".join(ENCODINGS))
    )


def _delimiter(first_line: str, expected: Iterable[str]) -> str:
    wanted = set(expected)
    best, best_hits = ",", -1
    for candidate in DELIMITERS:
        cells = [c.strip().strip('"').strip() for c in first_line.split(candidate)]
        hits = len(wanted.intersection(cells))
        if hits > best_hits:
            best, best_hits = candidate, hits
    return best


def read_csv(content: bytes, *, encoding: str, expected: Iterable[str]) -> Table:
    text, used = _decode(content, encoding)
    if "\x00" in text:
        raise FileProblem(reasons.NUL_CHARACTERS)
    if not text.strip():
        raise FileProblem(reasons.EMPTY_FILE)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line, expected))
    rows: list[list[Any]] = []
    numbers: list[int] = []
    try:
        header = [h.strip() for h in next(reader)]
        while header and header[-1] == "":  # Excel leaves empty columns at the end
            header.pop()
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(rows) == MAX_ROWS:
                    raise _too_many()
                if len(row) > len(header) and not any(c.strip() for c in row[len(header) :]):
                    row = row[: len(header)]
                rows.append(row)
                numbers.append(reader.line_num)
    except csv.Error as exc:
        raise FileProblem(say(reasons.MALFORMED_CSV, error=exc)) from exc
    return Table(header, rows, numbers, used)


def _check_zip(content: bytes) -> None:
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise FileProblem(reasons.NOT_A_ZIP)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FileProblem(reasons.XLSX_DAMAGED) from exc
    total = sum(m.file_size for m in members)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise FileProblem(
            say(
                reasons.XLSX_TOO_BIG,
                size=total // 1_000_000,
                limit=XLSX_MAX_UNCOMPRESSED // 1_000_000,
            )
        )
    for m in members:
        if m.compress_size and m.file_size / m.compress_size > XLSX_MAX_RATIO:
            raise FileProblem(reasons.XLSX_RATIO)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(content: bytes) -> Table:
    _check_zip(content)
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileProblem(reasons.XLSX_NOT_A_WORKBOOK) from exc
    except Exception as exc:  # defusedxml refusals and XML errors: not a file we read
        raise FileProblem(reasons.XLSX_UNSAFE) from exc
    try:
        sheet = book["records"] if "records" in book.sheetnames else book.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header_row = next(rows_iter, None)
        if header_row is None:
            raise FileProblem(reasons.XLSX_EMPTY)
        header = [str(h).strip() if h is not None else "" for h in header_row]
        while header and header[-1] == "":
            header.pop()
        rows: list[list[Any]] = []
        numbers: list[int] = []
        for number, raw in enumerate(rows_iter, start=2):
            cells = [_cell(v) for v in raw]
            if any(c != "" for c in cells):
                if len(rows) == MAX_ROWS:
                    raise _too_many()
                while len(cells) > len(header) and cells[-1] == "":
                    cells.pop()
                rows.append(cells)
                numbers.append(number)
    except FileProblem:
        raise
    except Exception as exc:
        raise FileProblem(reasons.XLSX_DAMAGED) from exc
    finally:
        book.close()
    return Table(header, rows, numbers, "")
