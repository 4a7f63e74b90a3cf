"""Tables of one's own (pivots): the same numbers as the plain tables, the same disclosure
control (a suppressed cell cannot be worked out from the pivot's totals nor from the
indicator's other tables of the same selection), bad requests refused, files and charts."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from openpyxl import load_workbook

from cpmis.audit.models import AuditEvent
from cpmis.indicators import charts, disclosure, engine, selectors, tabulate
from cpmis.indicators.catalogue import FIXED_CATEGORIES, catalogue
from cpmis.indicators.facts import Window, source
from cpmis.indicators.tables import TOTAL, Cell, PublishedTable
from tests.conftest import api_as, web_as

SEXES = [k for k, _ in FIXED_CATEGORIES["sex"]]
AGES = [k for k, _ in FIXED_CATEGORIES["age_band"]]


def query(**params: str) -> QueryDict:
    q = QueryDict(mutable=True)
    q.update(params)
    return q


def pivot(user: Any, **params: str) -> PublishedTable:
    return selectors.pivot_table(user, selectors.pivot_parse(user, query(**params)))


# --- the same numbers ------------------------------------------------------------------------


@pytest.mark.clock
def test_a_pivots_cells_are_the_plain_tables_numbers(personas, year, settings):
    settings.CPMIS_SMALL_CELL_THRESHOLD = 1  # nothing suppressed: every figure compared
    user = personas.analyst
    table = pivot(user, indicator="CAS01", period=str(year), rows="opsc_category", columns="sex")
    assert table.title.startswith("Cases opened, by OPSC category and sex")
    assert table.row_heading == "OPSC category" and table.column_heading == "Sex"
    assert [c.key for c in table.columns][-1] == TOTAL
    by_category = selectors.indicator_table(
        user,
        selectors.selection_parse(
            user, query(indicator="CAS01", period=str(year), breakdown="opsc_category")
        ),
    )
    for row in table.rows:
        assert table.cell(row.key, TOTAL).value == by_category.cell(row.key, TOTAL).value
        if row.key == TOTAL:
            continue
        one = selectors.indicator_table(
            user,
            selectors.selection_parse(
                user,
                query(indicator="CAS01", period=str(year), breakdown="sex", category=row.key),
            ),
        )
        for column in table.columns:
            assert table.cell(row.key, column.key).value == one.cell(column.key, TOTAL).value
    assert table.cell(TOTAL, TOTAL).value > 0


@pytest.mark.clock
def test_a_pivots_totals_match_the_dashboards_tables_as_published(personas, year):
    """With disclosure control on: the margins of the pivot are the plain tables' cells, and
    are published the same (hidden where the dashboard hides them, shown where it shows)."""
    user = personas.analyst
    table = pivot(user, indicator="CAS02", period=str(year), rows="age_band", columns="sex")
    for dimension, key_of in (("age_band", lambda k: (k, TOTAL)), ("sex", lambda k: (TOTAL, k))):
        plain = selectors.indicator_table(
            user,
            selectors.selection_parse(
                user, query(indicator="CAS02", period=str(year), breakdown=dimension)
            ),
        )
        for row in plain.rows:
            assert table.cell(*key_of(row.key)).text == plain.cell(row.key, TOTAL).text
    shown = [c for c in table.cells.values() if not c.suppressed]
    assert all(c.value == 0 or c.value >= 10 for c in shown)


@pytest.mark.clock
def test_a_pivot_by_province_is_the_table_by_province(personas, year):
    user = personas.analyst
    table = pivot(user, indicator="CAS01", period=str(year), rows="sex", columns="jurisdiction")
    plain = selectors.indicator_table(
        user,
        selectors.selection_parse(
            user, query(indicator="CAS01", period=str(year), breakdown="sex")
        ),
    )
    assert table.grid() == plain.grid()


@pytest.mark.clock
def test_a_pivot_in_a_province_lists_its_districts_only(personas, year):
    from cpmis.reference.models import District

    table = pivot(
        personas.analyst,
        indicator="CAS01",
        period=str(year),
        rows="district",
        columns="sex",
        ou="PK-PB",
        sort="label",
    )
    punjab = District.objects.filter(jurisdiction__iso_code="PK-PB")
    assert len(table.rows) == punjab.count() + 1
    labels = [r.label for r in table.rows[:-1]]
    assert labels == sorted(labels, key=str.casefold)
    assert "Peshawar" not in labels


def test_sorting_by_total_puts_suppressed_rows_last(personas):
    rows = [("a", 30), ("b", None), ("c", 50), ("d", 0)]
    cells = {(k, TOTAL): Cell(v, v is None, "x" if v is None else str(v)) for k, v in rows}
    from cpmis.indicators.tables import Category

    table = PublishedTable(
        indicator_code="T",
        indicator_name="T",
        unit="cases",
        measure="count",
        title="T",
        period_label="2025",
        row_dimension="sex",
        row_heading="Sex",
        rows=[Category(k, k) for k, _ in rows] + [Category(TOTAL, "Total")],
        columns=[Category(TOTAL, "Total")],
        cells=cells,
        note="",
    )
    ordered = [r.key for r in tabulate.sort_rows(table, "total").rows]
    # b's place among the others would tell how large it is: it goes last
    assert ordered == ["c", "a", "d", "b", TOTAL]


# --- disclosure ------------------------------------------------------------------------------


def _result(grid: dict[tuple[str, str], int]) -> tuple[Any, list[tabulate.Shape]]:
    """Counts of CAS01 by sex and age from one row per case, as the engine counts them."""
    indicator = catalogue()["CAS01"]
    rows, n = [], 0
    for (sex, age), count in grid.items():
        for _ in range(count):
            n += 1
            rows.append({"u": n, "d_sex": sex, "d_age_band": age})
    plain = [
        tabulate.Shape("total", False),
        tabulate.Shape("sex", False),
        tabulate.Shape("age_band", False),
    ]
    shape = tabulate.Shape("sex", False, "age_band")
    sets = tabulate.normalise([s for sh in [shape, *plain] for s in sh.sets()])
    request = engine.Request(indicator, Window(date(2025, 1, 1), date(2026, 1, 1)), sets)
    return engine.aggregate(rows, request, source(indicator.source)), plain


def _reader(tables: list[PublishedTable]) -> tuple[dict, list[disclosure.Line]]:
    """Everything published, as a reader puts it together: each cell by its place in the cube
    (a figure shown in two tables is one), and every sum the tables state."""
    seen: dict = {}
    lines: list[disclosure.Line] = []

    def place(table: PublishedTable, r: str, c: str) -> tuple:
        found = {}
        if table.row_dimension != "total" and r != TOTAL:
            found[table.row_dimension] = r
        if table.column_dimension and c != TOTAL:
            found[table.column_dimension] = c
        return tuple(sorted(found.items()))

    for table in tables:
        for (r, c), cell in table.cells.items():
            key = place(table, r, c)
            value = None if cell.suppressed else cell.value
            assert seen.get(key, value) == value, f"{key} published two ways"
            seen[key] = value
        inner_rows = [r.key for r in table.rows if r.key != TOTAL]
        inner_cols = [c.key for c in table.columns if c.key != TOTAL]
        for c in [col.key for col in table.columns]:
            if inner_rows:
                lines.append(
                    disclosure.Line(
                        place(table, TOTAL, c), tuple(place(table, r, c) for r in inner_rows)
                    )
                )
        for r in [row.key for row in table.rows]:
            if inner_cols:
                lines.append(
                    disclosure.Line(
                        place(table, r, TOTAL), tuple(place(table, r, c) for c in inner_cols)
                    )
                )
    return seen, lines


def _grid(seed: int) -> dict[tuple[str, str], int]:
    rng = random.Random(seed)
    sexes, ages = SEXES[: rng.randint(2, 3)], AGES[: rng.randint(2, 4)]
    return {
        (s, a): rng.choice([0, 0, 1, 2, 3, 5, 8, 9, 11, 14, 30, 60]) for s in sexes for a in ages
    }


@pytest.mark.parametrize("seed", range(16))
def test_no_suppressed_pivot_cell_can_be_worked_out(personas, seed):
    grid = _grid(seed)
    result, plain = _result(grid)
    common = {
        "user": personas.analyst,
        "indicator": catalogue()["CAS01"],
        "period": tabulate.period_parse("2025"),
        "result": result,
        "protected_with": plain,
    }
    try:
        tables = tabulate.publish(
            shapes=[tabulate.Shape("sex", False, "age_band"), *plain], **common
        )
    except ValidationError as exc:
        # refused: then even hiding every figure of the pivot but its zeros would not do,
        # since the plain tables (published as they are on the dashboard) give one away
        assert "cannot be published" in " ".join(exc.message_dict["columns"])
        published, lines = _reader(tabulate.publish(shapes=plain, **common))
        for (sex, age), n in grid.items():
            published[(("age_band", age), ("sex", sex))] = None if n else 0
        _, pivot_lines = _reader([_pivot_frame(grid)])
        bounds = disclosure.audit(published, lines + pivot_lines)
        assert [k for k, b in bounds.items() if b.exact and len(k) == 2]
        return
    published, lines = _reader(tables)
    hidden = [k for k, v in published.items() if v is None]
    small = {(("age_band", a), ("sex", s)) for (s, a), n in grid.items() if 0 < n < 10}
    assert small <= set(hidden)  # every small count is hidden
    bounds = disclosure.audit(published, lines)
    assert not [k for k, b in bounds.items() if b.exact], bounds


def test_most_pivots_of_small_counts_can_be_published(personas):
    published = 0
    for seed in range(16):
        result, plain = _result(_grid(seed))
        try:
            tabulate.publish(
                user=personas.analyst,
                indicator=catalogue()["CAS01"],
                period=tabulate.period_parse("2025"),
                shapes=[tabulate.Shape("sex", False, "age_band")],
                result=result,
                protected_with=plain,
            )
        except ValidationError:
            continue
        published += 1
    assert published >= 10


def _pivot_frame(grid: dict[tuple[str, str], int]) -> PublishedTable:
    """The pivot's rows and columns (every category, as the page lists them), for its lines."""
    from cpmis.indicators.tables import Category

    return PublishedTable(
        indicator_code="CAS01",
        indicator_name="",
        unit="cases",
        measure="count",
        title="",
        period_label="2025",
        row_dimension="sex",
        row_heading="",
        rows=[Category(k, k) for k in SEXES] + [Category(TOTAL, "Total")],
        columns=[Category(k, k) for k in AGES] + [Category(TOTAL, "Total")],
        cells={},
        note="",
        column_dimension="age_band",
    )


def test_the_plain_tables_are_published_the_same_with_or_without_a_pivot(personas):
    grid = _grid(3)
    result, plain = _result(grid)
    common = {
        "user": personas.analyst,
        "indicator": catalogue()["CAS01"],
        "period": tabulate.period_parse("2025"),
        "result": result,
        "protected_with": plain,
    }
    alone = tabulate.publish(shapes=plain, **common)
    beside = tabulate.publish(shapes=[tabulate.Shape("sex", False, "age_band"), *plain], **common)
    assert [t.grid() for t in alone] == [t.grid() for t in beside[1:]]


def test_a_pivot_protected_on_its_own_would_give_cells_away(personas):
    """What the test above guards against: the pivot's cells hidden as small, with the
    margins the plain tables publish, pin a hidden cell down (the attack can succeed)."""
    grid = {("female", "0-4"): 3, ("female", "5-9"): 30, ("male", "0-4"): 40, ("male", "5-9"): 50}
    result, plain = _result(grid)
    tables = tabulate.publish(
        user=personas.analyst,
        indicator=catalogue()["CAS01"],
        period=tabulate.period_parse("2025"),
        shapes=[tabulate.Shape("sex", False, "age_band"), *plain],
        result=result,
        protected_with=plain,
    )
    published, lines = _reader(tables)
    small = (("age_band", "0-4"), ("sex", "female"))
    inner = {
        k: (None if k == small else grid.get((dict(k)["sex"], dict(k)["age_band"]), 0))
        for k in published
        if len(k) == 2
    }
    naive = {**published, **inner}  # the margins as published, only the small cell hidden
    assert disclosure.audit(naive, lines)[small].exact
    assert published[small] is None
    assert sum(1 for k, v in published.items() if v is None and len(k) == 2) >= 4


# --- bad requests ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"rows": "age_band", "indicator": "CMP01"}, "rows", "has no breakdown"),
        ({"columns": "shoe_size"}, "columns", "has no breakdown"),
        ({"rows": "sex", "columns": "sex"}, "columns", "other than the rows"),
        ({"rows": "quarter", "columns": "month"}, "columns", "one decides the other"),
        ({"rows": "district", "columns": "jurisdiction"}, "columns", "one decides the other"),
        ({"rows": "district", "columns": "month"}, "columns", "a page shows at most 2,000"),
        ({"rows": "jurisdiction", "ou": "PK-PB"}, "rows", "already fixes"),
        ({"sort": "size"}, "sort", "by label or by total"),
        ({"ou": "PK999"}, "ou", "not a place cpmis knows"),
        ({"period": "2099"}, "period", "has not begun"),
    ],
)
def test_a_pivot_that_cannot_be_made_is_refused_naming_the_field(
    client, personas, params, field, words
):
    asked = {"indicator": "CAS01", "period": "2025", "rows": "sex", "columns": "age_band", **params}
    response = api_as(personas.analyst).get("/api/indicators/pivot/", asked)
    assert response.status_code == 400, response.content
    assert words in " ".join(response.json()[field])
    web_as(client, personas.analyst)
    page = client.get("/indicators/pivot/", asked)
    assert page.status_code == 400 and words in page.content.decode()
    assert client.get("/indicators/pivot.csv", asked).status_code == 400


@pytest.mark.parametrize("who", ["cpo", "supervisor", "focal_point", "outsider"])
def test_only_analysts_make_pivots(client, personas, who):
    user = getattr(personas, who)
    web_as(client, user)
    assert client.get("/indicators/pivot/?indicator=CAS01&period=2025").status_code == 403
    assert client.get("/indicators/pivot.xlsx?indicator=CAS01&period=2025").status_code == 403
    assert api_as(user).get("/api/indicators/pivot/?indicator=CAS01&period=2025").status_code == 403


# --- pages, files and the API ----------------------------------------------------------------


@pytest.mark.clock
def test_the_pivot_page_files_and_api(client, personas, year):
    asked = f"indicator=CAS01&period={year}&rows=opsc_category&columns=sex&ou=PK-PB"
    web_as(client, personas.analyst)
    page = client.get(f"/indicators/pivot/?{asked}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cases opened, by OPSC category and sex" in html and "(Punjab)" in html
    assert 'class="list figures grid pivot"' in html and "Disclosure control" in html
    assert "Sale of children / trafficking" in html and "Female" in html  # labels, not codes
    text = client.get(f"/indicators/pivot.csv?{asked}").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith("Cases opened, by OPSC category and sex")
    assert rows[2] == ["", "Sex"] and rows[3][0] == "OPSC category"
    assert "Disclosure control" in rows[-1][0]
    response = client.get(f"/indicators/pivot.xlsx?{asked}")
    assert response["Content-Disposition"] == (
        f'attachment; filename="cpmis-CAS01-{year}-PK-PB-opsc_category-sex.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Sale of children / trafficking" in values and "Sex" in values
    assert any(isinstance(v, int) for v in values)
    assert (
        AuditEvent.objects.filter(action="indicators.export", actor_username="analyst").count() == 2
    )
    body = api_as(personas.analyst).get(f"/api/indicators/pivot/?{asked}").json()
    assert body["column_dimension"] == "sex" and body["row_dimension"] == "opsc_category"
    assert len(body["cells"]) == len(body["rows"])
    csv_api = api_as(personas.analyst).get(f"/api/indicators/pivot/export/?{asked}&format=csv")
    assert csv_api.status_code == 200 and csv_api["Content-Type"].startswith("text/csv")


# --- charts ----------------------------------------------------------------------------------


def _table(rows: list[tuple[str, int | None]], total: int | None, **kw: Any) -> PublishedTable:
    from cpmis.indicators.tables import Category

    cells = {(k, TOTAL): Cell(v, v is None, "x" if v is None else str(v)) for k, v in rows}
    cells[(TOTAL, TOTAL)] = Cell(total, total is None, "x" if total is None else str(total))
    return PublishedTable(
        indicator_code="CAS01",
        indicator_name="Cases opened",
        unit="cases",
        measure=kw.pop("measure", "count"),
        title="Cases opened, by sex — 2025",
        period_label="2025",
        row_dimension=kw.pop("dimension", "sex"),
        row_heading="Sex",
        rows=[Category(k, k.title()) for k, _ in rows] + [Category(TOTAL, "Total")],
        columns=[Category(TOTAL, "Total")],
        cells=cells,
        note="",
        **kw,
    )


def test_a_chart_shows_a_suppressed_figure_as_the_range_a_reader_can_work_out():
    table = _table([("female", None), ("male", 40), ("transgender", None)], 48)
    assert charts.bounds(table) == {"female": (1.0, 7.0), "transgender": (1.0, 7.0)}
    svg = charts.chart_svg(table)
    assert svg is not None and "x (1–7)" in svg and "hatched range" in svg
    # distinct children may count in two rows: then the total is the only ceiling
    children = _table([("female", None), ("male", 40)], 45, additive=False)
    assert charts.bounds(children) == {"female": (1.0, 45.0)}
    # the total suppressed too: no ceiling can be read
    assert charts.bounds(_table([("female", None), ("male", None)], None)) == {
        "female": (1.0, None),
        "male": (1.0, None),
    }
    assert "x (≥ 1)" in (charts.chart_svg(_table([("female", None), ("male", 12)], None)) or "")


def test_a_trend_is_not_drawn_through_a_suppressed_month():
    months = [(str(m), None if m == 2 else 10 * m) for m in range(1, 13)]
    table = _table(months, sum(v or 0 for _, v in months) + 4, dimension="month")
    assert charts.bounds(table) == {"2": (1.0, 4.0)}
    svg = charts.chart_svg(table)
    assert svg is not None and "x (1–4)" in svg


def test_a_share_given_as_a_bound_is_drawn_as_its_range():
    from cpmis.indicators.tables import Category

    table = _table([("female", 1), ("male", 1)], 1, measure="share")
    table.cells[("female", TOTAL)] = Cell(None, False, "> 96 %")
    table.cells[("male", TOTAL)] = Cell(0.5, False, "50 %")
    table.rows.insert(0, Category("x", "X"))
    table.cells[("x", TOTAL)] = Cell(None, True, "x")
    assert charts.bounds(table) == {"female": (0.96, 1.0), "x": (0.0, 1.0)}
    assert "x (96–100 %)" in (charts.chart_svg(table) or "")
