"""Normalised keys for finding provisions by number ("377 b", "369A", "3(e)") and by words."""

from __future__ import annotations

import re
import unicodedata

_NUMBER_LETTER = re.compile(r"(\d+)\s*-?\s*([a-z])\b")
_NOT_WORD = re.compile(r"[^\w]+")


def _plain(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def section_key(section: str) -> str:
    """ "369-A" -> "369a", "3(e)" -> "3e", "4(1)(p)" -> "41p": the section without punctuation."""
    return re.sub(r"[^0-9a-z]", "", _plain(section))


def query_terms(query: str) -> list[str]:
    """Words of a query, with section numbers joined to their letter ("377 b" -> "377b")."""
    text = " ".join(part for part in _NOT_WORD.split(_plain(query)) if part)
    text = _NUMBER_LETTER.sub(r"\1\2", text)
    return [t for t in text.split() if t]


def search_document(*parts: str) -> str:
    return " ".join(p for p in (" ".join(_NOT_WORD.split(_plain(x))) for x in parts) if p)
