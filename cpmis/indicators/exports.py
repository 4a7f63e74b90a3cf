"""Published tables as CSV and XLSX files. Every file carries the table's title, the period,
the indicator's definition and the disclosure-control note; text that a spreadsheet would run as
a formula is neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cpmis.legal.exports import safe

from .tables import PublishedTable


def _value(table: PublishedTable, row: str, column: str) -> object:
    cell = table.cell(row, column)
    if cell.suppressed or cell.value is None or table.measure == "share":
        return cell.text  # "x", "–" or "83 %" as printed
    return cell.value


def table_csv(tables: Sequence[PublishedTable]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, table in enumerate(tables):
        if i:
            writer.writerow([])
        writer.writerow([safe(table.title)])
        writer.writerow([safe(f"{table.indicator_code}: {table.definition}")])
        if table.column_heading:  # a pivot: what the columns are, above them
            writer.writerow(["", safe(table.column_heading)])
        writer.writerow([safe(table.row_heading or "")] + [safe(c.label) for c in table.columns])
        for row in table.rows:
            writer.writerow(
                [safe(row.label)]
                + [safe(str(_value(table, row.key, c.key))) for c in table.columns]
            )
        writer.writerow([safe(table.note)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # a BOM: Excel then reads UTF-8


def table_xlsx(tables: Sequence[PublishedTable]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Indicators")
    if get_language_bidi():  # Urdu: the sheet reads from the right, as the pages do
        sheet.sheet_view.rightToLeft = True
    bold = Font(bold=True)
    line = 1
    widest = [12]
    for table in tables:
        sheet.cell(line, 1, safe(table.title)).font = Font(bold=True, size=12)
        line += 1
        sheet.cell(
            line, 1, safe(f"{table.indicator_code}: {table.definition}")
        ).alignment = Alignment(wrap_text=False)
        line += 1
        if table.column_heading:  # a pivot: what the columns are, above them
            sheet.cell(line, 2, safe(table.column_heading)).font = bold
            line += 1
        header = [table.row_heading or "", *(c.label for c in table.columns)]
        for col, text in enumerate(header, start=1):
            sheet.cell(line, col, safe(text)).font = bold
        line += 1
        for row in table.rows:
            sheet.cell(line, 1, safe(row.label))
            widest[0] = max(widest[0], len(row.label))
            for col, column in enumerate(table.columns, start=2):
                value = _value(table, row.key, column.key)
                cell = sheet.cell(line, col, safe(value) if isinstance(value, str) else value)
                cell.alignment = Alignment(horizontal="right")
            line += 1
        sheet.cell(line, 1, safe(table.note)).font = Font(italic=True, size=9)
        line += 2
    sheet.column_dimensions["A"].width = min(60, widest[0] + 2)
    for col in range(2, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
