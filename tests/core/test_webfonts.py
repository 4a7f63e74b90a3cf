"""The web fonts: light, declared by unicode-range, cached for a year, and covering every
letter cpmis writes in Urdu."""

from __future__ import annotations

import gettext
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont

from cpmis.core import webfonts

CATALOG = Path(webfonts.FONTS).parents[2] / "locale" / "ur" / "LC_MESSAGES"
RULE = re.compile(
    r'font-family: "(?P<family>[^"]+)"; src: url\("fonts/web/(?P<file>[^"]+)"\).*?'
    r"font-weight: (?P<weight>\d+);.*?unicode-range: (?P<ranges>[^;]+);"
)


def declared() -> list[dict[str, str]]:
    return [m.groupdict() for m in RULE.finditer(webfonts.CSS.read_text(encoding="utf-8"))]


def code_points(ranges: str) -> set[int]:
    points: set[int] = set()
    for part in ranges.replace(" ", "").split(","):
        first, _, last = part.removeprefix("U+").partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return points


def cmap(file: str) -> set[int]:
    return set(TTFont(webfonts.WEB / file).getBestCmap())


def test_each_font_file_is_declared_with_the_range_it_holds() -> None:
    rules = declared()
    assert {r["file"] for r in rules} == {p.name for p in webfonts.WEB.glob("*.woff2")}
    assert len(rules) == len(webfonts.FACES)
    for rule in rules:
        held = cmap(rule["file"])
        assert held, rule
        # Nothing outside the declared range: the browser would never use it, and a page
        # would not download a file for a letter it does not hold.
        assert held <= code_points(rule["ranges"]) | {0x20, 0xA0}, rule["file"]
        assert (webfonts.WEB / rule["file"]).read_bytes()[:4] == b"wOF2"


def test_an_english_page_never_matches_the_urdu_faces_ranges() -> None:
    latin = code_points(next(r["ranges"] for r in declared() if r["family"] == "Noto Sans"))
    for rule in declared():
        if rule["family"] == "Noto Nastaliq Urdu":
            assert not code_points(rule["ranges"]) & set(range(0x20, 0x250)), rule
            assert not code_points(rule["ranges"]) & latin


def urdu_text_of_the_catalog() -> str:
    with (CATALOG / "django.mo").open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    return "".join(str(v) for k, v in catalog.items() if k)


def test_the_urdu_face_has_a_glyph_for_every_letter_of_the_translations() -> None:
    text = urdu_text_of_the_catalog()
    urdu = {ord(c) for c in text if 0x0600 <= ord(c) <= 0x06FF or 0xFB50 <= ord(c) <= 0xFEFF}
    assert len(urdu) > 30  # the catalog holds Urdu
    held = set().union(*(cmap(r["file"]) for r in declared() if "Nastaliq" in r["family"]))
    assert urdu <= held, sorted(hex(c) for c in urdu - held)
    latin = {ord(c) for c in text if ord(c) < 0x0600} - {0x0A}
    sans = set().union(*(cmap(r["file"]) for r in declared() if r["family"] == "Noto Sans"))
    assert latin <= sans, sorted(hex(c) for c in latin - sans)


def test_the_switchs_label_needs_only_the_small_face() -> None:
    label = next(r for r in declared() if r["family"] == "cpmis Urdu label")
    assert {ord(c) for c in "اردو"} <= cmap(label["file"])
    assert (webfonts.WEB / label["file"]).stat().st_size < 5_000


def test_the_committed_fonts_are_what_the_command_writes(tmp_path: Path) -> None:
    written = webfonts.build(tmp_path / "web", tmp_path / "fonts.css")
    assert (tmp_path / "fonts.css").read_text() == webfonts.CSS.read_text()
    assert {p.name for p in written[:-1]} == {p.name for p in webfonts.WEB.glob("*.woff2")}


def test_the_compiled_catalog_is_the_po_file_compiled(tmp_path: Path) -> None:
    out = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603 - gettext's msgfmt, on the repository's catalog
        ["msgfmt", "--check", "-o", str(out), str(CATALOG / "django.po")],  # noqa: S607
        check=True,
        capture_output=True,
    )
    with out.open("rb") as fresh, (CATALOG / "django.mo").open("rb") as kept:
        assert gettext.GNUTranslations(fresh)._catalog == gettext.GNUTranslations(kept)._catalog  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_fonts_are_served_as_woff2_and_cached_for_a_year(client: Any) -> None:
    for rule in declared():
        response = client.get(f"/static/cpmis/fonts/web/{rule['file']}")
        assert response.status_code == 200
        assert response["Content-Type"] == "font/woff2"
        assert (
            "max-age=315360000" in response["Cache-Control"]
            or "immutable" in response["Cache-Control"]
        )
    css = client.get("/static/cpmis/fonts.css")
    assert css.status_code == 200 and "immutable" not in css.get("Cache-Control", "")
