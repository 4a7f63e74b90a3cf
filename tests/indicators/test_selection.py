"""The selection an analyst makes: periods (fixed, relative, spans of years, a report's
reporting period) and org units (the tree of their scope), and bad input refused clearly."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.cases.models import Case
from cpmis.indicators import orgunits, pickers, selectors, tabulate
from cpmis.indicators.facts import Window
from cpmis.indicators.tables import TOTAL
from cpmis.reference.models import District, Jurisdiction
from tests.conftest import LAHORE, make_user

KARACHI = ZoneInfo("Asia/Karachi")


def query(**params: str) -> QueryDict:
    q = QueryDict(mutable=True)
    q.update(params)
    return q


def message(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.clock  # 15 June 2026, 10:00 in Karachi
@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        (
            "LAST_12_MONTHS",
            date(2025, 6, 1),
            date(2026, 6, 1),
            "Last 12 months (Jun 2025 – May 2026)",
        ),
        ("THIS_YEAR", date(2026, 1, 1), date(2027, 1, 1), "This year (2026)"),
        ("LAST_YEAR", date(2025, 1, 1), date(2026, 1, 1), "Last year (2025)"),
        ("LAST_QUARTER", date(2026, 1, 1), date(2026, 4, 1), "Last quarter (2026 Q1)"),
        ("THIS_QUARTER", date(2026, 4, 1), date(2026, 7, 1), "This quarter (2026 Q2)"),
        ("LAST_MONTH", date(2026, 5, 1), date(2026, 6, 1), "Last month (May 2026)"),
        ("last_12_months", date(2025, 6, 1), date(2026, 6, 1), "Last 12 months"),
        ("2025-11..2026-02", date(2025, 11, 1), date(2026, 3, 1), "Nov 2025 – Feb 2026"),
        ("2025", date(2025, 1, 1), date(2026, 1, 1), "2025"),
        ("2025-Q4", date(2025, 10, 1), date(2026, 1, 1), "2025 Q4"),
    ],
)
def test_periods_resolve_to_a_window_with_their_label(db, code, start, end, label):
    period = tabulate.period_resolve(code)
    assert period.window == Window(start, end)
    assert label in period.label


@pytest.mark.clock(datetime(2026, 6, 30, 20, 30, tzinfo=ZoneInfo("UTC")))
def test_relative_periods_are_resolved_in_pakistans_time(db):
    # 30 June in London is already 1 July in Karachi: this month is July, last quarter Q2
    assert tabulate.period_resolve("THIS_MONTH").code == "2026-07"
    assert tabulate.period_resolve("LAST_QUARTER").code == "2026-Q2"
    assert tabulate.period_resolve("LAST_12_MONTHS").window == Window(
        date(2025, 7, 1), date(2026, 7, 1)
    )


@pytest.mark.clock
def test_a_relative_period_that_is_a_fixed_one_keeps_what_dhis2_needs(db):
    period = tabulate.period_resolve("LAST_QUARTER")
    assert period.fixed and period.dhis2 == "2026Q1" and period.asked == "LAST_QUARTER"
    span = tabulate.period_resolve("LAST_12_MONTHS")
    assert not span.fixed and span.code == "2025-06..2026-05" and span.choice == "LAST_12_MONTHS"
    assert tabulate.period_parse("2025").label == "2025"  # what the report calls, unchanged


@pytest.mark.clock
@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("LAST_13_MONTHS", "relative period"),
        ("2026-07..2026-09", "has not begun"),
        ("2027", "has not begun"),
        ("2026-Q3", "has not begun"),
        ("2025-06..2025-01", "ends before it begins"),
        ("2000-01..2026-01", "at most 120 months"),
        ("1999-01..1999-03", "no records before 2000"),
        ("EDITION-987654", "No report edition"),
        ("", "Give a year"),
        ("2025-13", "Give a year"),
    ],
)
def test_a_period_that_does_not_exist_or_lies_ahead_is_refused(db, code, words):
    with pytest.raises(ValidationError) as exc:
        tabulate.period_resolve(code)
    assert words in message(exc, "period")


@pytest.mark.clock
def test_the_reporting_period_of_a_report_edition(personas):
    from cpmis.reporting.services import edition_create

    edition = edition_create(
        actor=personas.analyst,
        title="Initial report under the OPSC",
        reporting_year=2025,
        period_from=date(2023, 7, 1),
        period_to=date(2025, 12, 31),
    )
    period = tabulate.period_resolve(f"EDITION-{edition.pk}")
    assert period.window == Window(date(2023, 7, 1), date(2026, 1, 1))
    assert "Initial report under the OPSC" in period.label and not period.fixed
    groups = {g.label: g.choices for g in pickers.period_groups()}
    assert (f"EDITION-{edition.pk}", period.label) in groups["Reports to the Committee"]
    ahead = edition_create(
        actor=personas.analyst,
        title="Next report",
        reporting_year=2027,
        period_from=date(2027, 1, 1),
        period_to=date(2027, 12, 31),
    )
    with pytest.raises(ValidationError) as exc:
        tabulate.period_resolve(f"EDITION-{ahead.pk}")
    assert "has not begun" in message(exc, "period")


@pytest.mark.clock
def test_the_period_picker_offers_nothing_in_the_future(db):
    groups = pickers.period_groups()
    codes = [code for g in groups for code, _ in g.choices]
    assert codes[:3] == ["LAST_12_MONTHS", "THIS_YEAR", "LAST_YEAR"]
    assert "2026-Q2" in codes and "2026-Q3" not in codes
    assert "2026-06" in codes and "2026-07" not in codes
    for code in codes:
        tabulate.period_resolve(code)  # each resolves
    # an older period from a link is offered too, so that the picker shows it
    assert pickers.period_groups("2019-03")[0].choices == [("2019-03", "March 2019")]


def test_quarters_are_sums_of_their_own_years_months():
    def coords(*pairs):
        return {tuple(sorted(p.items())) for p in pairs}

    found = tabulate._period_lines(
        coords(
            {"quarter": "20254"},
            {"quarter": "20261"},
            *({"month": f"2025{m:02d}"} for m in (10, 11, 12)),
            *({"month": f"2026{m:02d}"} for m in (1, 2, 3)),
        )
    )
    lines = {dict(t)["quarter"]: sorted(dict(m)["month"] for m in ms) for t, ms in found}
    assert lines == {
        "20254": ["202510", "202511", "202512"],
        "20261": ["202601", "202602", "202603"],
    }


def _aware(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=KARACHI)


@pytest.mark.clock
def test_a_period_across_years_counts_each_month_of_each_year_apart(personas, year, settings):
    settings.CPMIS_SMALL_CELL_THRESHOLD = 1  # nothing suppressed: every figure compared
    # some cases of the past year moved into early 2026: January to March exist twice
    moved = list(Case.objects.order_by("pk").values_list("pk", flat=True)[:90])
    for i, pk in enumerate(moved):
        Case.objects.filter(pk=pk).update(
            opened_at=_aware(date(2026, 1 + i % 3, 1 + i % 27)) + timedelta(hours=9)
        )
    user = personas.analyst
    by_month = selectors.indicator_table(
        user,
        selectors.selection_parse(
            user, query(indicator="CAS01", period=f"{year}-01..2026-03", breakdown="month")
        ),
    )
    keys = [r.key for r in by_month.rows if r.key != TOTAL]
    assert keys[0] == f"{year}01" and keys[-1] == "202603" and len(keys) == 15
    assert by_month.rows[0].label == f"Jan {year}"
    for row in by_month.rows[:-1]:
        y, m = int(row.key[:4]), int(row.key[4:])
        start = date(y, m, 1)
        end = tabulate.add_months(start, 1)
        expected = Case.objects.filter(
            opened_at__gte=_aware(start), opened_at__lt=_aware(end)
        ).count()
        assert by_month.cell(row.key, TOTAL).value == expected, row
    assert by_month.cell("202601", TOTAL).value > 0
    by_quarter = selectors.indicator_table(
        user,
        selectors.selection_parse(
            user, query(indicator="CAS01", period=f"{year}-01..2026-03", breakdown="quarter")
        ),
    )
    assert [r.label for r in by_quarter.rows][-2:] == ["2026 Q1", "Total"]
    for row in by_quarter.rows[:-1]:
        y, q = row.key[:4], int(row.key[4])
        months = sum(by_month.cell(f"{y}{m:02d}", TOTAL).value for m in range(3 * q - 2, 3 * q + 1))
        assert by_quarter.cell(row.key, TOTAL).value == months
    assert by_quarter.cell(TOTAL, TOTAL).value == by_month.cell(TOTAL, TOTAL).value


@pytest.mark.clock
def test_justice_records_across_years_are_counted_by_their_own_month(personas, year, settings):
    settings.CPMIS_SMALL_CELL_THRESHOLD = 1
    user = personas.analyst
    table = selectors.indicator_table(
        user,
        selectors.selection_parse(
            user, query(indicator="JUS01", period=f"{year}-11..2026-02", breakdown="month")
        ),
    )
    assert [r.key for r in table.rows] == [f"{year}11", f"{year}12", "202601", "202602", TOTAL]
    assert (
        sum(table.cell(r.key, TOTAL).value for r in table.rows[:-1])
        == table.cell(TOTAL, TOTAL).value
    )


# --- org units -------------------------------------------------------------------------------


def test_the_tree_of_a_national_analyst_holds_every_province_and_district(personas):
    tree = orgunits.tree(personas.analyst)
    assert len(tree) == Jurisdiction.objects.count()
    assert all(b.whole for b in tree)
    assert sum(len(b.districts) for b in tree) == District.objects.count()
    punjab = next(b for b in tree if b.unit.code == "PK-PB")
    assert {d.code for d in punjab.districts} == set(
        District.objects.filter(jurisdiction__iso_code="PK-PB").values_list("pcode", flat=True)
    )
    assert orgunits.root(personas.analyst).label == "Pakistan"


def test_the_tree_follows_a_narrower_scope(db):
    kp = make_user(
        "kp.analyst",
        {"role": Role.ANALYST, "scope_level": ScopeLevel.JURISDICTION, "jurisdiction": "PK-KP"},
    )
    [branch] = orgunits.tree(kp)
    assert branch.unit.code == "PK-KP" and branch.whole
    assert orgunits.root(kp).label == "Everywhere you see"
    one = make_user(
        "one.district",
        {"role": Role.ANALYST, "scope_level": ScopeLevel.DISTRICT, "district": LAHORE},
    )
    [branch] = orgunits.tree(one)
    assert branch.unit.code == "PK-PB" and not branch.whole
    assert [d.code for d in branch.districts] == [LAHORE]


@pytest.mark.parametrize(
    ("who", "code", "words"),
    [
        ("kp", "PK-PB", "Punjab is outside the places you see"),
        ("kp", "PK617", "is outside the places you see"),
        ("one", "PK-PB", "not all of it: choose one of them"),
        ("kp", "PK-ZZ", "is not a place cpmis knows"),
        ("kp", "<script>", "is not a code cpmis knows"),
    ],
)
def test_a_place_outside_the_scope_is_refused_clearly(db, who, code, words):
    users = {
        "kp": make_user(
            "kp.analyst",
            {"role": Role.ANALYST, "scope_level": ScopeLevel.JURISDICTION, "jurisdiction": "PK-KP"},
        ),
        "one": make_user(
            "one.district",
            {"role": Role.ANALYST, "scope_level": ScopeLevel.DISTRICT, "district": "PK617"},
        ),
    }
    with pytest.raises(ValidationError) as exc:
        selectors.selection_parse(users[who], query(indicator="CAS01", period="2025", ou=code))
    assert words in message(exc, "ou")


def test_old_links_name_the_same_places(personas):
    user = personas.analyst
    new = selectors.selection_parse(user, query(indicator="CAS01", period="2025", ou="PK-PB"))
    old = selectors.selection_parse(
        user, query(indicator="CAS01", period="2025", jurisdiction="PK-PB")
    )
    assert new.filters == old.filters and new.within == old.within and new.orgunit == old.orgunit
    district = selectors.selection_parse(
        user, query(indicator="CAS01", period="2025", district="pk617")
    )
    assert district.orgunit.code == "PK617" and district.orgunit.level == "district"


def test_a_place_an_indicator_is_not_counted_by_is_refused(personas):
    with pytest.raises(ValidationError) as exc:
        selectors.selection_parse(
            personas.analyst, query(indicator="PRV01", period="2025", ou="PK617")
        )
    assert "not counted by district" in message(exc, "ou")
    with pytest.raises(ValidationError) as exc:
        selectors.selection_parse(
            personas.analyst,
            query(indicator="CAS01", period="2025", ou="PK-PB", breakdown="jurisdiction"),
        )
    assert "already fixes" in message(exc, "breakdown")


@pytest.mark.clock
def test_choosing_a_province_lists_its_districts_only(personas, year):
    user = personas.analyst
    punjab = set(
        District.objects.filter(jurisdiction__iso_code="PK-PB").values_list("pk", flat=True)
    )
    selection = selectors.selection_parse(
        user, query(indicator="CAS01", period=str(year), ou="PK-PB", breakdown="district")
    )
    table = selectors.indicator_table(user, selection)
    districts = [r for r in table.rows if r.key != TOTAL]
    assert {int(r.key[1:].split(".")[0]) for r in districts} == punjab
    total = sum(table.cell(r.key, TOTAL).value or 0 for r in districts)
    shown = [table.cell(r.key, TOTAL) for r in districts]
    if not any(c.suppressed for c in shown):
        assert total == table.cell(TOTAL, TOTAL).value
    places = selectors.selection_tables(
        user,
        selectors.selection_parse(user, query(indicator="CAS01", period=str(year), ou="PK-PB")),
        [selectors.places_shape(selection) or tabulate.Shape("district", False)],
    )[0]
    assert len(places.rows) == len(punjab) + 1  # Punjab's districts and their total
