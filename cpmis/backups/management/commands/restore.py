"""Restore a backup made by ``cpmis manage backup`` into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpmis.actors import command
from cpmis.backups import engines, services
from cpmis.backups.errors import BackupError


class Command(BaseCommand):
    help = (
        "Restore a backup into the database DATABASE_URL names, which must be empty (a new "
        "database, not migrated) unless --force. The dump's checksum, engine and migrations "
        "are checked first; afterwards the rows of every table are compared with the manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, help="the dump, its .json manifest, or a name in CPMIS_BACKUP_DIR"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace everything the database holds (PostgreSQL: pg_restore --clean, in "
            "one transaction; SQLite: the whole file)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = services.backup_restore(
                actor=command("restore", services.CAPABILITY),
                path=options["path"],
                force=options["force"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = restored.manifest
        self.stdout.write(
            f"Restored {restored.dump} ({engines.NAMES[manifest.engine]}, made "
            f"{manifest.created_at:%Y-%m-%d %H:%M:%S} UTC)"
            + (", replacing what the database held" if restored.cleaned else "")
        )
        if restored.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"The backup is older than this code: {len(restored.pending_migrations)} "
                    "migrations to apply. Run `cpmis manage migrate` before serving."
                )
            )
        if restored.differences:
            lines = [
                f"  {table}: {expected if expected is not None else 'absent'} in the manifest, "
                f"{found if found is not None else 'absent'} restored"
                for table, (expected, found) in restored.differences.items()
            ]
            raise CommandError(
                f"Restored, but {len(lines)} tables differ from the manifest:\n" + "\n".join(lines)
            )
        self.stdout.write(
            f"Every table as in the manifest: {len(manifest.tables):,} tables, "
            f"{manifest.rows:,} rows (files: {manifest.files})."
        )
