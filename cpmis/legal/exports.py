"""The compliance matrix and its table of gaps as XLSX (openpyxl) and DOCX (python-docx), for
ministries, the commission and the report's drafting team. Cells hold text only; a value
starting with = + - @ is written as text so that no spreadsheet evaluates it.

``cell_text(cell)`` is a matrix cell in words (the report prints it too): the column's own
law with the report's paragraphs, then "Federal law: …" for the federal law that applies there,
and "GAP — …" only where no applicable law covers the article.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from cpmis.core.mixed_text import right_to_left_table, write_docx_text

from .selectors import CoverageGap, Matrix, MatrixCell, coverage_gaps

GAP = _("GAP — no provision cited")
TITLE = _("OPSC compliance matrix (Articles 1–12 × jurisdiction)")
GAPS_TITLE = _("Gaps in the compliance matrix: articles that no applicable law covers")
FEDERAL_LAW = _("Federal law: %(laws)s")
FEDERAL_LAW_UNCONFIRMED = _(
    "Federal law (the report does not say whether it extends here): %(laws)s"
)
FEDERAL_LAW_EXCLUDED = _("Federal law that does not apply here: %(laws)s (%(reasons)s)")
GAP_FILL = "FDE2E1"
FEDERAL_FILL = "E3EEFB"


def safe(text: str) -> str:
    """Neutralise spreadsheet formulas (CSV/formula injection)."""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _citation(link: Any) -> str:
    return link.provision.citation if link.provision else link.statute.short_title


def _citations(links: list[Any]) -> str:
    return ", ".join(dict.fromkeys(_citation(link) for link in links))


def cell_text(cell: MatrixCell) -> str:
    """A cell in words, one line per entry: own law (with ¶), then the federal law that applies
    here ("Federal law: PPC s.292-B, …"; its paragraphs are in the federal column), then what an
    exception keeps out. A gap starts with "GAP — no provision cited"."""
    lines = [str(GAP)] if cell.gap else []
    for link in cell.own:
        paragraphs = ", ".join(f"¶{p}" for p in link.report_paragraphs)
        lines.append(f"{_citation(link)} ({paragraphs})")
    if cell.confirmed:
        lines.append(FEDERAL_LAW % {"laws": _citations(cell.confirmed)})
    if cell.unconfirmed:
        lines.append(FEDERAL_LAW_UNCONFIRMED % {"laws": _citations(cell.unconfirmed)})
    if cell.excluded:
        reasons = "; ".join(
            f"{e.get_reason_display()}, {e.paragraphs_label}" for e in cell.exclusions
        )
        lines.append(FEDERAL_LAW_EXCLUDED % {"laws": _citations(cell.excluded), "reasons": reasons})
    return "\n".join(lines)


def _caption(matrix: Matrix) -> str:
    gaps = matrix.gaps()
    return ngettext(
        "%(title)s. Source: Pakistan's initial report under the OPSC; each entry cites its "
        "paragraph. A province's or territory's cell also lists the federal law that applies "
        "there. Generated %(when)s (Asia/Karachi). %(gaps)s cell is a gap: no law applicable "
        "in that jurisdiction covers the article.",
        "%(title)s. Source: Pakistan's initial report under the OPSC; each entry cites its "
        "paragraph. A province's or territory's cell also lists the federal law that applies "
        "there. Generated %(when)s (Asia/Karachi). %(gaps)s cells are gaps: no law applicable "
        "in that jurisdiction covers the article.",
        gaps,
    ) % {"title": TITLE, "when": f"{timezone.localtime():%Y-%m-%d %H:%M}", "gaps": gaps}


def gap_headers() -> list[str]:
    return [
        gettext("Article"),
        gettext("Title"),
        gettext("Jurisdiction"),
        gettext("What is missing"),
        gettext("Why"),
    ]


def gap_row(gap: CoverageGap) -> list[Any]:
    return [
        gap.article.number,
        gap.article.title,
        gap.jurisdiction_label,
        gap.missing,
        gap.why,
    ]


def _gap_caption(gaps: list[CoverageGap]) -> str:
    return ngettext(
        "%(title)s. %(count)s gap. Source: Pakistan's initial report under the OPSC. "
        "Generated %(when)s (Asia/Karachi).",
        "%(title)s. %(count)s gaps. Source: Pakistan's initial report under the OPSC. "
        "Generated %(when)s (Asia/Karachi).",
        len(gaps),
    ) % {
        "title": GAPS_TITLE,
        "count": len(gaps),
        "when": f"{timezone.localtime():%Y-%m-%d %H:%M}",
    }


def _gap_sheet(sheet: Any, gaps: list[CoverageGap]) -> None:
    sheet.append([safe(_gap_caption(gaps))])
    sheet.append(gap_headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for gap in gaps:
        sheet.append([v if isinstance(v, int) else safe(str(v)) for v in gap_row(gap)])
        for target in sheet[sheet.max_row]:
            target.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDE", (8, 32, 22, 60, 60), strict=True):
        sheet.column_dimensions[column].width = width


def matrix_xlsx(matrix: Matrix) -> bytes:
    """The matrix on its first sheet, its table of gaps on the second."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Compliance matrix")
    sheet.append([safe(_caption(matrix))])
    sheet.append([gettext("Article"), gettext("Title"), *matrix.column_labels])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    gap_fill = PatternFill("solid", fgColor=GAP_FILL)
    federal_fill = PatternFill("solid", fgColor=FEDERAL_FILL)
    for row in matrix.rows:
        sheet.append(
            [row.article.number, safe(row.article.title), *(safe(cell_text(c)) for c in row.cells)]
        )
        for offset, c in enumerate(row.cells):
            target = sheet.cell(row=sheet.max_row, column=3 + offset)
            target.alignment = Alignment(wrap_text=True, vertical="top")
            if c.gap:
                target.fill = gap_fill
            elif c.covered_by_federal_law:
                target.fill = federal_fill
    sheet.column_dimensions["B"].width = 40
    for index in range(len(matrix.columns)):
        sheet.column_dimensions[chr(ord("C") + index)].width = 32
    _gap_sheet(book.create_sheet(gettext("Gaps")), coverage_gaps(matrix))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def gaps_xlsx(matrix: Matrix) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Gaps")
    _gap_sheet(sheet, coverage_gaps(matrix))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _urdu() -> bool:
    return (get_language() or "").startswith("ur")


def _gap_table(document: Any, gaps: list[CoverageGap]) -> None:
    write_docx_text(document.add_heading(level=2), str(GAPS_TITLE))
    write_docx_text(document.add_paragraph(), _gap_caption(gaps))
    if not gaps:
        write_docx_text(
            document.add_paragraph(),
            gettext("Every article is covered by a law that applies in each jurisdiction."),
        )
        return
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    if _urdu():
        right_to_left_table(table)
    for cell, label in zip(table.rows[0].cells, gap_headers(), strict=True):
        write_docx_text(cell.paragraphs[0], label, bold=True)
    for gap in gaps:
        cells = table.add_row().cells
        for target, value in zip(cells, gap_row(gap), strict=True):
            write_docx_text(target.paragraphs[0], str(value))
            for run in target.paragraphs[0].runs:
                run.font.size = Pt(8)


def matrix_docx(matrix: Matrix) -> bytes:
    """The matrix in landscape, then its table of gaps."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)  # A4, as the report
    # Urdu runs right to left in the Nastaliq face; in Urdu, the table reads from the right.
    write_docx_text(document.add_heading(level=1), str(TITLE))
    write_docx_text(document.add_paragraph(), _caption(matrix))
    table = document.add_table(rows=1, cols=2 + len(matrix.columns))
    table.style = "Table Grid"
    if _urdu():
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
    _gap_table(document, coverage_gaps(matrix))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def gaps_docx(matrix: Matrix) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    _gap_table(document, coverage_gaps(matrix))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
