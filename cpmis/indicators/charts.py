"""Charts of published tables, drawn on the server with matplotlib: SVG for the pages, PNG for
the report. They show only what the table publishes: a suppressed figure is never drawn as a
bar nor as a zero, but as the range a reader of the table can work out (``bounds``), hatched
and labelled "x (1–9)"; a share given as a bound likewise.

Three kinds, each readable at a glance: a line over time (months or quarters), bars by
category, and on-time shares as bars against 100 %.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: files only

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext
from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

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


_BOUND = re.compile(r"^([<>])\s*([0-9]+)\s*%$")
MAX_BARS = 40  # more places than this make no chart (the table lists them)


def bounds(table: PublishedTable) -> dict[str, tuple[float, float | None]]:
    """What a reader of the table can say of each figure it does not give exactly (in the
    total column): a suppressed count is at least 1 (a zero is shown) and at most what its
    total leaves once the figures shown beside it are taken away (less 1 for each other
    suppressed figure there); where one child may count in two rows, at most the total. A
    share given as a bound ("> 96 %") lies between it and 100 %. ``None``: no upper bound
    can be read (the total is suppressed too). Nothing here is more than the table says."""
    found: dict[str, tuple[float, float | None]] = {}
    if table.measure == "share":
        for row in _rows(table):
            cell = table.cell(row.key, TOTAL)
            match = _BOUND.match(cell.text)
            if cell.suppressed:
                found[row.key] = (0.0, 1.0)
            elif match and cell.value is None:
                edge = int(match.group(2)) / 100
                found[row.key] = (0.0, edge) if match.group(1) == "<" else (edge, 1.0)
        return found
    groups: list[tuple[str, list[str]]] = []  # (total row, member rows)
    members: list[str] = []
    for row in table.rows:
        if row.key == TOTAL or (table.row_dimension == "district" and row.key.startswith("j")):
            groups.append((row.key, members))
            members = []
        else:
            members.append(row.key)
    if table.row_dimension == "district" and len(groups) > 1:
        groups = groups[:-1]  # the grand total adds up the subtotals, not the districts
    for total_key, keys in groups:
        hidden = [k for k in keys if table.cell(k, TOTAL).suppressed]
        if not hidden:
            continue
        total = table.cell(total_key, TOTAL)
        high: float | None = None
        if not total.suppressed and total.value is not None:
            shown = sum(float(table.cell(k, TOTAL).value or 0) for k in keys if k not in hidden)
            if table.additive:
                high = float(total.value) - shown - (len(hidden) - 1)
            else:
                high = float(total.value)
            high = max(high, 1.0)
        for k in hidden:
            found[k] = (1.0, high)
    return found


def _range_text(low: float, high: float | None, share: bool) -> str:
    if share:
        return f"x ({round(low * 100)}–{round((high or 1) * 100)} %)"
    if high is None:
        return f"x (≥ {int(low)})"
    if high <= low:
        return f"x ({int(low)})"
    return f"x ({int(low)}–{int(high):,})"


def _figure(table: PublishedTable) -> Figure | None:
    if table.row_dimension == "total":
        return None
    if table.row_dimension == "district" and len(_rows(table)) > MAX_BARS:
        return None
    series = _series(table)
    ranges = bounds(table)
    rows = _rows(table)
    if not series or (all(v in (None, 0) for _, v in series) and not ranges):
        return None
    labels = [label for label, _ in series]
    share = table.measure == "share"
    scale = 100.0 if share else 1.0
    trend = table.row_dimension in {"month", "quarter"}
    height = 2.8 if trend else max(2.2, 0.32 * len(series) + 0.9)
    figure = Figure(figsize=(7.2, height), dpi=110)
    axes = figure.subplots()
    known = [v * scale for _, v in series if v is not None]
    top = max([*known, *((h or 0) * scale for _, h in ranges.values()), 1.0])
    printed = [_range_text(*ranges[row.key], share) if row.key in ranges else None for row in rows]
    hatch: dict[str, Any] = {
        "hatch": "////",
        "facecolor": "white",
        "edgecolor": LATE,
        "linewidth": 0.8,
    }
    if trend:
        points = [None if v is None else v * scale for _, v in series]
        xs = list(range(len(points)))
        # a suppressed month breaks the line: no slope is drawn through a figure not given
        axes.plot(xs, [float("nan") if p is None else p for p in points], marker="o", color=COLOUR)
        for x, row, text in zip(xs, rows, printed, strict=True):
            if row.key not in ranges:
                continue
            low, high = ranges[row.key]
            low, span = low * scale, ((high if high is not None else low) - low) * scale
            if high is None:  # no upper bound: an arrow up from the lower bound
                axes.annotate(
                    "",
                    (x, low + 0.12 * top),
                    (x, low),
                    arrowprops={"arrowstyle": "->", "color": LATE},
                )
            else:
                axes.bar([x], [max(span, 0.02 * top)], bottom=low, width=0.45, **hatch)
            axes.annotate(
                text or "x",
                (x, low + max(span, 0.12 * top if high is None else span)),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                color=LATE,
                fontsize=7,
            )
        axes.set_xticks(xs, labels, **_font(*labels))
        if len(xs) > 12:
            axes.tick_params(axis="x", labelrotation=90)
        axes.set_ylim(bottom=0, top=100 if share else None)
    else:
        ys = list(range(len(series)))[::-1]
        values = [0.0 if v is None else float(v) * scale for _, v in series]
        bars = axes.barh(ys, values, color=COLOUR)
        axes.set_yticks(ys, labels, fontsize=8, **_font(*labels))
        for y, row, bar, (_, v), text, shown in zip(
            ys, rows, bars, series, printed, _texts(table), strict=True
        ):
            end = bar.get_width()
            if row.key in ranges:
                low, high = ranges[row.key]
                if high is None:  # no upper bound: an arrow on from the lower bound
                    axes.annotate(
                        "",
                        (low * scale + 0.12 * top, y),
                        (low * scale, y),
                        arrowprops={"arrowstyle": "->", "color": LATE},
                    )
                    end = low * scale + 0.12 * top
                else:
                    width = max((high - low) * scale, 0.01 * top)
                    axes.barh([y], [width], left=low * scale, height=0.8, **hatch)
                    end = low * scale + width
            label = text or (
                shown if v is None else (f"{round(v * 100)} %" if share else f"{int(v):,}")
            )
            axes.annotate(
                label,
                (end, bar.get_y() + bar.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color=LATE if v is None else "#222222",
            )
        if share:
            axes.set_xlim(0, 110)
            axes.axvline(100, color="#999999", linewidth=0.8)
        else:
            axes.set_xlim(0, top * 1.25)
    axis = (
        gettext("%(percent)s on time") % {"percent": "%"}
        if share
        else unit_label(table.unit).capitalize()
    )
    axes.set_xlabel("" if trend else axis, fontsize=8, **_font(axis))
    if trend:
        axes.set_ylabel(axis, fontsize=8, **_font(axis))
    if ranges:
        legend = gettext("x: suppressed; the figure lies in the hatched range")
        axes.legend(
            handles=[Patch(label=legend, **hatch)],
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            frameon=False,
            prop={**_font(legend), "size": 7},
        )
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    figure.tight_layout()
    return figure


_CODE: list[str] = []


def _digest(table: PublishedTable, fmt: str) -> str:
    """What a chart depends on: the published table as printed (never a hidden figure), the
    language of its labels, the format and this module's code."""
    if not _CODE:
        _CODE.append(hashlib.sha256(Path(__file__).read_bytes()).hexdigest())
    text = json.dumps(
        [
            _CODE[0],
            fmt,
            translation.get_language(),
            table.title,
            table.measure,
            table.row_dimension,
            [(r.key, r.label) for r in table.rows],
            [(c.key, c.label) for c in table.columns],
            sorted((list(k), c.text, c.suppressed) for k, c in table.cells.items()),
        ],
        default=str,
    )
    return "cpmis-chart:" + hashlib.sha256(text.encode()).hexdigest()


def _render(table: PublishedTable, fmt: str) -> bytes | None:
    """The chart, drawn once per published table and kept (Django's cache): drawing takes
    a tenth of a second, the dashboard draws three, and the same figures draw the same."""
    key = _digest(table, fmt)
    kept = cache.get(key)
    if kept is not None:
        return kept or None  # b"": a table with no chart
    data = _draw(table, fmt)
    cache.set(key, data or b"", timeout=7 * 24 * 3600)
    return data


def _draw(table: PublishedTable, fmt: str) -> bytes | None:
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
