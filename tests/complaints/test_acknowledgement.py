"""The acknowledgement a person who complained keeps: the code and the status in neutral
words, in their language, as PDF or Word; never a name or what was written."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from typing import Any

import pytest
from django.test import Client
from docx import Document
from docx.oxml.ns import qn

from cpmis.complaints import services
from tests.conftest import Personas

from .conftest import complaint_input

URL = "/complaint/acknowledgement/"
URDU = re.compile("[\u0600-\u06ff]")


@pytest.fixture
def code(personas: Personas) -> str:
    registered = services.complaint_register(
        actor=personas.complaint_officer,
        data=complaint_input(reporter_kind="parent", reporter_name="Rukhsana Bibi"),
    )
    return registered.display_code


def xml_of(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return archive.read("word/document.xml").decode()


def test_the_word_acknowledgement_in_urdu_reads_right_to_left_in_nastaliq(
    client: Client, code: str
) -> None:
    response = client.post(URL, {"code": code.lower(), "format": "docx", "language": "ur"})
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == 'attachment; filename="complaint-acknowledgement.docx"'
    )
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert code in texts  # the code as it is written, left to right
    heading = document.paragraphs[1]
    assert heading.text == "شکایت کی رسید" and heading._p.pPr.find(qn("w:bidi")) is not None
    assert heading.runs[0]._r.rPr.rFonts.get(qn("w:cs")) == "Noto Nastaliq Urdu"
    assert any("15" in t and URDU.search(t) for t in texts)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # Nothing about the child, the reporter or what was said.
    xml = xml_of(response.content)
    for secret in ("Ayesha", "Rukhsana", "made to work", "Lahore", "لاہور"):
        assert secret not in xml


def fonts_in(pdf: bytes) -> set[bytes]:
    """The names of the fonts a PDF embeds (its compressed streams inflated)."""
    text = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            text.append(zlib.decompress(match.group(1)))
    return set(re.findall(rb"/FontName /[A-Z]{6}\+([\w-]+)", b"".join(text)))


def test_the_pdf_acknowledgement_embeds_the_shipped_faces(client: Client, code: str) -> None:
    urdu = client.post(URL, {"code": code, "format": "pdf", "language": "ur"})
    assert urdu.status_code == 200 and urdu["Content-Type"] == "application/pdf"
    assert urdu.content[:5] == b"%PDF-"
    fonts = {name.replace(b"-", b"") for name in fonts_in(urdu.content)}
    assert any(name.startswith(b"NotoNastaliqUrdu") for name in fonts), fonts
    english = client.post(URL, {"code": code, "format": "pdf", "language": "en"})
    fonts = {name.replace(b"-", b"") for name in fonts_in(english.content)}
    assert any(name.startswith(b"NotoSans") for name in fonts), fonts
    assert not any(b"Nastaliq" in name for name in fonts)


@pytest.mark.parametrize(
    "data",
    [
        {"code": "ABCD-1234-XYZ", "format": "pdf"},
        {"code": "", "format": "docx"},
        {"code": "x" * 500, "format": "pdf"},
        {"format": "pdf"},
    ],
)
def test_an_unknown_code_gets_the_status_pages_answer(client: Client, data: dict[str, Any]) -> None:
    response = client.post(URL, data)
    assert response.status_code == 404
    assert 'data-status="not-found"' in response.content.decode()


def test_a_format_other_than_pdf_or_word_is_refused(client: Client, code: str) -> None:
    for fmt in ("html", "../../etc/passwd", ""):
        response = client.post(URL, {"code": code, "format": fmt})
        assert response.status_code == 404
    assert client.get(URL).status_code == 405


def test_the_status_page_offers_the_acknowledgement_for_a_known_code(
    client: Client, code: str
) -> None:
    page = client.post("/complaint/status/", {"code": code}).content.decode()
    assert f'action="{URL}"' in page and f'value="{code}"' in page
    unknown = client.post("/complaint/status/", {"code": "ABCD-1234-XYZ"}).content.decode()
    assert URL not in unknown
