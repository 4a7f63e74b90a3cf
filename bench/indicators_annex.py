"""The statistical annex (every indicator by every disaggregation of one year) against one
hand-written SQL query per indicator, on PostgreSQL with a million cases.

The year comes from the demo's generator (``cpmis.demo.statistics``): ``--cases`` cases of
``--children`` registry children with their timelines and deadline tasks, a third as many
complaints, and police, FIA and court records in proportion; the oversight registers as the
demo has them. It is kept between runs (a fingerprint in ``bench_indicators``).

Timed, in one process: (1) the baseline, one SQL statement per indicator written by hand from
the indicator's definition (``GROUP BY GROUPING SETS`` over every breakdown the annex prints);
(2) the annex end to end as an analyst gets it: ``cpmis.indicators.annex.report_tables``
(counting, the tables, disclosure control). Every count of (2) is compared with (1).
Target: (2) under 30 s, ratio under 2.
"""

# ruff: noqa: S608 - the SQL here is fixed text written for the benchmark; values are parameters

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._support import BenchError, database_resolve, open_database, run_main, step, table

TARGET_SECONDS = 30.0
TARGET_RATIO = 2.0
TZ = "Asia/Karachi"

# --- the baseline: one statement per indicator, written by hand ------------------------------

_Q = f"EXTRACT(QUARTER FROM {{t}} AT TIME ZONE '{TZ}')"
_M = f"EXTRACT(MONTH FROM {{t}} AT TIME ZONE '{TZ}')"
_YMD = (
    f"(EXTRACT(YEAR FROM {{t}} AT TIME ZONE '{TZ}') * 10000"
    f" + EXTRACT(MONTH FROM {{t}} AT TIME ZONE '{TZ}') * 100"
    f" + EXTRACT(DAY FROM {{t}} AT TIME ZONE '{TZ}'))"
)
_DOB = (
    "(EXTRACT(YEAR FROM ch.date_of_birth) * 10000 + EXTRACT(MONTH FROM ch.date_of_birth) * 100"
    " + EXTRACT(DAY FROM ch.date_of_birth))"
)


def _child_columns(opened: str) -> str:
    return f"""
  d.jurisdiction_id AS d_jurisdiction, k.district_id AS d_district, ch.sex AS d_sex,
  COALESCE((ARRAY['unknown', '0-4', '5-9', '10-14', '15-17', 'unknown'])[width_bucket(
    to_char({opened} AT TIME ZONE '{TZ}', 'YYYYMMDD')::int
      - to_char(ch.date_of_birth, 'YYYYMMDD')::int,
    ARRAY[0, 50000, 100000, 150000, 180000]) + 1], 'unknown') AS d_age_band,
  ch.locality AS d_locality,
  CASE ch.nationality WHEN 'PK' THEN 'PK' WHEN 'AF' THEN 'AF' ELSE 'other' END AS d_nationality,
  CASE WHEN ch.has_disability THEN 'yes' WHEN NOT ch.has_disability THEN 'no' ELSE 'unknown'
  END AS d_disability,
  CASE WHEN k.concerns ? 'trafficked' THEN 'sale'
       WHEN k.concerns ? 'sexually_exploited' THEN 'prostitution'
       WHEN k.concerns ? 'pornography' THEN 'pornography'
       WHEN k.concerns ?| ARRAY['sexually_abused', 'child_marriage', 'child_labour', 'begging']
         THEN 'related'
       ELSE 'other' END AS d_opsc_category"""


_CASE_JOINS = """JOIN people_child ch ON ch.id = k.child_id
JOIN reference_district d ON d.id = k.district_id"""
_OPSC = (
    "k.concerns ?| ARRAY['trafficked', 'sexually_exploited', 'pornography', 'sexually_abused',"
    " 'child_marriage', 'child_labour', 'begging']"
)


def _event_sql(kind: str, extra_columns: str = "", extra_where: str = "") -> str:
    return f"""
SELECT e.id AS u, k.child_id AS c, {_Q.format(t="e.occurred_at")} AS d_quarter,
  {_M.format(t="e.occurred_at")} AS d_month, {_child_columns("e.occurred_at")}{extra_columns}
FROM cases_caseevent e JOIN cases_case k ON k.id = e.case_id {_CASE_JOINS}
WHERE e.kind = '{kind}' AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s{extra_where}
"""


def _task_sql(kind: str, unit: str) -> str:
    return f"""
SELECT {unit} AS u, k.child_id AS c,
  CASE WHEN t.done_at IS NOT NULL AND t.done_at <= t.due_at THEN 1 ELSE 0 END AS ok,
  {_Q.format(t="t.due_at")} AS d_quarter, {_M.format(t="t.due_at")} AS d_month,
  {_child_columns("k.opened_at")}
FROM cases_task t JOIN cases_case k ON k.id = t.case_id {_CASE_JOINS}
WHERE t.kind = '{kind}' AND (t.done_at IS NOT NULL OR t.due_at <= now())
  AND t.due_at >= %(start)s AND t.due_at < %(end)s
"""


_SERVICE = """CASE
  WHEN e.details ->> 'service' ILIKE ANY (ARRAY['%%medic%%', '%%health%%', '%%hospital%%',
    '%%doctor%%']) THEN 'medical'
  WHEN e.details ->> 'service' ILIKE ANY (ARRAY['%%psycho%%', '%%counsel%%', '%%trauma%%',
    '%%mental%%']) THEN 'psychosocial'
  WHEN e.details ->> 'service' ILIKE ANY (ARRAY['%%legal%%','%%lawyer%%']) THEN 'legal_aid'
  WHEN e.details ->> 'service' ILIKE ANY (ARRAY['%%school%%','%%educat%%']) THEN 'education'
  WHEN e.details ->> 'service' ILIKE ANY (ARRAY['%%shelter%%','%%home%%','%%dar-ul%%','%%darul%%'])
    THEN 'shelter'
  WHEN e.details ->> 'service' ILIKE ANY (ARRAY['%%tracing%%','%%reunif%%','%%family%%'])
    THEN 'family_tracing'
  WHEN e.details ->> 'service' ILIKE ANY (ARRAY['%%vocation%%','%%skill%%','%%livelihood%%'])
    THEN 'vocational'
  ELSE 'other' END"""

_PROVISIONS = """provisions AS (
  SELECT s.short_title || CASE WHEN s.kind = 'constitution' THEN ' Art.' ELSE ' s.' END
           || p.section AS citation,
         COALESCE(NULLIF(p.opsc_category, ''), 'related') AS category,
         CASE COALESCE(NULLIF(p.opsc_category, ''), 'related') WHEN 'sale' THEN 0
           WHEN 'prostitution' THEN 1 WHEN 'pornography' THEN 2 ELSE 3 END AS rank,
         pen.id AS penalty, pen.prison_min_months AS lo, pen.prison_max_months AS hi,
         COALESCE(pen.prison_life OR pen.death, FALSE) AS open_ended,
         COALESCE(pen.prison_term, FALSE) AS term_allowed, pen.combination
  FROM legal_provision p JOIN legal_statute s ON s.id = p.statute_id
  LEFT JOIN legal_penalty pen ON pen.provision_id = p.id)"""

_RECORDS = """records AS (
  SELECT r.*, CASE r.record_type WHEN 'police_report' THEN 'reported'
           WHEN 'fia_case' THEN 'investigated'
           ELSE COALESCE(NULLIF(r.data ->> 'stage', ''), 'investigated') END AS stage,
         (r.data ->> 'sentence_prison_months')::numeric AS months,
         COALESCE((r.data ->> 'sentence_life')::boolean, FALSE) AS life,
         CASE WHEN r.date_of_birth IS NOT NULL
              THEN EXTRACT(YEAR FROM age(r.record_date, r.date_of_birth)) ELSE r.age_years
         END AS years
  FROM exchange_departmentrecord r
  WHERE r.record_type IN ('police_report', 'fia_case', 'court_outcome')
    AND r.record_date >= %(day_start)s AND r.record_date < %(day_end)s),
cited AS (
  SELECT DISTINCT ON (r.id) r.id, pr.*
  FROM records r,
       jsonb_array_elements_text(r.data -> 'offence_sections') WITH ORDINALITY AS o(cit, n)
  JOIN provisions pr ON pr.citation = o.cit
  ORDER BY r.id, pr.rank, o.n)"""

_JUSTICE_COLUMNS = """r.id AS u,
  EXTRACT(QUARTER FROM r.record_date) AS d_quarter, EXTRACT(MONTH FROM r.record_date) AS d_month,
  d.jurisdiction_id AS d_jurisdiction, r.district_id AS d_district,
  CASE WHEN r.sex IN ('female', 'male', 'transgender') THEN r.sex ELSE 'unknown' END AS d_sex,
  CASE WHEN r.years IS NULL OR r.years < 0 OR r.years > 17 THEN 'unknown'
       WHEN r.years < 5 THEN '0-4' WHEN r.years < 10 THEN '5-9' WHEN r.years < 15 THEN '10-14'
       ELSE '15-17' END AS d_age_band,
  r.stage AS d_stage, COALESCE(c.category, 'other') AS d_opsc_category,
  CASE WHEN r.stage <> 'convicted' THEN 'not_assessed'
       WHEN c.penalty IS NULL OR (r.months IS NULL AND NOT r.life) THEN 'not_assessed'
       WHEN r.life THEN CASE WHEN c.open_ended THEN 'inside' ELSE 'above' END
       WHEN c.combination = 'fine_only' THEN 'above'
       WHEN NOT c.term_allowed THEN 'below'
       WHEN c.lo IS NOT NULL AND r.months < c.lo THEN 'below'
       WHEN c.hi IS NOT NULL AND r.months > c.hi THEN 'above'
       ELSE 'inside' END AS d_sentence_range"""

_JUSTICE = f"""WITH {_PROVISIONS}, {_RECORDS}
SELECT {_JUSTICE_COLUMNS}
FROM records r JOIN reference_district d ON d.id = r.district_id
LEFT JOIN cited c ON c.id = r.id"""

_OFFENCES = f"""WITH {_PROVISIONS}, {_RECORDS}
SELECT {_JUSTICE_COLUMNS}, o.cit AS d_offence
FROM records r JOIN reference_district d ON d.id = r.district_id
LEFT JOIN cited c ON c.id = r.id
JOIN LATERAL (SELECT DISTINCT x.cit FROM jsonb_array_elements_text(r.data -> 'offence_sections')
              AS x(cit) JOIN provisions p ON p.citation = x.cit) o ON TRUE"""


def _register(table_sql: str, date_column: str, columns: str, where: str = "") -> str:
    return f"""
SELECT a.id AS u, EXTRACT(QUARTER FROM {date_column}) AS d_quarter,
  EXTRACT(MONTH FROM {date_column}) AS d_month, {columns}
FROM {table_sql}
WHERE {date_column} >= %(day_start)s AND {date_column} < %(day_end)s{where}"""


_ACTIVITY = "a.jurisdiction_id AS d_jurisdiction, a.topic AS d_topic"
_PARTICIPANTS = (
    "x.jurisdiction_id AS d_jurisdiction, x.topic AS d_topic, a.profession AS d_profession, "
    "a.sex AS d_participant_sex, a.count AS amt"
)

# indicator -> (the rows, what is counted)
BASELINE: dict[str, tuple[str, str]] = {
    "CMP01": (
        f"""SELECT c.id AS u, {_Q.format(t="c.received_at")} AS d_quarter,
  {_M.format(t="c.received_at")} AS d_month, c.jurisdiction_id AS d_jurisdiction,
  c.district_id AS d_district, c.channel AS d_channel
FROM complaints_complaint c
WHERE c.duplicate_of_id IS NULL AND c.received_at >= %(start)s AND c.received_at < %(end)s""",
        "COUNT(*)",
    ),
    "CAS01": (
        f"""SELECT k.id AS u, {_Q.format(t="k.opened_at")} AS d_quarter,
  {_M.format(t="k.opened_at")} AS d_month, {_child_columns("k.opened_at")}
FROM cases_case k {_CASE_JOINS}
WHERE k.opened_at >= %(start)s AND k.opened_at < %(end)s""",
        "COUNT(*)",
    ),
    "CAS02": (
        f"""SELECT k.child_id AS c, {_Q.format(t="k.opened_at")} AS d_quarter,
  {_M.format(t="k.opened_at")} AS d_month, {_child_columns("k.opened_at")}
FROM cases_case k {_CASE_JOINS}
WHERE k.opened_at >= %(start)s AND k.opened_at < %(end)s AND {_OPSC}""",
        "COUNT(DISTINCT f.c)",
    ),
    "PRT01": (_task_sql("production", "k.child_id"), "share"),
    "PRT02": (_task_sql("decision", "t.case_id"), "share"),
    "PRT03": (
        _event_sql("placement", ", e.details ->> 'option' AS d_placement_type"),
        "COUNT(*)",
    ),
    "REC01": (_event_sql("referred", f", {_SERVICE} AS d_service_type"), "COUNT(DISTINCT f.c)"),
    "REC02": (
        _event_sql(
            "follow_up_visit",
            extra_where=(
                " AND EXISTS (SELECT 1 FROM cases_caseevent r WHERE r.case_id = e.case_id"
                " AND r.kind = 'released' AND r.occurred_at <= e.occurred_at"
                " AND r.occurred_at >= e.occurred_at - interval '183 days')"
            ),
        ),
        "COUNT(DISTINCT f.c)",
    ),
    "JUS01": (_JUSTICE, "COUNT(*)"),
    "JUS02": (_OFFENCES, "COUNT(DISTINCT f.u)"),
    "JUS03": (f"SELECT * FROM ({_JUSTICE}) j WHERE j.d_stage = 'convicted'", "COUNT(*)"),
    "MLA01": (
        _register(
            "oversight_legalassistancerequest a",
            "a.dated_on",
            "a.jurisdiction_id AS d_jurisdiction, a.kind AS d_request_kind, "
            "a.direction AS d_direction, a.status AS d_request_status, "
            "a.opsc_category AS d_opsc_category",
        ),
        "COUNT(*)",
    ),
    "PRV01": (
        _register(
            "oversight_preventionactivity a", "a.held_on", _ACTIVITY, " AND a.kind = 'training'"
        ),
        "COUNT(*)",
    ),
    "PRV02": (
        _register(
            "oversight_activityparticipants a JOIN oversight_preventionactivity x"
            " ON x.id = a.activity_id",
            "x.held_on",
            _PARTICIPANTS,
            " AND x.kind = 'training'",
        ),
        "COALESCE(SUM(f.amt), 0)",
    ),
    "PRV03": (
        _register(
            "oversight_preventionactivity a",
            "a.held_on",
            _ACTIVITY,
            " AND a.kind = 'awareness_event'",
        ),
        "COUNT(*)",
    ),
    "PRV04": (
        _register(
            "oversight_activityparticipants a JOIN oversight_preventionactivity x"
            " ON x.id = a.activity_id",
            "x.held_on",
            _PARTICIPANTS,
            " AND x.kind = 'awareness_event'",
        ),
        "COALESCE(SUM(f.amt), 0)",
    ),
    "PRV05": (
        _register(
            "oversight_preventionactivity a",
            "a.held_on",
            _ACTIVITY + ", a.materials_distributed AS amt",
            " AND a.kind = 'material'",
        ),
        "COALESCE(SUM(f.amt), 0)",
    ),
}


def baseline_counts(code: str, sets: Sequence[tuple[str, ...]], year: int) -> dict[Any, Any]:
    """One statement: the indicator's rows grouped by every set the annex prints."""
    from datetime import date, datetime

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    rows_sql, measure = BASELINE[code]
    measures = (
        ["COUNT(DISTINCT CASE WHEN f.ok = 1 THEN f.u END)", "COUNT(DISTINCT f.u)"]
        if measure == "share"
        else [measure]
    )
    dims = sorted({d for s in sets for d in s})
    columns = [f"f.d_{d}" for d in dims]
    spec = ", ".join("(" + ", ".join(f"f.d_{d}" for d in s) + ")" for s in sets)
    grouping = f"GROUPING({', '.join(columns)})" if columns else "0"
    tz = timezone.get_current_timezone()
    params = {
        "start": datetime(year, 1, 1, tzinfo=tz),
        "end": datetime(year + 1, 1, 1, tzinfo=tz),
        "day_start": date(year, 1, 1),
        "day_end": date(year + 1, 1, 1),
    }
    sql = (
        f"SELECT {', '.join([*columns, grouping, *measures])} FROM ({rows_sql}) f "
        f"GROUP BY GROUPING SETS ({spec})"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # the same memory for sorting and hashing as cpmis's own analytical queries
        cursor.execute(
            "SELECT set_config('work_mem', %(mem)s, true)",
            {"mem": settings.CPMIS_ANALYTICS_WORK_MEM},
        )
        cursor.execute(sql, params)
        found = cursor.fetchall()
    width = len(dims)
    by_mask = {sum(1 << (width - 1 - i) for i, d in enumerate(dims) if d not in s): s for s in sets}
    result: dict[Any, Any] = {s: {} for s in sets}
    for row in found:
        grouping_set = by_mask[row[width]]
        values = dict(zip(dims, row[:width], strict=True))
        cell = tuple("none" if values[d] in (None, "") else str(values[d]) for d in grouping_set)
        result[grouping_set][cell] = tuple(int(v or 0) for v in row[width + 1 :])
    return result


# --- the data ---------------------------------------------------------------------------------


def _fingerprint(args: argparse.Namespace) -> str:
    from cpmis.demo import generator, oversight, statistics

    digest = hashlib.sha256(f"{args.cases}/{args.children}/{args.year}/{args.seed}".encode())
    for module in (generator, statistics, oversight):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def _prepared(fingerprint: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_indicators (fingerprint text)")
        cursor.execute("SELECT fingerprint FROM bench_indicators")
        row = cursor.fetchone()
    return row is not None and row[0] == fingerprint


def prepare(args: argparse.Namespace) -> None:
    from django.db import connection

    from cpmis.demo.generator import population_generate
    from cpmis.demo.oversight import oversight_generate
    from cpmis.demo.statistics import statistics_year_generate

    fingerprint = _fingerprint(args)
    if _prepared(fingerprint):
        print("  the year is in place (same generator, sizes and seed): reused")
        return
    with step("empty the tables"), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE exchange_departmentrecord, exchange_submission, cases_task, "
            "cases_caseevent, cases_caseoffence, cases_perpetrator, cases_casereference, "
            "complaints_complaintevent, complaints_complaintchild, complaints_complaint, "
            "cases_case, linkage_recordlink, linkage_reviewitem, linkage_recordfeatures, "
            "people_child, oversight_assignmentupdate, oversight_recommendationassignment, "
            "oversight_recommendation, oversight_activityparticipants, "
            "oversight_preventionactivity, oversight_legalassistancerequest CASCADE"
        )
    with step(f"{args.children:,} children"):
        population_generate(size=args.children, seed=args.seed, batch_size=5000)
    with step(f"{args.cases:,} cases of {args.year} and their records"):
        made = statistics_year_generate(
            year=args.year, cases=args.cases, seed=args.seed, batch_size=5000
        )
    print("   ", ", ".join(f"{n:,} {what}" for what, n in made.items()))
    with step("oversight registers"):
        oversight_generate(seed=args.seed, year=args.year)
    with step("VACUUM ANALYZE"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_indicators")
        cursor.execute("INSERT INTO bench_indicators VALUES (%s)", [fingerprint])


# --- the run ----------------------------------------------------------------------------------


def _own_database() -> str | None:
    """The bench database of the environment, renamed: this year is not the other
    benchmarks' population, and preparing it empties the tables."""
    import os
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ.get("CPMIS_BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return None
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "cpmis_bench"
    return urlunsplit(parts._replace(path=f"/{name}_indicators"))


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    from datetime import date

    parser = argparse.ArgumentParser(
        prog="python -m bench indicators_annex",
        description=(__doc__ or "").strip().splitlines()[0],
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--children", type=int, default=600_000)
    parser.add_argument("--year", type=int, default=date.today().year - 1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="default: the bench database cpmis_bench_indicators")
    args = parser.parse_args(list(argv))
    if min(args.cases, args.children) < 1:
        parser.error("--cases and --children must be positive")
    return args


def main(argv: Sequence[str]) -> int:
    return run_main(arguments, run, argv)


def run(args: argparse.Namespace) -> int:
    db = database_resolve(args.database_url or _own_database())
    print(f"indicators_annex: {args.cases:,} cases in {args.year}, {db.describe()}")
    open_database(db)
    prepare(args)

    from cpmis.accounts.models import User
    from cpmis.indicators import annex, engine, tabulate
    from cpmis.indicators.catalogue import catalogue

    analyst = User.objects.get(username="analyst.national")
    columns = annex.by_jurisdiction(analyst)
    plans = {
        code: tabulate.normalise(
            [s for shape in tabulate.annex_shapes(indicator, columns=columns) for s in shape.sets()]
        )
        for code, indicator in catalogue().items()
    }
    missing = sorted(set(plans) - set(BASELINE))
    if missing:
        raise BenchError(f"No hand-written baseline for {', '.join(missing)}.")

    # warm both paths once (connections, plans, caches), untimed
    baseline_counts("CAS01", plans["CAS01"], args.year)

    base_seconds: dict[str, float] = {}
    base_results: dict[str, Any] = {}
    started = time.perf_counter()
    for code, sets in plans.items():
        t = time.perf_counter()
        base_results[code] = baseline_counts(code, sets, args.year)
        base_seconds[code] = time.perf_counter() - t
    baseline_total = time.perf_counter() - started

    captured: dict[str, Any] = {}
    spent: dict[str, float] = {}
    compute = engine.compute

    def recording(user: Any, request: engine.Request) -> Any:
        t = time.perf_counter()
        result = compute(user, request)
        spent[request.indicator.code] = time.perf_counter() - t
        captured[request.indicator.code] = result
        return result

    together = engine.compute_together

    def recording_together(user: Any, requests: list[engine.Request]) -> Any:
        t = time.perf_counter()
        results = together(user, requests)
        for request, result in zip(requests, results, strict=True):
            spent.setdefault(request.indicator.code, time.perf_counter() - t)
            captured[request.indicator.code] = result
        return results

    from cpmis.indicators.models import Aggregate, Protection

    # counting and protecting are what is measured: no count or pattern kept from before
    Aggregate.objects.all().delete()
    Protection.objects.all().delete()
    engine.compute = recording  # type: ignore[assignment]
    engine.compute_together = recording_together  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        tables = annex.report_tables(user=analyst, year=args.year)
        annex_total = time.perf_counter() - started
    finally:
        engine.compute = compute  # type: ignore[assignment]
        engine.compute_together = together  # type: ignore[assignment]
    # once more, as the next reader gets it: the counts kept (PostgreSQL's write statistics
    # say the tables have not changed), so only the tables and disclosure control are made
    started = time.perf_counter()
    again = annex.report_tables(user=analyst, year=args.year)
    kept_total = time.perf_counter() - started
    if [t.cells for t in again] != [t.cells for t in tables]:
        raise BenchError("the annex from kept counts differs from the one counted")

    rows = []
    all_agree = True
    cells = 0
    for code in plans:
        mine, theirs = captured.get(code, {}), base_results[code]
        agree = mine == theirs
        all_agree &= agree
        n = sum(len(v) for v in theirs.values())
        cells += n
        rows.append(
            [
                code,
                f"{n:,}",
                f"{base_seconds[code]:.2f}",
                f"{spent.get(code, 0.0):.2f}",
                "yes" if agree else "NO",
            ]
        )
    print(table(["indicator", "counts", "baseline s", "cpmis count s", "agree"], rows))
    suppressed = sum(t.suppressed_count for t in tables)
    print(f"\n  annex: {len(tables)} tables, {cells:,} counts, {suppressed:,} cells suppressed")
    ratio = annex_total / baseline_total if baseline_total else float("inf")
    print(
        table(
            ["what", "seconds"],
            [
                ["baseline: one hand-written SQL per indicator", f"{baseline_total:.2f}"],
                [
                    "cpmis: the annex end to end (counts, tables, disclosure control)",
                    f"{annex_total:.2f}",
                ],
                ["ratio", f"{ratio:.2f}"],
                ["cpmis: the annex again, its counts kept", f"{kept_total:.2f}"],
            ],
        )
    )
    print(f"\n  every number agrees: {'YES' if all_agree else 'NO'}")
    met = annex_total < TARGET_SECONDS and ratio < TARGET_RATIO and all_agree
    print(
        f"  target: under {TARGET_SECONDS:.0f} s, ratio under {TARGET_RATIO:.0f}, all agree: "
        f"{'MET' if met else 'MISSED'}"
    )
    return 0
