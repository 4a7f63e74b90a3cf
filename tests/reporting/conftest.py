"""Shared pieces of the report tests: an edition, and statistics tables built by hand in
place of the indicators engine (``cpmis.indicators.annex`` and ``charts``)."""

from __future__ import annotations

import importlib
import io
import sys
import types
from datetime import date
from typing import Any

import pytest

from cpmis.indicators.tables import Category, Cell, PublishedTable
from cpmis.reporting import services
from cpmis.reporting.models import ReportEdition
from tests.conftest import Personas

NOTE = "Counts below 5 are suppressed (primary and secondary suppression, threshold 5)."


def published(title: str, section: str = "article-3", code: str = "OPSC-3-01") -> PublishedTable:
    rows = [Category("female", "Girls"), Category("male", "Boys"), Category("*", "Total")]
    cols = [Category("PK-PB", "Punjab"), Category("PK-SD", "Sindh"), Category("*", "Pakistan")]
    values = {
        ("female", "PK-PB"): 12,
        ("female", "PK-SD"): None,
        ("female", "*"): 15,
        ("male", "PK-PB"): 20,
        ("male", "PK-SD"): None,
        ("male", "*"): 27,
        ("*", "PK-PB"): 32,
        ("*", "PK-SD"): 10,
        ("*", "*"): 42,
    }
    cells = {
        key: Cell(value=v, suppressed=v is None, text="x" if v is None else str(v))
        for key, v in values.items()
    }
    return PublishedTable(
        indicator_code=code,
        indicator_name="Child victims of sale",
        unit="children",
        measure="count",
        title=title,
        period_label="2025",
        row_dimension="sex",
        row_heading="Sex",
        rows=rows,
        columns=cols,
        cells=cells,
        note=NOTE,
        report_section=section,
        source="cpmis case register",
    )


def _png() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axis = plt.subplots(figsize=(2, 1))
    axis.bar(["a", "b"], [1, 2])
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=40)
    plt.close(figure)
    return out.getvalue()


def _module(monkeypatch: pytest.MonkeyPatch, name: str) -> Any:
    """The indicators module, or a stand-in while the engine does not have it yet."""
    try:
        return importlib.import_module(name)
    except ImportError:
        stand_in = types.ModuleType(name)
        monkeypatch.setitem(sys.modules, name, stand_in)
        package, _, attr = name.rpartition(".")
        monkeypatch.setattr(sys.modules[package], attr, stand_in, raising=False)
        return stand_in


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace the engine's three functions; record what they were asked."""
    calls: dict[str, Any] = {"report": [], "chart": []}
    annex = _module(monkeypatch, "cpmis.indicators.annex")
    charts = _module(monkeypatch, "cpmis.indicators.charts")
    png = _png()

    def report_tables(*, user: Any, year: int) -> list[PublishedTable]:
        calls["report"].append((user, year))
        return [
            published("Child victims of sale, by sex — 2025"),
            published(
                "Cases of child pornography, by province or territory — 2025",
                "article-2",
                "OPSC-2-01",
            ),
        ]

    def chart_png(table: PublishedTable) -> bytes | None:
        calls["chart"].append(table.title)
        return png if table.report_section == "article-3" else None

    monkeypatch.setattr(annex, "report_tables", report_tables, raising=False)
    monkeypatch.setattr(charts, "chart_png", chart_png, raising=False)
    return calls


@pytest.fixture
def edition(personas: Personas) -> ReportEdition:
    return services.edition_create(
        actor=personas.analyst,
        title="Second periodic report under the OPSC",
        reporting_year=2025,
        period_from=date(2025, 1, 1),
        period_to=date(2025, 12, 31),
    )
