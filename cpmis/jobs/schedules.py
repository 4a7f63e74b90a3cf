"""What runs on its own, and when: the schedule is kept here, in the code.

Every worker looks at the schedule on each heartbeat; a run that is due is claimed by one
worker only (a conditional update of its next time) and queued as a job of the system, so
its last run and outcome are a job like any other (``/jobs/schedules/``). Times are
Pakistan's (Asia/Karachi). A schedule names its job's kind, which its app registers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cpmis.actors import system

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAKISTAN = ZoneInfo("Asia/Karachi")


@dataclass(frozen=True)
class Schedule:
    name: str
    label: StrOrPromise
    kind: str
    every: timedelta | None = None  # every so often, from the last planned time
    at: time | None = None  # or each day at this time (Pakistan)
    params: dict[str, Any] = field(default_factory=dict)

    def next_after(self, moment: datetime) -> datetime:
        if self.at is not None:
            local = moment.astimezone(PAKISTAN)
            planned = datetime.combine(local.date(), self.at, tzinfo=PAKISTAN)
            if planned <= local:
                planned += timedelta(days=1)
            return planned
        assert self.every is not None
        return moment + self.every

    @property
    def when(self) -> str:
        """When it runs, in the reader's language."""
        if self.at is not None:
            return gettext("every day at %(time)s (Pakistan time)") % {"time": f"{self.at:%H:%M}"}
        assert self.every is not None
        minutes = int(self.every.total_seconds() // 60)
        if minutes % 60:
            return gettext("every %(minutes)s minutes") % {"minutes": minutes}
        if minutes == 60:
            return gettext("every hour")
        return gettext("every %(hours)s hours") % {"hours": minutes // 60}


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "task-digest",
        _("E-mail each officer and supervisor their open tasks"),
        "cases.digest",
        at=time(7, 0),
    ),
    Schedule(
        "linkage",
        _("Link department records waiting to be linked"),
        "linkage.run",
        every=timedelta(minutes=30),
    ),
    Schedule(
        "housekeeping",
        _("Delete expired sessions, sign-in tokens and job results"),
        "jobs.housekeeping",
        every=timedelta(hours=1),
    ),
    Schedule(
        "indicators-refresh",
        _("Count again the kept figures of the indicators whose records changed"),
        "indicators.refresh",
        every=timedelta(minutes=10),
    ),
    Schedule("backup", _("Back up the database"), "backups.backup", at=time(1, 30)),
)

# The system actor a schedule's job runs as: it may ask for its own kind, nothing else.
SCHEDULER = system("scheduler")


def due(*, now: datetime | None = None) -> list[int]:
    """Queue each schedule's run that is due (once, whichever worker asks first); returns
    the jobs queued. A schedule whose kind is not registered is skipped."""
    from . import kinds, services
    from .models import ScheduleState

    now = now or timezone.now()
    queued = []
    for schedule in SCHEDULES:
        if kinds.get(schedule.kind) is None:
            continue
        state = ScheduleState.objects.filter(name=schedule.name).first()
        if state is None:
            try:
                with transaction.atomic():
                    ScheduleState.objects.create(
                        name=schedule.name, next_at=schedule.next_after(now)
                    )
            except IntegrityError:
                pass  # another worker made it first
            continue
        if state.next_at > now:
            continue
        with transaction.atomic():
            claimed = ScheduleState.objects.filter(pk=state.pk, next_at=state.next_at).update(
                # A run missed while no worker ran happens once, then as planned.
                next_at=schedule.next_after(now),
                last_at=now,
            )
            if not claimed:
                continue
            job = services.job_submit(
                actor=SCHEDULER, kind=schedule.kind, params=dict(schedule.params)
            )
            ScheduleState.objects.filter(pk=state.pk).update(last_job=job)
            queued.append(job.pk)
    return queued


def run_now(*, actor: Any, name: str) -> Any:
    """A person runs a schedule's job at once ("Run now"); its kind checks who may. It counts
    as the schedule's last run; the next planned one stays as it was."""
    from cpmis.core.errors import NotFound

    from . import kinds, services
    from .models import ScheduleState

    schedule = next((s for s in SCHEDULES if s.name == name), None)
    if schedule is None or kinds.get(schedule.kind) is None:
        raise NotFound("No such schedule.")
    now = timezone.now()
    with transaction.atomic():
        job = services.job_submit(actor=actor, kind=schedule.kind, params=dict(schedule.params))
        state, _ = ScheduleState.objects.get_or_create(
            name=schedule.name, defaults={"next_at": schedule.next_after(now)}
        )
        ScheduleState.objects.filter(pk=state.pk).update(last_job=job, last_at=now)
    return job
