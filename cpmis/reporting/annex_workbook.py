"""The report's statistical annex as an XLSX workbook, numbered as the report numbers it.

A contents sheet lists every table (A.1, A.2…) with its title, period, unit, source and whether
the report prints it, sums it up in one sentence (nothing to show, and why) or leaves it to the
workbook (the tables by district); then one sheet per table, named by its number, with the
figures as numbers (a suppressed cell as "x") and the disclosure note. The figures are those of
the report (``annex.report_tables``, through disclosure control), in English like the report.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cpmis.actors import Actor
from cpmis.indicators import annex, sources
from cpmis.legal.exports import safe

from . import document
from .models import ReportEdition

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _value(table: Any, row: str, column: str) -> object:
    cell = table.cell(row, column)
    if cell.suppressed or cell.value is None or table.measure == "share":
        return cell.text
    return cell.value


def render(tables: list[Any], has_records: Any, *, title: str, year: int) -> bytes:
    book = Workbook()
    contents = book.active
    assert contents is not None
    contents.title = "Contents"
    contents.cell(1, 1, safe(f"{title}: statistical annex, {year}")).font = Font(bold=True, size=12)
    contents.cell(
        2,
        1,
        "Numbered as in the report. Every figure has passed disclosure control; a suppressed "
        "figure is shown as x.",
    ).font = Font(italic=True)
    heads = ["Table", "Title", "Period", "Unit", "Source", "In the report"]
    for col, text in enumerate(heads, start=1):
        contents.cell(4, col, text).font = Font(bold=True)
    numbers = document.annex_numbers(tables)
    for i, table in enumerate(tables):
        number = numbers[i]
        reason = document.empty_reason(table, has_records)
        if table.row_dimension == "district":
            shown = "In this workbook only (by district)"
        elif reason:
            shown = f"Summed up in one sentence: {reason}"
        else:
            shown = "Printed"
        line = 5 + i
        link = contents.cell(line, 1, number)
        link.hyperlink = f"#'{number}'!A1"
        link.font = Font(color="0000EE", underline="single")
        row = [
            document.reader_title(table),
            table.period_label,
            document.unit_text(table),
            sources.description(table.source) if table.source in sources.DESCRIPTIONS else "",
            shown,
        ]
        for col, text in enumerate(row, start=2):
            contents.cell(line, col, safe(str(text)))
        _table_sheet(book, number, table)
    for letter, width in zip("ABCDEF", (8, 70, 10, 30, 50, 40), strict=True):
        contents.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table_sheet(book: Workbook, number: str, table: Any) -> None:
    sheet = book.create_sheet(number)
    sheet.cell(1, 1, safe(f"Table {number}. {document.reader_title(table)}")).font = Font(
        bold=True, size=12
    )
    sheet.cell(2, 1, safe(f"Period: {table.period_label}. {document.unit_text(table)}"))
    if table.source in sources.DESCRIPTIONS:
        sheet.cell(3, 1, safe(f"Source: {sources.description(table.source)}."))
    line = 5
    header = [table.row_heading or "", *(c.label for c in table.columns)]
    for col, text in enumerate(header, start=1):
        sheet.cell(line, col, safe(text)).font = Font(bold=True)
    for row in table.rows:
        line += 1
        sheet.cell(line, 1, safe(row.label))
        for col, column in enumerate(table.columns, start=2):
            value = _value(table, row.key, column.key)
            cell = sheet.cell(line, col, safe(value) if isinstance(value, str) else value)
            cell.alignment = Alignment(horizontal="right")
    sheet.cell(line + 2, 1, safe(f"Note: {table.note}")).font = Font(italic=True, size=9)
    sheet.column_dimensions["A"].width = 40
    for col in range(2, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 14


def annex_xlsx(*, user: Actor, edition: ReportEdition) -> bytes:
    """The workbook of ``edition``'s annex as ``user`` sees the figures (none: one sheet
    saying so)."""
    tables: list[Any] = []
    has_records: Any = lambda name: True  # noqa: E731
    if document.countable(user, edition.reporting_year):
        tables = annex.report_tables(user=user, year=edition.reporting_year)
        has_records = document.records_checker(user, edition.reporting_year)
    return render(tables, has_records, title=edition.title, year=edition.reporting_year)
