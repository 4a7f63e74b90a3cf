"""A supervisor's task dashboard and a CPO's caseload page with many cases, against the same
lists as raw SQL.

``--cases`` (1,000,000) cases with their open and done tasks are written straight into
PostgreSQL (INSERT … SELECT generate_series: the benchmark measures reading, not the
services), spread over every district; one Lahore supervisor and 60 Lahore CPOs share that
district's cases. Then ``GET /cases/tasks/`` as the supervisor (every open task of the
district, overdue first, 50 a page) and ``GET /cases/`` as a CPO (their caseload, 50 a page)
are timed through Django's test client with the production settings, and each is compared with
one SQL statement that returns the same page and its total. Target: p95 under 200 ms, ratio
under 3.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from ._support import (
    database_resolve,
    open_database,
    percentile,
    run_main,
    step,
    table,
    timed,
)

TARGET_P95_MS = 200.0
TARGET_RATIO = 3.0
OFFICERS = 60

SUPERVISOR_TASKS_SQL = """
SELECT t.id, t.kind, t.due_at, t.basis, t.due_at < now() AS overdue, c.uuid, ch.name_latin,
       ch.name_urdu, u.username, COUNT(*) OVER ()
FROM cases_task t
JOIN cases_case c ON c.id = t.case_id
JOIN people_child ch ON ch.id = c.child_id
LEFT JOIN accounts_user u ON u.id = c.assigned_to_id
WHERE t.district_id = %(district)s AND t.done_at IS NULL
ORDER BY t.due_at, t.id
LIMIT 50
"""
CASELOAD_SQL = """
SELECT c.uuid, c.stage, c.risk_level, c.initial_risk, c.in_protection, c.opened_at,
       ch.name_latin, ch.name_urdu, d.name_en, COUNT(*) OVER ()
FROM cases_case c
JOIN people_child ch ON ch.id = c.child_id
JOIN reference_district d ON d.id = c.district_id
WHERE c.district_id = %(district)s AND c.assigned_to_id = %(officer)s
ORDER BY c.opened_at DESC, c.id DESC
LIMIT 50
"""


def generate(cases: int, officer_ids: list[int], district_id: int) -> None:
    """Cases over every district (the children's), and their tasks, in a few statements."""
    from django.db import connection

    officers = "ARRAY[" + ",".join(str(i) for i in officer_ids) + "]::bigint[]"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_child")
        children = cursor.fetchone()[0]
        cursor.execute(
            f"""
            INSERT INTO cases_case (uuid, number, child_id, district_id, jurisdiction_id, stage,
                initial_risk, risk_level, concerns, assigned_to_id, assigned_at, opened_at,
                closed_at, in_protection, version, created_by_id, updated_at)
            SELECT gen_random_uuid(), 'BN-' || lpad(g::text, 12, '0'), ch.id, ch.district_id,
                d.jurisdiction_id,
                (ARRAY['registered','assessed','planned','implementation','follow_up',
                       'closure_requested','closed'])[1 + (g %% 7)],
                (ARRAY['high','medium','low'])[1 + (g %% 3)], '', '["abused"]',
                CASE WHEN ch.district_id = %s THEN ({officers})[1 + (g %% {len(officer_ids)})]
                END,
                now() - (g %% 900) * interval '1 day',
                now() - (g %% 900) * interval '1 day', NULL, g %% 5 = 0, 1, NULL, now()
            FROM generate_series(1, %s) AS g
            JOIN people_child ch ON ch.id = (SELECT min(id) FROM people_child) + (g %% %s)
            JOIN reference_district d ON d.id = ch.district_id
            """,  # noqa: S608 - numbers made here, values as parameters
            [district_id, cases, children],
        )
        cursor.execute(
            """
            INSERT INTO cases_task (case_id, district_id, assigned_to_id, kind, due_at, done_at,
                for_supervisor, basis)
            SELECT c.id, c.district_id, c.assigned_to_id, k.kind,
                c.opened_at + (k.n * 20 + c.id % 40) * interval '1 day',
                CASE WHEN c.stage = 'closed' OR k.n = 0 THEN c.opened_at + interval '1 day' END,
                k.kind = 'closure_approval', 'bench'
            FROM cases_case c
            CROSS JOIN (VALUES (0, 'assessment'), (1, 'plan_review')) AS k(n, kind)
            """
        )
        cursor.execute("ANALYZE")


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench case_dashboards", description=(__doc__ or "").strip().splitlines()[0]
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument(
        "--children",
        type=int,
        default=200_000,
        help="children to generate if the database has none",
    )
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--database-url")
    args = parser.parse_args(list(argv))
    if min(args.cases, args.children, args.requests) < 1 or args.warmup < 0:
        parser.error("--cases, --children and --requests must be positive")
    return args


def main(argv: Sequence[str]) -> int:
    return run_main(arguments, run, argv)


def lahore_officers(lahore: Any) -> list[Any]:
    """The benchmark's 60 Lahore CPOs (``bench.cpo.N``), made once."""
    from cpmis.accounts.models import User
    from cpmis.accounts.roles import Role, ScopeLevel
    from cpmis.accounts.services import role_assign, user_create
    from cpmis.actors import system

    bench = system("bench", "users.manage")
    from cpmis.demo.generator import DEFAULT_PASSWORD

    officers = list(User.objects.filter(username__startswith="bench.cpo.").order_by("pk"))
    if len(officers) < OFFICERS:
        with step(f"{OFFICERS} Lahore CPOs"):
            for i in range(len(officers), OFFICERS):
                user = user_create(
                    actor=bench,
                    username=f"bench.cpo.{i}",
                    password=DEFAULT_PASSWORD,
                    validate=False,
                )
                role_assign(
                    actor=bench,
                    user=user,
                    role=Role.CPO,
                    scope_level=ScopeLevel.DISTRICT,
                    district=lahore,
                )
                officers.append(user)
    return officers


def run(args: argparse.Namespace) -> int:
    db = database_resolve(args.database_url)
    print(f"case_dashboards: {args.cases:,} cases, {args.requests} requests each, {db.describe()}")
    open_database(db)

    from django.db import connection
    from django.test import Client

    from cpmis.accounts.models import User
    from cpmis.cases.models import Case, Task
    from cpmis.demo.generator import population_generate
    from cpmis.people.models import Child
    from cpmis.reference.models import District

    lahore = District.objects.get(pcode="PK617")
    officers = lahore_officers(lahore)
    if not Child.objects.exists():
        with step(f"{args.children:,} children"):
            population_generate(size=args.children)
    if Case.objects.count() != args.cases:
        with step(f"{args.cases:,} cases and their tasks"):
            Task.objects.all().delete()
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM cases_caseevent; DELETE FROM cases_caseoffence;"
                    " DELETE FROM cases_case;"
                )
            generate(args.cases, [o.pk for o in officers], lahore.pk)
    in_district = Case.objects.filter(district=lahore).count()
    open_tasks = Task.objects.filter(case__district=lahore, done_at__isnull=True).count()
    from django.db.models import Count

    busiest = (
        Case.objects.filter(assigned_to__in=officers)
        .values("assigned_to")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    officer = User.objects.get(pk=busiest["assigned_to"]) if busiest else officers[0]
    caseload = busiest["n"] if busiest else 0
    print(
        f"  Lahore: {in_district:,} cases, {open_tasks:,} open tasks; "
        f"{officer.username} holds {caseload} cases"
    )

    supervisor = Client()
    supervisor.force_login(User.objects.get(username="supervisor.lahore"))
    cpo = Client()
    cpo.force_login(officer)

    def page(client: Client, path: str) -> Callable[[], None]:
        def call() -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")

        return call

    def raw(sql: str, params: dict[str, int]) -> Callable[[], None]:
        def call() -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        return call

    # 2FA is required in production: these sessions stand for officers who signed in with it
    from django.conf import settings

    settings.CPMIS_REQUIRE_2FA = False
    runs = {
        "supervisor tasks page": (
            timed(page(supervisor, "/cases/tasks/"), args.requests, args.warmup),
            timed(raw(SUPERVISOR_TASKS_SQL, {"district": lahore.pk}), args.requests, args.warmup),
        ),
        "CPO caseload page": (
            timed(page(cpo, "/cases/"), args.requests, args.warmup),
            timed(
                raw(CASELOAD_SQL, {"district": lahore.pk, "officer": officer.pk}),
                args.requests,
                args.warmup,
            ),
        ),
    }
    rows, verdicts = [], []
    for label, (app, base) in runs.items():
        a50, a95, r50, r95 = (
            percentile(app, 50),
            percentile(app, 95),
            percentile(base, 50),
            percentile(base, 95),
        )
        rows.append(
            [
                label,
                f"{a50:.1f}",
                f"{a95:.1f}",
                f"{r50:.1f}",
                f"{r95:.1f}",
                f"{a50 / r50:.1f}x",
                f"{a95 / r95:.1f}x",
            ]
        )
        verdicts.append(
            (a95 < TARGET_P95_MS, f"{label}: p95 {a95:.1f} ms < {TARGET_P95_MS:.0f} ms")
        )
        verdicts.append(
            (
                a95 / r95 < TARGET_RATIO,
                f"{label}: ratio at p95 {a95 / r95:.1f}x < {TARGET_RATIO:.0f}x",
            )
        )
    print("\nMilliseconds per request:")
    print(table(["page", "p50", "p95", "raw p50", "raw p95", "ratio p50", "ratio p95"], rows))
    print("\nTargets:")
    for ok, label in verdicts:
        print(f"  {'MET' if ok else 'MISSED':<6} {label}")
    return 0
