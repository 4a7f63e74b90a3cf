"""No string left behind: every text a template shows is marked for translation, and every
marked string has its Urdu translation."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "cpmis" / "templates"
PO = ROOT / "cpmis" / "locale" / "ur" / "LC_MESSAGES" / "django.po"

# Text that is the same in both languages: names of things, formats and acronyms.
SAME_IN_BOTH = {
    "cpmis", "English", "DHIS2", "API", "CSV", "XLSX", "PDF", "DOCX", "JSON", "OPSC", "CNIC",
    "PPC", "FIA", "OpenAPI", "ReDoc", "Swagger", "UTF-8", "ISO", "Nastaliq", "Noto", "OK",
}  # fmt: skip
BLOCKS = re.compile(
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}"
    r"|{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|<script\b.*?</script>|<style\b.*?</style>|<svg\b.*?</svg>",
    re.S,
)
TAGS = re.compile(r"{%.*?%}|{{.*?}}", re.S)
READ_ATTRIBUTES = re.compile(
    r'\b(?:title|placeholder|aria-label|alt|data-label)="([^"]*)"'
    r'|<input\b[^>]*\btype="(?:submit|button|reset)"[^>]*\bvalue="([^"]*)"',
    re.S,
)
HTML = re.compile(r"<[^>]*>", re.S)
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


def unmarked(text: str) -> list[str]:
    """The words of ``text`` that would be shown in English to an Urdu reader."""
    return [
        w for w in WORD.findall(text) if w not in SAME_IN_BOTH and not (w.isupper() and len(w) <= 6)
    ]


def leftovers(template: Path) -> list[str]:
    source = BLOCKS.sub(" ", template.read_text(encoding="utf-8"))
    found = []
    for line_number, line in enumerate(source.splitlines(), 1):
        shown = TAGS.sub(" ", line)
        attributes = " ".join(a or b for a, b in READ_ATTRIBUTES.findall(shown))
        text = HTML.sub(" ", shown) + " " + attributes
        words = unmarked(text)
        if words:
            found.append(f"{template.relative_to(ROOT)}:{line_number}: {' '.join(words)}")
    return found


# The report to the Committee is written in English, whatever the page's language (ADR 0017).
ENGLISH_ONLY = {TEMPLATES / "reporting" / "report_pdf.html"}


@pytest.mark.parametrize(
    "template",
    sorted(set(TEMPLATES.rglob("*.html")) - ENGLISH_ONLY),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_every_text_a_template_shows_is_marked_for_translation(template: Path) -> None:
    assert leftovers(template) == []


def test_the_check_finds_text_left_unmarked() -> None:
    assert unmarked("Save the case") == ["Save", "the", "case"]
    assert unmarked("DHIS2 API CNIC PB-LHR") == []


def test_every_message_has_its_urdu_translation_and_the_catalog_is_valid() -> None:
    check = subprocess.run(  # noqa: S603 - gettext's msgfmt, on the repository's catalog
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],  # noqa: S607
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    # "N translated messages." and nothing fuzzy or untranslated; no warning.
    assert re.fullmatch(r"\d+ translated messages\.\s*", check.stderr), check.stderr
