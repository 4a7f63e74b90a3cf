"""Disclosure-control patterns kept and read back (on every database): the same figures,
lines, threshold and method give the same pattern, so the linear programs run once; any
difference in what a pattern depends on finds it anew. Charts are drawn once per published
table."""

from __future__ import annotations

from typing import Any

import pytest

from cpmis.indicators import disclosure, materialised
from cpmis.indicators.models import Protection

A, B, T = (("sex", "female"),), (("sex", "male"),), ()
LINES = [disclosure.Line(T, (A, B))]


@pytest.fixture
def solved(monkeypatch: pytest.MonkeyPatch) -> list[dict[Any, int]]:
    """Every pattern actually searched for (not read back), by its figures."""
    made: list[dict[Any, int]] = []
    real = disclosure.suppress

    def spy(values: dict[Any, int], *args: Any, **kwargs: Any) -> disclosure.Suppression:
        made.append(dict(values))
        return real(values, *args, **kwargs)

    monkeypatch.setattr(disclosure, "suppress", spy)
    return made


def _pattern(values: dict[Any, int], threshold: int = 10) -> disclosure.Suppression:
    return materialised.suppression(
        values,
        LINES,
        threshold,
        also_primary=None,
        keep=None,
        compute=lambda: disclosure.suppress(values, LINES, threshold),
    )


def test_the_same_figures_are_protected_once(db: Any, solved: list[Any]) -> None:
    values = {A: 3, B: 40, T: 43}
    first = _pattern(values)
    assert first.hidden == {A, B}  # the small cell, and its complement in the line
    again = _pattern(dict(values))
    assert again.hidden == first.hidden and len(solved) == 1
    assert Protection.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda: _pattern({A: 4, B: 40, T: 44}),  # another figure
        lambda: _pattern({A: 3, B: 40, T: 43}, threshold=5),  # another threshold
    ],
)
def test_anything_the_pattern_depends_on_finds_it_anew(
    db: Any, solved: list[Any], change: Any
) -> None:
    _pattern({A: 3, B: 40, T: 43})
    change()
    assert len(solved) == 2


def test_another_version_of_the_method_finds_it_anew(
    db: Any, solved: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _pattern({A: 3, B: 40, T: 43})
    monkeypatch.setattr(materialised, "_METHOD", ["another version of disclosure.py"])
    _pattern({A: 3, B: 40, T: 43})
    assert len(solved) == 2


def test_a_page_of_figures_is_protected_once(personas: Any, year: int, solved: list[Any]) -> None:
    from cpmis.indicators import selectors

    params = {"indicator": "CAS02", "period": str(year), "breakdown": "district"}
    selection = selectors.selection_parse(personas.analyst, params)
    shape = selectors.breakdown_shape(selection, selection.breakdown)
    first = selectors.selection_tables(personas.analyst, selection, [shape])
    searched = len(solved)
    assert searched >= 1
    again = selectors.selection_tables(personas.analyst, selection, [shape])
    assert len(solved) == searched
    assert [t.cells for t in again] == [t.cells for t in first]


def test_a_chart_is_drawn_once_per_published_table(
    personas: Any, year: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache

    from cpmis.indicators import charts, selectors

    cache.clear()
    drawn: list[str] = []
    real = charts._draw

    def spy(table: Any, fmt: str) -> Any:
        drawn.append(fmt)
        return real(table, fmt)

    monkeypatch.setattr(charts, "_draw", spy)
    params = {"indicator": "CAS01", "period": str(year), "breakdown": "sex"}
    selection = selectors.selection_parse(personas.analyst, params)
    [table] = selectors.selection_tables(
        personas.analyst, selection, [selectors.breakdown_shape(selection, "sex")]
    )
    svg = charts.chart_svg(table)
    assert svg and charts.chart_svg(table) == svg and drawn == ["svg"]
    charts.chart_png(table)
    assert drawn == ["svg", "png"]
