"""The report to the Committee on the Rights of the Child, generated as DOCX and as PDF.

One content model (``report_content``) is built once from the narratives, the legal data
(Pakistan's OPSC dates, the compliance matrix), the Committee's recommendations and the
statistics, and rendered twice: by python-docx (real Heading 1/2 styles, so Word builds a
table of contents) and by WeasyPrint (an HTML template with the fonts shipped in
``cpmis/static/cpmis/fonts``; nothing is ever fetched over the network). Every statistical
table prints its title, its grid and its note (the disclosure-control method and threshold).
Urdu runs are marked right-to-left with the Noto Nastaliq Urdu font in both formats.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from cpmis import access
from cpmis.actors import Actor
from cpmis.core import pdf
from cpmis.core.mixed_text import is_rtl, rich, write_docx_text
from cpmis.indicators import annex, charts, tabulate
from cpmis.legal import exports as legal_exports
from cpmis.legal import selectors as legal_selectors
from cpmis.legal.models import OpscDate
from cpmis.legal.report_structure import SECTIONS, Section
from cpmis.oversight import selectors as oversight_selectors

from . import selectors, services
from .models import ReportEdition

logger = logging.getLogger(__name__)

LATIN_FONT = "Noto Sans"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"

# --- the content model -----------------------------------------------------------------------


@dataclass
class Heading:
    level: int  # 1: a section of the report; 2: a part of a section
    text: str
    anchor: str = ""  # set when the content is complete: the PDF's contents link to it
    block = "heading"

    @property
    def html(self) -> SafeString:
        return rich(self.text)


@dataclass(frozen=True)
class Para:
    text: str
    kind: str = "body"  # body | bullet | label | missing
    block = "para"

    @property
    def rtl(self) -> bool:
        return is_rtl(self.text)

    @property
    def html(self) -> SafeString:
        return rich(self.text)


@dataclass(frozen=True)
class Table:
    title: str
    grid: list[list[str]]
    note: str
    period: str = ""
    source: str = ""
    chart: bytes | None = None
    block = "table"

    @property
    def html_grid(self) -> list[list[SafeString]]:
        return [[rich(cell) for cell in row] for row in self.grid]

    @property
    def chart_data_uri(self) -> str:
        if not self.chart:
            return ""
        return "data:image/png;base64," + base64.b64encode(self.chart).decode("ascii")


Block = Heading | Para | Table


@dataclass
class ReportContent:
    title: str
    period: str
    status: str
    generated: str
    reporting_year: int
    blocks: list[Block] = field(default_factory=list)

    @property
    def contents(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]


# --- where the content comes from ------------------------------------------------------------


def _table(published: Any, chart: Callable[..., Any] | None) -> Table:
    png: bytes | None = None
    if chart is not None:
        try:
            png = chart(published)
        except Exception:  # a chart is decoration: the table is printed without it
            logger.exception("chart of %s failed", getattr(published, "indicator_code", "?"))
    return Table(
        title=published.title,
        grid=[[str(cell) for cell in row] for row in published.grid()],
        note=published.note,
        period=published.period_label,
        source=getattr(published, "source", ""),
        chart=png or None,
    )


def _legal_blocks(section: Section, matrix: legal_selectors.Matrix) -> list[Block]:
    rows = [r for r in matrix.rows if r.article.number in section.articles]
    if not rows:
        return []
    blocks: list[Block] = [Heading(2, "Legal framework")]
    for row in rows:
        blocks.append(Para(f"Article {row.article.number} — {row.article.title}", "label"))
        for label, cell in zip(matrix.column_labels, row.cells, strict=True):
            text = legal_exports.cell_text(cell).replace("\n", "; ")
            blocks.append(Para(f"{label}: {text}", "bullet"))
    return blocks


def _opsc_date_blocks(section: Section, dates: list[OpscDate]) -> list[Block]:
    if not (section.opsc_dates and dates):
        return []
    blocks: list[Block] = [Heading(2, "Pakistan and the Optional Protocol")]
    for d in dates:
        blocks.append(Para(f"{d.get_event_display()}: {d.date_label} ({d.citation})", "bullet"))
    return blocks


def _recommendation_blocks(code: str) -> list[Block]:
    found = list(oversight_selectors.recommendations_for_section(code))
    if not found:
        return []
    blocks: list[Block] = [Heading(2, "The Committee's recommendations")]
    for rec in found:
        status = str(getattr(rec, "overall_status", "") or "").replace("_", " ")
        blocks.append(
            Para(
                f"{rec.document}, paragraph {rec.paragraph}: {rec.text}"
                + (f" (status: {status})" if status else ""),
                "body",
            )
        )
        assignments = getattr(rec, "assignments", None)
        for a in assignments.all() if assignments is not None else []:
            who = getattr(a.institution, "name_en", str(a.institution))
            lead = " (lead)" if getattr(a, "lead", False) else ""
            line = f"{who}{lead}: {a.get_status_display()}"
            if a.action:
                line += f" — {a.action}"
            blocks.append(Para(line, "bullet"))
    return blocks


def _countable(user: Actor, year: int) -> bool:
    """Whether the reader sees figures and the edition's year can be counted (it has begun,
    and cpmis holds records for it)."""
    if not access.has_capability(user, "aggregates.view"):
        return False
    try:
        tabulate.period_parse(str(year))
    except ValidationError:
        return False
    return True


def _statistics_blocks(
    annexed: list[Any], code: str, chart: Callable[..., Any] | None
) -> list[Block]:
    # a section's headline tables are tables of the annex: counted and protected once
    tables = annex.headlines(annexed, section=code)
    if not tables:
        return []
    return [Heading(2, "Statistics"), *(_table(t, chart) for t in tables)]


def _narrative_blocks(text: str | None) -> list[Block]:
    if not text:
        return [Para("This section has not been written yet.", "missing")]
    return [Para(p.strip()) for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def report_content(*, user: Actor, edition: ReportEdition) -> ReportContent:
    """Everything the report says, in its order; what both renderers print."""
    if not access.has_capability(user, "report.view"):
        raise PermissionDenied("You cannot read the report.")
    now = timezone.localtime()
    content = ReportContent(
        title=edition.title,
        period=f"{edition.period_from:%d %B %Y} to {edition.period_to:%d %B %Y}",
        status=edition.get_status_display(),
        generated=f"{now:%d %B %Y, %H:%M} (Asia/Karachi)",
        reporting_year=edition.reporting_year,
    )
    current = selectors.current_versions(edition)
    matrix = legal_selectors.compliance_matrix()
    opsc_dates = legal_selectors.opsc_dates()
    chart = charts.chart_png
    annexed = []
    if _countable(user, edition.reporting_year):  # else: no figures for this reader or year
        annexed = annex.report_tables(user=user, year=edition.reporting_year)
    for number, s in enumerate(SECTIONS, 1):
        content.blocks.append(Heading(1, f"{number}. {s.heading}"))
        version = current.get(s.code)
        content.blocks.extend(_opsc_date_blocks(s, opsc_dates))
        content.blocks.extend(_narrative_blocks(version.text if version else None))
        content.blocks.extend(_legal_blocks(s, matrix))
        content.blocks.extend(_recommendation_blocks(s.code))
        content.blocks.extend(_statistics_blocks(annexed, s.code, chart))
    content.blocks.append(Heading(1, "Statistical annex"))
    if not annexed:
        content.blocks.append(
            Para(
                "The statistical annex is generated for readers who see the figures, for a "
                "year that has begun.",
                "missing",
            )
        )
    else:
        content.blocks.append(
            Para(
                "Every indicator by every disaggregation of the year. The tables by district "
                "are in the annex workbook (XLSX), which cpmis exports with the same figures.",
                "body",
            )
        )
    # no charts in the annex: its tables are for reference, and many
    content.blocks.extend(_table(t, None) for t in annexed if t.row_dimension != "district")
    for index, heading in enumerate(content.contents, 1):
        heading.anchor = f"h{index}"
    return content


# --- DOCX ------------------------------------------------------------------------------------


def _docx_table(document: Any, table: Table) -> None:
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement
    from docx.shared import Cm, Pt

    caption = document.add_paragraph(style="Caption") if _has_style(document, "Caption") else None
    caption = caption or document.add_paragraph()
    write_docx_text(caption, table.title, bold=True)
    if table.period:
        write_docx_text(caption, f" ({table.period})")
    if table.grid:
        width = max(len(row) for row in table.grid)
        grid = document.add_table(rows=0, cols=width)
        grid.style = "Table Grid"
        for index, row in enumerate(table.grid):
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=False):
                cell.text = ""
                write_docx_text(cell.paragraphs[0], value, bold=index == 0)
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(9)
        header = grid.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
        repeat.set(qn("w:val"), "true")
        header.append(repeat)
    if table.chart:
        document.add_picture(io.BytesIO(table.chart), width=Cm(15))
    note = document.add_paragraph()
    write_docx_text(note, f"Note: {table.note}", italic=True)
    if table.source:
        write_docx_text(document.add_paragraph(), f"Source: {table.source}", italic=True)


def _has_style(document: Any, name: str) -> bool:
    try:
        document.styles[name]
    except KeyError:
        return False
    return True


def _docx_contents(document: Any, headings: list[Heading]) -> None:
    """A TOC field whose shown result is the list of headings: readable as it is, and
    Word fills in the page numbers when the fields are updated (asked on opening)."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    def field_char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run = OxmlElement("w:r")
        run.append(element)
        return run

    title = document.add_paragraph()
    write_docx_text(title, "Contents", bold=True)
    paragraphs = []
    for h in headings:
        p = document.add_paragraph()
        if h.level > 1:
            p.paragraph_format.left_indent = 228600  # a quarter inch, in EMU
        write_docx_text(p, h.text)
        paragraphs.append(p)
    if paragraphs:
        first, last = paragraphs[0]._p, paragraphs[-1]._p
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = ' TOC \\o "1-2" \\h \\z \\u '
        instr_run = OxmlElement("w:r")
        instr_run.append(instr)
        at = 1 if first.pPr is not None else 0
        for offset, element in enumerate((field_char("begin"), instr_run, field_char("separate"))):
            first.insert(at + offset, element)
        last.append(field_char("end"))
        settings = document.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        # Word is strict about the order of settings: updateFields precedes these.
        later = next((el for el in settings if el.tag.rsplit("}", 1)[-1] in _AFTER_UPDATE), None)
        if later is not None:
            later.addprevious(update)
        else:
            settings.append(update)


_AFTER_UPDATE = frozenset(
    {
        "hdrShapeDefaults",
        "footnotePr",
        "endnotePr",
        "compat",
        "docVars",
        "rsids",
        "mathPr",
        "attachedSchema",
        "themeFontLang",
        "clrSchemeMapping",
        "doNotIncludeSubdocsInStats",
        "doNotAutoCompressPictures",
        "forceUpgrade",
        "captions",
        "readModeInkLockDown",
        "smartTagType",
        "schemaLibrary",
        "shapeDefaults",
        "doNotEmbedSmartTags",
        "decimalSymbol",
        "listSeparator",
    }
)


def render_docx(content: ReportContent) -> bytes:
    from docx import Document
    from docx.enum.text import WD_BREAK

    document = Document()
    styles = document.styles
    styles["Normal"].font.name = LATIN_FONT
    document.add_heading(content.title, level=0)
    for line in (
        f"Period covered: {content.period}",
        f"Statistics of {content.reporting_year}",
        f"Status: {content.status}",
        f"Generated {content.generated}",
    ):
        write_docx_text(document.add_paragraph(), line)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _docx_contents(document, content.contents)
    for block in content.blocks:
        if isinstance(block, Heading):
            if block.level == 1:
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            heading = document.add_heading(level=block.level)
            write_docx_text(heading, block.text)
        elif isinstance(block, Table):
            _docx_table(document, block)
        elif block.kind == "bullet":
            write_docx_text(document.add_paragraph(style="List Bullet"), block.text)
        elif block.kind == "label":
            write_docx_text(document.add_paragraph(), block.text, bold=True)
        else:
            write_docx_text(document.add_paragraph(), block.text, italic=block.kind == "missing")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def render_html(content: ReportContent) -> str:
    return render_to_string(
        "reporting/report_pdf.html",
        {"content": content, "fonts": pdf.font_urls()},
    )


def render_pdf(content: ReportContent) -> bytes:
    return pdf.from_html(render_html(content))


# --- the entry points ------------------------------------------------------------------------


def report_docx(*, user: Actor, edition: ReportEdition) -> bytes:
    """The report as DOCX (in English, as the Committee receives it, whatever the language of
    who asks); generating it is audited as an export."""
    with translation.override("en"):
        data = render_docx(report_content(user=user, edition=edition))
    services.report_export_audit(actor=user, edition=edition, fmt="docx", size=len(data))
    return data


def report_pdf(*, user: Actor, edition: ReportEdition) -> bytes:
    """The report as PDF (in English, as the DOCX); generating it is audited as an export."""
    with translation.override("en"):
        data = render_pdf(report_content(user=user, edition=edition))
    services.report_export_audit(actor=user, edition=edition, fmt="pdf", size=len(data))
    return data


def filename(edition: ReportEdition, ext: str) -> str:
    return f"opsc-report-{edition.reporting_year}-{edition.pk}-{edition.status}.{ext}"
