"""Running one job in a worker: claim it, run its kind as its owner, keep the result or the
reason it failed. Every change of state is a conditional update on the job's row, so two
workers never run one job, and a worker presumed dead that finishes late keeps nothing."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import TaskContext, task

from cpmis.core.errors import NotFound

from . import kinds
from .models import UNEXPECTED_ERROR, Job, WorkerBeat
from .progress import Cancelled, Progress

log = logging.getLogger(__name__)


# A job's message and the stages of its progress are written in English (a worker has no
# reader) and translated when a page shows them (``models.shown_message``, the job's page).
STARTED = gettext_noop("started")
STOPPED = gettext_noop("stopped")
DONE = gettext_noop("done")
WAITING = gettext_noop("waiting")


def _message(error: Exception) -> str:
    """What a person reads when their job could not be done: the service's own words."""
    if isinstance(error, ValidationError):
        if hasattr(error, "message_dict"):
            return "; ".join(
                m if field == "__all__" else f"{field}: {m}"
                for field, ms in error.message_dict.items()
                for m in ms
            )
        return "; ".join(error.messages)
    if isinstance(error, PermissionDenied):
        return str(error) or gettext_noop("You are no longer allowed to do this.")
    if isinstance(error, NotFound):
        return str(error) or gettext_noop(
            "What this job was about no longer exists, or you cannot see it."
        )
    return str(error)


def _finish(job: Job, worker: str, **fields: object) -> bool:
    fields.setdefault("finished_at", timezone.now())
    if fields.get("state") in (Job.State.DONE, Job.State.FAILED, Job.State.CANCELLED):
        fields["payload"] = None  # the input is not kept once the job has ended
    return bool(
        Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, worker=worker).update(**fields)
    )


def execute(job_id: int, *, worker: str) -> str:
    """Run job ``job_id`` in this worker; returns the state it ended in (or ``"skipped"`` when
    it was not waiting: cancelled meanwhile, or taken by another worker)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.WAITING).update(
        state=Job.State.RUNNING,
        worker=worker,
        started_at=now,
        progress_at=now,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped"
    # Its file (``payload``, up to 100 MB) is read when the kind asks for it, once the
    # progress is being written: the page does not go silent while it is fetched.
    job = Job.objects.select_related("owner").defer("payload").get(pk=job_id)
    WorkerBeat.objects.filter(worker=worker).update(job=job, seen_at=now)
    try:
        return _run(job, worker)
    finally:
        WorkerBeat.objects.filter(worker=worker).update(job=None)


def _run(job: Job, worker: str) -> str:
    kind = kinds.get(job.kind)
    if kind is None:
        message = gettext_noop("This kind of job is unknown.")
        _finish(job, worker, state=Job.State.FAILED, message=message)
        return Job.State.FAILED
    if job.cancel_requested:
        message = gettext_noop("Cancelled before it started.")
        _finish(job, worker, state=Job.State.CANCELLED, message=message)
        return Job.State.CANCELLED
    progress = Progress(job.pk)
    # Run inside a request's transaction (the immediate backend of tests and one-off calls),
    # a failure rolls back to here, and what the kind wrote is undone, as in a worker.
    inside = connection.in_atomic_block
    savepoint = transaction.atomic() if inside else nullcontext()
    if not inside and connection.vendor == "postgresql":
        progress.start()  # a thread of its own writes the progress (see ``progress``)
    try:
        try:
            progress.update(STARTED)
            with savepoint:
                result = kind.run(job, progress)
        finally:
            progress.stop()  # before the job's end is written: nothing writes after it
    except Cancelled:
        message = gettext_noop("Cancelled; nothing was kept.")
        _finish(job, worker, state=Job.State.CANCELLED, message=message)
        return Job.State.CANCELLED
    except (ValidationError, PermissionDenied, NotFound) as error:
        # What it had got to stays on the page (its writes were undone).
        _finish(
            job,
            worker,
            state=Job.State.FAILED,
            message=_message(error),
            progress={**progress.state, "stage": STOPPED},
        )
        return Job.State.FAILED
    except Exception:
        # The log names the job, never its input (which may name a child).
        log.exception("job %s (%s) failed", job.pk, job.kind)
        if kind.retry and job.attempts < kind.max_attempts:
            again = gettext_noop("It stopped on an unexpected error and will be tried again.")
            requeue(job, worker, again)
            return Job.State.WAITING
        _finish(
            job,
            worker,
            state=Job.State.FAILED,
            message=UNEXPECTED_ERROR % {"job": job.pk},
        )
        return Job.State.FAILED
    fields: dict[str, object] = {"state": Job.State.DONE, "message": "", "payload": None}
    fields["progress"] = {**progress.state, "stage": DONE}
    if result is not None and result.link:
        fields["result_link"] = result.link
    if result is not None and result.name:
        fields.update(
            result=result.data,
            result_name=result.name,
            result_type=result.content_type,
            result_size=len(result.data),
            expires_at=timezone.now() + timedelta(days=settings.CPMIS_JOB_RESULT_DAYS),
        )
    if not _finish(job, worker, **fields):
        log.warning("job %s finished after it was taken from worker %s: discarded", job.pk, worker)
        return "skipped"
    return Job.State.DONE


def requeue(job: Job, worker: str, message: str, *, backoff: bool = True) -> bool:
    """Put a running job back in the queue: at once when its worker died, after a growing
    delay (``backoff``) when it failed and may be retried."""
    with transaction.atomic():
        moved = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, worker=worker).update(
            state=Job.State.WAITING, worker="", message=message, progress={"stage": WAITING}
        )
        if moved:
            # Later attempts wait a little longer: 10 s, 20 s, 40 s…
            delay = timedelta(seconds=10 * 2 ** max(job.attempts - 1, 0))
            deferred = backoff and run_job.get_backend().supports_defer
            task = (
                run_job.using(run_after=timezone.now() + delay) if deferred else run_job
            ).enqueue(job.pk)
            Job.objects.filter(pk=job.pk).update(task_id=str(task.id))
    return bool(moved)


@task(takes_context=True)
def run_job(context: TaskContext, job_id: int) -> str:
    """The one task the queue knows: run a job (its kind says what the work is)."""
    workers = context.task_result.worker_ids
    return execute(job_id, worker=workers[-1] if workers else "immediate")
