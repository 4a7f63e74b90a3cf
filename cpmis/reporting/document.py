"""The report to the Committee on the Rights of the Child, generated as DOCX and as PDF.

One content model (``report_content``) is built once from the narratives, the legal data
(Pakistan's OPSC dates, the compliance matrix: which law applies where), the edition's own
records (its consultations and validation), the Committee's recommendations and the
statistics, and rendered twice: by python-docx and by WeasyPrint (an HTML template with the
fonts shipped in ``cpmis/static/cpmis/fonts``; nothing is ever fetched over the network).

The form is the one the Committee's guidelines and Pakistan's initial report use:

- a cover with the document symbol, the State party, the date and the original language, and
  the symbol again in every page's header, the page number in its footer; A4 in both formats;
- headings numbered I, II… and A, B…; every paragraph of the body numbered 1, 2, 3… through the
  report, its sub-items lettered (a), (b)…; a reference written ``[[article-3]]`` in a
  narrative (or generated) becomes "paragraphs 25–31", the numbers that section holds;
- each statistical table numbered (1, 2… in the body, A.1, A.2… in the annex, the numbering of
  the annex workbook too), with a title a reader understands, its unit, its period, its source
  in words and the disclosure note; a table with no figure to show (all zeros, all withheld,
  or from records cpmis does not hold yet) is one sentence saying so and why;
- a province covered by federal law is not a gap; the articles that no applicable law covers
  are a table for the drafting team, printed as an appendix until the edition is final.

Numbers are given in reading order each time the report is generated: a paragraph keeps its
number while nothing is added before it; ``compare`` lists what moved between two versions.

Urdu runs are marked right-to-left with the Noto Nastaliq Urdu font in both formats. The DOCX
uses Word's own styles (Title, Heading 1 and 2, Caption, a style for numbered paragraphs), so
the drafting team can go on editing it, and a table of contents Word fills in.
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
from cpmis.indicators import annex, charts, sources, tabulate
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
STATE_PARTY = "Pakistan"
LANGUAGE = "English"
PROTOCOL = (
    "Optional Protocol to the Convention on the Rights of the Child on the sale of children, "
    "child prostitution and child pornography"
)
NUMBERED_STYLE = "Numbered Paragraph"
SUB_ITEM_STYLE = "Sub-item"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
         "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX")  # fmt: skip
REFERENCE = re.compile(r"\[\[([a-z0-9-]{1,40})\]\]")

# --- the content model -----------------------------------------------------------------------


@dataclass
class Heading:
    level: int  # 1: a section of the report; 2: a part of a section
    text: str
    anchor: str = ""  # set when the content is complete: the PDF's contents link to it
    section: str = ""  # the report section it opens (level 1)
    block = "heading"

    @property
    def html(self) -> SafeString:
        return rich(self.text)


@dataclass
class Para:
    text: str
    kind: str = "body"  # body | bullet | label | missing | summary | plain
    label: str = ""  # "12." for a numbered paragraph, "(a)" for a sub-item; set by numbering
    block = "para"

    @property
    def rtl(self) -> bool:
        return is_rtl(self.text)

    @property
    def html(self) -> SafeString:
        return rich(self.text)


@dataclass
class Table:
    title: str
    grid: list[list[str]]
    note: str
    period: str = ""
    source: str = ""
    unit: str = ""
    number: str = ""  # "3" in the body, "A.12" in the annex
    chart: bytes | None = None
    block = "table"

    @property
    def caption(self) -> str:
        return f"Table {self.number}. {self.title}" if self.number else self.title

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
    symbol: str = ""
    date: str = ""
    state_party: str = STATE_PARTY
    language: str = LANGUAGE
    final: bool = False
    blocks: list[Block] = field(default_factory=list)
    # section code -> (first, last) paragraph number it holds
    paragraphs: dict[str, tuple[int, int]] = field(default_factory=dict)
    # the annex's figures as published, for comparing versions: see ``figures_of``
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def contents(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]

    @property
    def header(self) -> str:
        """What every page but the cover carries at its top: the symbol (the title until one
        is assigned), the State party, the date and the original language."""
        return (
            f"{self.symbol or self.title} — {self.state_party}, {self.date} "
            f"(original: {self.language})"
        )

    @property
    def header_css(self) -> SafeString:
        """The header as a CSS string's content: every character but letters, digits and
        spaces written as a CSS escape, so no text can end the string or the style sheet."""
        return SafeString(
            "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x}" for c in self.header)
        )

    def numbered(self) -> list[tuple[int, str, str]]:
        """(number, section, text) of every numbered paragraph, in order: what a comparison
        of two versions reads."""
        found, current = [], ""
        for block in self.blocks:
            if isinstance(block, Heading) and block.level == 1:
                current = block.section
            elif isinstance(block, Para) and block.kind == "body" and block.label:
                found.append((int(block.label.rstrip(".")), current, block.text))
        return found


# --- tables ----------------------------------------------------------------------------------


def reader_title(published: Any) -> str:
    """A table's title for a reader: what is counted and how it is broken down, then the
    period ("Complaints received, by channel and province or territory, 2025")."""
    title = str(published.title)
    period = str(published.period_label)
    head, sep, _tail = title.rpartition(" — ")
    if sep and _tail.startswith(period):
        title = head  # the page's form "… — 2025 (filters)": the period follows below
    title = title.replace(", by province or territory", " and province or territory")
    if " and province or territory" in title and ", by " not in title:
        title = title.replace(" and province or territory", ", by province or territory")
    return f"{title}, {period}"


def unit_text(published: Any) -> str:
    unit = str(published.unit)
    if published.measure == "share":
        return f"Share of {unit} (per cent); the number it is a share of is given beside it."
    if published.measure == "sum":
        return f"Number of {unit} (a sum)."
    return f"Number of {unit}."


def empty_reason(published: Any, has_records: Callable[[str], bool]) -> str:
    """Why the table has nothing to print, or "" when it has figures to show."""
    cells = list(published.cells.values())
    if published.measure == "share":
        if all(c.value is None and not c.suppressed for c in cells):  # no denominator anywhere
            if not has_records(published.source):
                return "cannot be produced yet: " + sources.missing(
                    published.source, published.period_label
                )
            return f"no {published.unit} were due in {published.period_label}"
        if all(c.suppressed or c.value is None for c in cells):
            return "every figure is withheld to protect children's identities (see the note)"
        return ""
    shown = [c for c in cells if not c.suppressed]
    if not any(c.value for c in shown):
        if not any(c.suppressed for c in cells):  # all zeros
            if not has_records(published.source):
                return "cannot be produced yet: " + sources.missing(
                    published.source, published.period_label
                )
            return f"no {published.unit} were recorded in {published.period_label}"
        return (
            "every figure is below the threshold of disclosure control or withheld to protect "
            "one that is, so none is shown (see the note)"
        )
    return ""


def _table(
    published: Any,
    number: str,
    chart: Callable[..., Any] | None,
    has_records: Callable[[str], bool],
) -> Table | Para:
    title = reader_title(published)
    reason = empty_reason(published, has_records)
    if reason:
        return Para(f"Table {number}. {title}: {reason}.", "summary")
    png: bytes | None = None
    if chart is not None:
        try:
            png = chart(published)
        except Exception:  # a chart is decoration: the table is printed without it
            logger.exception("chart of %s failed", getattr(published, "indicator_code", "?"))
    source = getattr(published, "source", "")
    return Table(
        title=title,
        grid=[[str(cell) for cell in row] for row in published.grid()],
        note=published.note,
        period=str(published.period_label),
        source=sources.description(source) if source in sources.DESCRIPTIONS else source,
        unit=unit_text(published),
        number=number,
        chart=png or None,
    )


# --- where the content comes from ------------------------------------------------------------


def _citation(link: Any) -> str:
    if link.provision is not None:
        return f"{link.provision.citation} ({link.provision.title})"
    return str(link.statute.title)


def _own(cell: Any) -> list[Any]:
    return list(cell.own)


def _legal_blocks(section: Section, matrix: legal_selectors.Matrix) -> list[Block]:
    """One paragraph per article: the federal law that applies throughout the country, then
    what each province's or territory's own law adds. A jurisdiction with nothing of its own
    is not listed (federal law covers it); gaps go to the drafting team's appendix."""
    rows = [r for r in matrix.rows if r.article.number in section.articles]
    if not rows:
        return []
    blocks: list[Block] = [Heading(2, "Legal framework")]
    for row in rows:
        federal = []
        provincial: list[tuple[str, list[Any]]] = []
        for column, label, cell in zip(
            matrix.columns, matrix.column_labels, row.cells, strict=True
        ):
            if column is None:
                federal = _own(cell)
            elif _own(cell):
                provincial.append((str(getattr(column, "name_en", label)), _own(cell)))
        article = f"Article {row.article.number} ({row.article.title})"
        if federal:
            text = (
                f"{article} is given effect throughout {STATE_PARTY} by federal law: "
                + "; ".join(_citation(link) for link in federal)
                + "."
            )
        elif provincial:
            text = f"{article} is given effect by the law of the provinces and territories."
        else:
            text = f"No law in force in {STATE_PARTY} is recorded as giving effect to {article}."
        blocks.append(Para(text))
        if provincial:
            if federal:
                blocks.append(Para("The law of the provinces and territories adds:", "plain"))
            for place, links in provincial:
                blocks.append(Para(f"{place}: " + "; ".join(_citation(k) for k in links), "bullet"))
    return blocks


def _gap_rows(matrix: legal_selectors.Matrix) -> list[list[str]]:
    return [
        [f"{gap.article.number}. {gap.article.title}", gap.jurisdiction_label, gap.why]
        for gap in legal_selectors.coverage_gaps(matrix)
    ]


def _unconfirmed_rows(matrix: legal_selectors.Matrix) -> list[list[str]]:
    """Where federal law is counted as applying although the sources do not say it extends
    there: (jurisdiction, the statutes, what the data says), once per jurisdiction."""
    found: dict[str, tuple[str, dict[str, None], dict[str, None]]] = {}
    for row in matrix.rows:
        for column, label, cell in zip(
            matrix.columns, matrix.column_labels, row.cells, strict=True
        ):
            if column is None or not cell.unconfirmed:
                continue
            place = str(getattr(column, "name_en", label))
            _, statutes, notes = found.setdefault(place, (place, {}, {}))
            for link in cell.unconfirmed:
                statutes[str(link.statute.short_title)] = None
            for extent in cell.unconfirmed_extents:
                notes[str(extent.notes)] = None
    return [
        [place, ", ".join(statutes), " ".join(n for n in notes if n)]
        for place, statutes, notes in found.values()
    ]


def _gaps_blocks(matrix: legal_selectors.Matrix, final: bool) -> list[Block]:
    """The drafting team's table of gaps: an appendix of the draft, not of the final text."""
    if final:
        return []
    rows = _gap_rows(matrix)
    blocks: list[Block] = [
        Heading(1, "Appendix for the drafting team: articles no applicable law covers"),
        Para(
            "This appendix lists, for each province and territory, the articles of the Optional "
            "Protocol that no law applicable there is recorded as covering (federal law that "
            "applies throughout the country counts for every province and territory). It is "
            "left out of the final edition.",
            "plain",
        ),
    ]
    note = "From the compliance matrix of cpmis (the law as data), as of the date of this draft."
    if rows:
        blocks.append(
            Table(
                title="Articles without an applicable provision",
                grid=[["Article", "Jurisdiction", "Why"], *rows],
                note=note,
                number="G.1",
            )
        )
    else:
        blocks.append(Para("Every article is covered in every jurisdiction.", "plain"))
    unconfirmed = _unconfirmed_rows(matrix)
    if unconfirmed:
        blocks.append(
            Table(
                title="Federal law counted as applying where the sources do not confirm it",
                grid=[["Jurisdiction", "Federal law", "What the sources say"], *unconfirmed],
                note=note + " To be confirmed before the report is final.",
                number="G.2",
            )
        )
    return blocks


def _opsc_date_blocks(
    section: Section, dates: list[OpscDate], edition: ReportEdition
) -> list[Block]:
    if not section.opsc_dates:
        return []
    blocks: list[Block] = []
    by_event = {d.event: d for d in dates}
    parts = []
    if "signed" in by_event:
        parts.append(f"signed the {PROTOCOL} on {by_event['signed'].date_label}")
    if "ratified" in by_event:
        parts.append(f"ratified it on {by_event['ratified'].date_label}")
    if parts:
        text = f"{STATE_PARTY} " + " and ".join(parts) + "."
        if "in_force" in by_event:
            text += (
                f" The Protocol entered into force for {STATE_PARTY} on "
                f"{by_event['in_force'].date_label}, in line with its article 14 (2)."
            )
        blocks.append(Para(text))
    blocks.append(
        Para(
            f"The present report covers the period from {_day(edition.period_from)} to "
            f"{_day(edition.period_to)}; its statistics are those of {edition.reporting_year}. "
            "It answers the articles of the Optional Protocol in the order of the Committee's "
            "guidelines: "
            + "; ".join(
                f"{_articles_words(s.articles)} in [[{s.code}]]" for s in SECTIONS if s.articles
            )
            + "."
        )
    )
    return blocks


def _articles_words(numbers: tuple[int, ...]) -> str:
    words = [str(n) for n in numbers]
    if len(words) == 1:
        return f"article {words[0]}"
    return "articles " + ", ".join(words[:-1]) + " and " + words[-1]


def _day(value: Any) -> str:
    return f"{value.day} {value:%B %Y}"


def _process_blocks(section: Section, edition: ReportEdition) -> list[Block]:
    """The process of report writing as the edition's own records show it."""
    if section.code != "process":
        return []
    process = selectors.edition_process(edition)
    sentences = []
    if process.versions:
        sentences.append(
            f"The text was drafted in cpmis by {process.writers} "
            f"{'contributor' if process.writers == 1 else 'contributors'}, in "
            f"{process.versions} successive "
            f"{'version' if process.versions == 1 else 'versions'} of its sections."
        )
    zero = process.reached.get("zero_draft")
    consultation = process.reached.get("consultation")
    final = process.reached.get("final")
    if zero:
        sentences.append(f"The zero draft was completed on {_day(timezone.localtime(zero))}.")
    if consultation:
        sentences.append(
            f"It was circulated for consultation on {_day(timezone.localtime(consultation))}."
        )
    if process.comments:
        sentences.append(
            f"Reviewers ({process.reviewers}) made {process.comments} "
            f"{'comment' if process.comments == 1 else 'comments'} on "
            f"{process.sections_commented} "
            f"{'section' if process.sections_commented == 1 else 'sections'}, of which "
            f"{process.resolved} {'was' if process.resolved == 1 else 'were'} resolved."
        )
    if final:
        sentences.append(f"The report was validated on {_day(timezone.localtime(final))}.")
    elif not (zero or consultation):
        sentences.append("The zero draft has not been completed yet.")
    return [Para(" ".join(sentences))] if sentences else []


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


def countable(user: Actor, year: int) -> bool:
    """Whether the reader sees figures and the edition's year can be counted (it has begun,
    and cpmis holds records for it)."""
    if not access.has_capability(user, "aggregates.view"):
        return False
    try:
        tabulate.period_parse(str(year))
    except ValidationError:
        return False
    return True


def _narrative_blocks(text: str | None) -> list[Block]:
    if not text:
        return [Para("This section has not been written yet.", "missing")]
    return [Para(p.strip()) for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def annex_numbers(tables: list[Any]) -> dict[int, str]:
    """The number of every table of the annex (by its place in the list): A.1, A.2… in
    catalogue order, the tables by district included (they are printed in the workbook only),
    so the report and the annex workbook number them alike."""
    return {i: f"A.{i + 1}" for i in range(len(tables))}


def records_checker(user: Actor, year: int) -> Callable[[str], bool]:
    window = tabulate.period_parse(str(year)).window
    known: dict[str, bool] = {}

    def has_records(name: str) -> bool:
        if not name or name not in sources.DESCRIPTIONS:
            return True
        if name not in known:
            known[name] = sources.has_records(user, name, window)
        return known[name]

    return has_records


def report_content(*, user: Actor, edition: ReportEdition) -> ReportContent:
    """Everything the report says, in its order, numbered; what both renderers print."""
    if not access.has_capability(user, "report.view"):
        raise PermissionDenied("You cannot read the report.")
    now = timezone.localtime()
    content = ReportContent(
        title=edition.title,
        period=f"{_day(edition.period_from)} to {_day(edition.period_to)}",
        status=edition.get_status_display(),
        generated=f"{now:%d %B %Y, %H:%M} (Asia/Karachi)",
        reporting_year=edition.reporting_year,
        symbol=edition.symbol,
        date=_day(now),
        final=edition.is_final,
    )
    current = selectors.current_versions(edition)
    matrix = legal_selectors.compliance_matrix()
    opsc_dates = legal_selectors.opsc_dates()
    chart = charts.chart_png
    annexed: list[Any] = []
    has_records: Callable[[str], bool] = lambda name: True  # noqa: E731
    if countable(user, edition.reporting_year):  # else: no figures for this reader or year
        annexed = annex.report_tables(user=user, year=edition.reporting_year)
        has_records = records_checker(user, edition.reporting_year)
    numbers = annex_numbers(annexed)
    annex_number = {id(t): numbers[i] for i, t in enumerate(annexed)}
    body_tables = 0
    for index, s in enumerate(SECTIONS):
        content.blocks.append(Heading(1, f"{ROMAN[index]}. {s.heading}", section=s.code))
        version = current.get(s.code)
        content.blocks.extend(_opsc_date_blocks(s, opsc_dates, edition))
        content.blocks.extend(_process_blocks(s, edition))
        content.blocks.extend(_narrative_blocks(version.text if version else None))
        content.blocks.extend(_legal_blocks(s, matrix))
        content.blocks.extend(_recommendation_blocks(s.code))
        headline = annex.headlines(annexed, section=s.code)
        if headline:
            content.blocks.append(Heading(2, "Statistics"))
            for t in headline:
                body_tables += 1
                block = _table(t, str(body_tables), chart, has_records)
                content.blocks.append(block)
                if isinstance(block, Table):
                    mine = [
                        annex_number[id(a)] for a in annexed if a.indicator_code == t.indicator_code
                    ]
                    block.note += f" Every breakdown is in the annex ({_range(mine)})."
    content.blocks.extend(_gaps_blocks(matrix, edition.is_final))
    content.blocks.append(Heading(1, "Annex: statistical tables"))
    if not annexed:
        content.blocks.append(
            Para(
                "The statistical annex is generated for readers who see the figures, for a "
                "year that has begun.",
                "missing",
            )
        )
    else:
        district = [numbers[i] for i, t in enumerate(annexed) if t.row_dimension == "district"]
        content.blocks.append(
            Para(
                f"Every indicator by every disaggregation of {edition.reporting_year}, numbered as "
                "in the annex workbook (XLSX), which holds the same tables"
                + (
                    f"; the tables by district ({_number_list(district)}) are in the workbook only."
                    if district
                    else "."
                ),
                "plain",
            )
        )
    # no charts in the annex: its tables are for reference, and many
    for i, t in enumerate(annexed):
        if t.row_dimension != "district":
            content.blocks.append(_table(t, numbers[i], None, has_records))
    content.figures = figures_of(annexed, numbers)
    _number(content)
    for index, heading in enumerate(content.contents, 1):
        heading.anchor = f"h{index}"
    return content


def figures_of(tables: list[Any], numbers: dict[int, str]) -> dict[str, dict[str, Any]]:
    """The annex's figures as published ("x" for a suppressed one), by table: keyed by the
    indicator and its breakdown, which stay the same when the numbering moves."""
    found: dict[str, dict[str, Any]] = {}
    for i, t in enumerate(tables):
        found[f"{t.indicator_code}:{t.row_dimension}"] = {
            "number": numbers[i],
            "title": reader_title(t),
            "cells": {
                f"{r.label}\t{c.label}": t.cell(r.key, c.key).text
                for r in t.rows
                for c in t.columns
            },
        }
    return found


def _range(numbers: list[str]) -> str:
    if len(numbers) == 1:
        return f"table {numbers[0]}"
    return f"tables {numbers[0]} to {numbers[-1]}"


def _number_list(numbers: list[str]) -> str:
    return ", ".join(numbers)


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return f"({letters})"


def _number(content: ReportContent) -> None:
    """Number the body's paragraphs 1, 2… in reading order (sub-items (a), (b)… under the
    paragraph before them), the headings I, II… and A, B…, then resolve references."""
    count, sub, section = 0, 0, ""
    level2 = 0
    ranges: dict[str, list[int]] = {}
    for block in content.blocks:
        if isinstance(block, Heading):
            if block.level == 1:
                section, level2 = block.section, 0
            else:
                block.text = f"{chr(ord('A') + level2)}. {block.text}"
                level2 += 1
            continue
        if not isinstance(block, Para):
            continue
        if block.kind == "body":
            count += 1
            sub = 0
            block.label = f"{count}."
            if section:
                ranges.setdefault(section, []).append(count)
        elif block.kind == "bullet":
            block.label = _letters(sub)
            sub += 1
    content.paragraphs = {code: (found[0], found[-1]) for code, found in ranges.items()}

    def reference(match: re.Match[str]) -> str:
        found = content.paragraphs.get(match.group(1))
        if found is None:
            return match.group(0)  # not a section, or one with no paragraph: left as written
        first, last = found
        return f"paragraph {first}" if first == last else f"paragraphs {first}–{last}"

    for block in content.blocks:
        if isinstance(block, Para) and "[[" in block.text:
            block.text = REFERENCE.sub(reference, block.text)


# --- DOCX ------------------------------------------------------------------------------------


def _docx_table(document: Any, table: Table) -> None:
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement
    from docx.shared import Cm, Pt

    caption = document.add_paragraph(style="Caption")
    caption.paragraph_format.keep_with_next = True
    write_docx_text(caption, table.caption)
    if table.unit or table.period:
        facts = document.add_paragraph(style="Caption")
        facts.paragraph_format.keep_with_next = True
        write_docx_text(
            facts,
            " ".join(
                x for x in (f"Period: {table.period}." if table.period else "", table.unit) if x
            ),
        )
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
    if table.source:
        write_docx_text(document.add_paragraph(style=NOTE_STYLE), f"Source: {table.source}.")
    write_docx_text(document.add_paragraph(style=NOTE_STYLE), f"Note: {table.note}")


NOTE_STYLE = "Table Note"


def _docx_styles(document: Any) -> None:
    """Word styles of the report: the body in the Latin face, A4 page, and the styles of
    numbered paragraphs (hanging number), their sub-items and the notes under tables."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    styles = document.styles
    styles["Normal"].font.name = LATIN_FONT
    styles["Normal"].font.size = Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2", "Caption", "Header", "Footer"):
        styles[name].font.name = LATIN_FONT
    numbered = styles.add_style(NUMBERED_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    numbered.base_style = styles["Normal"]
    numbered.paragraph_format.left_indent = Cm(1)
    numbered.paragraph_format.first_line_indent = Cm(-1)
    numbered.paragraph_format.tab_stops.add_tab_stop(Cm(1))
    numbered.paragraph_format.space_after = Pt(6)
    numbered.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    sub = styles.add_style(SUB_ITEM_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    sub.base_style = styles["Normal"]
    sub.paragraph_format.left_indent = Cm(2)
    sub.paragraph_format.first_line_indent = Cm(-1)
    sub.paragraph_format.tab_stops.add_tab_stop(Cm(2))
    sub.paragraph_format.space_after = Pt(3)
    note = styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = styles["Normal"]
    note.font.size = Pt(8.5)
    note.font.italic = True
    note.paragraph_format.space_after = Pt(2)
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Cm(2.5)
        section.left_margin = section.right_margin = Cm(2.2)


def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES…) with the text shown until Word updates it."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    def run_with(element: Any) -> Any:
        run = OxmlElement("w:r")
        run.append(element)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = shown
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, text, end):
        paragraph._p.append(run_with(element))


def _docx_page_furniture(document: Any, content: ReportContent) -> None:
    """The symbol in the header and the page number in the footer of every page but the
    cover."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    section = document.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    write_docx_text(header, content.header)
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE", "1")


def _docx_cover(document: Any, content: ReportContent) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

    top = document.add_paragraph()
    top.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    write_docx_text(top, content.symbol or "Symbol to be assigned", bold=True)
    for line in (
        "Distr.: General" if content.final else f"Status: {content.status}",
        content.date,
        f"Original: {content.language}",
    ):
        p = document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        write_docx_text(p, line)
    write_docx_text(document.add_paragraph(), "Committee on the Rights of the Child", bold=True)
    title = document.add_paragraph(style="Title")
    write_docx_text(title, content.title)
    for line in (
        f"Report submitted by {content.state_party} under the {PROTOCOL}",
        f"Period covered: {content.period}",
        f"Statistics of {content.reporting_year}",
        f"Generated {content.generated}",
    ):
        write_docx_text(document.add_paragraph(), line)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


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

    title = document.add_paragraph(style="TOC Heading")
    write_docx_text(title, "Contents")
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
    _docx_styles(document)
    _docx_page_furniture(document, content)
    _docx_cover(document, content)
    _docx_contents(document, content.contents)
    for block in content.blocks:
        if isinstance(block, Heading):
            if block.level == 1:
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            heading = document.add_heading(level=block.level)
            write_docx_text(heading, block.text)
        elif isinstance(block, Table):
            _docx_table(document, block)
        elif block.kind == "body":
            paragraph = document.add_paragraph(style=NUMBERED_STYLE)
            write_docx_text(paragraph, f"{block.label}\t{block.text}")
        elif block.kind == "bullet":
            paragraph = document.add_paragraph(style=SUB_ITEM_STYLE)
            write_docx_text(paragraph, f"{block.label}\t{block.text}")
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
        {"content": content, "fonts": pdf.font_urls(), "protocol": PROTOCOL},
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
    what = "opsc-report-annex" if ext == "xlsx" else "opsc-report"
    return f"{what}-{edition.reporting_year}-{edition.pk}-{edition.status}.{ext}"
