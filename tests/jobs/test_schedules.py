"""The schedule: a due run is queued once, whichever worker asks; the clean-up deletes what
has expired; administrators see the schedule, its last outcome and the workers."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from cpmis.jobs import schedules, services, supervision
from cpmis.jobs.models import Job, ScheduleState
from cpmis.jobs.schedules import PAKISTAN, Schedule
from tests.conftest import Personas, web_as


def test_a_daily_run_is_next_due_at_its_time_in_pakistan() -> None:
    daily = Schedule("d", "Daily", "x", at=time(7, 0))
    before = datetime(2026, 12, 5, 6, 59, tzinfo=PAKISTAN)
    assert daily.next_after(before) == datetime(2026, 12, 5, 7, 0, tzinfo=PAKISTAN)
    assert daily.next_after(before + timedelta(minutes=1)) == datetime(
        2026, 12, 6, 7, 0, tzinfo=PAKISTAN
    )
    assert Schedule("e", "Often", "x", every=timedelta(minutes=30)).when == "every 30 minutes"


@pytest.mark.usefixtures("db_queue")
def test_a_due_run_is_queued_once_as_a_job_of_the_system() -> None:
    now = timezone.now()
    assert schedules.due(now=now) == []  # first sight: planned, not run
    planned = {s.name: s.next_at for s in ScheduleState.objects.all()}
    assert "housekeeping" in planned and "linkage" in planned
    later = planned["housekeeping"] + timedelta(seconds=1)
    queued = schedules.due(now=later)
    kinds_queued = set(Job.objects.filter(pk__in=queued).values_list("kind", flat=True))
    assert "jobs.housekeeping" in kinds_queued
    assert schedules.due(now=later) == []  # a second worker asking at the same moment
    state = ScheduleState.objects.get(name="housekeeping")
    assert state.next_at == later + timedelta(hours=1) and state.last_job_id in queued
    job = Job.objects.get(pk=state.last_job_id)
    assert job.owner is None and job.requested_by == "system:scheduler"


def test_the_clean_up_deletes_what_has_expired(personas: Personas, client: Any) -> None:
    web_as(client, personas.cpo)
    Session.objects.update(expire_date=timezone.now() - timedelta(days=1))
    kept = services.job_submit(actor=personas.administrator, kind="jobs.housekeeping", params={})
    assert kept.state == Job.State.DONE, kept.message
    assert not Session.objects.exists()
    assert kept.progress["stage"] == "done" and "tokens" in kept.progress


def test_only_the_system_or_an_administrator_starts_system_work(personas: Personas) -> None:
    from django.core.exceptions import PermissionDenied

    for kind in ("jobs.housekeeping", "cases.digest", "linkage.run"):
        with pytest.raises(PermissionDenied):
            services.job_submit(actor=personas.cpo, kind=kind, params={})


def test_administrators_see_the_schedule_its_outcome_and_the_workers(
    personas: Personas, client: Any
) -> None:
    supervision.beat("office-1:42:abc")
    page = web_as(client, personas.administrator).get("/jobs/queue/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 worker running" in text and "office-1:42:abc" in text
    assert "Delete expired sessions" in text and "every hour" in text
    ran = client.post("/jobs/queue/housekeeping/run")
    assert ran.status_code == 302 and ran["Location"].startswith("/jobs/")
    assert client.get(ran["Location"]).status_code == 200
    assert web_as(client, personas.cpo).get("/jobs/queue/").status_code == 403
    assert client.post("/jobs/queue/housekeeping/run").status_code == 403
    assert not Job.objects.filter(owner=personas.cpo).exists()


def test_readiness_covers_the_workers_and_the_queue(personas: Personas, client: Any) -> None:
    from django.test import override_settings

    from tests.jobs.conftest import DATABASE_QUEUE

    def ready() -> tuple[int, dict[str, Any]]:
        answer = client.get("/readyz")
        return answer.status_code, answer.json()["checks"]

    status, checks = ready()  # the suite runs jobs in the request: nothing to wait for
    assert status == 200 and checks["workers"]["ok"] and checks["queue"]["ok"]
    with override_settings(TASKS=DATABASE_QUEUE):
        status, checks = ready()
        assert status == 503 and "no worker is running" in checks["workers"]["detail"]
        supervision.beat("w1")
        job = services.job_submit(actor=personas.cpo, kind="test.count", params={"n": 1})
        status, checks = ready()
        assert status == 200 and checks["queue"]["detail"].startswith("1 job(s) waiting")
        Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
        status, checks = ready()
        assert status == 503 and "the oldest for 3600 s" in checks["queue"]["detail"]
