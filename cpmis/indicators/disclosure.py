"""Disclosure control: the one step every figure passes before it leaves cpmis.

Primary suppression hides counts from 1 to ``threshold - 1`` (a zero is a true zero and is
shown). Secondary suppression then hides more cells so that no hidden count can be worked out
from the published ones:

1. every line of the table (a row or a column with its total) that hides one cell hides a
   second: the smallest non-zero cell of the line, or its total;
2. an audit then solves, for every hidden cell, the smallest and largest value it could take
   given everything published (linear programs, HiGHS via SciPy) — knowing, as a reader does,
   that a hidden cell is not zero. A cell whose value is pinned down gets a further
   complement, and the audit runs again.

Lines are additive (the total is the sum of the cells) or, where one child may be counted in
two cells (distinct children by month, say), the total is at most the sum and at least each
cell; the audit uses what holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

CellKey = Any  # any hashable: (row, column) in tables


@dataclass(frozen=True)
class Line:
    total: CellKey
    members: tuple[CellKey, ...]
    additive: bool = True


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float  # inf when unbounded

    @property
    def exact(self) -> bool:
        return self.high - self.low < 0.5


def method_note(threshold: int, sensitive: bool = True) -> str:
    if not sensitive:
        return (
            "Disclosure control: not applied — these figures count activities or professionals, "
            "not children."
        )
    return (
        f"Disclosure control: counts from 1 to {threshold - 1} are suppressed (x), and further "
        "cells are suppressed so that no suppressed figure can be worked out from the row, "
        f"column and total figures (threshold {threshold}; a zero is a true zero)."
    )


def primary(values: dict[CellKey, int], threshold: int) -> set[CellKey]:
    return {k for k, v in values.items() if 0 < v < threshold}


def protect(
    values: dict[CellKey, int],
    lines: Sequence[Line],
    threshold: int,
    *,
    also_primary: set[CellKey] | None = None,
    audit_values: Sequence[tuple[dict[CellKey, int], int]] = (),
) -> set[CellKey]:
    """The cells to suppress. ``audit_values`` adds further value sets (with the lower bound a
    reader knows for their hidden cells) that the same pattern must protect, e.g. the
    numerators of a share."""
    hidden = primary(values, threshold) | (also_primary or set())
    if not hidden:
        return hidden
    checks = [(values, 1), *audit_values]
    for _ in range(4 * len(values) + 8):
        _close_lines(values, lines, hidden)
        exposed = [k for vals, low in checks for k in _exposed(vals, lines, hidden, low)]
        if not exposed:
            return hidden
        if not _widen(values, lines, hidden, exposed[0]):
            break
    # no complement left to choose: hide every non-zero cell of the lines involved
    hidden |= {k for line in lines for k in (line.total, *line.members) if values.get(k, 0) > 0}
    return hidden


def _close_lines(values: dict[CellKey, int], lines: Sequence[Line], hidden: set[CellKey]) -> None:
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = (line.total, *line.members)
            if sum(1 for c in cells if c in hidden) != 1:
                continue
            complement = _complement(values, line, hidden)
            if complement is not None:
                hidden.add(complement)
                changed = True


def _complement(values: dict[CellKey, int], line: Line, hidden: set[CellKey]) -> CellKey | None:
    candidates = [m for m in line.members if m not in hidden and values.get(m, 0) > 0]
    if candidates:
        return min(candidates, key=lambda m: values[m])
    if line.total not in hidden and values.get(line.total, 0) > 0:
        return line.total
    return None


def _widen(
    values: dict[CellKey, int], lines: Sequence[Line], hidden: set[CellKey], cell: CellKey
) -> bool:
    """Hide one more cell in a line through ``cell``: the smallest one available."""
    options: list[CellKey] = []
    for line in lines:
        cells = (line.total, *line.members)
        if cell in cells:
            options.extend(c for c in cells if c not in hidden and values.get(c, 0) > 0)
    if not options:
        return False
    hidden.add(min(options, key=lambda c: values[c]))
    return True


def _exposed(
    values: dict[CellKey, int], lines: Sequence[Line], hidden: set[CellKey], low: int
) -> list[CellKey]:
    bounds = audit(published(values, hidden), lines, low=low)
    return [k for k, b in bounds.items() if b.exact]


def published(values: dict[CellKey, int], hidden: set[CellKey]) -> dict[CellKey, int | None]:
    return {k: (None if k in hidden else v) for k, v in values.items()}


def audit(
    table: dict[CellKey, int | None], lines: Sequence[Line], *, low: int = 1
) -> dict[CellKey, Bounds]:
    """What a reader of the published ``table`` (None: suppressed) can work out: the range of
    every suppressed cell, given the lines and that a suppressed cell is at least ``low``."""
    unknown = [k for k, v in table.items() if v is None]
    if not unknown:
        return {}
    index = {k: i for i, k in enumerate(unknown)}
    eq_rows, eq_b, ub_rows, ub_b = [], [], [], []

    def linear(terms: list[tuple[CellKey, float]]) -> tuple[np.ndarray, float]:
        row = np.zeros(len(unknown))
        constant = 0.0
        for k, sign in terms:
            v = table.get(k, 0)
            if v is None:
                row[index[k]] += sign
            else:
                constant += sign * v
        return row, constant

    for line in lines:
        if line.additive:  # sum(members) - total = 0
            row, c = linear([(m, 1.0) for m in line.members] + [(line.total, -1.0)])
            if row.any():
                eq_rows.append(row)
                eq_b.append(-c)
        else:  # total <= sum(members), and each member <= total
            row, c = linear([(line.total, 1.0)] + [(m, -1.0) for m in line.members])
            if row.any():
                ub_rows.append(row)
                ub_b.append(-c)
            for m in line.members:
                row, c = linear([(m, 1.0), (line.total, -1.0)])
                if row.any():
                    ub_rows.append(row)
                    ub_b.append(-c)
    kwargs = {
        "A_eq": np.array(eq_rows) if eq_rows else None,
        "b_eq": np.array(eq_b) if eq_b else None,
        "A_ub": np.array(ub_rows) if ub_rows else None,
        "b_ub": np.array(ub_b) if ub_b else None,
        "bounds": [(low, None)] * len(unknown),
        "method": "highs",
    }
    found: dict[CellKey, Bounds] = {}
    for k, i in index.items():
        objective = np.zeros(len(unknown))
        objective[i] = 1.0
        lowest = linprog(objective, **kwargs)
        highest = linprog(-objective, **kwargs)
        low_value = lowest.fun if lowest.status == 0 else float(low)
        high_value = -highest.fun if highest.status == 0 else float("inf")
        found[k] = Bounds(low_value, high_value)
    return found
