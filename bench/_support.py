"""What every benchmark needs: a dedicated PostgreSQL database, Django as in production, figures.

A benchmark never touches other data: it works in its own database (a name containing
"bench", ``cpmis_bench`` by default) on the server given by ``--database-url``,
``CPMIS_BENCH_DATABASE_URL`` or ``DATABASE_URL``, and drops and recreates only that one.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import psycopg

DEFAULT_DATABASE = "cpmis_bench"
URL_ENV = ("CPMIS_BENCH_DATABASE_URL", "DATABASE_URL")


class BenchError(Exception):
    """A benchmark cannot run (bad arguments or environment); ``code`` is the exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class BenchDatabase:
    url: str  # the dedicated database, as DATABASE_URL for Django
    name: str
    conninfo: dict[str, str]  # libpq keywords of the server, without dbname

    def describe(self) -> str:
        host = self.conninfo.get("host", "localhost")
        port = self.conninfo.get("port", "5432")
        return f"{self.name} on {host}:{port}"


def own_database(db: BenchDatabase, suffix: str) -> BenchDatabase:
    """A benchmark's database of its own on the same server (``<name>_<suffix>``), so that its
    data does not trip over another benchmark's."""
    if db.name.endswith(f"_{suffix}"):
        return db
    name = f"{db.name}_{suffix}"
    parts = urlsplit(db.url)
    return BenchDatabase(
        url=urlunsplit(parts._replace(path="/" + name)), name=name, conninfo=db.conninfo
    )


def database_resolve(cli_url: str | None) -> BenchDatabase:
    """The dedicated PostgreSQL database to use; BenchError (exit 2) for anything else."""
    import dj_database_url

    url = cli_url or next((os.environ[k] for k in URL_ENV if os.environ.get(k)), "")
    if not url:
        raise BenchError(
            "This benchmark needs PostgreSQL: pass --database-url postgres://USER:PASS@HOST/"
            "cpmis_bench or set CPMIS_BENCH_DATABASE_URL (or DATABASE_URL)."
        )
    try:
        config = dj_database_url.parse(url)
    except Exception as exc:
        raise BenchError(f"Cannot read the database URL: {exc}") from exc
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise BenchError(
            f"This benchmark needs PostgreSQL, not {config.get('ENGINE')!r}: pass "
            "--database-url postgres://USER:PASS@HOST:5432/cpmis_bench."
        )
    name = config.get("NAME") or ""
    if "bench" not in name:
        # Never the application's own database: a sibling dedicated to benchmarks.
        name = f"{name}_bench" if name else DEFAULT_DATABASE
    parts = urlsplit(url)
    url = urlunsplit(parts._replace(path="/" + name))
    conninfo = {
        key: str(value)
        for key, value in {
            "host": config.get("HOST"),
            "port": config.get("PORT"),
            "user": config.get("USER"),
            "password": config.get("PASSWORD"),
        }.items()
        if value
    }
    for key, value in (config.get("OPTIONS") or {}).items():
        conninfo[key] = str(value)
    return BenchDatabase(url=url, name=name, conninfo=conninfo)


def _admin_connect(db: BenchDatabase) -> psycopg.Connection[Any]:
    import psycopg
    from psycopg.conninfo import make_conninfo

    try:
        return psycopg.connect(make_conninfo("", dbname="postgres", **db.conninfo), autocommit=True)
    except psycopg.Error as exc:
        raise BenchError(f"Cannot connect to the PostgreSQL server: {exc}".strip()) from exc


def database_exists(db: BenchDatabase) -> bool:
    with _admin_connect(db) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db.name]).fetchone()
        return row is not None


def database_create(db: BenchDatabase, *, fresh: bool) -> None:
    """Create the dedicated database; ``fresh`` drops it first (only ever this one)."""
    from psycopg import sql

    assert "bench" in db.name  # the one guard against dropping anything else
    with _admin_connect(db) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db.name]).fetchone()
        if exists and fresh:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(db.name)))
            exists = None
        if not exists:
            conn.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(db.name)
                )
            )


def django_setup(db: BenchDatabase) -> None:
    """Django with the production settings (DEBUG off, 2FA on) on the dedicated database;
    the data is synthetic (the demo generator), the secret key made for this run."""
    import secrets

    from django.conf import settings

    if settings.configured:
        raise BenchError("Django is already set up in this process; run the benchmark alone.")
    os.environ["CPMIS_MODE"] = "production"
    os.environ["DEBUG"] = "0"
    os.environ["CPMIS_SSL_REDIRECT"] = "0"  # plain HTTP on this machine, as in a closed network
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DATABASE_URL"] = db.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "cpmis.settings"
    import django

    django.setup()


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), linear between closest ranks (as numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


@contextmanager
def step(label: str) -> Iterator[None]:
    """Print a setup step and how long it took."""
    print(f"  {label} ...", end="", flush=True)
    started = time.perf_counter()
    yield
    print(f" {time.perf_counter() - started:.1f} s", flush=True)


def fail(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)


def run_main(
    arguments: Callable[[Sequence[str]], Any], run: Callable[[Any], int], argv: Sequence[str]
) -> int:
    """A benchmark's entry point: parse (argparse exits become codes), run, report errors."""
    try:
        args = arguments(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        return run(args)
    except BenchError as exc:
        fail(str(exc))
        return exc.code


def timed(fn: Callable[[], object], n: int, warmup: int) -> list[float]:
    """Milliseconds of ``n`` calls of ``fn``, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def open_database(db: BenchDatabase) -> None:
    """The dedicated database (kept if it exists), Django on it, migrated, with the reference
    data, the legal catalogue and the demo accounts every benchmark reads."""
    database_create(db, fresh=not database_exists(db))
    django_setup(db)
    from django.core.management import call_command

    from cpmis.demo.generator import DEFAULT_PASSWORD, demo_accounts_create
    from cpmis.legal.loader import legal_data_load
    from cpmis.reference.services import reference_data_load

    with step("migrate, reference data, legal catalogue, accounts"):
        call_command("migrate", interactive=False, verbosity=0)
        reference_data_load()
        legal_data_load()
        demo_accounts_create(password=DEFAULT_PASSWORD)
