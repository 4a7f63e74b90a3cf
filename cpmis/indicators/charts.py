"""Charts of published tables, drawn on the server with matplotlib: SVG for the pages, PNG for
the report. They show only what the table publishes: a suppressed figure is drawn as a gap
marked "x", never as a bar.

Three kinds, each readable at a glance: a line over time (months or quarters), bars by
category, and on-time shares as bars against 100 %.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: files only

from django.utils.translation import gettext
from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from .catalogue import unit_label
from .tables import TOTAL, PublishedTable

_LOCK = threading.Lock()  # matplotlib's font cache and state are not thread-safe
COLOUR = "#1f5f8b"
LATE = "#c8553d"
# Urdu labels are drawn in the fonts cpmis ships (matplotlib's DejaVu Sans lacks letters
# Urdu needs, such as ہ): Noto Sans for Latin letters and digits, Noto Nastaliq Urdu for the
# rest. Matplotlib shapes and orders right-to-left text itself (libraqm).
FONTS = Path(__file__).resolve().parent.parent / "static" / "cpmis" / "fonts"
URDU_FAMILY = ["Noto Sans", "Noto Nastaliq Urdu"]
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_fonts_added = False


def _font(*texts: str) -> dict[str, Any]:
    """The font of a label: the Urdu fonts when any of ``texts`` is in Arabic script."""
    global _fonts_added
    if not any(_ARABIC.search(t) for t in texts):
        return {}
    if not _fonts_added:
        for name in ("NotoSans-Regular.ttf", "NotoNastaliqUrdu-Regular.ttf"):
            if (FONTS / name).exists():
                font_manager.fontManager.addfont(str(FONTS / name))
        _fonts_added = True
    return {"family": URDU_FAMILY}


def _rows(table: PublishedTable) -> list[Any]:
    return [
        row
        for row in table.rows
        if not (row.key == TOTAL or (row.key.startswith("j") and table.row_dimension == "district"))
    ]


def _series(table: PublishedTable) -> list[tuple[str, float | None]]:
    found = []
    for row in _rows(table):
        cell = table.cell(row.key, TOTAL)
        found.append((row.label, None if cell.suppressed else cell.value))
    return found


def _texts(table: PublishedTable) -> list[str]:
    """What each point prints when it has no exact value: "x", or a bound ("> 96 %")."""
    return [table.cell(row.key, TOTAL).text for row in _rows(table)]


def _figure(table: PublishedTable) -> Figure | None:
    if table.row_dimension in {"total", "district"}:
        return None
    series = _series(table)
    texts = _texts(table)
    if not series or all(v in (None, 0) for _, v in series):
        return None
    labels = [label for label, _ in series]
    values = [0.0 if v is None else float(v) for _, v in series]
    trend = table.row_dimension in {"month", "quarter"}
    height = 2.8 if trend else max(2.2, 0.32 * len(series) + 0.9)
    figure = Figure(figsize=(7.2, height), dpi=110)
    axes = figure.subplots()
    share = table.measure == "share"
    scale = 100.0 if share else 1.0
    if trend:
        points = [None if v is None else v * scale for _, v in series]
        xs = list(range(len(points)))
        axes.plot(
            [x for x, p in zip(xs, points, strict=True) if p is not None],
            [p for p in points if p is not None],
            marker="o",
            color=COLOUR,
        )
        for x, p, text in zip(xs, points, texts, strict=True):
            if p is None:
                axes.annotate(text, (x, 0), ha="center", va="bottom", color=LATE, fontsize=7)
        axes.set_xticks(xs, labels, **_font(*labels))
        axes.set_ylim(bottom=0, top=100 if share else None)
    else:
        ys = list(range(len(series)))[::-1]
        bars = axes.barh(ys, [v * scale for v in values], color=COLOUR)
        axes.set_yticks(ys, labels, fontsize=8, **_font(*labels))
        for bar, (_, v), printed in zip(bars, series, texts, strict=True):
            text = printed if v is None else (f"{round(v * 100)} %" if share else f"{int(v):,}")
            axes.annotate(
                text,
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color=LATE if v is None else "#222222",
            )
        if share:
            axes.set_xlim(0, 110)
            axes.axvline(100, color="#999999", linewidth=0.8)
    axis = (
        gettext("%(percent)s on time") % {"percent": "%"}
        if share
        else unit_label(table.unit).capitalize()
    )
    axes.set_xlabel(axis, fontsize=8, **_font(axis))
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    figure.tight_layout()
    return figure


def _render(table: PublishedTable, fmt: str) -> bytes | None:
    with _LOCK:
        figure = _figure(table)
        if figure is None:
            return None
        out = io.BytesIO()
        figure.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        plt.close("all")
        return out.getvalue()


def chart_png(table: PublishedTable) -> bytes | None:
    return _render(table, "png")


def chart_svg(table: PublishedTable) -> str | None:
    data = _render(table, "svg")
    if data is None:
        return None
    text = data.decode("utf-8")
    return text[text.index("<svg") :]  # drop the XML prolog and doctype: inlined in a page
