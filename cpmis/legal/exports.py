"""The compliance matrix as XLSX (openpyxl) and DOCX (python-docx), for ministries and the
commission. Cells hold text only; a value starting with = + - @ is written as text so that
no spreadsheet evaluates it."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from cpmis.core.mixed_text import right_to_left_table, write_docx_text

from .selectors import Matrix, MatrixCell

GAP = _("GAP — no provision cited")
TITLE = _("OPSC compliance matrix (Articles 1–12 × jurisdiction)")


def safe(text: str) -> str:
    """Neutralise spreadsheet formulas (CSV/formula injection)."""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def cell_text(cell: MatrixCell) -> str:
    if cell.gap:
        return str(GAP)
    lines = []
    for link in cell.links:
        what = link.provision.citation if link.provision else link.statute.short_title
        paragraphs = ", ".join(f"¶{p}" for p in link.report_paragraphs)
        lines.append(f"{what} ({paragraphs})")
    return "\n".join(lines)


def _caption(matrix: Matrix) -> str:
    gaps = matrix.gaps()
    return ngettext(
        "%(title)s. Source: Pakistan's initial report under the OPSC; each entry cites its "
        "paragraph. Generated %(when)s (Asia/Karachi). %(gaps)s empty cell is a gap.",
        "%(title)s. Source: Pakistan's initial report under the OPSC; each entry cites its "
        "paragraph. Generated %(when)s (Asia/Karachi). %(gaps)s empty cells are gaps.",
        gaps,
    ) % {"title": TITLE, "when": f"{timezone.localtime():%Y-%m-%d %H:%M}", "gaps": gaps}


def matrix_xlsx(matrix: Matrix) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Compliance matrix")
    sheet.append([safe(_caption(matrix))])
    sheet.append([gettext("Article"), gettext("Title"), *matrix.column_labels])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    gap_fill = PatternFill("solid", fgColor="FDE2E1")
    for row in matrix.rows:
        sheet.append(
            [row.article.number, safe(row.article.title), *(safe(cell_text(c)) for c in row.cells)]
        )
        for offset, c in enumerate(row.cells):
            target = sheet.cell(row=sheet.max_row, column=3 + offset)
            target.alignment = Alignment(wrap_text=True, vertical="top")
            if c.gap:
                target.fill = gap_fill
    sheet.column_dimensions["B"].width = 40
    for index in range(len(matrix.columns)):
        sheet.column_dimensions[chr(ord("C") + index)].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def matrix_docx(matrix: Matrix) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    # Urdu runs right to left in the Nastaliq face; in Urdu, the table reads from the right.
    write_docx_text(document.add_heading(level=1), str(TITLE))
    write_docx_text(document.add_paragraph(), _caption(matrix))
    table = document.add_table(rows=1, cols=2 + len(matrix.columns))
    table.style = "Table Grid"
    if (get_language() or "").startswith("ur"):
        right_to_left_table(table)
    for cell, label in zip(
        table.rows[0].cells,
        [gettext("Article"), gettext("Title"), *matrix.column_labels],
        strict=True,
    ):
        write_docx_text(cell.paragraphs[0], str(label), bold=True)
    for row in matrix.rows:
        cells = table.add_row().cells
        write_docx_text(cells[0].paragraphs[0], str(row.article.number))
        write_docx_text(cells[1].paragraphs[0], row.article.title)
        for target, c in zip(cells[2:], row.cells, strict=True):
            write_docx_text(target.paragraphs[0], cell_text(c))
            for run in target.paragraphs[0].runs:
                run.font.size = Pt(8)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
