"""Backups that restore: `backup` and `restore` on the suite's database (SQLite, or PostgreSQL
under .ci/run), every row compared; the refusals that come before anything is touched; the
retention. .ci/backup-restore does the same on PostgreSQL with a demo-sized database."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from cpmis.audit.models import AuditEvent
from cpmis.backups import services
from cpmis.backups.manifest import Manifest
from cpmis.people.models import Child
from tests.conftest import Personas, Records
from tests.factories import CaseFactory, ChildFactory, ComplaintFactory

POSTGRESQL = connection.vendor == "postgresql"
needs_postgresql = pytest.mark.skipif(
    not POSTGRESQL,
    reason="PostgreSQL only (pg_dump, pg_restore): DATABASE_URL is not PostgreSQL here; "
    ".ci/run runs the suite with DATABASE_URL=postgres://… and .ci/backup-restore",
)
# pg_dump reads what is committed, and a restore needs the database to itself: no test
# transaction around these tests (the database is flushed after each).
transactional = pytest.mark.django_db(transaction=True)

Rows = dict[str, list[tuple[Any, ...]]]


def _value(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def every_row() -> Rows:
    """Every row of every table, in a fixed order (and PostgreSQL's sequences, SQLite's
    AUTOINCREMENT counters: a restored database must not hand out ids again)."""
    found: Rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            rows = [tuple(_value(v) for v in row) for row in cursor.fetchall()]
            found[table] = sorted(rows, key=repr)
        if POSTGRESQL:
            sequences = "SELECT sequencename, last_value FROM pg_sequences ORDER BY 1"
        else:
            sequences = "SELECT name, seq FROM sqlite_sequence ORDER BY 1"
        found["(sequences)"] = []
        if found.keys() - {"(sequences)"}:
            cursor.execute(sequences)
            # The audit trail's moves on with the restore's own event (compared on its own).
            found["(sequences)"] = [
                tuple(row) for row in cursor.fetchall() if not row[0].startswith("audit_")
            ]
    return found


def empty_the_database() -> None:
    """Leave the suite's database with no table at all, as a database just created."""
    if POSTGRESQL:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    else:
        connection.ensure_connection()
        sqlite3.connect(":memory:").backup(connection.connection)
    assert connection.introspection.table_names() == []


def backup(directory: Path, *args: str) -> tuple[Path, Path, str]:
    out = StringIO()
    call_command("backup", "--dir", str(directory), *args, stdout=out)
    manifests = sorted(directory.glob("cpmis-*.json"), key=lambda p: p.stat().st_mtime)
    manifest = manifests[-1]
    return manifest.parent / json.loads(manifest.read_text())["dump"], manifest, out.getvalue()


def restore(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def without_restore_event(rows: Rows) -> tuple[Rows, list[AuditEvent]]:
    """The rows less the audit event the restore wrote in the restored database, and it."""
    event = AuditEvent.objects.get(action="backup.restored")
    rows = dict(rows)
    rows["audit_auditevent"] = [r for r in rows["audit_auditevent"] if r[0] != event.pk]
    return rows, [event]


@pytest.fixture
def populated(personas: Personas, records: Records) -> Rows:
    """Accounts of every role, children, cases with their events, tasks and clocks, a complaint:
    all made through the services, so with their audit trail. Returns every row."""
    girl = ChildFactory(actor=personas.cpo, sex="female")
    CaseFactory(actor=personas.cpo, child=girl, initial_risk="high")
    CaseFactory(actor=personas.cpo, child=records.cpo_child, concerns=["child_labour"])
    ComplaintFactory(actor=personas.complaint_officer)
    rows = every_row()
    assert len(rows["people_child"]) == 4 and rows["cases_case"] and rows["complaints_complaint"]
    assert len(rows["audit_auditevent"]) > 10
    return rows


@transactional
def test_it_backs_up_and_restores_every_row_into_an_empty_database(
    populated: Rows, personas: Personas, tmp_path: Path, settings: Any
) -> None:
    dump, manifest_path, said = backup(tmp_path / "backups")

    engine = "postgresql" if POSTGRESQL else "sqlite"
    assert re.fullmatch(rf"cpmis-\d{{8}}T\d{{6}}Z-{engine}\.(dump|sqlite3)", dump.name)
    assert manifest_path.name == dump.name.rsplit(".", 1)[0] + ".json"
    assert f"{dump}" in said and "Backed up" in said
    manifest = json.loads(manifest_path.read_text())
    assert manifest["engine"] == engine
    assert manifest["tables"] == {t: len(r) for t, r in populated.items() if t != "(sequences)"}
    # The last migration of each app, as the code defines them (not pinned to a name).
    ((_, latest),) = MigrationLoader(connection).graph.leaf_nodes("audit")
    assert manifest["migrations"]["audit"] == latest
    assert manifest["files"] == "none stored outside the database"
    assert datetime.fromisoformat(manifest["created_at"]).utcoffset() == timedelta(0)
    assert len(manifest["sha256"]) == 64 and manifest["size"] == dump.stat().st_size
    # A backup holds every child's record: its owner alone may read it.
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert stat.S_IMODE(manifest_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(dump.parent.stat().st_mode) == 0o700
    made = AuditEvent.objects.get(action="backup.created")
    assert made.actor_username == "system:command:backup" and made.object_id == dump.name
    assert made.detail["sha256"] == manifest["sha256"]

    empty_the_database()
    with pytest.raises(CommandError, match="holds no tables: nothing to back up"):
        backup(tmp_path / "backups")
    settings.CPMIS_BACKUP_DIR = dump.parent
    said = restore(Path(dump.name))  # a name in CPMIS_BACKUP_DIR

    assert "Every table as in the manifest" in said
    restored, (event,) = without_restore_event(every_row())
    assert restored == populated
    assert event.actor_username == "system:command:restore"
    assert event.detail["differences"] == [] and event.detail["forced"] is False
    # The backup's own event was written after the dump: it is not in it.
    assert not AuditEvent.objects.filter(action="backup.created").exists()
    # The restored database works: the next id is a new one.
    later = ChildFactory(actor=personas.cpo, name_latin="After Restore")
    assert later.pk > max(row[0] for row in populated["people_child"])


@transactional
def test_a_restore_into_a_database_that_is_not_empty_is_refused_unless_forced(
    populated: Rows, personas: Personas, tmp_path: Path
) -> None:
    dump, _, _ = backup(tmp_path)
    backed_up = every_row()

    with pytest.raises(CommandError, match="The database is not empty") as refused:
        restore(dump)
    assert "--force" in str(refused.value) and "audit_auditevent" in str(refused.value)
    assert every_row() == backed_up  # untouched

    ChildFactory(actor=personas.cpo, name_latin="Registered After The Backup")
    said = restore(dump, "--force")

    assert "replacing what the database held" in said
    restored, _ = without_restore_event(every_row())
    assert restored == populated
    assert not Child.objects.filter(name_latin="Registered After The Backup").exists()


@transactional
def test_a_damaged_dump_is_refused_before_anything_is_touched(
    populated: Rows, tmp_path: Path
) -> None:
    dump, _, _ = backup(tmp_path)
    before = every_row()
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="does not match its manifest") as refused:
        restore(dump, "--force")
    assert "nothing was restored" in str(refused.value)
    assert every_row() == before


@transactional
def test_a_backup_it_cannot_trust_is_refused(populated: Rows, tmp_path: Path) -> None:
    dump, manifest_path, _ = backup(tmp_path)
    before = every_row()
    original = json.loads(manifest_path.read_text())

    def with_manifest(**changes: Any) -> None:
        manifest_path.write_text(json.dumps({**original, **changes}))

    other = "sqlite" if POSTGRESQL else "postgresql"
    with_manifest(engine=other)
    with pytest.raises(CommandError, match=r"is a (SQLite|PostgreSQL) backup; DATABASE_URL"):
        restore(dump, "--force")

    with_manifest(migrations={**original["migrations"], "cases": "9999_from_a_newer_cpmis"})
    with pytest.raises(CommandError, match=r"newer cpmis.*cases\.9999_from_a_newer_cpmis"):
        restore(manifest_path, "--force")

    with_manifest(format="something else")
    with pytest.raises(CommandError, match="is not the manifest of a cpmis backup"):
        restore(dump, "--force")

    manifest_path.unlink()
    with pytest.raises(CommandError, match=r"No manifest at .*complete only with its manifest"):
        restore(dump, "--force")

    with pytest.raises(CommandError, match=r"No backup at .*nothing-here\.dump"):
        restore(tmp_path / "nothing-here.dump")
    assert every_row() == before


def test_only_an_operator_on_the_server_backs_up(personas: Personas, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        services.backup_create(actor=personas.administrator, directory=tmp_path)
    with pytest.raises(PermissionDenied):
        services.backup_restore(actor=personas.administrator, path=tmp_path / "x.dump")
    assert list(tmp_path.iterdir()) == []


@transactional
def test_a_backup_cut_off_leaves_nothing_that_looks_like_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(self: Manifest, path: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Manifest, "write", killed)
    with pytest.raises(KeyboardInterrupt):
        call_command("backup", "--dir", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def _fake_backup(directory: Path, created_at: datetime, name: str) -> None:
    (directory / f"{name}.dump").write_bytes(b"dump")
    Manifest(
        created_at=created_at,
        engine="postgresql",
        dump=f"{name}.dump",
        size=4,
        sha256="0" * 64,
        migrations={},
        tables={},
    ).write(directory / f"{name}.json")


def test_the_retention_keeps_the_newest_and_only_touches_its_own_backups(
    tmp_path: Path,
) -> None:
    start = datetime(2026, 6, 1, tzinfo=UTC)
    for day in range(5):
        _fake_backup(tmp_path, start + timedelta(days=day), f"cpmis-2026060{day + 1}-postgresql")
    (tmp_path / "cpmis-notes.json").write_text('{"not": "a manifest"}')
    (tmp_path / "cpmis-20250101-postgresql.dump").write_bytes(b"a dump with no manifest")
    stale = tmp_path / ".cpmis-20250101-postgresql.dump.partial"
    stale.write_bytes(b"killed")
    os.utime(stale, (0, 0))
    fresh = tmp_path / ".cpmis-20260606-postgresql.dump.partial"  # a backup running now
    fresh.write_bytes(b"running")

    removed = services.backups_prune(directory=tmp_path, keep=2)

    assert removed == [f"cpmis-2026060{day}-postgresql.dump" for day in (3, 2, 1)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".cpmis-20260606-postgresql.dump.partial",
        "cpmis-20250101-postgresql.dump",
        "cpmis-20260604-postgresql.dump",
        "cpmis-20260604-postgresql.json",
        "cpmis-20260605-postgresql.dump",
        "cpmis-20260605-postgresql.json",
        "cpmis-notes.json",
    ]
    assert services.backups_prune(directory=tmp_path, keep=0) == []


@transactional
def test_a_backup_prunes_the_oldest_beyond_the_retention(
    personas: Personas, tmp_path: Path, settings: Any
) -> None:
    settings.CPMIS_BACKUP_DIR = tmp_path
    settings.CPMIS_BACKUP_KEEP = 2
    old = datetime(2026, 1, 1, tzinfo=UTC)
    for day in range(3):
        _fake_backup(tmp_path, old + timedelta(days=day), f"cpmis-2026010{day + 1}-postgresql")

    out = StringIO()
    call_command("backup", stdout=out)

    kept = sorted(p.name for p in tmp_path.glob("*.json"))
    assert len(kept) == 2 and kept[0] == "cpmis-20260103-postgresql.json"
    assert "Removed 2 older backups" in out.getvalue()
    event = AuditEvent.objects.get(action="backup.created")
    assert event.detail["removed"] == [
        "cpmis-20260102-postgresql.dump",
        "cpmis-20260101-postgresql.dump",
    ]


@needs_postgresql
@transactional
def test_without_pg_dump_it_says_what_to_install(
    personas: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(CommandError, match=r"pg_dump is not installed.*\n  hint: install"):
        call_command("backup", "--dir", str(tmp_path))
    assert not list(tmp_path.glob("cpmis-*"))


@needs_postgresql
@transactional
def test_an_unreachable_database_is_reported_without_a_traceback(tmp_path: Path) -> None:
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        with pytest.raises(CommandError, match=r"Cannot reach the database.*\n  hint: check"):
            call_command("backup", "--dir", str(tmp_path))
    finally:
        connection.settings_dict["PORT"] = port
        connection.close()
    assert not list(tmp_path.glob("cpmis-*"))


@transactional
def test_the_nightly_backup_runs_as_a_job_and_says_why_it_failed(
    populated: Rows, tmp_path: Path, settings: Any
) -> None:
    from cpmis.jobs import schedules
    from cpmis.jobs import services as jobs
    from cpmis.jobs.models import Job
    from tests.jobs.conftest import DATABASE_QUEUE, run_worker

    def nightly() -> Job:
        job = jobs.job_submit(actor=schedules.SCHEDULER, kind="backups.backup", params={})
        run_worker()
        return Job.objects.get(pk=job.pk)

    # As production runs it: queued, then a worker outside any request's transaction.
    settings.TASKS = DATABASE_QUEUE
    settings.CPMIS_BACKUP_DIR = tmp_path / "nightly"
    done = nightly()
    assert done.state == "done", done.message
    assert done.progress["file"] in {p.name for p in (tmp_path / "nightly").iterdir()}
    settings.CPMIS_BACKUP_DIR = tmp_path / "a-file"
    (tmp_path / "a-file").write_text("not a directory")
    failed = nightly()
    assert failed.state == "failed" and "Cannot create the backup directory" in failed.message
