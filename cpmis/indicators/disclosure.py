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

The audit fails closed: a linear program the solver cannot solve proves nothing, so every
non-zero cell of the lines is then hidden, and the suppression says why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from scipy.linalg import null_space
from scipy.optimize import linprog

CellKey = Any  # any hashable: (row, column) in tables
logger = logging.getLogger(__name__)
# linprog's status codes: 0 solved, 3 unbounded; anything else (iteration limit, infeasible,
# numerical difficulties) is a failure
_SOLVED, _UNBOUNDED = 0, 3


@dataclass(frozen=True)
class Line:
    total: CellKey
    members: tuple[CellKey, ...]
    additive: bool = True


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float  # inf when unbounded
    failure: str = ""  # why the solver gave no answer; then the bounds prove nothing

    @property
    def exact(self) -> bool:
        """Whether a reader may pin the cell down; an unsolved program counts as yes."""
        return bool(self.failure) or self.high - self.low < 0.5


@dataclass(frozen=True)
class Suppression:
    hidden: set[CellKey] = field(default_factory=set)
    unaudited: str = ""  # why the audit could not be completed (all non-zero cells hidden)


# ``Suppression.unaudited`` when no pattern protects a table around figures others publish
NO_PATTERN = "no pattern protects these cells around the figures published elsewhere"


class _Unaudited(Exception):
    """The solver failed on a program of the audit."""


def method_note(threshold: int, sensitive: bool = True, *, share: bool = False) -> str:
    """The disclosure-control note printed with every table, in the reader's language."""
    if sensitive and share:
        return _(
            "Disclosure control: a share of fewer than %(threshold)s children or cases is "
            "suppressed (x); where fewer than %(threshold)s were on time or late, the share is "
            "shown as a bound (< or >), and the counts behind the shares are not published."
        ) % {"threshold": threshold}
    if not sensitive:
        return _(
            "Disclosure control: not applied — these figures count activities or professionals, "
            "not children."
        )
    return _(
        "Disclosure control: counts from 1 to %(highest)s are suppressed (x), and further "
        "cells are suppressed so that no suppressed figure can be worked out from the row, "
        "column and total figures (threshold %(threshold)s; a zero is a true zero)."
    ) % {"highest": threshold - 1, "threshold": threshold}


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
    """The cells to suppress (``suppress`` also says when the audit could not be completed)."""
    return suppress(
        values, lines, threshold, also_primary=also_primary, audit_values=audit_values
    ).hidden


def suppress(
    values: dict[CellKey, int],
    lines: Sequence[Line],
    threshold: int,
    *,
    also_primary: set[CellKey] | None = None,
    audit_values: Sequence[tuple[dict[CellKey, int], int]] = (),
    keep: set[CellKey] | None = None,
) -> Suppression:
    """The cells to suppress. ``audit_values`` adds further value sets (with the lower bound a
    reader knows for their hidden cells) that the same pattern must protect, e.g. the
    numerators of a share. ``keep``: cells already published elsewhere (a reader knows them),
    never chosen as complements: a further table (a pivot) is protected around a pattern
    that other pages show, with ``also_primary`` the cells those pages hide."""
    keep = keep or set()
    hidden = primary(values, threshold) | (also_primary or set())
    if not hidden:
        return Suppression(hidden)
    checks = [(values, 1), *audit_values]
    unaudited = ""
    exposed: list[CellKey] = []
    try:
        for _ in range(4 * len(values) + 8):
            _close_lines(values, lines, hidden, keep)
            exposed = [k for vals, low in checks for k in _exposed(vals, lines, hidden, low)]
            if not exposed:
                return Suppression(hidden)
            if not any([_widen(values, lines, hidden, k, keep) for k in exposed]):
                break
    except _Unaudited as failed:
        # fail closed: a pattern the solver could not check is not published
        unaudited = f"a linear program of the audit failed ({failed})"
        logger.warning("disclosure audit failed, every non-zero cell suppressed: %s", failed)
    # no complement left to choose, or no audit: hide every non-zero cell of the lines involved
    if not unaudited:
        logger.warning("disclosure: no complement left to protect %s, every cell hidden", exposed)
    hidden |= {
        k
        for line in lines
        for k in (line.total, *line.members)
        if values.get(k, 0) > 0 and k not in keep
    }
    if keep and not unaudited:
        # what others publish stays known: check that hiding the rest is enough
        try:
            still = [k for vals, low in checks for k in _exposed(vals, lines, hidden, low)]
        except _Unaudited as failed:
            still, unaudited = [], f"a linear program of the audit failed ({failed})"
        if still:
            unaudited = NO_PATTERN
    return Suppression(hidden, unaudited)


def _close_lines(
    values: dict[CellKey, int],
    lines: Sequence[Line],
    hidden: set[CellKey],
    keep: AbstractSet[CellKey] = frozenset(),
) -> None:
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = (line.total, *line.members)
            if sum(1 for c in cells if c in hidden) != 1:
                continue
            complement = _complement(values, line, hidden, keep)
            if complement is not None:
                hidden.add(complement)
                changed = True


def _complement(
    values: dict[CellKey, int],
    line: Line,
    hidden: set[CellKey],
    keep: AbstractSet[CellKey] = frozenset(),
) -> CellKey | None:
    candidates = [
        m for m in line.members if m not in hidden and m not in keep and values.get(m, 0) > 0
    ]
    if candidates:
        return min(candidates, key=lambda m: values[m])
    if line.total not in hidden and line.total not in keep and values.get(line.total, 0) > 0:
        return line.total
    return None


def _widen(
    values: dict[CellKey, int],
    lines: Sequence[Line],
    hidden: set[CellKey],
    cell: CellKey,
    keep: AbstractSet[CellKey] = frozenset(),
) -> bool:
    """Hide one more cell in a line through ``cell``: the smallest one available."""
    options: list[CellKey] = []
    for line in lines:
        cells = (line.total, *line.members)
        if cell in cells:
            options.extend(
                c for c in cells if c not in hidden and c not in keep and values.get(c, 0) > 0
            )
    if not options:
        return False
    hidden.add(min(options, key=lambda c: values[c]))
    return True


def _exposed(
    values: dict[CellKey, int], lines: Sequence[Line], hidden: set[CellKey], low: int
) -> list[CellKey]:
    """The hidden cells a reader could pin down. Knowing the true values ``x0`` (a feasible
    point), a cell is free when some direction keeps every line's sum and moves it: when that
    direction can leave the cells at their lower bound (and the tight inequalities) alone, the
    null space of the constraints says so at once; only the other cells need the exact linear
    programs of ``audit``."""
    unknown = sorted(hidden, key=repr)
    if not unknown:
        return []
    x0 = np.array([float(values.get(k, 0)) for k in unknown])
    table = published(values, hidden)
    eq, _, ub, ub_b = _constraints(table, lines, unknown)
    active = [row for row, b in zip(ub, ub_b, strict=True) if abs(row @ x0 - b) < 1e-9]
    at_bound = [i for i, v in enumerate(x0) if v <= low]
    fixed = [np.eye(len(unknown))[i] for i in at_bound]
    free = _moving(np.array(eq + active + fixed)) if eq or active or fixed else None
    # Only the equalities pin a cell: a tight inequality (a total that happens to be the sum
    # of its cells, a cell equal to its total) still lets the cells move one way.
    moved_by_sums = _moving(np.array(eq)) if eq else None
    doubtful = []
    for i, k in enumerate(unknown):
        if free is None or free[i]:
            continue
        if moved_by_sums is not None and not moved_by_sums[i]:
            return [k]  # the sums alone give it away
        doubtful.append(k)
    if not doubtful:
        return []
    doubtful = _moved_together(unknown, x0, eq, ub, ub_b, table, lines, low, doubtful)
    bounds = audit(table, lines, low=low, only=doubtful)
    failures = sorted({b.failure for b in bounds.values() if b.failure})
    if failures:
        raise _Unaudited("; ".join(failures))
    return [k for k, b in bounds.items() if b.exact]


def _moved_together(
    unknown: list[CellKey],
    x0: np.ndarray,
    eq: list[np.ndarray],
    ub: list[np.ndarray],
    ub_b: list[float],
    table: dict[CellKey, int | None],
    lines: Sequence[Line],
    low: int,
    doubtful: list[CellKey],
) -> list[CellKey]:
    """Clear many doubtful cells with few programs: push all of them up at once (then down);
    every cell that moves from its true value is not pinned. What is left is checked alone."""
    index = {k: i for i, k in enumerate(unknown)}
    eq_b = [float(row @ x0) for row in eq]
    ceiling = float(x0.max()) * 10 + 1000  # keeps every program bounded
    remaining = list(doubtful)
    for sense in (-1.0, 1.0, -1.0, 1.0):
        if not remaining:
            break
        objective = np.zeros(len(unknown))
        for k in remaining:
            objective[index[k]] = sense
        solved = linprog(
            objective,
            A_eq=np.array(eq) if eq else None,
            b_eq=np.array(eq_b) if eq else None,
            A_ub=np.array(ub) if ub else None,
            b_ub=np.array(ub_b) if ub else None,
            bounds=[(low, ceiling)] * len(unknown),
            method="highs",
        )
        if solved.status != _SOLVED:
            break  # the cells left are checked one by one by ``audit``
        remaining = [k for k in remaining if abs(solved.x[index[k]] - x0[index[k]]) < 0.5]
    return remaining


def _moving(matrix: np.ndarray) -> np.ndarray:
    """For each variable, whether some vector of the null space of ``matrix`` moves it."""
    basis = null_space(matrix)
    if basis.size == 0:
        return np.zeros(matrix.shape[1], dtype=bool)
    return np.asarray(np.abs(basis).max(axis=1) > 1e-7)


def published(values: dict[CellKey, int], hidden: set[CellKey]) -> dict[CellKey, int | None]:
    return {k: (None if k in hidden else v) for k, v in values.items()}


def _constraints(
    table: dict[CellKey, int | None], lines: Sequence[Line], unknown: list[CellKey]
) -> tuple[list[np.ndarray], list[float], list[np.ndarray], list[float]]:
    """The lines as linear constraints on the suppressed cells: equalities (additive lines)
    and inequalities ``row @ x <= b`` (a total at most the sum, each cell at most the total)."""
    index = {k: i for i, k in enumerate(unknown)}
    eq_rows: list[np.ndarray] = []
    eq_b: list[float] = []
    ub_rows: list[np.ndarray] = []
    ub_b: list[float] = []

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
    return eq_rows, eq_b, ub_rows, ub_b


def audit(
    table: dict[CellKey, int | None],
    lines: Sequence[Line],
    *,
    low: int = 1,
    only: Sequence[CellKey] | None = None,
) -> dict[CellKey, Bounds]:
    """What a reader of the published ``table`` (None: suppressed) can work out: the range of
    every suppressed cell (or of those in ``only``), given the lines and that a suppressed cell
    is at least ``low``. Two linear programs per cell; where the solver fails, the cell's
    ``failure`` says so and it counts as exact."""
    unknown = sorted((k for k, v in table.items() if v is None), key=repr)
    if not unknown:
        return {}
    eq_rows, eq_b, ub_rows, ub_b = _constraints(table, lines, unknown)
    kwargs = {
        "A_eq": np.array(eq_rows) if eq_rows else None,
        "b_eq": np.array(eq_b) if eq_b else None,
        "A_ub": np.array(ub_rows) if ub_rows else None,
        "b_ub": np.array(ub_b) if ub_b else None,
        "bounds": [(low, None)] * len(unknown),
        "method": "highs",
    }
    found: dict[CellKey, Bounds] = {}
    wanted = set(only) if only is not None else None
    for i, k in enumerate(unknown):
        if wanted is not None and k not in wanted:
            continue
        objective = np.zeros(len(unknown))
        objective[i] = 1.0
        lowest = linprog(objective, **kwargs)
        highest = linprog(-objective, **kwargs)
        failure = "; ".join(
            f"status {p.status}: {p.message}"
            for p, allowed in ((lowest, {_SOLVED}), (highest, {_SOLVED, _UNBOUNDED}))
            if p.status not in allowed
        )
        if failure:
            found[k] = Bounds(float(low), float("inf"), failure)
            continue
        high_value = -highest.fun if highest.status == _SOLVED else float("inf")
        found[k] = Bounds(lowest.fun, high_value)
    return found
