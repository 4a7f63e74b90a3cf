"""Keeping the queue honest: each worker's heartbeat, jobs whose worker died, old results.

A worker writes its heartbeat every few seconds (``beat_seconds``). A running job whose
worker has been silent for ``CPMIS_JOB_STALE_SECONDS`` (``kill -9``, a machine lost) is
taken up again when its kind may be retried and has attempts left, and is otherwise failed
with a message: any running worker does this check, so it happens within a minute whatever
died. A kind's work writes in one transaction at its end, so a killed job left nothing
half-written.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cpmis.actors import system
from cpmis.audit.services import audit_record

from . import kinds
from .models import Job, WorkerBeat
from .runner import requeue

log = logging.getLogger(__name__)

# The system taking up the jobs of workers that stopped, as the audit trail names it.
SUPERVISOR = system("jobs")


def beat_seconds() -> float:
    """How often a worker beats: every five seconds, or three times within the stale limit."""
    return min(5.0, settings.CPMIS_JOB_STALE_SECONDS / 3)


def worker_name() -> str:
    """This process's worker id: the machine, the process and a random part."""
    from django.utils.crypto import get_random_string

    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(6)}"


def beat(worker: str, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    updated = WorkerBeat.objects.filter(worker=worker).update(seen_at=now)
    if not updated:
        WorkerBeat.objects.create(
            worker=worker,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=now,
            seen_at=now,
        )


def leave(worker: str) -> None:
    """A worker stopping cleanly says so: nothing waits for its heartbeat."""
    WorkerBeat.objects.filter(worker=worker).delete()


def live_workers(*, now: datetime | None = None) -> list[WorkerBeat]:
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.CPMIS_JOB_STALE_SECONDS)
    return list(WorkerBeat.objects.filter(seen_at__gte=stale).order_by("worker"))


def reap(*, now: datetime | None = None) -> dict[str, int]:
    """Jobs running on workers silent for longer than the stale limit: taken up again or
    failed. Returns how many of each."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.CPMIS_JOB_STALE_SECONDS)
    alive = WorkerBeat.objects.filter(seen_at__gte=stale).values("worker")
    orphans = Job.objects.filter(state=Job.State.RUNNING).filter(
        Q(progress_at__lt=stale) | Q(progress_at__isnull=True)
    )
    counts = {"requeued": 0, "failed": 0}
    for job in orphans.exclude(worker__in=alive):
        kind = kinds.get(job.kind)
        gone = job.worker
        with transaction.atomic():
            if kind is not None and kind.retry and job.attempts < kind.max_attempts:
                again = gettext_noop("Its worker stopped; it was put back in the queue.")
                done = requeue(job, gone, again, backoff=False)
                outcome = "requeued"
            else:
                done = bool(
                    Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, worker=gone).update(
                        state=Job.State.FAILED,
                        finished_at=now,
                        payload=None,
                        message=gettext_noop(
                            "The worker running it stopped before it finished; nothing it "
                            "was writing was kept. Ask for it again."
                        ),
                    )
                )
                outcome = "failed"
            if done:
                counts[outcome] += 1
                audit_record(
                    actor=SUPERVISOR,
                    action=f"job.{outcome}",
                    object_type="jobs.job",
                    object_id=job.pk,
                    detail={"kind": job.kind, "worker": gone[:64], "attempts": job.attempts},
                )
    # The queue's own record of those tasks: failed, so that it does not show them running.
    dead = set(WorkerBeat.objects.filter(seen_at__lt=stale).values_list("worker", flat=True))
    for result in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=stale
    ):
        if result.worker_ids and result.worker_ids[-1] in dead:
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now
            )
    WorkerBeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    if counts["requeued"] or counts["failed"]:
        log.warning("jobs of stopped workers: %(requeued)s requeued, %(failed)s failed", counts)
    return counts


def prune(*, now: datetime | None = None) -> int:
    """Results past their keeping time are deleted (the job's row stays, as history)."""
    now = now or timezone.now()
    return (
        Job.objects.filter(expires_at__lt=now)
        .exclude(result=None)
        .update(result=None, result_size=0)
    )
