"""The figures are right, cover the user's scope only, and pass disclosure control."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import QueryDict

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.cases.models import Case, Task
from cpmis.complaints.models import Complaint
from cpmis.indicators import annex, disclosure, selectors
from cpmis.indicators.catalogue import catalogue
from cpmis.indicators.facts import source
from cpmis.indicators.tables import TOTAL
from tests.conftest import make_user


def select(user, **params):
    q = QueryDict(mutable=True)
    q.update(params)
    return selectors.indicator_table(user, selectors.selection_parse(user, q))


def in_year(qs, field, year):
    return qs.filter(
        **{f"{field}__date__gte": date(year, 1, 1), f"{field}__date__lt": date(year + 1, 1, 1)}
    )


def test_counts_agree_with_the_records(personas, year):
    cases = select(personas.analyst, indicator="CAS01", period=str(year))
    assert cases.cell(TOTAL, TOTAL).value == in_year(Case.objects, "opened_at", year).count()
    complaints = select(personas.analyst, indicator="CMP01", period=str(year), breakdown="channel")
    expected = in_year(Complaint.objects.filter(duplicate_of=None), "received_at", year).count()
    assert complaints.cell(TOTAL, TOTAL).value == expected


def test_the_on_time_share_is_the_productions_made_within_24_hours(personas, year):
    table = select(personas.analyst, indicator="PRT01", period=str(year))
    due = in_year(Task.objects.filter(kind="production"), "due_at", year)
    children = {t.case.child_id for t in due.select_related("case")}
    on_time = {
        t.case.child_id
        for t in due.select_related("case")
        if t.done_at is not None and t.done_at <= t.due_at
    }
    cell = table.cell(TOTAL, TOTAL)
    late = len(children) - len(on_time)
    assert len(children) >= 10 and cell.text.endswith("%")
    if late >= 10:
        assert table.denominators[(TOTAL, TOTAL)].value == len(children)
        assert cell.value == pytest.approx(len(on_time) / len(children))
    else:  # a few late children: a bound, never the count
        bound = int(cell.text.split()[1])
        assert cell.text.startswith("> ") and bound < 100 * len(on_time) / len(children)
        assert cell.value is None


def test_small_shares_are_suppressed_or_bounded(personas, year):
    table = select(personas.analyst, indicator="PRT02", period=str(year), breakdown="age_band")
    texts = [c.text for c in table.cells.values()]
    assert all(t in {"x", "–"} or t.endswith("%") for t in texts)
    for key, cell in table.cells.items():
        den = table.denominators[key]
        if cell.value is not None:  # an exact share rests on at least 10 on time and 10 late
            assert den.value is not None and den.value >= 10


def test_every_table_of_the_annex_keeps_its_suppressed_cells_secret(personas, year):
    tables = annex.report_tables(user=personas.analyst, year=year)
    assert len(tables) > 100
    suppressed_somewhere = 0
    for table in tables:
        if table.measure != "count" or not table.suppressed_count:
            continue
        suppressed_somewhere += 1
        values = {k: (None if c.suppressed else c.value) for k, c in table.cells.items()}
        lines = _lines(table)
        bounds = disclosure.audit(values, lines)
        assert not [k for k, b in bounds.items() if b.exact], table.title
        # small counts are never shown
        assert all(c.suppressed or c.value == 0 or c.value >= 10 for c in table.cells.values())
    assert suppressed_somewhere > 5


def _lines(table):
    """The published structure as a reader sees it: rows add up to the total row, and the
    provinces to the total column. Rows only bound the total where one record can be in two
    (a record citing two offences) or one child counted twice; provinces too for children."""
    indicator = catalogue()[table.indicator_code]
    children = indicator.measure == "count_children"
    rows_add = not (children or source(indicator.source).extra.get("repeats"))
    lines = []
    body = [r.key for r in table.rows if r.key != TOTAL and not r.key.startswith("j")]
    if table.row_dimension == "district":
        return lines  # nested subtotals: checked by the shape test below
    for c in table.columns:
        if body:  # a table of totals only has no rows to add up (an empty line says "0")
            members = tuple((r, c.key) for r in body)
            lines.append(disclosure.Line((TOTAL, c.key), members, rows_add))
    inner = [c.key for c in table.columns if c.key != TOTAL]
    if inner:
        for r in table.rows:
            members = tuple((r.key, c) for c in inner)
            lines.append(disclosure.Line((r.key, TOTAL), members, not children))
    return lines


def test_a_breakdown_that_would_isolate_one_child_is_suppressed(personas, year):
    # one district, by age: the cells are a handful of children each
    table = select(
        personas.analyst,
        indicator="CAS02",
        period=str(year),
        district="PK617",
        breakdown="age_band",
    )
    shown = [c for c in table.cells.values() if not c.suppressed]
    assert table.suppressed_count > 0
    assert all(c.value == 0 or c.value >= 10 for c in shown)


def test_an_analyst_of_one_province_sees_only_its_figures(personas, year):
    kp = make_user(
        "kp_analyst",
        {"role": Role.ANALYST, "scope_level": ScopeLevel.JURISDICTION, "jurisdiction": "PK-KP"},
    )
    table = select(kp, indicator="CAS01", period=str(year))
    expected = in_year(
        Case.objects.filter(district__jurisdiction__iso_code="PK-KP"), "opened_at", year
    )
    assert table.cell(TOTAL, TOTAL).value == expected.count()
    assert [c.label for c in table.columns] == ["Total"]
    with pytest.raises(Exception, match="Punjab is outside the places you see"):
        select(kp, indicator="CAS01", period=str(year), jurisdiction="PK-PB")


def test_registers_count_trainings_and_participants(personas, year):
    from cpmis.oversight.models import ActivityParticipants, PreventionActivity

    trainings = select(personas.analyst, indicator="PRV01", period=str(year))
    assert (
        trainings.cell(TOTAL, TOTAL).value
        == PreventionActivity.objects.filter(kind="training", held_on__year=year).count()
    )
    people = select(
        personas.analyst, indicator="PRV02", period=str(year), breakdown="participant_sex"
    )
    total = sum(
        p.count
        for p in ActivityParticipants.objects.filter(
            activity__kind="training", activity__held_on__year=year
        )
    )
    assert people.cell(TOTAL, TOTAL).value == total
    assert "not applied" in people.note  # professionals, not children: nothing to suppress


def test_justice_rows_are_the_same_in_sql_and_in_python(personas, year):
    """On PostgreSQL the justice records are counted by one SQL query; elsewhere in Python.
    Both must give the same rows (this runs on the PostgreSQL suite of CI)."""
    from django.db import connection

    from cpmis.indicators import engine, justice
    from cpmis.indicators.catalogue import catalogue
    from cpmis.indicators.facts import Window, source

    if connection.vendor != "postgresql":
        pytest.skip("the SQL form of the justice rows is PostgreSQL's")
    window = Window(date(year, 1, 1), date(year + 1, 1, 1))
    for code, per_offence in (("JUS01", False), ("JUS02", True), ("JUS03", False)):
        indicator = catalogue()[code]
        dims = list(source(indicator.source).dimensions)
        sets = (*((d,) for d in dims), ())
        request = engine.Request(indicator, window, sets)
        in_sql = engine.compute(personas.analyst, request)
        rows = justice.rows(personas.analyst, window, per_offence=per_offence)
        wanted = {
            k: {engine.key(v) for v in (w if isinstance(w, list) else [w])}
            for k, w in indicator.filter.items()
        }
        in_python = engine.aggregate(
            engine._filtered(rows, wanted), request, source(indicator.source)
        )
        assert in_sql == in_python, code


def test_sentences_are_judged_against_the_provision_s_range(personas, year):
    table = select(
        personas.analyst, indicator="JUS03", period=str(year), breakdown="sentence_range"
    )
    counts = {r.key: table.cell(r.key, TOTAL).value for r in table.rows}
    assert counts[TOTAL] == sum(
        v for k, v in counts.items() if k != TOTAL and v is not None
    ) or any(table.cell(r.key, TOTAL).suppressed for r in table.rows)
    assert table.cell("inside", TOTAL).suppressed or counts["inside"] > 0


def test_tables_published_together_cannot_be_subtracted_from_each_other(personas, year):
    """The annex prints an indicator by quarter, by month, by district and by province: a
    figure hidden in one table must not follow from the others (quarters are sums of months,
    a province's subtotal is its total, and so on)."""
    from cpmis.indicators import engine, tabulate
    from cpmis.indicators.catalogue import catalogue

    indicator = catalogue()["CAS01"]
    period = tabulate.period_parse(str(year))
    shapes = tabulate.annex_shapes(indicator, columns=True)
    tables = tabulate.compute_tables(
        user=personas.analyst, indicator=indicator, period=period, shapes=shapes, columns=True
    )
    sets = tabulate.normalise([s for shape in shapes for s in shape.sets()])
    result = engine.compute(personas.analyst, engine.Request(indicator, period.window, sets))
    published: dict = {}
    lines: set = set()
    for shape, table in zip(shapes, tables, strict=True):
        layout = tabulate._layout(personas.analyst, indicator, period, shape, result)
        for key, where in layout.cells.items():
            cell = table.cells[key]
            published[where] = None if cell.suppressed else cell.value
        lines |= {line for line in layout.lines if line[1]}
    lines |= set(tabulate._period_lines(set(published)))
    hidden = [k for k, v in published.items() if v is None]
    assert len(hidden) > 10
    bounds = disclosure.audit(published, [disclosure.Line(t, m) for t, m in lines])
    assert not [k for k, b in bounds.items() if b.exact]


def test_a_province_analyst_sends_dhis2_only_the_province(personas, year):
    from cpmis.indicators import dhis2

    kp = make_user(
        "kp_dhis2",
        {"role": Role.ANALYST, "scope_level": ScopeLevel.JURISDICTION, "jurisdiction": "PK-KP"},
    )
    payload = annex.dhis2_payload(user=kp, period=tabulate_period(year))
    units = {v["orgUnit"] for v in payload["dataValues"]}
    config = dhis2.example_mapping()
    assert units == {config["orgUnits"]["PK-KP"]}


def tabulate_period(year):
    from cpmis.indicators import tabulate

    return tabulate.period_parse(str(year))
