"""The generated report: DOCX structure and content, Urdu runs, the PDF and its fonts, and
the audit of every generation."""

from __future__ import annotations

import contextlib
import io
import re
import zlib
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from cpmis.audit.models import AuditEvent
from cpmis.legal.report_structure import SECTIONS
from cpmis.reporting import document, services
from cpmis.reporting.models import ReportEdition
from tests.conftest import Personas
from tests.reporting.conftest import NOTE

URDU = "بچوں کی حفاظت ہم سب کی ذمہ داری ہے"


@pytest.fixture
def written(personas: Personas, edition: ReportEdition) -> ReportEdition:
    a = personas.analyst
    services.narrative_save(
        actor=a,
        edition=edition,
        section="article-3",
        text="The Penal Code criminalises the sale of children.\n\nA second paragraph.",
        base_number=0,
    )
    services.narrative_save(
        actor=a,
        edition=edition,
        section="prevention",
        text=f"The campaign's slogan was:\n\n«{URDU}»",
        base_number=0,
    )
    return edition


def test_runs_split_urdu_from_english() -> None:
    from cpmis.core.mixed_text import is_rtl, runs

    assert runs(f"Slogan: {URDU}.") == [("Slogan: ", False), (URDU, True), (".", False)]
    assert is_rtl(f"«{URDU}»") and not is_rtl(f"Slogan {URDU}")


def test_the_docx_has_the_structure_narratives_tables_and_notes(
    personas: Personas, written: ReportEdition, tables: dict[str, Any]
) -> None:
    data = document.report_docx(user=personas.analyst, edition=written)
    doc = Document(io.BytesIO(data))
    headings = [
        (p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")
    ]
    level1 = [text for style, text in headings if style == "Heading 1"]
    assert level1 == [f"{document.ROMAN[n]}. {s.heading}" for n, s in enumerate(SECTIONS)] + [
        "Appendix for the drafting team: articles no applicable law covers",
        "Annex: statistical tables",
    ]
    level2 = {text.split(". ", 1)[1] for style, text in headings if style == "Heading 2"}
    assert {"Legal framework", "Statistics"} <= level2
    texts = [p.text for p in doc.paragraphs]
    numbered = [p.text for p in doc.paragraphs if p.style.name == document.NUMBERED_STYLE]
    assert any(
        re.fullmatch(r"\d+\.\tThe Penal Code criminalises the sale of children\.", t)
        for t in numbered
    )
    assert "Status: Draft" in texts
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    # the body's tables are numbered 1, 2…; the annex's A.1, A.2… (the workbook's numbers)
    assert "Table 1. Cases of child pornography, by province or territory, 2025" in captions
    assert "Table 2. Child victims of sale, by sex, 2025" in captions
    assert "Table A.1. Child victims of sale, by sex, 2025" in captions
    assert "Table A.2. Cases of child pornography, by province or territory, 2025" in captions
    assert "Period: 2025. Number of children." in captions
    notes = [p.text for p in doc.paragraphs if p.style.name == document.NOTE_STYLE]
    # each section's headline table (articles 2 and 3) and both annex tables
    assert sum(t.startswith(f"Note: {NOTE}") for t in notes) == 4
    assert f"Note: {NOTE} Every breakdown is in the annex (table A.1)." in notes
    assert "Source: cpmis case register." in notes
    grids = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["Sex", "Punjab", "Sindh", "Pakistan"] in grids
    grid = doc.tables[grids.index(["Sex", "Punjab", "Sindh", "Pakistan"])]
    assert [c.text for c in grid.rows[1].cells] == ["Girls", "12", "x", "15"]
    assert len(doc.inline_shapes) == 1  # the charted table in its section; the annex has none
    assert tables["report"] == [(tables["report"][0][0], 2025)]  # counted once for the report
    # the legal framework comes from the compliance matrix: federal law throughout the country
    assert any("is given effect throughout Pakistan by federal law: " in t for t in numbered)
    # a province covered by federal law is not a gap; the gaps are the drafting team's table
    assert not any("GAP" in t for t in texts)
    gaps = doc.tables[grids.index(["Article", "Jurisdiction", "Why"])]
    rows = [[c.text for c in r.cells] for r in gaps.rows[1:]]
    assert rows and all(r[0].split(".")[0] in {"10", "11", "12"} for r in rows), rows
    assert "Table G.1. Articles without an applicable provision" in captions


def test_the_docx_is_a4_with_the_symbol_in_the_header_and_page_numbers(
    personas: Personas, tables: dict[str, Any]
) -> None:
    edition = services.edition_create(
        actor=personas.analyst,
        title="Second periodic report of Pakistan",
        symbol="CRC/C/OPSC/PAK/2",
        reporting_year=2025,
        period_from=date(2025, 1, 1),
        period_to=date(2025, 12, 31),
    )
    doc = Document(io.BytesIO(document.report_docx(user=personas.analyst, edition=edition)))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.different_first_page_header_footer  # the cover has neither
    today = document._day(timezone.localtime())
    assert section.header.paragraphs[0].text == (
        f"CRC/C/OPSC/PAK/2 — Pakistan, {today} (original: English)"
    )
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer
    cover = [p.text for p in doc.paragraphs[:8]]
    assert cover[0] == "CRC/C/OPSC/PAK/2"
    assert "Original: English" in cover
    assert "Committee on the Rights of the Child" in cover
    assert doc.paragraphs[[p.text for p in doc.paragraphs].index(edition.title)].style.name == (
        "Title"
    )
    assert any(p.style.name == "TOC Heading" for p in doc.paragraphs)


def test_a_bad_symbol_is_refused(personas: Personas) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="CRC/C/OPSC/PAK/2"):
        services.edition_create(
            actor=personas.analyst,
            title="x",
            symbol="crc c opsc",
            reporting_year=2025,
            period_from=date(2025, 1, 1),
            period_to=date(2025, 12, 31),
        )


def test_paragraphs_are_numbered_through_the_report_and_references_resolved(
    personas: Personas, written: ReportEdition, tables: dict[str, Any]
) -> None:
    services.narrative_save(
        actor=personas.analyst,
        edition=written,
        section="article-1",
        text="As [[article-3]] explain, the law is complete. See also [[nowhere]].",
        base_number=0,
    )
    content = document.report_content(user=personas.analyst, edition=written)
    numbered = content.numbered()
    assert [n for n, _, _ in numbered] == list(range(1, len(numbered) + 1))
    first, last = content.paragraphs["article-3"]
    article_3 = [t for n, s, t in numbered if s == "article-3"]
    assert article_3[:2] == [
        "The Penal Code criminalises the sale of children.",
        "A second paragraph.",
    ]
    assert last - first + 1 == len(article_3)
    [cross] = [t for _, s, t in numbered if s == "article-1" and t.startswith("As ")]
    assert (
        cross == f"As paragraphs {first}–{last} explain, the law is complete. See also [[nowhere]]."
    )
    # the introduction tells where each article is answered, by paragraph
    [guide] = [t for _, s, t in numbered if s == "introduction" and "guidelines" in t]
    assert f"article 3 in paragraphs {first}–{last}" in guide
    # adding a paragraph to a later section leaves the earlier numbers as they were
    services.narrative_save(
        actor=personas.analyst,
        edition=written,
        section="prevention",
        text="One more paragraph.\n\nAnd another.",
        base_number=1,
    )
    again = document.report_content(user=personas.analyst, edition=written)
    assert again.paragraphs["article-3"] == (first, last)


def test_tables_with_nothing_to_show_are_one_sentence_saying_why(
    personas: Personas, written: ReportEdition, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cpmis.indicators import annex, charts
    from cpmis.indicators.tables import Cell
    from tests.reporting.conftest import published

    def zeros(source: str) -> Any:
        table = published("Complaints received, by channel — 2025", "institutions")
        table.source = source
        table.unit = "complaints"
        table.cells = {k: Cell(0, False, "0") for k in table.cells}
        return table

    withheld = published("Child victims of sale, by sex — 2025")
    withheld.cells = {k: Cell(None, True, "x") for k in withheld.cells}
    found = [zeros("complaints"), zeros("justice"), withheld]
    monkeypatch.setattr(annex, "report_tables", lambda *, user, year: found)
    monkeypatch.setattr(charts, "chart_png", lambda table: None)
    texts = [
        b.text
        for b in document.report_content(user=personas.analyst, edition=written).blocks
        if isinstance(b, document.Para) and b.kind == "summary"
    ]
    # no complaint and no department record of 2025 in this database: both cannot be produced
    assert (
        "Table A.1. Complaints received, by channel, 2025: cannot be produced yet: cpmis holds "
        "no complaint received in 2025." in texts
    )
    assert (
        "Table A.2. Complaints received, by channel, 2025: cannot be produced yet: no police, "
        "FIA or court record dated in 2025 has been received through the data exchange yet."
        in texts
    )
    assert any(
        t.startswith("Table A.3. Child victims of sale, by sex, 2025: every figure is below")
        for t in texts
    )


def test_a_true_zero_is_said_to_be_one(
    personas: Personas, written: ReportEdition, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cpmis.indicators import annex, charts, sources
    from cpmis.indicators.tables import Cell
    from tests.reporting.conftest import published

    table = published("Complaints received, by channel — 2025", "institutions")
    table.source, table.unit = "complaints", "complaints"
    table.cells = {k: Cell(0, False, "0") for k in table.cells}
    monkeypatch.setattr(annex, "report_tables", lambda *, user, year: [table])
    monkeypatch.setattr(charts, "chart_png", lambda table: None)
    monkeypatch.setattr(sources, "has_records", lambda user, name, window: True)
    blocks = document.report_content(user=personas.analyst, edition=written).blocks
    assert any(
        isinstance(b, document.Para)
        and b.text
        == "Table A.1. Complaints received, by channel, 2025: no complaints were recorded in 2025."
        for b in blocks
    )
    assert not any(isinstance(b, document.Table) and b.number == "A.1" for b in blocks)


def test_urdu_runs_are_right_to_left_in_nastaliq(
    personas: Personas, written: ReportEdition, tables: dict[str, Any]
) -> None:
    doc = Document(io.BytesIO(document.report_docx(user=personas.analyst, edition=written)))
    [paragraph] = [p for p in doc.paragraphs if URDU in p.text]
    assert paragraph._p.pPr.find(qn("w:bidi")) is not None
    [run] = [r for r in paragraph.runs if r.text == URDU]
    rpr = run._r.rPr
    assert rpr.rFonts.get(qn("w:cs")) == "Noto Nastaliq Urdu"
    assert rpr.find(qn("w:rtl")) is not None


def test_a_reader_who_does_not_see_figures_gets_the_report_without_statistics(
    personas: Personas, written: ReportEdition, tables: dict[str, Any]
) -> None:
    # a supervisor reads and comments on the report, but figures are the analysts'
    doc = Document(io.BytesIO(document.report_docx(user=personas.supervisor, edition=written)))
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("The statistical annex is generated for readers") for t in texts)
    assert not any(t.startswith("Child victims of sale by sex") for t in texts)
    assert tables["report"] == []


def _pdf_text(data: bytes) -> bytes:
    """The PDF with its compressed streams inflated (font names may sit in object streams)."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompress(match.group(1)))
    return b"".join(out)


def test_the_pdf_embeds_the_urdu_font_and_generation_is_audited(
    personas: Personas, written: ReportEdition, tables: dict[str, Any]
) -> None:
    data = document.report_pdf(user=personas.supervisor, edition=written)
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    # WeasyPrint names an embedded subset "ABCDEF+Noto-Nastaliq-Urdu"
    assert re.search(rb"/FontName /[A-Z]{6}\+Noto-?Nastaliq-?Urdu", text)
    assert re.search(rb"/FontName /[A-Z]{6}\+Noto-?Sans", text)
    [event] = AuditEvent.objects.filter(action="report.export")
    assert event.actor_username == "supervisor"
    assert event.object_id == str(written.pk) and event.detail["format"] == "pdf"


def test_the_pdf_fetches_nothing_but_the_shipped_fonts() -> None:
    from cpmis.core import pdf

    fetcher = pdf._local_fetcher()
    for url in ("http://example.org/x.css", "https://cdn.example/f.ttf", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_html_prints_every_table_with_its_title_and_note(
    personas: Personas, written: ReportEdition, tables: dict[str, Any]
) -> None:
    content = document.report_content(user=personas.analyst, edition=written)
    html = document.render_html(content)
    assert html.count(f"Note: {NOTE}") == 4
    assert "Table 2. Child victims of sale, by sex, 2025" in html
    assert '<p class="numbered" dir="auto"><span class="num">' in html
    assert f'<span lang="ur" dir="rtl">{URDU}</span>' in html
    assert "http://" not in html and "https://" not in html


def test_a_person_without_the_capability_gets_no_report(
    personas: Personas, written: ReportEdition
) -> None:
    with pytest.raises(Exception, match="cannot read"):
        document.report_docx(user=personas.cpo, edition=written)


def test_the_introduction_states_when_pakistan_signed_ratified_and_was_bound(
    personas: Personas, written: ReportEdition, tables: dict[str, Any]
) -> None:
    doc = Document(io.BytesIO(document.report_docx(user=personas.analyst, edition=written)))
    sections: dict[str, list[str]] = {}
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            current = sections.setdefault(p.text, [])
        elif sections:
            current.append(p.text)
    introduction = sections["I. Introduction"]
    assert introduction[0] == (
        "1.\tPakistan signed the Optional Protocol to the Convention on the Rights of the Child "
        "on the sale of children, child prostitution and child pornography on 26 September 2001 "
        "and ratified it on 5 July 2011. The Protocol entered into force for Pakistan on "
        "5 August 2011, in line with its article 14 (2)."
    )
    html = document.render_html(document.report_content(user=personas.analyst, edition=written))
    assert "The Protocol entered into force for Pakistan on 5 August 2011" in html


def test_the_process_is_told_from_the_editions_records(
    personas: Personas, written: ReportEdition, tables: dict[str, Any]
) -> None:
    def process() -> str:
        content = document.report_content(user=personas.analyst, edition=written)
        [text] = [t for _, s, t in content.numbered() if s == "process"][:1]
        return text

    assert process() == (
        "The text was drafted in cpmis by 1 contributor, in 2 successive versions of its "
        "sections. The zero draft has not been completed yet."
    )
    services.edition_status_set(actor=personas.analyst, edition=written, status="zero_draft")
    services.edition_status_set(actor=personas.analyst, edition=written, status="consultation")
    comment = services.comment_add(
        actor=personas.supervisor, edition=written, section="article-3", text="Cite the year."
    )
    services.comment_add(
        actor=personas.analyst, edition=written, section="prevention", text="Add the slogan."
    )
    services.comment_resolve(actor=personas.analyst, comment=comment)
    services.edition_status_set(actor=personas.analyst, edition=written, status="final")
    today = document._day(timezone.localdate())
    assert process() == (
        "The text was drafted in cpmis by 1 contributor, in 2 successive versions of its "
        f"sections. The zero draft was completed on {today}. It was circulated for consultation "
        f"on {today}. Reviewers (2) made 2 comments on 2 sections, of which 1 was resolved. "
        f"The report was validated on {today}."
    )
    # the drafting team's appendix of gaps is not part of the final edition
    written.refresh_from_db()
    content = document.report_content(user=personas.analyst, edition=written)
    assert not any(
        isinstance(b, document.Heading) and b.text.startswith("Appendix") for b in content.blocks
    )


def test_the_pdf_header_cannot_end_its_css_string() -> None:
    content = document.ReportContent(
        title='Report"; } body { display: none } </style><script>x</script>',
        period="",
        status="Draft",
        generated="",
        reporting_year=2025,
    )
    css = str(content.header_css)
    assert not set(css) & set("\"'<>;{}\\\n") - {"\\"}
    assert "\\00003c" in css and "\\000022" in css  # escaped, still printed
    html = document.render_html(content)
    assert "<script>" not in html
