"""Where the code takes another road on PostgreSQL than elsewhere, both roads give the same
answer on the same data.

Twelve modules branch on the database (the last test lists them and says how each is
tested): eleven on ``connection.vendor`` (``grep -rn vendor cpmis``)
and one on JSON containment, which SQLite lacks (oversight's report sections). Each road of
PostgreSQL (grouping sets, one statement for several indicators, jsonb operators, COPY and
``ON CONFLICT``, advisory locks, a connection per thread) has a generic road that is valid on
PostgreSQL too, in SQL or in Python. So on PostgreSQL every test here runs both roads on the same
rows and compares them; SQLite can take only the generic road, and there the same tests check it
against the answer worked out by hand (the comparisons that need both roads skip, saying so).
CI runs this file on both engines (``make test``, then again with ``DATABASE_URL`` on
PostgreSQL).

The generic road is taken by handing the branching module a ``connection`` that names another
vendor (``generic_road``); Django's compiler keeps the real connection, so only the project's own
branch changes. The clock is pinned (tests/conftest.py): timestamps written on one road are those
written on the other.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from types import ModuleType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction

from cpmis.actors import LINKAGE
from cpmis.audit.models import AuditEvent
from cpmis.core import bulk
from cpmis.demo.generator import population_generate
from cpmis.demo.oversight import oversight_generate
from cpmis.demo.statistics import statistics_year_generate
from cpmis.exchange import services as exchange
from cpmis.exchange import writing as exchange_writing
from cpmis.exchange.models import DepartmentRecord, Submission
from cpmis.indicators import annex, engine, facts, tabulate
from cpmis.indicators.catalogue import catalogue
from cpmis.linkage import services as linkage
from cpmis.linkage.models import BlockingKey, RecordFeatures, RecordLink, ReviewItem
from cpmis.oversight import selectors as oversight_selectors
from cpmis.oversight import services as oversight
from cpmis.people.models import Child
from tests.conftest import Personas, Records
from tests.exchange.test_submissions import row
from tests.factories import CaseFactory, ChildFactory

pytestmark = pytest.mark.clock

POSTGRES = connection.vendor == "postgresql"
both_roads = pytest.mark.skipif(
    not POSTGRES,
    reason="only PostgreSQL can take both roads (SQLite has no grouping sets, jsonb, COPY, "
    "advisory locks or JSON containment); the generic road is checked here on both engines",
)
PKT = ZoneInfo("Asia/Karachi")
T = TypeVar("T")


class _Features:
    """A connection's features, without JSON containment (as SQLite's)."""

    supports_json_field_contains = False

    def __getattr__(self, name: str) -> Any:
        return getattr(connection.features, name)


class OtherVendor:
    """``django.db.connection`` as one module sees it, naming another database."""

    vendor = "sqlite"
    features = _Features()

    def __getattr__(self, name: str) -> Any:
        return getattr(connection, name)


@contextmanager
def generic_road(*modules: ModuleType) -> Iterator[None]:
    """Inside, ``modules`` take the road they take on any database but PostgreSQL."""
    with pytest.MonkeyPatch.context() as patch:
        for module in modules:
            patch.setattr(module, "connection", OtherVendor())
        yield


class _Undo(Exception):
    pass


def undone(make: Callable[[], T]) -> T:
    """What ``make`` returns, with everything it wrote rolled back: the next road starts from
    the same rows."""
    found: list[T] = []
    try:
        with transaction.atomic():
            found.append(make())
            raise _Undo
    except _Undo:
        pass
    return found[0]


def both(make: Callable[[], T], *modules: ModuleType) -> tuple[T, T]:
    """``make`` on this database's own road, then on the generic road, on the same rows."""
    native = undone(make)
    with generic_road(*modules):
        generic = undone(make)
    return native, generic


# --- facts.py: the age band and the OPSC category (jsonb) -----------------------------------

# A case opened half an hour after midnight in Pakistan: still the day before in UTC.
OPENED = datetime(2026, 3, 11, 0, 30, tzinfo=PKT)
AGES = {  # date of birth -> age band on the day the case was opened, in Pakistan's time
    date(2021, 3, 11): "5-9",  # five that day (still four by the UTC date)
    date(2021, 3, 12): "0-4",  # five the next day
    date(2020, 2, 29): "5-9",  # born on a leap day
    date(2016, 3, 11): "10-14",
    date(2016, 3, 12): "5-9",
    date(2011, 3, 11): "15-17",
    date(2008, 6, 16): "15-17",  # 17 when registered, 18 tomorrow
}
CORRECTED = {  # dates of birth no service accepts, corrected in the database
    date(2008, 3, 11): "unknown",  # 18 that day: no longer a child
    date(2026, 3, 12): "unknown",  # born after the case was opened
}
CONCERNS = {  # concerns -> OPSC category: the most serious decides
    ("trafficked",): "sale",
    ("sexually_exploited", "trafficked"): "sale",
    ("child_labour", "sexually_exploited"): "prostitution",
    ("begging", "pornography"): "pornography",
    ("sexually_abused",): "related",
    ("child_marriage",): "related",
    ("abused",): "other",  # a word of "sexually_abused", not the code
    ("neglected", "missing"): "other",
}
YEAR_2026 = facts.Window(date(2026, 1, 1), date(2027, 1, 1))


def _cases_opened(personas: Personas) -> dict[int, tuple[date, tuple[str, ...]]]:
    """A case per birthday and per set of concerns, all opened at ``OPENED`` in Lahore."""
    made: dict[int, tuple[date, tuple[str, ...]]] = {}
    births = [*AGES, *CORRECTED]
    concerns = list(CONCERNS)
    for n in range(max(len(births), len(concerns))):
        born_on = births[n % len(births)]
        child = ChildFactory(
            actor=personas.cpo,
            date_of_birth=born_on if born_on in AGES else date(2012, 1, 1),
            name_latin=f"Child {n}",
        )
        if born_on in CORRECTED:
            Child.objects.filter(pk=child.pk).update(date_of_birth=born_on)
        concern = concerns[n % len(concerns)]
        case = CaseFactory(
            actor=personas.cpo, child=child, concerns=list(concern), opened_at=OPENED
        )
        made[case.pk] = (born_on, concern)
    return made


def _columns(personas: Personas, *dims: str) -> dict[int, tuple[Any, ...]]:
    rows = facts.queryset(personas.analyst, facts.source("cases"), YEAR_2026, {}, list(dims))
    return {r["u"]: tuple(r[f"d_{d}"] for d in dims) for r in rows}


def test_the_age_band_and_the_opsc_category_are_those_worked_out_by_hand(
    personas: Personas,
) -> None:
    """The generic expressions, on either engine (facts.age_band, facts.opsc_category)."""
    made = _cases_opened(personas)
    expected = {
        pk: ({**AGES, **CORRECTED}[born_on], CONCERNS[concern])
        for pk, (born_on, concern) in made.items()
    }
    with generic_road(facts):
        assert _columns(personas, "age_band", "opsc_category") == expected


@both_roads
def test_the_age_band_and_the_opsc_category_agree_on_both_roads(personas: Personas) -> None:
    """facts.age_band and facts.opsc_category: PostgreSQL's one ``width_bucket`` over the day
    gap, and jsonb's ``?|``, give each case the band and the category of the portable ``CASE``
    expressions."""
    made = _cases_opened(personas)
    native, generic = both(lambda: _columns(personas, "age_band", "opsc_category"), facts)
    assert native == generic
    assert {pk: v[0] for pk, v in native.items()} == {
        pk: {**AGES, **CORRECTED}[born_on] for pk, (born_on, _) in made.items()
    }


# --- engine.py: grouping sets and one statement for several indicators ---------------------


def _requests(window: facts.Window) -> list[engine.Request]:
    """Every indicator with the breakdowns of its annex tables, as the annex asks for them."""
    return [
        engine.Request(
            indicator,
            window,
            tabulate.normalise(
                [
                    s
                    for shape in tabulate.annex_shapes(indicator, columns=True)
                    for s in shape.sets()
                ]
            ),
        )
        for indicator in catalogue().values()
    ]


def _by_source(requests: list[engine.Request]) -> list[list[engine.Request]]:
    groups: dict[str, list[engine.Request]] = {}
    for request in requests:
        groups.setdefault(request.indicator.source, []).append(request)
    return list(groups.values())


def test_counting_in_python_gives_the_figures_worked_out_by_hand(personas: Personas) -> None:
    """engine.compute's and compute_together's generic road (one pass in Python) on the cases
    above: CAS01 counts cases, CAS02 children of an OPSC category."""
    made = _cases_opened(personas)
    indicators = catalogue()
    sets = (("age_band",), ("opsc_category",), ())
    requests = [engine.Request(indicators[c], YEAR_2026, sets) for c in ("CAS01", "CAS02")]
    bands: dict[tuple[str, ...], int] = {}
    for born_on, _ in made.values():
        band = ({**AGES, **CORRECTED}[born_on],)
        bands[band] = bands.get(band, 0) + 1
    categories: dict[tuple[str, ...], int] = {}
    for _, concern in made.values():
        category = (CONCERNS[concern],)
        categories[category] = categories.get(category, 0) + 1
    with generic_road(engine, facts):
        cases, children = engine.compute_together(personas.analyst, requests)
        assert [cases, children] == [engine.compute(personas.analyst, r) for r in requests]
    assert cases[("age_band",)] == {k: (n,) for k, n in bands.items()}
    assert cases[("opsc_category",)] == {k: (n,) for k, n in categories.items()}
    assert cases[()] == {(): (len(made),)}
    victims = {k: v for k, v in categories.items() if k != ("other",)}  # one case per child
    assert children[("opsc_category",)] == {k: (n,) for k, n in victims.items()}
    assert children[()] == {(): (sum(victims.values()),)}


@pytest.fixture
def demo_year(db: Any) -> int:
    """Last year, synthetic: cases with their timelines, complaints, justice records and the
    oversight registers (smaller than the indicators' own fixture)."""
    last = 2025  # the year before the pinned clock's
    population_generate(size=250, seed=11)
    statistics_year_generate(year=last, cases=350, seed=11)
    oversight_generate(seed=11, year=last)
    return last


@both_roads
def test_every_indicator_counts_the_same_in_sql_and_in_python(
    personas: Personas, demo_year: int
) -> None:
    """engine.compute — every indicator of the catalogue, with every breakdown of its annex
    tables: grouping sets (or the justice records' own SQL) on PostgreSQL, one pass in Python
    elsewhere."""
    window = facts.Window(date(demo_year, 1, 1), date(demo_year + 1, 1, 1))
    requests = _requests(window)
    native = [engine.compute(personas.analyst, r) for r in requests]
    with generic_road(engine):
        generic = [engine.compute(personas.analyst, r) for r in requests]
    for request, in_sql, in_python in zip(requests, native, generic, strict=True):
        assert in_sql == in_python, request.indicator.code
    assert sum(n for (n, *_) in native[0][()].values()) > 0  # there was something to count


@both_roads
def test_indicators_of_the_same_records_count_the_same_together_and_apart(
    personas: Personas, demo_year: int
) -> None:
    """engine.compute_together — indicators of one source (cases opened and child victims among
    them) in one statement with a FILTER per indicator, against one query each, and against
    Python."""
    window = facts.Window(date(demo_year, 1, 1), date(demo_year + 1, 1, 1))
    groups = _by_source(_requests(window))
    assert any(len(g) > 1 and not facts.source(g[0].indicator.source).sql for g in groups)
    for group in groups:
        together = engine.compute_together(personas.analyst, group)
        apart = [engine.compute(personas.analyst, r) for r in group]
        with generic_road(engine):
            in_python = engine.compute_together(personas.analyst, group)
        codes = [r.indicator.code for r in group]
        assert together == apart, codes
        assert together == in_python, codes


@both_roads
def test_facts_on_both_roads_give_the_same_figures(personas: Personas, demo_year: int) -> None:
    """facts.age_band and facts.opsc_category on the demo year: every age band and OPSC
    category the annex counts."""
    window = facts.Window(date(demo_year, 1, 1), date(demo_year + 1, 1, 1))
    wanted = [
        r
        for r in _requests(window)
        if any(d in s for s in r.sets for d in ("age_band", "opsc_category"))
        and not facts.source(r.indicator.source).in_python
    ]
    assert wanted
    native, generic = both(lambda: [engine.compute(personas.analyst, r) for r in wanted], facts)
    for request, a, b in zip(wanted, native, generic, strict=True):
        assert a == b, request.indicator.code


# --- annex.py: indicators counted side by side, a connection each ---------------------------


def test_inside_a_transaction_the_annex_counts_one_indicator_after_the_other(db: Any) -> None:
    """Other connections would not see the transaction's rows: one worker, on any engine."""
    assert annex._workers() == 1


@both_roads
@pytest.mark.django_db(transaction=True)
def test_the_annex_is_the_same_counted_side_by_side_or_one_after_the_other(
    personas: Personas, settings: Any
) -> None:
    """annex._workers — with the rows committed, PostgreSQL counts groups of indicators in threads,
    each on its own connection; elsewhere one after the other. Same tables."""
    settings.CPMIS_ANALYTICS_WORKERS = 3
    population_generate(size=150, seed=5)
    statistics_year_generate(year=2025, cases=200, seed=5)
    oversight_generate(seed=5, year=2025)
    assert annex._workers() == 3
    side_by_side = annex.report_tables(user=personas.analyst, year=2025)
    with generic_road(annex):
        assert annex._workers() == 1
        in_turn = annex.report_tables(user=personas.analyst, year=2025)
    assert side_by_side == in_turn
    assert len(side_by_side) > 100


# --- exchange/writing.py: COPY and ON CONFLICT, or the ORM ---------------------------------


def _receive(personas: Personas, key: str, *rows: dict[str, str]) -> tuple[int, int, int]:
    outcome = exchange.submission_receive(
        actor=personas.focal_point,
        batch=exchange.Batch(
            record_type="police_report",
            source=Submission.Source.JSON,
            records=list(rows),
            idempotency_key=key,
        ),
    )
    s = outcome.submission
    return s.rows_created, s.rows_updated, s.rows_unchanged


def _batches(personas: Personas) -> dict[str, Any]:
    """New records, then the same again with one corrected, one unchanged and one new; what
    each batch counted and what the records hold afterwards."""
    counts = [
        _receive(
            personas,
            "batch-one",
            row(department_record_id="FIR-1"),
            row(department_record_id="FIR-2", child_name="Bilal", sex="male", age_years="9"),
            row(department_record_id="FIR-3", police_station="Model Town \\ Block C"),
        ),
        _receive(
            personas,
            "batch-two",
            row(department_record_id="FIR-1"),
            row(department_record_id="FIR-2", child_name="Bilal Ahmed", sex="male", age_years="9"),
            row(department_record_id="FIR-4", date_of_birth="2014-05-06", age_years=""),
        ),
    ]
    keys = dict(Submission.objects.values_list("pk", "idempotency_key"))
    records = {
        r.department_record_id: (
            r.version,
            r.content_sha256,
            r.child_name,
            r.sex,
            r.date_of_birth,
            r.age_years,
            r.record_date,
            r.district_id,
            r.jurisdiction_id,
            r.data,
            keys[r.first_submission_id],
            keys[r.last_submission_id],
            r.created_at,
            r.updated_at,
        )
        for r in DepartmentRecord.objects.all()
    }
    return {"counts": counts, "records": records}


def test_a_corrected_batch_updates_only_what_changed(personas: Personas) -> None:
    """The generic road (the ORM), on either engine."""
    with generic_road(exchange_writing):
        found = undone(lambda: _batches(personas))
    assert found["counts"] == [(3, 0, 0), (1, 1, 1)]
    versions = {k: (v[0], v[10], v[11]) for k, v in found["records"].items()}
    assert versions == {
        "FIR-1": (1, "batch-one", "batch-one"),
        "FIR-2": (2, "batch-one", "batch-two"),
        "FIR-3": (1, "batch-one", "batch-one"),
        "FIR-4": (1, "batch-two", "batch-two"),
    }
    assert found["records"]["FIR-3"][9]["police_station"] == "Model Town \\ Block C"


@both_roads
@pytest.mark.parametrize("chunk", [exchange_writing.STREAM_CHUNK, 1])
def test_copy_and_on_conflict_write_what_the_orm_writes(
    personas: Personas, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """exchange.writing — the same two batches through COPY and one INSERT … ON
    CONFLICT (in one chunk, or a chunk per row), and through the ORM: the same counts, the
    same records, versions and dates."""
    monkeypatch.setattr(exchange_writing, "STREAM_CHUNK", chunk)
    native, generic = both(lambda: _batches(personas), exchange_writing)
    assert native == generic


# --- core/bulk.py: COPY, or one INSERT run for each row -------------------------------------


BULK_AT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=PKT)
BLANK = ("actor_username", "actor_roles", "object_type", "request_id")


def _bulk_rows(personas: Personas) -> dict[str, Any]:
    """A linkage run's derived rows for two records, written by ``rows_insert``, as read back."""
    _receive(personas, "bulk", row(department_record_id="FIR-1"), row(department_record_id="FIR-2"))
    ids = sorted(DepartmentRecord.objects.values_list("pk", flat=True))
    features = {"name": "ayesha bibi", "urdu": "عائشہ", "dob": None, "tab\tand\nline": 1}
    written = (
        bulk.rows_insert(
            RecordFeatures,
            ("record", "feature_format", "record_version", "data"),
            [(pk, 5, 1, json.dumps(features)) for pk in ids],
        ),
        bulk.rows_insert(
            BlockingKey,
            ("key", "record"),
            ((key, pk) for pk in ids for key in (-(2**63), 2**63 - 1, 7)),
        ),
        # Times, addresses and uuids, prepared by their fields on the generic road.
        bulk.rows_insert(
            AuditEvent,
            ("occurred_at", "action", "ip_address", "object_id", "detail", *BLANK),
            [
                (BULK_AT, "bulk.test", address, str(pk), json.dumps({"n": pk - ids[0]}), *[""] * 4)
                for pk, address in zip(ids, ("10.1.2.3", None), strict=True)
            ],
        ),
    )
    events = AuditEvent.objects.filter(action="bulk.test").order_by("object_id")
    return {
        "events": [
            (e.occurred_at, e.ip_address, int(e.object_id) - ids[0], e.detail, e.actor_username)
            for e in events
        ],
        "written": written,
        "features": sorted(
            (f.record_id - ids[0], f.feature_format, f.record_version, f.data)
            for f in RecordFeatures.objects.all()
        ),
        "keys": sorted((k.record_id - ids[0], k.key) for k in BlockingKey.objects.all()),
    }


def test_rows_are_inserted_as_given(personas: Personas) -> None:
    """The generic road (executemany), on either engine, against the rows worked out by hand."""
    with generic_road(bulk):
        found = undone(lambda: _bulk_rows(personas))
    features = {"name": "ayesha bibi", "urdu": "عائشہ", "dob": None, "tab\tand\nline": 1}
    assert found["written"] == (2, 6, 2)
    assert found["events"] == [
        (BULK_AT, "10.1.2.3", 0, {"n": 0}, ""),
        (BULK_AT, None, 1, {"n": 1}, ""),
    ]
    assert found["features"] == [(0, 5, 1, features), (1, 5, 1, features)]
    assert found["keys"] == sorted((r, k) for r in (0, 1) for k in (-(2**63), 2**63 - 1, 7))


@both_roads
def test_copy_inserts_what_executemany_inserts(personas: Personas) -> None:
    """core.bulk.rows_insert: the same rows through COPY and through executemany."""
    native, generic = both(lambda: _bulk_rows(personas), bulk)
    assert native == generic


def _children_inserted() -> list[tuple[Any, ...]]:
    """Two children given their ids by ``objects_insert``, as read back (ids as offsets)."""
    from tests.factories import LAHORE, district

    lahore = district(LAHORE)
    now = datetime(2026, 3, 1, 9, 30, tzinfo=PKT)
    made = [
        Child(
            name_latin=name,
            name_urdu=urdu,
            sex="female",
            date_of_birth=date(2014, 5, 6),
            district=lahore,
            disabilities=disabilities,
            registered_at=now,
            updated_at=now,
            name_search=name.lower(),
        )
        for name, urdu, disabilities in (("Ayesha", "عائشہ", ["visual"]), ("Zainab", "", []))
    ]
    bulk.objects_insert(made)
    assert all(child.pk and not child._state.adding for child in made)
    first = made[0].pk
    return [
        (
            c.pk - first,
            c.uuid == made[c.pk - first].uuid,
            c.name_latin,
            c.name_urdu,
            c.disabilities,
            c.registered_at,
            c.date_of_birth,
            c.locality,
            c.nationality,
        )
        for c in Child.objects.filter(pk__in=[m.pk for m in made]).order_by("pk")
    ]


def test_objects_are_inserted_with_their_ids(db: Any) -> None:
    """The generic road (bulk_create), on either engine."""
    with generic_road(bulk):
        found = undone(_children_inserted)
    at = datetime(2026, 3, 1, 9, 30, tzinfo=PKT)
    assert found == [
        (0, True, "Ayesha", "عائشہ", ["visual"], at, date(2014, 5, 6), "unknown", "PK"),
        (1, True, "Zainab", "", [], at, date(2014, 5, 6), "unknown", "PK"),
    ]


@both_roads
def test_copy_with_reserved_ids_inserts_what_bulk_create_inserts(db: Any) -> None:
    """core.bulk.objects_insert: the same children through COPY and through bulk_create."""
    native, generic = both(_children_inserted, bulk)
    assert native == generic


def _frequencies_counted() -> list[tuple[str, str, int]]:
    """Name counts kept by a run, then a corrected record uncounted: a key known, a key new,
    a key that would go below nought, one never seen uncounted."""
    from cpmis.linkage.models import NameFrequency

    NameFrequency.objects.create(column="name", key="ZNB", count=3)
    NameFrequency.objects.create(column="given", key="AYS", count=1)
    linkage._frequencies_add(
        [{"name": "ZNB", "given": "ZNB"}, {"name": "ALY", "given": "ALY", "father": "ASLM"}], +1
    )
    linkage._frequencies_add([{"given": "AYS"}, {"given": "AYS"}, {"father": "RYZ"}], -1)
    return sorted(NameFrequency.objects.values_list("column", "key", "count"))


def test_name_counts_are_kept_as_worked_out_by_hand(db: Any) -> None:
    """The generic road, on either engine: read, changed, written back."""
    with generic_road(linkage):
        found = undone(_frequencies_counted)
    assert found == [
        ("father", "", 0),  # one counted, one uncounted
        ("father", "ASLM", 1),
        ("given", "", 0),  # counted 2, uncounted 2, from none
        ("given", "ALY", 1),
        ("given", "AYS", 0),  # 1 less 2: never below nought
        ("given", "ZNB", 1),
        ("name", "", 2),
        ("name", "ALY", 1),
        ("name", "ZNB", 4),
    ]


@both_roads
def test_name_counts_staged_by_copy_are_those_read_and_written_back(db: Any) -> None:
    """linkage.services._frequencies_add: the same counts through the staged UPDATE and
    INSERT as through the ORM."""
    native, generic = both(_frequencies_counted, linkage)
    assert native == generic


# --- linkage/services.py: one linkage writer at a time --------------------------------------


def _linkage_run(personas: Personas, records: Records) -> dict[str, Any]:
    ayesha = records.cpo_child
    _receive(
        personas,
        "linkage-batch",
        row(
            department_record_id="FIR-1",
            child_name="Ayesha Bibi",
            guardian_name="Mohd Aslam",
            date_of_birth=ayesha.date_of_birth.isoformat(),
            age_years="",
        ),
        row(department_record_id="FIR-2", child_name="عائشہ بی بی", guardian_name="محمد اسلم"),
        row(
            department_record_id="FIR-3",
            child_name="Zainab",
            guardian_name="Riaz Ahmed",
            date_of_birth="2013-06-02",
            age_years="",
        ),
    )
    run = linkage.records_link(actor=LINKAGE, wait=False)
    if not run.deferred:
        # A second batch meets the first one's linked records through their stored keys.
        _receive(
            personas,
            "linkage-batch-2",
            row(
                department_record_id="FIR-4",
                child_name="Zainab",
                guardian_name="Riaz Ahmed",
                date_of_birth="2013-06-02",
                age_years="",
            ),
        )
        linkage.records_link(actor=LINKAGE, wait=False)
    return {
        "deferred": run.deferred,
        "links": sorted(
            (
                link.record.department_record_id,
                link.child.name_latin or link.child.name_urdu,
                link.method,
            )
            for link in RecordLink.objects.select_related("record", "child")
        ),
        "reviews": sorted(i.record.department_record_id for i in ReviewItem.objects.all()),
        "children": Child.objects.count(),
    }


def test_a_linkage_run_takes_the_lock_when_nobody_holds_it(
    personas: Personas, records: Records
) -> None:
    """Free, the lock is taken on either road, and the run links."""
    assert linkage._lock(wait=False)
    with generic_road(linkage):
        assert linkage._lock(wait=False)
        found = undone(lambda: _linkage_run(personas, records))
    assert not found["deferred"] and found["links"]


@both_roads
def test_a_linkage_run_links_the_same_with_the_advisory_lock_or_without(
    personas: Personas, records: Records
) -> None:
    """linkage.services._lock — PostgreSQL's transaction-scoped advisory lock changes who may
    write when, never what is written."""
    native, generic = both(lambda: _linkage_run(personas, records), linkage)
    assert native == generic
    assert not native["deferred"] and len(native["links"]) >= 2
    zainab = [link for link in native["links"] if link[0] in ("FIR-3", "FIR-4")]
    assert [(record, name) for record, name, _ in zainab] == [
        ("FIR-3", "Zainab"),
        ("FIR-4", "Zainab"),
    ]


@both_roads
def test_while_another_connection_holds_the_lock_a_run_is_deferred(
    personas: Personas, records: Records
) -> None:
    """Where the roads part: on PostgreSQL a run that would wait for another is deferred; the
    generic road has no other writer to wait for (SQLite lets one writer in)."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [linkage.LOCK_KEY])
                taken.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(30)
        assert not linkage._lock(wait=False)
        assert undone(lambda: _linkage_run(personas, records))["deferred"]
        with generic_road(linkage):
            assert linkage._lock(wait=False)
    finally:
        release.set()
        holder.join(30)


# --- oversight/selectors.py: a report section among a recommendation's sections -------------


def _sections(personas: Personas) -> dict[str, list[str]]:
    for paragraph, sections in enumerate(
        (["article-8"], ["article-1", "prevention"], ["article-2"], [], ["articles-5-6"]), 1
    ):
        oversight.recommendation_create(
            actor=personas.analyst,
            document="CRC/C/OPSC/PAK/CO/1",
            paragraph=str(paragraph),
            text="Recommendation.",
            issued_on=date(2026, 1, 1),
            report_sections=sections,
        )
    codes = ("article-1", "article-8", "prevention", "articles-5-6", "article-4")
    return {
        code: [
            r.paragraph
            for r in oversight_selectors.recommendation_list(user=personas.analyst, section=code)
        ]
        for code in codes
    } | {
        f"report:{code}": [
            r.paragraph for r in oversight_selectors.recommendations_for_section(code)
        ]
        for code in codes
    }


EXPECTED_SECTIONS = {
    "article-1": ["2"],  # not "article-1" inside another code
    "article-8": ["1"],
    "prevention": ["2"],
    "articles-5-6": ["5"],
    "article-4": [],
}


def test_recommendations_of_a_section_by_the_quoted_code(personas: Personas) -> None:
    """The generic road (the quoted code in the JSON text), on either engine."""
    with generic_road(oversight_selectors):
        found = undone(lambda: _sections(personas))
    assert found == EXPECTED_SECTIONS | {f"report:{k}": v for k, v in EXPECTED_SECTIONS.items()}


@both_roads
def test_recommendations_of_a_section_by_json_containment_or_by_text(personas: Personas) -> None:
    """oversight.selectors._section_q — jsonb's containment and the quoted code in the text find
    the same recommendations."""
    native, generic = both(lambda: _sections(personas), oversight_selectors)
    assert native == generic


def test_the_places_that_branch_are_the_ones_tested_here() -> None:
    """A new branch on the database needs its comparison here."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "cpmis"
    found = sorted(
        f"{path.relative_to(root.parent)}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        and re.search(
            r"connection\.vendor|supports_json_field_contains", path.read_text(encoding="utf-8")
        )
    )
    assert found == [
        # Not two roads to one answer but each engine's own tools (pg_dump, SQLite's online
        # backup): tests/backups round-trips each, and .ci/backup-restore PostgreSQL's.
        "cpmis/backups/engines.py",
        "cpmis/core/bulk.py",
        "cpmis/exchange/writing.py",
        "cpmis/indicators/annex.py",
        "cpmis/indicators/engine.py",
        "cpmis/indicators/facts.py",
        # Whether counts are kept (PostgreSQL's write statistics tell when their tables
        # change), not what is counted: tests/indicators/test_materialised.py compares counts
        # read back with counts made afresh, and sees every kind of write.
        "cpmis/indicators/materialised.py",
        # Who writes a running job's progress (a thread of its own on PostgreSQL, the job
        # itself elsewhere), not what is computed: tests/jobs/test_queue.py, on each engine.
        "cpmis/jobs/runner.py",
        # How a job's file is sent (a binary parameter on PostgreSQL), not what is stored:
        # read back by every batch job's test on each engine (tests/exchange, tests/jobs).
        "cpmis/jobs/services.py",
        # How the key indexes are kept while keys are written (set aside and built again on
        # PostgreSQL), not which keys: tests/linkage/test_keystore.py.
        "cpmis/linkage/keystore.py",
        "cpmis/linkage/services.py",
        "cpmis/oversight/selectors.py",
    ]
