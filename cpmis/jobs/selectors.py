"""Reading jobs, through ``cpmis.access``: a person sees their own."""

from __future__ import annotations

from django.db.models import QuerySet

from cpmis import access
from cpmis.actors import Actor
from cpmis.core.errors import NotFound

from .models import Job, WorkerBeat


def job_list(*, user: Actor) -> QuerySet[Job]:
    return access.jobs_visible_to(user).defer("result", "payload").select_related("source")


def job_get(*, user: Actor, job_id: int) -> Job:
    job = job_list(user=user).filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such job.")
    return job


def queue_depth() -> int:
    return Job.objects.filter(state=Job.State.WAITING).count()


def workers_alive() -> list[WorkerBeat]:
    from .supervision import live_workers

    return live_workers()


def queue_overview(*, user: Actor) -> dict[str, object]:
    """The queue as an administrator sees it: workers alive, jobs waiting and running, and
    each schedule with its next run and its last one (no job's input or result)."""
    from django.core.exceptions import PermissionDenied

    from . import kinds
    from .models import ScheduleState
    from .schedules import SCHEDULES

    if not access.has_capability(user, "settings.edit"):
        raise PermissionDenied("You cannot see the queue.")
    states = {
        s.name: s
        for s in ScheduleState.objects.select_related("last_job").defer("last_job__result")
    }
    return {
        "workers": workers_alive(),
        "waiting": Job.objects.filter(state=Job.State.WAITING).count(),
        "running": Job.objects.filter(state=Job.State.RUNNING).count(),
        "schedules": [
            (schedule, states.get(schedule.name), kinds.get(schedule.kind) is not None)
            for schedule in SCHEDULES
        ],
    }
