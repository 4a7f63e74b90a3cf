"""How each database is copied to a file and back: PostgreSQL with ``pg_dump --format=custom``
and ``pg_restore`` (the password passed in the environment, never on a command line), SQLite
with its online backup API, which copies a consistent database while the server writes to it.
All of it acts on Django's ``default`` connection: the database DATABASE_URL names."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction

from .errors import BackupError

NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
PG_CLIENT = (
    "install the PostgreSQL 15 client (apt-get install postgresql-client-15) or put it on PATH"
)

TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' "
    "AND name NOT LIKE 'sqlite^_%' ESCAPE '^' ORDER BY name",
    # The tables Django sees (its search path): partitions would be counted, not their parents.
    "postgresql": "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'r' AND pg_table_is_visible(c.oid) "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY c.relname",
}


@dataclass(frozen=True)
class State:
    """What a database holds at one instant."""

    migrations: dict[str, str]  # app label -> the latest migration applied
    tables: dict[str, int]  # table -> rows


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_names(cursor: Any, engine: str) -> list[str]:
    cursor.execute(TABLES_SQL[engine])
    return [row[0] for row in cursor.fetchall()]


def read_state(cursor: Any, engine: str) -> State:
    """Rows of every table and the latest migration of each app, read through ``cursor`` (a
    DB-API cursor: Django's, or sqlite3's on a dump file)."""
    tables: dict[str, int] = {}
    for table in table_names(cursor, engine):
        # The name comes from the database's catalogue, quoted.
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
        tables[table] = int(cursor.fetchone()[0])
    migrations: dict[str, str] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            migrations[app] = name  # applied in id order: the last one per app wins
    return State(migrations=migrations, tables=tables)


def tables_with_rows(tables: set[str]) -> list[str]:
    """Those of ``tables`` that exist in the database and hold at least one row."""
    with connection.cursor() as cursor:
        present = sorted(tables & set(table_names(cursor, connection.vendor)))
        found = []
        for table in present:
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                found.append(table)
    return found


def has_tables() -> bool:
    with connection.cursor() as cursor:
        return bool(table_names(cursor, connection.vendor))


def current_state() -> State:
    with connection.cursor() as cursor:
        return read_state(cursor, connection.vendor)


def connect() -> str:
    """Open the configured database; its engine (``postgresql`` or ``sqlite``)."""
    where = connection.settings_dict.get("NAME") or "(no name)"
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise BackupError(
            f"Cannot reach the database {where}: {first}",
            hint="check DATABASE_URL (host, port, name, user, password), that the database "
            "server is running and accepts connections from here, and that the database exists "
            "(to restore into a new one, create it first: createdb -O <user> <name>)",
        ) from None
    if connection.vendor not in NAMES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    if connection.in_atomic_block:
        raise BackupError("A backup or a restore cannot run inside a transaction.")
    return connection.vendor


def dump(engine: str, target: Path) -> State:
    """Write a dump of the database to ``target`` (a new file, readable by its owner only) and
    return what it holds, read at the instant the dump was taken."""
    return _dump_postgresql(target) if engine == "postgresql" else _dump_sqlite(target)


def restore(engine: str, source: Path, *, clean: bool) -> None:
    """Put the dump ``source`` into the database, replacing whatever it holds with ``clean``."""
    if engine == "postgresql":
        _restore_postgresql(source, clean=clean)
    else:
        _restore_sqlite(source)


def _new_file(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)


# PostgreSQL


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (or not on PATH).", hint=PG_CLIENT)
    return path


def _pg_environment() -> dict[str, str]:
    """libpq's environment for the database Django is connected to: the password travels here,
    where other users cannot read it (a command line is visible to everyone in ``ps``)."""
    settings = connection.settings_dict
    options = settings.get("OPTIONS") or {}
    values = {
        "PGDATABASE": settings.get("NAME"),
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
        "PGPASSFILE": options.get("passfile"),
        "PGSERVICE": options.get("service"),
    }
    environment = dict(os.environ)
    environment.update({key: str(value) for key, value in values.items() if value})
    environment.setdefault("PGCONNECT_TIMEOUT", "10")
    environment["PGAPPNAME"] = "cpmis-backup"
    return environment


def _run(arguments: list[str], *, stdout: Any = subprocess.DEVNULL) -> None:
    tool = Path(arguments[0]).name
    try:
        result = subprocess.run(  # noqa: S603 - a fixed program and arguments, no shell
            arguments,
            env=_pg_environment(),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            check=False,
        )
    except OSError as error:
        raise BackupError(f"{tool} could not start: {error}", hint=PG_CLIENT) from None
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        said = "\n    ".join(lines[-6:]) or "(no message)"
        if "version mismatch" in said:
            hint = "pg_dump must be as new as the server or newer: " + PG_CLIENT
        elif tool == "pg_restore":
            hint = "nothing was restored: pg_restore runs in one transaction, rolled back on error"
        else:
            hint = "no backup was written; check that DATABASE_URL's user may read every table"
        raise BackupError(f"{tool} failed (exit {result.returncode}):\n    {said}", hint=hint)


def _dump_postgresql(target: Path) -> State:
    pg_dump = _pg_tool("pg_dump")
    # The manifest's counts and pg_dump read the same snapshot: what the manifest says is in the
    # dump is exactly what is in it, however busy the server is.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        state = read_state(cursor, "postgresql")
        with os.fdopen(_new_file(target), "wb") as out:
            _run(
                [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}"],
                stdout=out,
            )
            out.flush()
            os.fsync(out.fileno())
    return state


def _restore_postgresql(source: Path, *, clean: bool) -> None:
    pg_restore = _pg_tool("pg_restore")
    name = str(connection.settings_dict["NAME"])
    # One transaction: a restore that fails half-way leaves the database as it was, the old
    # objects included when --clean drops them first. Owners and grants are not restored: the
    # objects belong to DATABASE_URL's user (the source's roles need not exist here).
    arguments = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        f"--dbname={name}",
    ]
    if clean:
        arguments += ["--clean", "--if-exists"]
    connection.close()  # hold no lock of ours in the way of its DROPs
    _run([*arguments, str(source)])


# SQLite


def _sqlite_error(error: sqlite3.Error) -> BackupError:
    return BackupError(
        f"SQLite: {error}",
        hint="a restore needs the database to itself: stop `cpmis serve` and any worker first"
        if "locked" in str(error) or "busy" in str(error)
        else "",
    )


def _dump_sqlite(target: Path) -> State:
    os.close(_new_file(target))  # made with owner-only permissions; SQLite fills the empty file
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole database is copied under one read lock, a consistent
        # copy even while the server writes (it waits for us, within its busy timeout).
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # a file that stands alone, no -wal beside it
        state = read_state(copy.cursor(), "sqlite")
    except sqlite3.Error as error:
        raise _sqlite_error(error) from None
    finally:
        copy.close()
    with target.open("rb") as written:
        os.fsync(written.fileno())
    return state


def _restore_sqlite(source: Path) -> None:
    # Read-only: the dump is neither changed nor given a journal beside it.
    dump = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        # One step into the target's own connection: all pages are written in one transaction
        # of the target, committed at the end, so a failed restore leaves it as it was.
        dump.backup(connection.connection)
    except sqlite3.Error as error:
        raise _sqlite_error(error) from None
    finally:
        dump.close()
