"""PDF documents from HTML with WeasyPrint, offline: the shipped fonts (Noto Sans, Noto
Nastaliq Urdu) and inline images only; any other address is refused, so a document can never
make the server fetch something."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "cpmis" / "fonts"


def font_urls() -> dict[str, str]:
    """The shipped fonts as file:// URLs, for a document's @font-face rules."""
    files = {
        "sans": "NotoSans-Regular",
        "sans_bold": "NotoSans-Bold",
        "urdu": "NotoNastaliqUrdu-Regular",
        "urdu_bold": "NotoNastaliqUrdu-Bold",
    }
    return {key: (FONTS_DIR / f"{name}.ttf").as_uri() for key, name in files.items()}


def _local_fetcher() -> Any:
    """WeasyPrint's fetcher, refusing everything but the shipped fonts and inline images."""
    from weasyprint.urls import URLFetcher

    fonts = FONTS_DIR.as_uri() + "/"

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or (url.startswith(fonts) and ".." not in url):
                return super().fetch(url, headers)
            raise ValueError(f"cpmis does not fetch {url[:80]!r} while making a document")

    return LocalOnly(allowed_protocols={"file", "data"})


def from_html(html: str) -> bytes:
    """The PDF of ``html`` (its @font-face rules name ``font_urls()``)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=_local_fetcher())
    data: bytes = document.write_pdf()
    return data
