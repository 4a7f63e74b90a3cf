"""Making a backup (``backup_create``) and restoring one (``backup_restore``), each checked,
audited and reported; old backups pruned to the retention (``backups_prune``).

Only an operator on the server acts here (a system actor holding ``settings.edit``): no page
or API of cpmis can make, read or restore a backup.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from cpmis import access
from cpmis.actors import Actor, SystemActor
from cpmis.audit.services import audit_record

from . import engines
from .errors import BackupError
from .manifest import Manifest, sha256_of

CAPABILITY = "settings.edit"
PREFIX = "cpmis-"
# A partial file older than this was left by a backup that was killed: the next one removes it.
STALE_PARTIAL_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Backup:
    dump: Path
    manifest_path: Path
    manifest: Manifest
    removed: list[str] = field(default_factory=list)  # older backups deleted by the retention


@dataclass(frozen=True)
class Restored:
    dump: Path
    manifest: Manifest
    cleaned: bool  # what the database held was replaced (--force, or empty tables dropped)
    found: dict[str, int]  # rows per table after the restore
    differences: dict[str, tuple[int | None, int | None]]  # table -> (manifest, found)
    pending_migrations: list[str]  # the code's migrations the restored database lacks


def _require(actor: Actor) -> None:
    if not isinstance(actor, SystemActor) or not access.has_capability(actor, CAPABILITY):
        raise PermissionDenied(
            "Backups are made and restored by an operator on the server "
            "(`cpmis manage backup`, `cpmis manage restore`)."
        )


def backup_create(
    *, actor: Actor, directory: Path | None = None, keep: int | None = None
) -> Backup:
    """Dump the database into ``directory`` (CPMIS_BACKUP_DIR) under a name with the UTC time
    and the engine, with its manifest; then delete the oldest backups beyond ``keep``
    (CPMIS_BACKUP_KEEP; 0 keeps all). Both files are written under temporary names and renamed
    when complete: a backup that is killed leaves nothing a restore would take."""
    _require(actor)
    directory = Path(settings.CPMIS_BACKUP_DIR if directory is None else directory)
    keep = settings.CPMIS_BACKUP_KEEP if keep is None else keep
    engine = engines.connect()
    if not engines.has_tables():
        raise BackupError(
            f"The database {connection.settings_dict.get('NAME')} holds no tables: nothing to "
            "back up.",
            hint="check DATABASE_URL: it names a database that was never migrated",
        )
    try:
        # Owner only: a backup holds every child's record.
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(
            f"Cannot create the backup directory {directory}: {error.strerror}",
            hint="set CPMIS_BACKUP_DIR to a directory this user may write",
        ) from None
    created_at = timezone.now().astimezone(UTC)
    stem = _free_stem(directory, f"{PREFIX}{created_at:%Y%m%dT%H%M%SZ}-{engine}")
    dump = directory / f"{stem}{engines.SUFFIXES[engine]}"
    manifest_path = directory / f"{stem}.json"
    partial_dump = directory / f".{dump.name}.partial"
    partial_manifest = directory / f".{manifest_path.name}.partial"
    try:
        state = engines.dump(engine, partial_dump)
        digest, size = sha256_of(partial_dump)
        manifest = Manifest(
            created_at=created_at,
            engine=engine,
            dump=dump.name,
            size=size,
            sha256=digest,
            migrations=state.migrations,
            tables=state.tables,
        )
        manifest.write(partial_manifest)
        # The manifest first: cut off between the two, it names a dump that is missing (refused
        # by a restore, pruned by the retention) and the partial dump is removed later.
        os.replace(partial_manifest, manifest_path)
        os.replace(partial_dump, dump)
        _sync_directory(directory)
    except BaseException:
        partial_dump.unlink(missing_ok=True)
        partial_manifest.unlink(missing_ok=True)
        raise
    removed = backups_prune(directory=directory, keep=keep)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="backup.created",
            object_type="backup",
            object_id=dump.name[:64],
            detail={
                "engine": engine,
                "sha256": digest,
                "size": size,
                "tables": len(state.tables),
                "rows": manifest.rows,
                "removed": removed,
            },
        )
    return Backup(dump=dump, manifest_path=manifest_path, manifest=manifest, removed=removed)


def backups_prune(*, directory: Path, keep: int) -> list[str]:
    """Delete the backups in ``directory`` older than the newest ``keep`` (none when ``keep`` is
    0), and partial files left by killed backups. Only backups this tool made are counted or
    deleted: a dump is known by its manifest, and a file without one is left alone."""
    found: list[tuple[Manifest, Path]] = []
    for path in directory.glob(f"{PREFIX}*.json"):
        try:
            manifest = Manifest.read(path)
        except BackupError:
            continue  # not ours, or damaged: an operator decides
        if Path(manifest.dump).stem == path.stem:
            found.append((manifest, path))
    found.sort(key=lambda item: (item[0].created_at, item[1].name), reverse=True)
    removed = []
    for manifest, path in found[keep:] if keep > 0 else []:
        # The dump first: a manifest whose dump is gone is refused by a restore and pruned again.
        (directory / manifest.dump).unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        removed.append(manifest.dump)
    now = time.time()
    for partial in directory.glob(f".{PREFIX}*.partial"):
        with contextlib.suppress(OSError):
            if now - partial.stat().st_mtime > STALE_PARTIAL_SECONDS:
                partial.unlink()
    return removed


def backup_restore(*, actor: Actor, path: Path, force: bool = False) -> Restored:
    """Restore the backup at ``path`` (its dump or its manifest, or a name in CPMIS_BACKUP_DIR)
    into the configured database, which must be empty unless ``force``. Everything is checked
    before the database is touched: the dump's checksum, its engine, its migrations (none the
    code does not know) and the database's emptiness. Afterwards the rows of every table are
    compared with the manifest; the restore is audited in the restored database."""
    _require(actor)
    dump, manifest = _locate(Path(path))
    digest, _size = sha256_of(dump)
    if digest != manifest.sha256:
        raise BackupError(
            f"{dump} does not match its manifest (SHA-256 {digest[:12]}…, expected "
            f"{manifest.sha256[:12]}…): it was changed or damaged after the backup.",
            hint="nothing was restored; restore another backup, or copy this one again from "
            "where it is kept",
        )
    engine = engines.connect()
    if manifest.engine != engine:
        name = engines.NAMES.get(manifest.engine, manifest.engine)
        raise BackupError(
            f"{dump.name} is a {name} backup; DATABASE_URL names a "
            f"{engines.NAMES[engine]} database.",
            hint="restore it into a database of the same engine (set DATABASE_URL to one)",
        )
    unknown = _unknown_migrations(manifest.migrations)
    if unknown:
        raise BackupError(
            "The backup was made by a newer cpmis: its database has migrations this code "
            f"does not know ({', '.join(unknown[:5])}).",
            hint="install the version of cpmis that made the backup (or a newer one), then "
            "restore; an older code would misread the newer tables",
        )
    occupied = engines.tables_with_rows(_cpmis_tables())
    if occupied and not force:
        listed = ", ".join(occupied[:5]) + (
            f" and {len(occupied) - 5} more" if len(occupied) > 5 else ""
        )
        raise BackupError(
            f"The database is not empty: {len(occupied)} cpmis tables hold rows ({listed}).",
            hint="restore into a new, empty database (create it, do not migrate it), or add "
            "--force to replace everything this one holds with the backup",
        )
    cleaned = force or engines.has_tables()
    engines.restore(engine, dump, clean=cleaned)
    ContentType.objects.clear_cache()  # ids come from the backup now
    found = engines.current_state().tables
    differences = {
        table: (manifest.tables.get(table), found.get(table))
        for table in sorted(set(manifest.tables) | set(found))
        if manifest.tables.get(table) != found.get(table)
    }
    pending = _pending_migrations()
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="backup.restored",
            object_type="backup",
            object_id=manifest.dump[:64],
            detail={
                "engine": engine,
                "created_at": manifest.created_at.isoformat(),
                "sha256": manifest.sha256,
                "forced": force,
                "tables": len(found),
                "rows": sum(found.values()),
                "differences": sorted(differences),
                "pending_migrations": len(pending),
            },
        )
    return Restored(
        dump=dump,
        manifest=manifest,
        cleaned=cleaned,
        found=found,
        differences=differences,
        pending_migrations=pending,
    )


def _free_stem(directory: Path, stem: str) -> str:
    """``stem``, or ``stem-2``, ``stem-3``… when a backup of the same second exists."""
    candidate, n = stem, 1
    while any(directory.glob(f"{candidate}.*")) or any(directory.glob(f".{candidate}.*")):
        n += 1
        candidate = f"{stem}-{n}"
    return candidate


def _sync_directory(directory: Path) -> None:
    """Make the renames durable (a power cut must not lose a backup that was reported made)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _locate(path: Path) -> tuple[Path, Manifest]:
    """The dump and manifest of the backup named by ``path``: the dump, its manifest, or the
    name of either in CPMIS_BACKUP_DIR."""
    if not path.exists() and not path.is_absolute() and len(path.parts) == 1:
        in_directory = Path(settings.CPMIS_BACKUP_DIR) / path
        if in_directory.exists():
            path = in_directory
    if not path.is_file():
        raise BackupError(
            f"No backup at {path}.",
            hint=f"backups are in {settings.CPMIS_BACKUP_DIR} (CPMIS_BACKUP_DIR); name the "
            "dump file or its .json manifest",
        )
    manifest_path = path if path.suffix == ".json" else path.with_suffix(".json")
    manifest = Manifest.read(manifest_path)
    dump = manifest_path.parent / manifest.dump
    if path.suffix != ".json" and dump.resolve() != path.resolve():
        raise BackupError(
            f"The manifest {manifest_path} describes {manifest.dump}, not {path.name}."
        )
    if not dump.is_file():
        raise BackupError(
            f"The dump {dump} named by {manifest_path.name} is missing.",
            hint="copy the dump back beside its manifest, or restore another backup",
        )
    return dump, manifest


def _cpmis_tables() -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config is not None and model._meta.app_config.name.startswith("cpmis.")
    }


def _unknown_migrations(state: dict[str, str]) -> list[str]:
    """The backup's latest migrations that this code does not have: a backup from a newer cpmis.
    A migration the code squashed still counts as known."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    return [f"{app}.{name}" for app, name in sorted(state.items()) if (app, name) not in known]


def _pending_migrations() -> list[str]:
    """Migrations of this code that the restored database has not applied (an older backup):
    ``cpmis manage migrate`` brings it up to date."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
