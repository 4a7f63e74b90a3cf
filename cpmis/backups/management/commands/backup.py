"""Back up the database: a dump with its manifest in CPMIS_BACKUP_DIR (schedule it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpmis.actors import command
from cpmis.backups import engines, services
from cpmis.backups.errors import BackupError


class Command(BaseCommand):
    help = (
        "Back up the database DATABASE_URL names into CPMIS_BACKUP_DIR: a PostgreSQL "
        "custom-format dump (pg_dump) or a SQLite copy (its online backup, safe while the "
        "server runs), with a JSON manifest (migrations, rows per table, SHA-256). Then "
        "deletes the oldest backups beyond CPMIS_BACKUP_KEEP."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=None, help="where to write it (default CPMIS_BACKUP_DIR)"
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="backups to keep in that directory, this one included (default "
            "CPMIS_BACKUP_KEEP; 0 keeps all)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["keep"] is not None and options["keep"] < 0:
            raise CommandError("--keep must be 0 (keep all) or more.")
        try:
            made = services.backup_create(
                actor=command("backup", services.CAPABILITY),
                directory=options["dir"],
                keep=options["keep"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = made.manifest
        self.stdout.write(
            f"Backed up {engines.NAMES[manifest.engine]}: {len(manifest.tables):,} tables, "
            f"{manifest.rows:,} rows, {manifest.size / 1e6:,.1f} MB\n"
            f"  {made.dump}\n  {made.manifest_path} (sha256 {manifest.sha256})"
        )
        if made.removed:
            self.stdout.write(
                f"Removed {len(made.removed)} older backups (retention): {', '.join(made.removed)}"
            )
