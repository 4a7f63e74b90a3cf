"""Readiness of the background work (``/readyz``): a worker is alive, and the queue is not
stuck. Details are counts, never a job's input."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend

from .models import Job
from .supervision import live_workers


def _queued() -> bool:
    return isinstance(task_backends["default"], DatabaseBackend)


def workers() -> tuple[bool, str]:
    if not _queued():
        return True, "jobs run in the request that asks for them (no queue)"
    alive = len(live_workers())
    if not alive:
        return False, "no worker is running: start `cpmis worker`"
    return True, f"{alive} worker(s) running"


def queue() -> tuple[bool, str]:
    """The oldest job waiting to run (not one deferred to retry later) is younger than
    ``CPMIS_JOB_LATE_SECONDS``: else the workers do not keep up, or do not take jobs."""
    waiting = Job.objects.filter(state=Job.State.WAITING)
    count = waiting.count()
    oldest = waiting.filter(attempts=0).order_by("created_at").values_list("created_at", flat=True)
    first = oldest.first()
    if first is None:
        return True, f"{count} job(s) waiting"
    age = (timezone.now() - first).total_seconds()
    if age > settings.CPMIS_JOB_LATE_SECONDS:
        return False, f"{count} job(s) waiting; the oldest for {int(age)} s"
    return True, f"{count} job(s) waiting; the oldest for {int(age)} s"
