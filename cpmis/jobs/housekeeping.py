"""The hourly clean-up, as a job: expired sessions, expired API sign-in tokens, job results
past their keeping time and the queue's old records of finished tasks."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from .kinds import Kind, register, system_or
from .progress import Progress

# The names of the counts the job's page shows (translated there, as its stages are).
COUNTED = (gettext_noop("tokens"), gettext_noop("results"), gettext_noop("tasks"))


def _run(job: Any, progress: Progress) -> None:
    from django_tasks_db.models import DBTaskResult
    from knox.models import AuthToken

    from . import supervision

    now = timezone.now()
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    progress.update(gettext_noop("sessions cleared"))
    tokens, _ = AuthToken.objects.filter(expiry__lt=now).delete()
    results = supervision.prune(now=now)
    old = now - timedelta(days=settings.CPMIS_JOB_RESULT_DAYS)
    tasks, _ = DBTaskResult.objects.filter(finished_at__lt=old).delete()
    progress.update("done", tokens=tokens, results=results, tasks=tasks)


def register_kinds() -> None:
    register(
        Kind(
            name="jobs.housekeeping",
            label=gettext_lazy("Clean-up of expired sessions, tokens and results"),
            prepare=system_or("settings.edit"),
            run=_run,
            retry=True,  # each step deletes what has expired: running it twice is harmless
        )
    )
