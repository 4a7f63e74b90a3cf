"""The nightly backup as a job (``cpmis.jobs.schedules``): its outcome is on the schedule's
page, and a failure says why, as the command would."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from cpmis.actors import system
from cpmis.jobs.kinds import Kind, register, system_or

from .errors import BackupError
from .services import CAPABILITY, backup_create

# The system making the scheduled backup, on the server, as the command's operator would.
BACKUP = system("backup", CAPABILITY)


def _run(job: Any, progress: Any) -> None:
    progress.update("dumping the database")
    try:
        made = backup_create(actor=BACKUP)
    except BackupError as error:
        raise ValidationError(str(error)) from error
    progress.update("done", removed=len(made.removed))
    progress.state["file"] = made.dump.name


def register_kinds() -> None:
    register(
        Kind(
            name="backups.backup",
            label="Backup of the database",
            prepare=system_or(CAPABILITY),
            run=_run,
            # A backup is written under a temporary name and renamed when complete: a run cut
            # off leaves nothing that looks complete, so it may be run again.
            retry=True,
        )
    )
