"""Scoped child search by name through the API, against the same search as one raw SQL query.

With ``--size`` children (200,000) on PostgreSQL, a district supervisor searches by partial
name (case- and accent-insensitive, Latin and Urdu script, Arabic-keyboard letters) through
``GET /api/children/?q=...`` with a token, in process through Django's test client, with the
production settings (DEBUG off, two-factor sign-in): the whole middleware stack, token
authentication, the access filter, the page with its total, the serialiser and the audit write.
The same search as one hand-written SQL query (same WHERE, ORDER BY and LIMIT, same columns,
and the total the API's answer carries) on the same connection is the baseline. Targets: API p95
under 150 ms, API/raw ratio under 3 (at p50 and p95). A provincial supervisor is measured too.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ._support import (
    BenchError,
    database_create,
    database_exists,
    database_resolve,
    django_setup,
    percentile,
    run_main,
    table,
)

TARGET_P95_MS = 150.0
TARGET_RATIO = 3.0
PAGE_SIZE = 25  # the API's default page (REST_FRAMEWORK PAGE_SIZE)
DISTRICT_PERSONA = "supervisor.lahore"  # a demo account: CPU supervisor, district scope
PROVINCIAL_PERSONA = "supervisor.punjab"  # made here: supervisor with jurisdiction scope PK-PB
PROVINCE = "PK-PB"

# --- search strings -------------------------------------------------------------------------

_ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}
# Letters an Arabic keyboard gives for the Urdu ones (the search maps them back).
_ARABIC_KEYBOARD = {"\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c1": "\u0647"}  # ی ک ہ
_URDU_DIACRITICS = ["\u064e", "\u0650", "\u064f", "\u0651"]  # zabar, zer, pesh, shadda
_TATWEEL = "\u0640"


@dataclass(frozen=True)
class SearchString:
    text: str
    kind: str  # "latin", "latin+accents", "urdu", "urdu+arabic-keyboard", "urdu+diacritics"


def _latin_partial(rng: random.Random, name: str) -> SearchString:
    words = [w for w in name.split() if len(w) >= 3] or [name]
    word = rng.choice(words)
    length = min(rng.randint(3, 6), len(word))
    start = rng.randint(0, len(word) - length)
    part = word[start : start + length].lower()
    kind = "latin"
    if rng.random() < 0.3:
        vowels = [i for i, ch in enumerate(part) if ch in _ACCENTED]
        if vowels:
            chosen = set(rng.sample(vowels, rng.randint(1, len(vowels))))
            part = "".join(_ACCENTED[ch] if i in chosen else ch for i, ch in enumerate(part))
            kind = "latin+accents"
    case = rng.random()
    if case < 0.35:
        pass
    elif case < 0.55:
        part = part.upper()
    elif case < 0.85:
        part = part.capitalize()
    else:
        part = "".join(ch.upper() if rng.random() < 0.5 else ch for ch in part)
    return SearchString(part, kind)


def _urdu_partial(rng: random.Random, name: str) -> SearchString:
    words = [w for w in name.split() if len(w) >= 2] or [name]
    word = rng.choice(words)
    length = min(rng.randint(2, 5), len(word))
    start = rng.randint(0, len(word) - length)
    part = word[start : start + length]
    roll = rng.random()
    if roll < 0.35 and any(ch in _ARABIC_KEYBOARD for ch in part):
        return SearchString(
            "".join(_ARABIC_KEYBOARD.get(ch, ch) for ch in part), "urdu+arabic-keyboard"
        )
    if roll < 0.7:
        out = []
        for ch in part:
            out.append(ch)
            if ch.strip() and rng.random() < 0.4:
                out.append(rng.choice(_URDU_DIACRITICS))
        if rng.random() < 0.2:
            out.insert(rng.randint(1, len(out)), _TATWEEL)
        text = "".join(out)
        if text != part:
            return SearchString(text, "urdu+diacritics")
    return SearchString(part, "urdu")


def search_strings(
    names: Sequence[tuple[str, str, str]], *, count: int, seed: int
) -> list[SearchString]:
    """``count`` search strings from (name_latin, name_urdu, name_search) of the population.

    Seeded: the same population and seed give the same strings. Each string finds at least
    the child it was cut from (when that child is in scope): 60 % Latin, 40 % Urdu.
    """
    from cpmis.people.search import normalize_name

    latin = [n for n in names if n[0]]
    urdu = [n for n in names if n[1]]
    if not latin or not urdu:
        raise BenchError("The population has no names to search for.")
    rng = random.Random(f"child_search/{seed}")
    out: list[SearchString] = []
    for _ in range(count * 50):
        if len(out) == count:
            break
        if rng.random() < 0.6:
            name_latin, _, key = rng.choice(latin)
            s = _latin_partial(rng, name_latin)
            minimum = 3
        else:
            _, name_urdu, key = rng.choice(urdu)
            s = _urdu_partial(rng, name_urdu)
            minimum = 2
        normalised = normalize_name(s.text)
        if len(normalised) >= minimum and len(s.text.strip()) >= 2 and normalised in key:
            out.append(s)
    if len(out) < count:
        raise BenchError(f"Only {len(out)} of {count} search strings could be made.", code=1)
    return out


# --- the two ways of searching ----------------------------------------------------------------


@dataclass
class Persona:
    username: str
    scope: str  # for the report
    where: str  # the raw query's scope condition
    scope_value: int
    token: str = ""


def _like_pattern(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _raw_columns() -> list[tuple[str, str]]:
    """(table, column) of the raw query: the child and its district, as select_related."""
    from cpmis.people.models import Child
    from cpmis.reference.models import District

    return [(Child._meta.db_table, f.column) for f in Child._meta.concrete_fields] + [
        (District._meta.db_table, f.column) for f in District._meta.concrete_fields
    ]


def columns_check(persona: Persona) -> None:
    """Fail if the API's query no longer selects what the raw query does (the app changed)."""
    from django.db import connection

    from cpmis.accounts.models import User
    from cpmis.people import selectors

    user = User.objects.get(username=persona.username)
    compiler = selectors.child_search(user=user, q="bench").query.get_compiler(
        connection=connection
    )
    compiler.setup_query()
    orm = [(col.alias, col.target.column) for col, _, _ in compiler.select]
    if orm != _raw_columns():
        raise BenchError(
            "The API's search selects other columns than the raw query; update raw_sql() in "
            f"bench/child_search.py.\n  API: {orm}\n  raw: {_raw_columns()}",
            code=1,
        )


def raw_sql(persona: Persona) -> str:
    """The API's search as one query: same columns, WHERE, ORDER BY and LIMIT as the ORM's."""
    from cpmis.people.models import Child
    from cpmis.reference.models import District

    short = {Child._meta.db_table: "c", District._meta.db_table: "d"}
    columns = [f"{short[table]}.{column}" for table, column in _raw_columns()]
    # Table and column names come from the models, values go as parameters.
    # The API's answer carries the total of matches: COUNT(*) OVER () gives it with the page.
    return (
        f"SELECT {', '.join(columns)}, COUNT(*) OVER () "  # noqa: S608
        f"FROM {Child._meta.db_table} c "
        f"JOIN {District._meta.db_table} d ON d.id = c.district_id "
        f"WHERE {persona.where} = %s AND c.name_search LIKE %s "
        f"ORDER BY c.registered_at DESC, c.id DESC LIMIT {PAGE_SIZE}"
    )


def raw_params(persona: Persona, text: str) -> list[Any]:
    from cpmis.people.search import normalize_name

    return [persona.scope_value, _like_pattern(normalize_name(text))]


def personas_prepare(*, provincial: bool) -> list[Persona]:
    from cpmis.accounts.models import RoleAssignment, User
    from cpmis.accounts.roles import Role, ScopeLevel
    from cpmis.accounts.services import role_assign, user_create
    from cpmis.actors import system
    from cpmis.demo.generator import DEFAULT_PASSWORD
    from cpmis.reference.models import Jurisdiction

    bench = system("bench", "users.manage")

    district = RoleAssignment.objects.select_related("district").get(
        user__username=DISTRICT_PERSONA
    )
    assert district.district is not None
    personas = [
        Persona(
            DISTRICT_PERSONA,
            f"district {district.district.pcode} ({district.district.name_en})",
            "c.district_id",
            district.district.pk,
        )
    ]
    if provincial:
        province = Jurisdiction.objects.get(iso_code=PROVINCE)
        if not User.objects.filter(username=PROVINCIAL_PERSONA).exists():
            user = user_create(
                actor=bench, username=PROVINCIAL_PERSONA, password=DEFAULT_PASSWORD, validate=False
            )
            role_assign(
                actor=bench,
                user=user,
                role=Role.SUPERVISOR,
                scope_level=ScopeLevel.JURISDICTION,
                jurisdiction=province,
            )
        personas.append(
            Persona(
                PROVINCIAL_PERSONA,
                f"jurisdiction {PROVINCE} ({province.name_en})",
                "d.jurisdiction_id",
                province.pk,
            )
        )
    return personas


def token_obtain(persona: Persona) -> None:
    """A token from POST /api/auth/token/, as an API client gets one."""
    from django.test import Client
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cpmis.accounts.models import User
    from cpmis.demo.generator import DEFAULT_PASSWORD

    # Production requires a second factor: the persona has an authenticator, as staff do.
    device, _ = TOTPDevice.objects.get_or_create(
        user=User.objects.get(username=persona.username), confirmed=True, defaults={"name": "bench"}
    )
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    response = Client().post(
        "/api/auth/token/",
        {"username": persona.username, "password": DEFAULT_PASSWORD, "otp_code": f"{code:06d}"},
        content_type="application/json",
    )
    if response.status_code != 200:
        raise BenchError(
            f"No API token for {persona.username}: {response.status_code} "
            f"{response.content[:200]!r}",
            code=1,
        )
    persona.token = response.json()["token"]


@dataclass
class Sample:
    text: str
    kind: str
    api_ms: float
    raw_ms: float
    count: int  # matches in scope (the API's count)
    same_page: bool  # the raw query returned the API's page, in order


@dataclass
class Run:
    persona: Persona
    samples: list[Sample] = field(default_factory=list)

    def api(self) -> list[float]:
        return [s.api_ms for s in self.samples]

    def raw(self) -> list[float]:
        return [s.raw_ms for s in self.samples]


class Searcher:
    """Runs one search both ways for a persona, on the one database connection."""

    def __init__(self, persona: Persona) -> None:
        from django.db import connection
        from django.test import Client

        self.persona = persona
        # A fresh client: no cookies, only the token, like a script or a mobile app.
        self.client = Client(HTTP_AUTHORIZATION=f"Token {persona.token}")
        self.sql = raw_sql(persona)
        self.connection = connection

    def api(self, text: str) -> tuple[float, Any]:
        started = time.perf_counter()
        response = self.client.get("/api/children/", {"q": text})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise BenchError(
                f"GET /api/children/?q=... as {self.persona.username} answered "
                f"{response.status_code}: {response.content[:300]!r}",
                code=1,
            )
        return elapsed, response

    def raw(self, text: str) -> tuple[float, list[tuple[Any, ...]]]:
        params = raw_params(self.persona, text)
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        return (time.perf_counter() - started) * 1000, rows

    def both(self, s: SearchString, *, raw_first: bool) -> Sample:
        if raw_first:
            raw_ms, rows = self.raw(s.text)
            api_ms, response = self.api(s.text)
        else:
            api_ms, response = self.api(s.text)
            raw_ms, rows = self.raw(s.text)
        body = response.json()
        api_uuids = [r["uuid"] for r in body["results"]]
        raw_uuids = [str(r[1]) for r in rows]  # column 1 is people_child.uuid
        return Sample(s.text, s.kind, api_ms, raw_ms, body["count"], api_uuids == raw_uuids)


def run_persona(persona: Persona, queries: Sequence[SearchString], warmup: int) -> Run:
    searcher = Searcher(persona)
    for s in queries[:warmup]:
        searcher.both(s, raw_first=False)
    run = Run(persona)
    # Alternate which goes first, so neither always finds the pages the other just read.
    for i, s in enumerate(queries[warmup:]):
        run.samples.append(searcher.both(s, raw_first=i % 2 == 1))
    return run


# --- where the API's time goes (a separate, untimed pass) ----------------------------------


def _query_kind(sql: str) -> str:
    s = sql.lstrip().upper()
    if s.startswith("INSERT") and "AUDIT" in s:
        return "audit INSERT"
    if "KNOX_AUTHTOKEN" in s:
        return "token lookup"
    if "ACCOUNTS_ROLEASSIGNMENT" in s:
        return "role assignments"
    if "DJANGO_SESSION" in s:
        return "session"
    if s.startswith("SELECT COUNT(") and "PEOPLE_CHILD" in s:
        return "COUNT"
    if "PEOPLE_CHILD" in s:
        return "page SELECT"
    return "other"


@contextmanager
def sql_timer(into: dict[str, list[float]]) -> Iterator[None]:
    """Time every SQL statement (execute and fetch of its rows' first batch), by kind."""
    from django.db import connection

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            into.setdefault(_query_kind(sql), []).append((time.perf_counter() - started) * 1000)

    with connection.execute_wrapper(wrapper):
        yield


@dataclass(frozen=True)
class Breakdown:
    api_ms: float  # mean time of a search through the API
    statements: float  # SQL statements per request
    sql_ms: dict[str, float]  # mean time per request, by kind of statement
    floor_ms: float  # mean time of GET /api/auth/me/ with the same token

    def line(self, username: str) -> str:
        sql = sum(self.sql_ms.values())
        kinds = sorted(self.sql_ms.items(), key=lambda kv: -kv[1])
        parts = ", ".join(f"{k} {v:.2f}" for k, v in kinds)
        return (
            f"  {username}: {self.api_ms:.2f} ms per search = SQL {sql:.2f} ms "
            f"({self.statements:.1f} statements: {parts})\n"
            f"    + Django/DRF/serialiser/test client {self.api_ms - sql:.2f} ms; "
            f"for scale, GET /api/auth/me/ (token, roles, no search) takes {self.floor_ms:.2f} ms"
        )


def breakdown(persona: Persona, queries: Sequence[SearchString]) -> Breakdown:
    """Where the API's time goes: SQL per kind of statement, the rest, and a floor."""
    searcher = Searcher(persona)
    per_kind: dict[str, list[float]] = {}
    total = 0.0
    with sql_timer(per_kind):
        for s in queries:
            total += searcher.api(s.text)[0]
    floor = []
    for _ in range(len(queries)):
        started = time.perf_counter()
        response = searcher.client.get("/api/auth/me/")
        floor.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    n = len(queries)
    return Breakdown(
        api_ms=total / n,
        statements=sum(len(v) for v in per_kind.values()) / n,
        sql_ms={k: sum(v) / n for k, v in per_kind.items()},
        floor_ms=sum(floor) / n,
    )


# --- plans ------------------------------------------------------------------------------------


def explain(persona: Persona, s: SearchString) -> str:
    from django.db import connection

    params = raw_params(persona, s.text)
    sql = raw_sql(persona)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join("    " + r[0] for r in cursor.fetchall())
        shown = cursor.mogrify(sql, params)  # the statement as the server ran it
    return f"  {shown}\n{plan}"


# --- report -----------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:.2f}"


@dataclass(frozen=True)
class Figures:
    api50: float
    api95: float
    raw50: float
    raw95: float

    @classmethod
    def of(cls, run: Run) -> Figures:
        api, raw = run.api(), run.raw()
        return cls(
            percentile(api, 50), percentile(api, 95), percentile(raw, 50), percentile(raw, 95)
        )

    def verdicts(self) -> list[tuple[bool, str]]:
        r50, r95 = self.api50 / self.raw50, self.api95 / self.raw95
        return [
            (self.api95 < TARGET_P95_MS, f"API p95 {self.api95:.1f} ms < {TARGET_P95_MS:.0f} ms"),
            (r50 < TARGET_RATIO, f"API/raw at p50 {r50:.1f}x < {TARGET_RATIO:.0f}x"),
            (r95 < TARGET_RATIO, f"API/raw at p95 {r95:.1f}x < {TARGET_RATIO:.0f}x"),
        ]


def figures_table(runs: Sequence[Run]) -> str:
    rows = []
    for run in runs:
        f, api, raw = Figures.of(run), run.api(), run.raw()
        who = f"{run.persona.username} ({run.persona.scope})"
        mean_api, mean_raw = sum(api) / len(api), sum(raw) / len(raw)
        rows.append([who, "API", _ms(f.api50), _ms(f.api95), _ms(max(api)), _ms(mean_api)])
        rows.append(["", "raw SQL", _ms(f.raw50), _ms(f.raw95), _ms(max(raw)), _ms(mean_raw)])
        rows.append(
            ["", "API / raw", f"{f.api50 / f.raw50:.1f}x", f"{f.api95 / f.raw95:.1f}x", "", ""]
        )
    return table(["persona", "path", "p50 ms", "p95 ms", "max ms", "mean ms"], rows)


def results_summary(run: Run) -> str:
    counts = sorted(s.count for s in run.samples)
    empty = sum(1 for c in counts if c == 0)
    kinds: dict[str, int] = {}
    for s in run.samples:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    mix = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    return (
        f"  {run.persona.username}: matches per search: median {percentile(counts, 50):.0f}, "
        f"p95 {percentile(counts, 95):.0f}, max {counts[-1]}; {empty} with none in scope\n"
        f"    search strings: {mix}"
    )


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


# --- main -------------------------------------------------------------------------------------


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench child_search",
        description=(__doc__ or "").strip().splitlines()[0],
    )
    parser.add_argument("--size", type=int, default=200_000, help="children (default 200,000)")
    parser.add_argument("--queries", type=int, default=200, help="timed searches (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed searches first (10)")
    parser.add_argument("--seed", type=int, default=2026, help="population and query seed")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server to use (default: $CPMIS_BENCH_DATABASE_URL, then $DATABASE_URL);"
        " the bench works only in its own database, cpmis_bench unless the name has 'bench'",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database if its population matches"
    )
    parser.add_argument(
        "--no-provincial", action="store_true", help="skip the provincial supervisor"
    )
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN ANALYZE plans")
    args = parser.parse_args(list(argv))
    if args.size < 1 or args.queries < 1 or args.warmup < 0:
        parser.error("--size and --queries must be positive, --warmup not negative")
    return args


def main(argv: Sequence[str]) -> int:
    return run_main(arguments, run, argv)


def run(args: argparse.Namespace) -> int:
    db = database_resolve(args.database_url)
    print(
        f"child_search: {args.size:,} children, {args.queries} searches (+{args.warmup} warm-up),"
        f" PostgreSQL database {db.describe()}",
        flush=True,
    )
    started = time.perf_counter()
    database_create(db, fresh=not (args.reuse and database_exists(db)))
    django_setup(db)

    from django.db import connection

    from bench._population import population_prepare
    from cpmis.people.models import Child

    population = population_prepare(db, size=args.size, seed=args.seed, reuse=args.reuse)
    personas = personas_prepare(provincial=not args.no_provincial)
    for persona in personas:
        columns_check(persona)
        token_obtain(persona)

    names = sorted(Child.objects.values_list("uuid", "name_latin", "name_urdu", "name_search"))
    queries = search_strings(
        [n[1:] for n in names], count=args.warmup + args.queries, seed=args.seed
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0].split(",")[0]
    print(f"  {server}; setup took {time.perf_counter() - started:.0f} s", flush=True)
    print(f"  load average before timing: {_load()}", flush=True)

    runs = []
    for persona in personas:
        print(f"  searching as {persona.username} ...", end="", flush=True)
        t = time.perf_counter()
        runs.append(run_persona(persona, queries, args.warmup))
        print(f" {time.perf_counter() - t:.1f} s", flush=True)
    print(f"  load average after timing: {_load()}", flush=True)

    mismatched = [s for r in runs for s in r.samples if not s.same_page]
    if mismatched:
        raise BenchError(
            f"{len(mismatched)} searches: the raw query's page differs from the API's "
            f"(first: {mismatched[0].text!r}); the baseline is not the same search.",
            code=1,
        )

    print("\nResults (milliseconds per search; the same searches, the same connection):")
    print(figures_table(runs))
    print()
    for r in runs:
        print(results_summary(r))
    print("  every raw query returned the API's page (the same children in the same order)")
    if population.reused:
        print(f"  population: reused ({population.size:,} children, seed {population.seed})")
    else:
        print(
            f"  population: {population.size:,} children generated in "
            f"{population.generate_seconds:.1f} s (seed {population.seed})"
        )

    sample = queries[args.warmup : args.warmup + min(args.queries, 50)]
    print(
        f"\nWhere an API search spends its time (untimed pass over {len(sample)} searches, means):"
    )
    for persona in personas:
        print(breakdown(persona, sample).line(persona.username))

    if not args.no_explain:
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the raw query:")
        for r in runs:
            by_time = sorted(r.samples, key=lambda s: s.raw_ms)
            typical, slow = by_time[len(by_time) // 2], by_time[-1]
            typical_s = SearchString(typical.text, typical.kind)
            print(f"\n  {r.persona.username}, a typical search ({typical.kind}, median raw time):")
            print(explain(r.persona, typical_s))
            print(f"\n  {r.persona.username}, the slowest raw search ({slow.kind}):")
            print(explain(r.persona, SearchString(slow.text, slow.kind)))

    for i, r in enumerate(runs):
        role = "Targets" if i == 0 else "For information, the same checks"
        print(f"\n{role} ({r.persona.username}, {r.persona.scope}):")
        for ok, label in Figures.of(r).verdicts():
            print(f"  {'MET' if ok else 'MISSED':<6} {label}")
    print(f"\nTotal {time.perf_counter() - started:.0f} s.")
    return 0
