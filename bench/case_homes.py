"""A CPO's home and a supervisor's home with many cases, each beside a minimal view running the
same queries (the framework's floor); and the weight of the casework pages.

``--cases`` (1,000,000) cases are written straight into PostgreSQL as ``case_dashboards`` does
(its ``generate``: cases over every district, 60 Lahore CPOs sharing Lahore's), with what the
homes show added the same way: the clocks of the law (production, the Court's decision,
follow-up visits; overdue, due this week, later), unassigned Lahore cases, transfers waiting
for Lahore and decided ones everywhere, and notifications. Then ``GET /`` is timed as the
busiest Lahore CPO and as the Lahore supervisor through Django's test client with the
production settings. Beside each, the floor: a view of this module, behind the same
middleware, that runs the SQL statements the real home ran (captured from one of its requests,
less those the middleware runs for any page) and renders the rows they return with a template
string, no cpmis code. Requests alternate, home then floor. Targets: p95 under 200 ms and
under 1.5 x the floor's p95.

Page weight: the home, the tasks page, the caseload page and a case page (one case made through
the services, with its timeline), each as a first visit of the CPO: the HTML, the stylesheets
it links (with their @imports) and its scripts; fonts (@font-face url()s) and images are not
counted. Target: under 100 KB (100,000 bytes) a page.
"""

from __future__ import annotations

import argparse
import gzip
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from ._support import (
    database_resolve,
    open_database,
    own_database,
    percentile,
    run_main,
    step,
    table,
)

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.test import Client
    from django.urls import URLPattern, URLResolver

TARGET_P95_MS = 200.0
TARGET_RATIO = 1.5
TARGET_PAGE_BYTES = 100_000
LAHORE = "PK617"
# What the generator writes; the data of a database made by another version is made again.
GENERATOR = "case_homes 2"  # tasks carry their case's district and officer
FLOOR_PREFIX = "bench/homes/floor/"

# This module is the URL configuration of the run (settings.ROOT_URLCONF): the floor views and
# all of cpmis, filled in once Django is set up.
urlpatterns: list[URLPattern | URLResolver] = []
_FLOOR_SQL: dict[str, list[str]] = {}
_FLOOR_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Home</title></head><body><main>
{% for rows in blocks %}<section><ul>{% for row in rows %}<li>{% for value in row %}{{ value }}\
{% if not forloop.last %} · {% endif %}{% endfor %}</li>{% endfor %}</ul></section>
{% endfor %}</main></body></html>
"""
_floor_template: Any = None
# The columns the homes show (the floor renders these of every row, as the panels do: a case's
# number and child, a task's kind, due time and basis, an officer's counts, a message...).
SHOWN = frozenset(
    {
        "__count",
        "assigned_at",
        "basis",
        "created_at",
        "due_at",
        "kind",
        "link",
        "message",
        "name_en",
        "name_latin",
        "name_urdu",
        "number",
        "open_cases",
        "opened_at",
        "overdue",
        "requested_at",
        "stage",
        "username",
        "uuid",
    }
)


def floor(request: HttpRequest, persona: str) -> HttpResponse:
    """The floor of a home: its SQL statements as they were sent, and every row they return in
    a template string (Django's template engine, no tags, no context processors): the values
    of the columns the homes show, by their names."""
    from django.db import connection
    from django.http import HttpResponse
    from django.template import Context

    blocks = []
    with connection.cursor() as cursor:
        for sql in _FLOOR_SQL[persona]:
            cursor.execute(sql)
            shown = [i for i, c in enumerate(cursor.description or ()) if c.name in SHOWN]
            blocks.append([[row[i] for i in shown] for row in cursor.fetchall()])
    return HttpResponse(_floor_template.render(Context({"blocks": blocks})))


def _route() -> None:
    from django.conf import settings
    from django.template import Template
    from django.urls import include, path

    from cpmis import urls as cpmis_urls

    global _floor_template
    _floor_template = Template(_FLOOR_TEMPLATE)
    urlpatterns[:] = [
        path(FLOOR_PREFIX + "<str:persona>/", floor, name="bench-home-floor"),
        path("", include(cpmis_urls)),
    ]
    settings.ROOT_URLCONF = __name__


# --- data ------------------------------------------------------------------------------------


def _fingerprint(args: argparse.Namespace) -> str:
    return f"{GENERATOR}; {args.cases} cases; {args.children} children"


def _stored_fingerprint() -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_case_homes (fingerprint text)")
        cursor.execute("SELECT fingerprint FROM bench_case_homes")
        row = cursor.fetchone()
    return row[0] if row else None


def generate_homes(district_id: int, supervisor_id: int) -> None:
    """What the homes show, over the cases ``case_dashboards.generate`` wrote."""
    from django.db import connection

    with connection.cursor() as cursor:
        # Lahore has officers for all its cases; one in 25 waits for one.
        cursor.execute(
            "UPDATE cases_case SET assigned_to_id = NULL, assigned_at = NULL"
            " WHERE district_id = %s AND id %% 25 = 0",
            [district_id],
        )
        cursor.execute(  # their tasks too (tasks carry their case's officer)
            "UPDATE cases_task SET assigned_to_id = NULL WHERE district_id = %s"
            " AND case_id %% 25 = 0",
            [district_id],
        )
        # The clocks of the law, for every case: production before the Court (a day), its
        # decision (four months), follow-up visits of the cases in implementation or follow-up.
        # A clock more than ``grace`` days past is done; the others are open: overdue, due
        # this week, later.
        cursor.execute(
            """
            INSERT INTO cases_task (case_id, district_id, assigned_to_id, kind, due_at, done_at,
                for_supervisor, basis)
            SELECT c.id, c.district_id, c.assigned_to_id, k.kind,
                c.opened_at + k.days * interval '1 day',
                CASE WHEN c.stage = 'closed'
                       OR c.opened_at + (k.days + k.grace) * interval '1 day' < now()
                     THEN c.opened_at + k.days * interval '1 day' END,
                false, k.basis
            FROM cases_case c
            CROSS JOIN (VALUES
                ('production', 1, 1, 'Produce the child before the Court within 24 hours'),
                ('decision', 120, 30, 'The Court decides within four months'),
                ('follow_up_visit', 200, 20, 'Visit the child after release')
            ) AS k(kind, days, grace, basis)
            WHERE k.kind <> 'follow_up_visit' OR c.stage IN ('implementation', 'follow_up')
            """
        )
        cursor.execute(
            "SELECT id FROM reference_district ORDER BY id",
        )
        districts = [row[0] for row in cursor.fetchall()]
        others = "ARRAY[" + ",".join(str(d) for d in districts if d != district_id) + "]::bigint[]"
        # Transfers decided everywhere (one case in 100) and waiting elsewhere (one in 500).
        cursor.execute(
            f"""
            INSERT INTO cases_transfer (case_id, from_district_id, to_district_id, status, reason,
                requested_by_id, requested_at, decided_by_id, decided_at, decision_note)
            SELECT c.id, c.district_id, ({others})[1 + (c.id * 7) %% {len(districts) - 1}],
                CASE WHEN c.id %% 500 = 7 THEN 'pending'
                     WHEN c.id %% 3 = 0 THEN 'declined' ELSE 'accepted' END,
                'bench', NULL, c.opened_at + interval '3 days', NULL,
                CASE WHEN c.id %% 500 <> 7 THEN c.opened_at + interval '5 days' END, ''
            FROM cases_case c
            WHERE c.id %% 100 = 7 AND c.district_id <> %s AND c.stage <> 'closed'
            """,  # noqa: S608 - numbers made here, values as parameters
            [district_id],
        )
        # 25 open cases of the rest of the province waiting for Lahore's answer.
        cursor.execute(
            """
            INSERT INTO cases_transfer (case_id, from_district_id, to_district_id, status, reason,
                requested_by_id, requested_at, decided_by_id, decided_at, decision_note)
            SELECT c.id, c.district_id, %(lahore)s, 'pending', 'bench', NULL,
                now() - row_number() OVER (ORDER BY c.id) * interval '5 hours', NULL, NULL, ''
            FROM cases_case c
            JOIN reference_district d ON d.id = c.district_id
            WHERE d.jurisdiction_id = (SELECT jurisdiction_id FROM reference_district
                                       WHERE id = %(lahore)s)
              AND c.district_id <> %(lahore)s AND c.stage <> 'closed'
              AND NOT EXISTS (SELECT 1 FROM cases_transfer t
                              WHERE t.case_id = c.id AND t.status = 'pending')
            ORDER BY c.id
            LIMIT 25
            """,
            {"lahore": district_id},
        )
        # Notifications: each officer was told of every case given to them (those of the
        # last 60 days still unread); the supervisor of each transfer waiting.
        cursor.execute(
            """
            INSERT INTO notifications_notification (user_id, kind, message, link, created_at,
                read_at)
            SELECT c.assigned_to_id, 'case_assigned', 'Case ' || c.number || ' is yours now.',
                '/cases/' || c.uuid || '/', c.assigned_at,
                CASE WHEN c.assigned_at < now() - interval '60 days'
                     THEN c.assigned_at + interval '2 hours' END
            FROM cases_case c
            WHERE c.district_id = %(lahore)s AND c.assigned_to_id IS NOT NULL
            UNION ALL
            SELECT %(supervisor)s, 'transfer_requested',
                'Case ' || c.number || ' is asked to move to your district.', '/cases/transfers/',
                t.requested_at, NULL
            FROM cases_transfer t JOIN cases_case c ON c.id = t.case_id
            WHERE t.to_district_id = %(lahore)s AND t.status = 'pending'
            """,
            {"lahore": district_id, "supervisor": supervisor_id},
        )
        cursor.execute("ANALYZE")


def _prepare(args: argparse.Namespace) -> None:
    from django.db import connection

    from cpmis.accounts.models import User
    from cpmis.demo.generator import population_generate
    from cpmis.people.models import Child
    from cpmis.reference.models import District

    from .case_dashboards import generate, lahore_officers

    lahore = District.objects.get(pcode=LAHORE)
    officers = lahore_officers(lahore)
    if not Child.objects.exists():
        with step(f"{args.children:,} children"):
            population_generate(size=args.children)
    if _stored_fingerprint() == _fingerprint(args):
        return
    supervisor = User.objects.get(username="supervisor.lahore")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_case_homes")
        cursor.execute("TRUNCATE cases_case, notifications_notification CASCADE")
    with step(f"{args.cases:,} cases and their tasks (case_dashboards)"):
        generate(args.cases, [o.pk for o in officers], lahore.pk)
    with step("clocks, unassigned cases, transfers, notifications"):
        generate_homes(lahore.pk, supervisor.pk)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_case_homes VALUES (%s)", [_fingerprint(args)])


def _case_with_timeline(cpo: Any) -> Any:
    """A case of the CPO made through the services (opened, assessed, taken into protection,
    produced, placed, planned): the case page with a timeline. Made once, then reused."""
    from datetime import timedelta

    from django.utils import timezone

    from cpmis.accounts.models import User
    from cpmis.cases import services as s
    from cpmis.cases.models import Case, Institution
    from cpmis.demo.generator import institutions_create
    from cpmis.people.models import Child

    case = (
        Case.objects.filter(assigned_to=cpo).exclude(number__startswith="BN-").order_by("pk").last()
    )
    if case is not None:
        return case
    supervisor = User.objects.get(username="supervisor.lahore")
    institutions_create()
    child = Child.objects.filter(district__pcode=LAHORE, sex="male").order_by("pk")[0]
    start = timezone.now() - timedelta(days=3)

    def at(days: float) -> Any:
        return start + timedelta(days=days)

    case = s.case_open(
        actor=supervisor,
        assigned_to=cpo,
        child=child,
        initial_risk="high",
        concerns=["child_labour"],
        opened_at=start,
        note="Found working at a brick kiln; the employer holds the family's debt.",
    )
    s.case_assess(actor=cpo, case=case, risk_level="high", occurred_at=at(0.2))
    s.protection_take(actor=cpo, case=case, occurred_at=at(0.3))
    s.court_produce(actor=cpo, case=case, court="Court of the District Judge", occurred_at=at(0.8))
    s.order_record(
        actor=cpo, case=case, kind="custody", child_views="Agrees to stay.", occurred_at=at(1)
    )
    home = Institution.objects.filter(district=child.district).exclude(accepts="girls").first()
    s.placement_make(
        actor=cpo,
        case=case,
        option="institution",
        institution=home,
        lower_option_reason="No family member could be found yet.",
        occurred_at=at(1.1),
    )
    s.case_plan(actor=cpo, case=case, goals=[{"goal": "Family tracing"}], occurred_at=at(2))
    return Case.objects.get(pk=case.pk)


# --- timing ----------------------------------------------------------------------------------


def _get(client: Client, path: str) -> Any:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return response


def paired(
    first: Callable[[], object], second: Callable[[], object], n: int, warmup: int
) -> tuple[list[float], list[float]]:
    """Milliseconds of ``n`` calls of each, alternating (the machine's load falls on both)."""
    for _ in range(warmup):
        first()
        second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(n):
        for fn, out in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
    return times


_TIME = re.compile(r"'\d{4}-\d\d-\d\d[ T][^']*'::timestamptz")


@dataclass
class Capture:
    statements: list[str]  # the home's own, for the floor
    middleware: int  # run for any page (session, user)
    dropped: list[str] = field(default_factory=list)  # not SELECTs (none expected)


def capture(client: Client, persona: str) -> Capture:
    """The SQL of one warm request of the home, less what a request of the empty floor runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _FLOOR_SQL[persona] = []
    _get(client, "/")
    _get(client, f"/{FLOOR_PREFIX}{persona}/")
    with CaptureQueriesContext(connection) as home:
        _get(client, "/")
    with CaptureQueriesContext(connection) as empty:
        _get(client, f"/{FLOOR_PREFIX}{persona}/")
    common = Counter(_TIME.sub("?", q["sql"]) for q in empty.captured_queries)
    own, dropped, middleware = [], [], 0
    for q in home.captured_queries:
        sql = q["sql"]
        if common[_TIME.sub("?", sql)]:  # the session's expiry is checked against the time
            common[_TIME.sub("?", sql)] -= 1
            middleware += 1
        elif sql.lstrip().upper().startswith("SELECT"):
            own.append(sql)
        else:
            dropped.append(sql)
    _FLOOR_SQL[persona] = own
    return Capture(own, middleware, dropped)


def slowest(statements: Sequence[str], repeat: int = 5) -> list[tuple[float, str]]:
    """Each statement's best time of ``repeat`` (ms), slowest first."""
    from django.db import connection

    out = []
    with connection.cursor() as cursor:
        for sql in statements:
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                best = min(best, (time.perf_counter() - started) * 1000)
            out.append((best, sql))
    return sorted(out, reverse=True)


def _short(sql: str, width: int = 110) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- page weight -----------------------------------------------------------------------------


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.styles: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and "stylesheet" in a.get("rel", "").lower().split() and a.get("href"):
            self.styles.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])


_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""")


def _asset(client: Client, url: str) -> bytes:
    """A stylesheet or script as the browser gets it (from WhiteNoise through the test client;
    from the static files finders if that fails)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    if urlsplit(url).netloc:
        raise RuntimeError(f"a page links {url}, outside cpmis")
    path = urlsplit(url).path
    response = client.get(path)
    if response.status_code == 200:
        return bytes(response.getvalue())  # WhiteNoise's answers stream
    found = finders.find(path.removeprefix(settings.STATIC_URL))
    if not found:
        raise RuntimeError(f"{url} answered {response.status_code} and is not a static file")
    with open(found if isinstance(found, str) else found[0], "rb") as fh:
        return fh.read()


@dataclass
class Weight:
    page: str
    html: int
    css: int
    js: int
    gzip: int
    files: list[str]

    @property
    def total(self) -> int:
        return self.html + self.css + self.js


def weigh(client: Client, label: str, path: str) -> Weight:
    html = _get(client, path).content
    parser = _Assets()
    parser.feed(html.decode("utf-8"))
    css = js = 0
    compressed = len(gzip.compress(html))
    files: list[str] = []
    queue = [urljoin(path, u) for u in parser.styles]
    seen: set[str] = set()
    while queue:  # stylesheets and what they @import (fonts are url()s of @font-face: not read)
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        body = _asset(client, url)
        css += len(body)
        compressed += len(gzip.compress(body))
        files.append(url)
        queue += [urljoin(url, ref) for ref in _IMPORT.findall(body.decode("utf-8"))]
    for url in dict.fromkeys(urljoin(path, u) for u in parser.scripts):
        body = _asset(client, url)
        js += len(body)
        compressed += len(gzip.compress(body))
        files.append(url)
    return Weight(label, len(html), css, js, compressed, files)


# --- the run ---------------------------------------------------------------------------------


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench case_homes", description=(__doc__ or "").strip().splitlines()[0]
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
    parser.add_argument(
        "--database-url", help="the server's bench database; this one uses <name>_homes"
    )
    parser.add_argument("--show-sql", action="store_true", help="print the floors' statements")
    args = parser.parse_args(list(argv))
    if min(args.cases, args.children, args.requests) < 1 or args.warmup < 0:
        parser.error("--cases, --children and --requests must be positive")
    return args


def main(argv: Sequence[str]) -> int:
    return run_main(arguments, run, argv)


def run(args: argparse.Namespace) -> int:
    # Its own database: case_dashboards remakes its cases whenever their number differs and
    # would trip over the transfers and notifications made here.
    db = own_database(database_resolve(args.database_url), "homes")
    print(f"case_homes: {args.cases:,} cases, {args.requests} requests each, {db.describe()}")
    open_database(db)
    _prepare(args)

    from django.conf import settings
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from cpmis.accounts.models import User
    from cpmis.cases.models import Case, Task, Transfer
    from cpmis.notifications.models import Notification
    from cpmis.reference.models import District

    lahore = District.objects.get(pcode=LAHORE)
    busiest = (
        Case.objects.filter(district=lahore, assigned_to__username__startswith="bench.cpo.")
        .values("assigned_to")
        .annotate(n=Count("id"))
        .order_by("-n", "assigned_to")
        .first()
    )
    if busiest is None:
        raise RuntimeError("no Lahore case has an officer")
    cpo = User.objects.get(pk=busiest["assigned_to"])
    supervisor = User.objects.get(username="supervisor.lahore")
    now = timezone.now()
    open_tasks = Task.objects.filter(
        case__assigned_to=cpo, done_at__isnull=True, for_supervisor=False
    )
    print(
        f"  Lahore: {Case.objects.filter(district=lahore).count():,} cases, "
        f"{Case.objects.filter(district=lahore, assigned_to__isnull=True).count()} without an "
        f"officer, {Transfer.objects.filter(to_district=lahore, status='pending').count()} "
        f"transfers waiting; {Task.objects.count():,} tasks, "
        f"{Transfer.objects.count():,} transfers in all"
    )
    print(
        f"  {cpo.username}: {busiest['n']} cases, {open_tasks.count()} open tasks "
        f"({open_tasks.filter(due_at__lt=now).count()} overdue), "
        f"{Notification.objects.filter(user=cpo, read_at__isnull=True).count()} unread "
        "notifications"
    )

    # 2FA is required in production: these sessions stand for officers who signed in with it
    settings.CPMIS_REQUIRE_2FA = False
    _route()
    clients = {"CPO": Client(), "supervisor": Client()}
    clients["CPO"].force_login(cpo)
    clients["supervisor"].force_login(supervisor)

    captures = {label: capture(client, label) for label, client in clients.items()}
    print("\nSQL of one home request (the floor runs the home's own statements):")
    print(
        table(
            ["home", "statements", "the middleware's", "the home's", "rows"],
            [
                [
                    label,
                    c.middleware + len(c.statements) + len(c.dropped),
                    c.middleware,
                    len(c.statements),
                    _get(clients[label], f"/{FLOOR_PREFIX}{label}/").content.count(b"<li>"),
                ]
                for label, c in captures.items()
            ],
        )
    )
    for label, c in captures.items():
        if args.show_sql:
            print(f"\n{label} home, its statements:")
            print("\n".join(f"  {sql};" for sql in c.statements))
        for sql in c.dropped:
            print(f"  {label}: not run by the floor (not a SELECT): {_short(sql)}")

    rows, verdicts = [], []
    for label, client in clients.items():
        home, base = paired(
            partial(_get, client, "/"),
            partial(_get, client, f"/{FLOOR_PREFIX}{label}/"),
            args.requests,
            args.warmup,
        )
        h50, h95, f50, f95 = (percentile(v, p) for v in (home, base) for p in (50, 95))
        rows.append(
            [
                f"{label} home",
                f"{h50:.1f}",
                f"{h95:.1f}",
                f"{f50:.1f}",
                f"{f95:.1f}",
                f"{h50 / f50:.2f}x",
                f"{h95 / f95:.2f}x",
            ]
        )
        verdicts.append((h95 < TARGET_P95_MS, f"{label} home: p95 {h95:.1f} ms < 200 ms"))
        verdicts.append(
            (h95 / f95 < TARGET_RATIO, f"{label} home: p95 {h95 / f95:.2f}x the floor's < 1.5x")
        )
    print("\nMilliseconds per request:")
    print(table(["page", "p50", "p95", "floor p50", "floor p95", "ratio p50", "ratio p95"], rows))

    print("\nThe home's statements, slowest first (best of 5, ms):")
    for label, c in captures.items():
        for ms, sql in slowest(c.statements)[:3]:
            print(f"  {label:<10} {ms:6.1f}  {_short(sql)}")

    with step("a case of the CPO made through the services, for its page"):
        case = _case_with_timeline(cpo)
    pages = [
        ("home", "/"),
        ("tasks", "/cases/tasks/"),
        ("caseload", "/cases/"),
        ("case", f"/cases/{case.uuid}/"),
    ]
    weights = [weigh(clients["CPO"], label, path) for label, path in pages]
    print("\nBytes of a first visit of the CPO (fonts and images not counted):")
    print(
        table(
            ["page", "HTML", "CSS", "scripts", "total", "gzip", "files"],
            [
                [
                    w.page,
                    f"{w.html:,}",
                    f"{w.css:,}",
                    f"{w.js:,}",
                    f"{w.total:,}",
                    f"{w.gzip:,}",
                    " ".join(u.rsplit("/", 1)[-1] for u in w.files),
                ]
                for w in weights
            ],
        )
    )
    for w in weights:
        verdicts.append((w.total < TARGET_PAGE_BYTES, f"{w.page} page: {w.total:,} B < 100 KB"))

    print("\nTargets:")
    for ok, label in verdicts:
        print(f"  {'MET' if ok else 'MISSED':<6} {label}")
    return 0
