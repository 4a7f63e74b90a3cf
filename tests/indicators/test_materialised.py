"""Counts kept and read back while their tables have not changed (PostgreSQL: its write
statistics are the fingerprint). Each test changes the records some way a real system does
(a service's save, a bulk UPDATE in SQL) and checks the next count sees it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.indicators import engine, materialised
from cpmis.indicators.catalogue import catalogue
from cpmis.indicators.facts import Window
from cpmis.indicators.models import Aggregate
from tests.conftest import make_user

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="counts are kept on PostgreSQL only"
)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every count actually made (not read back), by indicator code."""
    made: list[str] = []
    live = engine._compute_live

    def spy(user: Any, request: engine.Request) -> engine.Result:
        made.append(request.indicator.code)
        return live(user, request)

    monkeypatch.setattr(engine, "_compute_live", spy)
    return made


def _request(year: int, code: str = "CAS01") -> engine.Request:
    window = Window(date(year, 1, 1), date(year + 1, 1, 1))
    return engine.Request(catalogue()[code], window, (("jurisdiction",), ("sex",), ()))


def test_a_count_is_kept_and_read_back_until_its_records_change(
    personas: Any, year: int, counted: list[str]
) -> None:
    from cpmis.cases.models import Case

    request = _request(year)
    first = engine.compute(personas.analyst, request)
    again = engine.compute(personas.analyst, request)
    assert again == first and counted == ["CAS01"]
    [kept] = Aggregate.objects.filter(indicator="CAS01")
    assert kept.scope == "national" and kept.computed_for == personas.analyst
    # a case moved to the year before, through the ORM: counted again, one case fewer
    case = Case.objects.filter(opened_at__year=year).first()
    assert case is not None
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at.replace(year=year - 1))
    after = engine.compute(personas.analyst, request)
    assert counted == ["CAS01", "CAS01"]
    assert after[()][()][0] == first[()][()][0] - 1


def test_a_write_in_plain_sql_is_seen_too(personas: Any, year: int, counted: list[str]) -> None:
    request = _request(year)
    first = engine.compute(personas.analyst, request)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_child SET sex = 'female' WHERE sex = 'male'")
    after = engine.compute(personas.analyst, request)
    assert counted == ["CAS01", "CAS01"]
    assert after[("sex",)].get(("male",)) is None and first[("sex",)].get(("male",))


def test_a_reader_with_another_view_gets_their_own_count(
    personas: Any, year: int, counted: list[str]
) -> None:
    request = _request(year)
    national = engine.compute(personas.analyst, request)
    punjab = make_user(
        "analyst.punjab.kept",
        {"role": Role.ANALYST, "scope_level": ScopeLevel.JURISDICTION, "jurisdiction": "PK-PB"},
    )
    mine = engine.compute(punjab, request)
    assert counted == ["CAS01", "CAS01"]
    assert mine[()][()][0] < national[()][()][0]
    assert Aggregate.objects.filter(indicator="CAS01").count() == 2


def test_counting_together_reads_kept_counts(personas: Any, year: int, counted: list[str]) -> None:
    requests = [_request(year, "CAS01"), _request(year, "CAS02")]
    first = engine.compute_together(personas.analyst, requests)
    assert engine.compute_together(personas.analyst, requests) == first
    assert Aggregate.objects.count() == 2
    # each is the count compute() would have made on its own
    Aggregate.objects.all().delete()
    assert [engine.compute(personas.analyst, r) for r in requests] == first


def test_the_refresh_job_counts_again_what_changed_and_drops_what_is_no_longer_anyones(
    personas: Any, year: int, counted: list[str]
) -> None:
    from cpmis.accounts.models import User

    request = _request(year)
    engine.compute(personas.analyst, request)
    assert engine.refresh_kept() == {"refreshed": 0, "dropped": 0, "current": 1}
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET concerns = concerns")  # a write, same values
    assert engine.refresh_kept() == {"refreshed": 1, "dropped": 0, "current": 0}
    assert counted == ["CAS01", "CAS01"]
    engine.compute(personas.analyst, request)  # read back: the job counted it
    assert counted == ["CAS01", "CAS01"]
    # the job's own reading and counting do not keep a count alive: a week unread, it goes
    from datetime import timedelta

    from django.utils import timezone

    days_ago = timezone.now() - timedelta(days=6)
    Aggregate.objects.update(read_at=days_ago)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET concerns = concerns")
    assert engine.refresh_kept()["refreshed"] == 1
    assert engine.refresh_kept()["current"] == 1
    assert Aggregate.objects.get().read_at == days_ago
    Aggregate.objects.update(read_at=timezone.now() - timedelta(days=8))
    assert engine.refresh_kept() == {"refreshed": 0, "dropped": 0, "current": 0}
    assert not Aggregate.objects.exists()
    engine.compute(personas.analyst, request)
    User.objects.filter(pk=personas.analyst.pk).update(is_active=False)
    assert engine.refresh_kept()["dropped"] == 1
    assert not Aggregate.objects.exists()


def test_deadlines_due_by_now_are_counted_again_each_hour(personas: Any, year: int) -> None:
    tables = materialised._tables(engine._sql_for(personas.analyst, _request(year, "PRT01")))
    assert "cases_task" in tables and "people_child" in tables
    with_clock = materialised.fingerprint(tables, "production")
    without = materialised.fingerprint(tables, "cases")
    assert with_clock != without
