"""The acknowledgement of a complaint, for the person who made it to keep or print: the
tracking code, the day it was received, its status and what happens next in neutral words, in
the person's language (Urdu right to left, in Nastaliq), as PDF or Word.

It says no more than the status page (``selectors.public_status``): never a name, a place or
what was written, so a printed copy found by someone else tells them nothing about the child.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext

from cpmis.core import pdf
from cpmis.core.mixed_text import write_docx_text

from .selectors import PublicStatus

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"
FORMATS = {"pdf": PDF_MIME, "docx": DOCX_MIME}


@dataclass(frozen=True)
class Acknowledgement:
    title: str
    issuer: str
    code_label: str
    code: str
    lines: list[str]  # received, status, what next, keep the code, danger
    printed: str
    right_to_left: bool


def acknowledgement(status: PublicStatus, code: str) -> Acknowledgement:
    """The acknowledgement's text in the active language."""
    day = formats.date_format(status.received_on, "DATE_FORMAT")
    return Acknowledgement(
        title=gettext("Acknowledgement of a complaint"),
        issuer=gettext("Child Protection — complaints"),
        code_label=gettext("Your tracking code is:"),
        code=code,
        lines=[
            gettext("Received on %(day)s.") % {"day": day},
            str(status.title),
            gettext("What happens next:") + " " + str(status.next_step),
            gettext(
                "Keep it to yourself: anyone with the code can see the status (but never your "
                "name or what you wrote)."
            ),
            gettext("If a child is in danger right now, call the police on 15."),
        ],
        printed=gettext("Printed on %(day)s.")
        % {"day": formats.date_format(timezone.localdate(), "DATE_FORMAT")},
        right_to_left=(get_language() or "").startswith("ur"),
    )


def as_pdf(ack: Acknowledgement) -> bytes:
    html = render_to_string(
        "complaints/acknowledgement_pdf.html",
        {"ack": ack, "fonts": pdf.font_urls(), "lang": get_language() or "en"},
    )
    return pdf.from_html(html)


def as_docx(ack: Acknowledgement) -> bytes:
    from docx import Document
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    write_docx_text(document.add_paragraph(), ack.issuer)
    write_docx_text(document.add_heading(level=1), ack.title)
    write_docx_text(document.add_paragraph(), ack.code_label)
    code = document.add_paragraph().add_run(ack.code)  # left to right, whatever the language
    code.bold = True
    code.font.size = Pt(20)
    for line in ack.lines:
        write_docx_text(document.add_paragraph(), line)
    write_docx_text(document.add_paragraph(), ack.printed)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
