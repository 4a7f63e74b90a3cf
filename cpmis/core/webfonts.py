"""The web fonts: WOFF2 subsets of the shipped Noto faces, each declared with its
``unicode-range`` so that a browser downloads a face only for a page that has text in it.

The TrueType files in ``static/cpmis/fonts`` are the sources (WeasyPrint embeds them in the
report's PDF). ``cpmis manage webfonts`` writes, from them, ``static/cpmis/fonts/web/*.woff2``
(named by their content's hash, so they are served as immutable for a year) and
``static/cpmis/fonts.css`` with the ``@font-face`` rules; both are kept in the repository, so
nothing is built at run time. Run it again after changing a source font or a range below.

- Urdu: Noto Nastaliq Urdu, the Arabic block only (U+0600–06FF holds every Urdu letter, the
  Urdu digits and punctuation; the rarer Arabic blocks are a second file). Regular only:
  bold Urdu is synthesised by the browser, which keeps an Urdu page's fonts to one download
  of about 110 KB instead of two.
- Latin: Noto Sans, Regular and Bold, the "latin" range (ASCII, Latin-1, general punctuation).
Hinting is dropped: screens at these sizes do not need it and it is a fifth of the bytes.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

FONTS = Path(settings.BASE_DIR) / "cpmis" / "static" / "cpmis" / "fonts"
WEB = FONTS / "web"
CSS = FONTS.parent / "fonts.css"

URDU_CORE = "U+0600-06FF, U+200C-200D, U+FDF2, U+FDFD"
URDU_MORE = "U+0750-077F, U+0870-08FF, U+FB50-FDF1, U+FDF3-FDFC, U+FDFE-FDFF, U+FE70-FEFE"
URDU_LABEL = "U+0627, U+062F, U+0631, U+0648"  # ا د ر و
LATIN = (
    "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, "
    "U+0329, U+2000-200B, U+2010-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, "
    "U+FEFF, U+FFFD"
)


@dataclass(frozen=True)
class Face:
    family: str
    source: str  # a TrueType file in FONTS
    weight: int
    ranges: str  # what the file holds, and the unicode-range it is declared with
    slug: str


FACES = (
    Face("Noto Nastaliq Urdu", "NotoNastaliqUrdu-Regular.ttf", 400, URDU_CORE, "nastaliq-urdu"),
    Face("Noto Nastaliq Urdu", "NotoNastaliqUrdu-Regular.ttf", 400, URDU_MORE, "nastaliq-more"),
    # The language switch's "اردو" on every English page: its four letters only (about 3 KB),
    # in a family of its own, so that showing it does not fetch the whole Urdu face.
    Face("cpmis Urdu label", "NotoNastaliqUrdu-Regular.ttf", 400, URDU_LABEL, "urdu-label"),
    Face("Noto Sans", "NotoSans-Regular.ttf", 400, LATIN, "sans-latin"),
    Face("Noto Sans", "NotoSans-Bold.ttf", 700, LATIN, "sans-latin-bold"),
)


def subset(face: Face) -> bytes:
    """The WOFF2 file of ``face``: its source cut to its ranges, every layout feature kept."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its INFO lists every glyph

    options = ft_subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # Nastaliq's joining and stacking live in GSUB/GPOS
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright and the licence
    font = TTFont(FONTS / face.source, recalcTimestamp=False)  # the same bytes every time
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=ft_subset.parse_unicodes(face.ranges.replace(" ", "")))
    subsetter.subset(font)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


def file_name(face: Face, data: bytes) -> str:
    return f"{face.slug}.{hashlib.sha256(data).hexdigest()[:12]}.woff2"


def css(names: dict[str, str]) -> str:
    rules = [
        "/* Written by `cpmis manage webfonts` (cpmis/core/webfonts.py): do not edit. */",
    ]
    for face in FACES:
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; '
            f'src: url("fonts/web/{names[face.slug]}") format("woff2"); '
            f"font-weight: {face.weight}; font-style: normal; font-display: swap; "
            f"unicode-range: {face.ranges}; }}"
        )
    return "\n".join(rules) + "\n"


def build(web: Path = WEB, stylesheet: Path = CSS) -> list[Path]:
    """Write the WOFF2 files and fonts.css; remove web fonts no longer named. The written paths."""
    web.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    written: list[Path] = []
    for face in FACES:
        data = subset(face)
        names[face.slug] = file_name(face, data)
        path = web / names[face.slug]
        path.write_bytes(data)
        written.append(path)
    for old in web.glob("*.woff2"):
        if old not in written:
            old.unlink()
    stylesheet.write_text(css(names), encoding="utf-8")
    written.append(stylesheet)
    return written
