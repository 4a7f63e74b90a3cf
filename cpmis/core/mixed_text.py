"""Text that mixes Urdu and Latin script, for documents: cut into runs of one script, as HTML
(each Urdu run in a right-to-left span) and in Word (each Urdu run right to left in the
Nastaliq face, a paragraph that starts in Urdu right to left). Used by the report, the
compliance matrix and the complaint acknowledgement."""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

URDU_FONT = "Noto Nastaliq Urdu"
_ARABIC = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_URDU_LETTER = re.compile(f"[{_ARABIC}]")
# An Urdu stretch: Arabic-script letters with the spaces, digits and punctuation between them.
_URDU_SPAN = re.compile(f"[{_ARABIC}](?:[{_ARABIC}\\s\\d.,:;!?()«»'\"\\-–—]*[{_ARABIC}])?")
_STRONG = re.compile(f"[A-Za-z{_ARABIC}]")


def runs(text: str) -> list[tuple[str, bool]]:
    """The text cut into runs: (piece, is Urdu)."""
    out: list[tuple[str, bool]] = []
    at = 0
    for match in _URDU_SPAN.finditer(text):
        if match.start() > at:
            out.append((text[at : match.start()], False))
        out.append((match.group(0), True))
        at = match.end()
    if at < len(text):
        out.append((text[at:], False))
    return out


def rich(text: str) -> SafeString:
    """Text as HTML: escaped, each Urdu run in a right-to-left span."""
    out = []
    for piece, urdu in runs(text):
        body = escape(piece)
        out.append(f'<span lang="ur" dir="rtl">{body}</span>' if urdu else body)
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped


def is_rtl(text: str) -> bool:
    """Whether a paragraph reads right to left: its first letter is Arabic script (what
    ``dir="auto"`` decides in HTML)."""
    first = _STRONG.search(text)
    return bool(first and _URDU_LETTER.match(first.group(0)))


# --- Word ------------------------------------------------------------------------------------

# What may follow w:bidi in a paragraph's properties (ECMA-376 CT_PPrBase, then CT_PPr).
_AFTER_BIDI = (
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def write_docx_text(paragraph: Any, text: str, *, bold: bool = False, italic: bool = False) -> None:
    """``text`` added to a python-docx paragraph: each Urdu run right to left in the Nastaliq
    face (Word's complex-script font), the paragraph right to left when it starts in Urdu."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    for piece, urdu in runs(text):
        run = paragraph.add_run(piece)
        run.bold = bold or None
        run.italic = italic or None
        if urdu:
            rpr = run._r.get_or_add_rPr()
            fonts = rpr.get_or_add_rFonts()
            fonts.set(qn("w:cs"), URDU_FONT)
            rpr.get_or_add_rtl()
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)  # w:lang is the last child an rPr may have
            lang.set(qn("w:bidi"), "ur-PK")
    if is_rtl(text):
        ppr = paragraph._p.get_or_add_pPr()
        if ppr.find(qn("w:bidi")) is None:
            ppr.insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI)


def right_to_left_table(table: Any) -> None:
    """A python-docx table laid out right to left (its first column on the right), as an
    Urdu document's tables are."""
    from docx.oxml.parser import OxmlElement

    properties = table._tbl.tblPr
    properties.append(OxmlElement("w:bidiVisual"))
