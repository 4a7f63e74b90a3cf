"""The generated report: DOCX structure and content, Urdu runs, the PDF and its fonts, and
the audit of every generation."""

from __future__ import annotations

import contextlib
import io
import re
import zlib
from typing import Any

import pytest
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
    assert level1 == [f"{n}. {s.heading}" for n, s in enumerate(SECTIONS, 1)] + [
        "Statistical annex"
    ]
    level2 = {text for style, text in headings if style == "Heading 2"}
    assert {"Legal framework", "Statistics"} <= level2
    texts = [p.text for p in doc.paragraphs]
    assert "The Penal Code criminalises the sale of children." in texts
    assert "Status: Draft" in texts
    assert any(t.startswith("Child victims of sale by sex, 2025") for t in texts)
    assert any(t.startswith("Cases of child pornography by province") for t in texts)
    # each section's headline table (articles 3 and 2) and both annex tables
    assert texts.count(f"Note: {NOTE}") == 4
    grid = doc.tables[0]
    assert [c.text for c in grid.rows[0].cells] == ["Sex", "Punjab", "Sindh", "Pakistan"]
    assert [c.text for c in grid.rows[1].cells] == ["Girls", "12", "x", "15"]
    assert len(doc.inline_shapes) == 1  # the charted table in its section; the annex has none
    assert tables["report"] == [(tables["report"][0][0], 2025)]  # counted once for the report
    # the legal framework comes from the compliance matrix
    assert any(t.startswith("Federal: ") for t in texts)


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
    assert "Child victims of sale by sex, 2025" in html
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
    introduction = sections["1. Introduction"]
    for line in (
        "Signed by Pakistan: 26 September 2001 (initial report ¶1)",
        "Ratified by Pakistan: 5 July 2011 (initial report ¶1)",
        "Entered into force for Pakistan: 5 August 2011 (initial report ¶1)",
    ):
        assert line in introduction, introduction
    html = document.render_html(document.report_content(user=personas.analyst, edition=written))
    assert "Ratified by Pakistan: 5 July 2011 (initial report ¶1)" in html
