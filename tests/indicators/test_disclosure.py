"""Disclosure control: no suppressed figure can be worked out from what is published."""

from __future__ import annotations

import itertools
import random

import pytest
from scipy.optimize import OptimizeResult

from cpmis.indicators import disclosure
from cpmis.indicators.disclosure import Line, audit, primary, protect, published


def two_way(cells: list[list[int]]) -> tuple[dict, list[Line]]:
    """A table with row totals, column totals and a grand total, as the annex prints."""
    values: dict = {}
    rows, cols = len(cells), len(cells[0])
    for r in range(rows):
        for c in range(cols):
            values[(r, c)] = cells[r][c]
        values[(r, "*")] = sum(cells[r])
    for c in range(cols):
        values[("*", c)] = sum(cells[r][c] for r in range(rows))
    values[("*", "*")] = sum(map(sum, cells))
    lines = [Line((r, "*"), tuple((r, c) for c in range(cols))) for r in range(rows)]
    lines += [Line(("*", c), tuple((r, c) for r in range(rows))) for c in range(cols)]
    lines.append(Line(("*", "*"), tuple((r, "*") for r in range(rows))))
    lines.append(Line(("*", "*"), tuple(("*", c) for c in range(cols))))
    return values, lines


def brute_force_ranges(table: dict, cells: list[list[int]], limit: int) -> dict:
    """Every value each suppressed cell of a two-way table can take, by trying every
    assignment of the suppressed inner cells (an attacker independent of the linear programs:
    totals follow from the inner cells, and must match what is published)."""
    rows, cols = len(cells), len(cells[0])
    inner = [(r, c) for r in range(rows) for c in range(cols) if table[(r, c)] is None]
    hidden = [k for k, v in table.items() if v is None]
    seen: dict = {k: set() for k in hidden}
    for combo in itertools.product(range(1, limit + 1), repeat=len(inner)):
        filled = {**table, **dict(zip(inner, combo, strict=True))}
        grid = [[filled[(r, c)] for c in range(cols)] for r in range(rows)]
        full, _ = two_way(grid)
        if all(table[k] is None or table[k] == v for k, v in full.items()):
            for k in hidden:
                seen[k].add(full[k])
    return seen


def test_it_suppresses_small_counts_and_shows_zero():
    values, lines = two_way([[0, 3, 25], [12, 40, 18]])
    hidden = protect(values, lines, 10)
    assert (0, 1) in hidden
    assert (0, 0) not in hidden  # a true zero is shown
    assert primary(values, 10) <= hidden


def test_a_lone_small_cell_gets_a_complement_in_its_row_and_column():
    values, lines = two_way([[3, 25, 30], [12, 40, 18], [22, 15, 16]])
    hidden = protect(values, lines, 10)
    for line in lines:
        cells = (line.total, *line.members)
        assert sum(1 for c in cells if c in hidden) != 1, line


def test_the_row_total_alone_would_give_the_cell_away():
    # without secondary suppression: 31 - 25 = 6
    values, lines = two_way([[6, 25], [30, 40]])
    naive = published(values, primary(values, 10))
    assert audit(naive, lines)[(0, 0)].exact
    safe = published(values, protect(values, lines, 10))
    assert not any(b.exact for b in audit(safe, lines).values())


def test_ones_that_a_reader_knows_are_not_zero_are_still_protected():
    # two hidden 1s in a row whose total is 2: each must be 1 unless more is hidden
    cells = [[1, 1, 30], [1, 1, 40], [20, 30, 50]]
    values, lines = two_way(cells)
    hidden = protect(values, lines, 10)
    table = published(values, hidden)
    bounds = audit(table, lines)
    assert not any(b.exact for b in bounds.values())
    # the 1s alone in their rows and columns would be exactly 1: more than the 1s is hidden
    assert len(hidden) > 4


@pytest.mark.parametrize("seed", range(40))
def test_no_suppressed_value_can_be_derived_from_a_random_table(seed):
    rng = random.Random(seed)
    rows, cols = rng.randint(2, 6), rng.randint(2, 5)
    cells = [
        [rng.choice([0, 0, 1, 2, 3, 5, 8, 9, 11, 14, 30, 60]) for _ in range(cols)]
        for _ in range(rows)
    ]
    values, lines = two_way(cells)
    hidden = protect(values, lines, 10)
    assert primary(values, 10) <= hidden
    assert all(values[k] > 0 for k in hidden)  # zeros are never hidden
    table = published(values, hidden)
    bounds = audit(table, lines)
    assert not [k for k, b in bounds.items() if b.exact]


def test_brute_force_agrees_on_a_small_table():
    cells = [[2, 4], [7, 3]]
    values, lines = two_way(cells)
    hidden = protect(values, lines, 10)
    table = published(values, hidden)
    ranges = brute_force_ranges(table, cells, 12)
    assert hidden and all(len(found) > 1 for found in ranges.values()), ranges


def test_non_additive_lines_are_audited_as_bounds():
    # distinct children by month: the year's total is at most the sum of the months
    values = {"jan": 4, "feb": 20, "year": 22}
    lines = [Line("year", ("jan", "feb"), additive=False)]
    hidden = protect(values, lines, 10)
    assert hidden == {"jan", "feb"}
    bounds = audit(published(values, hidden), lines)
    assert not any(b.exact for b in bounds.values())


def _solver_fails(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """HiGHS answers every program with "numerical difficulties" (status 4)."""
    calls: list[int] = []

    def failing(*args: object, **kwargs: object) -> OptimizeResult:
        calls.append(1)
        return OptimizeResult(
            status=4, success=False, message="Numerical difficulties.", x=None, fun=None
        )

    monkeypatch.setattr(disclosure, "linprog", failing)
    return calls


def test_a_failed_linear_program_suppresses_the_cells_instead_of_publishing_them(monkeypatch):
    # a table whose protection needs the linear programs (the null space alone cannot clear it)
    values, lines = two_way([[0, 1, 1, 8], [2, 5, 5, 3], [0, 2, 12, 12]])
    calls = _solver_fails(monkeypatch)
    hidden = protect(values, lines, 10)
    assert calls, "the table should need the linear programs"
    assert hidden == {k for k, v in values.items() if v > 0}  # zeros are still true zeros


def test_a_failed_linear_program_is_not_read_as_unbounded(monkeypatch):
    values, lines = two_way([[6, 25], [30, 40]])
    table = published(values, {(0, 0), (0, 1), (1, 0), (1, 1)})
    _solver_fails(monkeypatch)
    bounds = audit(table, lines)
    assert bounds and all(b.exact for b in bounds.values())  # nothing proven safe
    assert all("Numerical difficulties" in b.failure for b in bounds.values())


def test_a_tight_inequality_does_not_pin_a_cell() -> None:
    """Children counted once per cell (the lines are inequalities): a total that happens to
    equal the sum of its cells is not an equation a reader can solve. Before, ``d`` (truly
    anywhere from 1 to 32) was taken for pinned, nothing was left to hide beside it, and every
    figure of the table was suppressed (CAS02 by sex, in some demo years)."""
    values = {
        **{"a": 1, "b": 12, "c": 0, "row": 13},
        **{"p": 0, "q": 0, "col0": 1},
        **{"r": 0, "d": 1, "col1": 13},
        **{"col2": 18, "grand": 32},
    }
    lines = [
        Line("row", ("a", "b", "c"), False),
        Line("col0", ("p", "q", "a"), False),
        Line("col1", ("r", "d", "b"), False),
        Line("grand", ("col0", "col1", "col2"), False),
    ]
    found = disclosure.suppress(values, lines, 10)
    assert found.unaudited == ""
    assert {"row", "col2", "grand"}.isdisjoint(found.hidden)  # not every non-zero cell
    assert {"a", "d"} <= found.hidden
    bounds = disclosure.audit(disclosure.published(values, found.hidden), lines)
    assert not [k for k, b in bounds.items() if b.exact]
