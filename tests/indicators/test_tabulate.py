"""From counts to published tables: what a table says when its protection cannot be checked."""

from __future__ import annotations

from scipy.optimize import OptimizeResult

from cpmis.indicators import disclosure, tabulate
from cpmis.indicators.catalogue import catalogue
from cpmis.reference.models import Jurisdiction

# children by sex (rows) in three provinces (columns): small counts whose protection needs the
# linear programs of the audit
GRID = {"female": [1, 3, 12], "male": [8, 12, 20], "transgender": [8, 2, 1]}


def _result(provinces: list[str]) -> dict:
    cells = {(j, s): n for s, row in GRID.items() for j, n in zip(provinces, row, strict=True)}
    return {
        ("jurisdiction", "sex"): {k: (n,) for k, n in cells.items()},
        ("sex",): {(s,): (sum(row),) for s, row in GRID.items()},
        ("jurisdiction",): {
            (j,): (sum(n for (k, _), n in cells.items() if k == j),) for j in provinces
        },
        (): {(): (sum(cells.values()),)},
    }


def test_a_table_whose_audit_fails_is_suppressed_and_says_why(personas, monkeypatch):
    def failing(*args: object, **kwargs: object) -> OptimizeResult:
        return OptimizeResult(status=4, success=False, message="Numerical difficulties.")

    monkeypatch.setattr(disclosure, "linprog", failing)
    provinces = [
        str(pk) for pk in Jurisdiction.objects.order_by("name_en").values_list("pk", flat=True)
    ]
    [table] = tabulate.publish(
        user=personas.analyst,
        indicator=catalogue()["CAS01"],
        period=tabulate.period_parse("2025"),
        shapes=[tabulate.Shape("sex", by_jurisdiction=True)],
        result=_result(provinces[:3]),
    )
    shown = [c for c in table.cells.values() if not c.suppressed]
    assert shown and all(c.value == 0 for c in shown)  # only true zeros are left
    assert "could not be completed" in table.note
