"""Name normalisation for search: case-, accent- and script-variant-insensitive.

Latin: Unicode decomposition with the accents dropped, then case-folded. Urdu (Arabic
script): diacritics (zer, zabar, pesh, madd, hamza marks) and tatweel dropped, and Arabic
letter forms that Urdu keyboards produce mapped to their Urdu letters (ي/ى → ی, ك → ک,
ه/ة → ہ), so "محمد" typed on an Arabic keyboard finds "مُحَمَّد". Stored values are never changed;
only the search key is normalised.
"""

from __future__ import annotations

import re
import unicodedata

_ARABIC_TO_URDU = str.maketrans(
    {
        "\u064a": "\u06cc",  # ARABIC YEH -> FARSI YEH (Urdu choti ye)
        "\u0649": "\u06cc",  # ALEF MAKSURA -> Urdu ye
        "\u0643": "\u06a9",  # ARABIC KAF -> KEHEH
        "\u0647": "\u06c1",  # HEH -> HEH GOAL
        "\u0629": "\u06c1",  # TEH MARBUTA -> HEH GOAL
        "\u06c3": "\u06c1",  # TEH MARBUTA GOAL -> HEH GOAL
        "\u0640": None,  # TATWEEL
        "\u200c": None,  # ZERO WIDTH NON-JOINER
        "\u200d": None,  # ZERO WIDTH JOINER
    }
)
_NOT_WORD = re.compile(r"[^\w]+")


def normalize_name(value: str) -> str:
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    mapped = stripped.translate(_ARABIC_TO_URDU).casefold()
    return " ".join(part for part in _NOT_WORD.split(mapped) if part)


def search_key(*names: str) -> str:
    """The stored key: normalised names joined with a separator no query can span."""
    return " | ".join(n for n in (normalize_name(x) for x in names) if n)
