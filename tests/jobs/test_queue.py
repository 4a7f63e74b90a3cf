"""The queue as production runs it (the database backend): a job is queued with its record,
a worker runs it once, progress and failures are told, a cancelled job keeps nothing, and
a job whose worker died is taken up again or failed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cpmis.audit.models import AuditEvent
from cpmis.jobs import runner, services, supervision
from cpmis.jobs.models import Job, WorkerBeat
from tests.conftest import Personas, api_as
from tests.jobs.conftest import run_worker

pytestmark = pytest.mark.usefixtures("db_queue")


def work(worker: str = "w1") -> None:
    run_worker(worker)


def test_a_job_is_queued_with_its_record_and_run_once_by_a_worker(personas: Personas) -> None:
    job = services.job_submit(actor=personas.cpo, kind="test.count", params={"n": 4})
    assert job.state == Job.State.WAITING and job.task_id
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.status == TaskResultStatus.READY and task.args_kwargs["args"] == [job.pk]
    assert AuditEvent.objects.filter(action="job.submit", object_id=str(job.pk)).exists()

    work()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert job.attempts == 1 and job.worker == "w1"
    assert job.progress == {"stage": "done", "done": 4, "total": 4}
    assert bytes(job.result) == b"counted to 4" and job.expires_at > timezone.now()
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.SUCCESSFUL
    # A second worker finds nothing to do; the job is not run again.
    work("w2")
    job.refresh_from_db()
    assert job.attempts == 1 and job.worker == "w1"


def test_two_workers_never_run_one_job(personas: Personas) -> None:
    job = services.job_submit(actor=personas.cpo, kind="test.count", params={"n": 1})
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, worker="w1")
    assert runner.execute(job.pk, worker="w2") == "skipped"
    job.refresh_from_db()
    assert job.worker == "w1" and job.attempts == 0


def test_a_failed_job_says_why_in_words_a_person_can_act_on(personas: Personas) -> None:
    invalid = services.job_submit(
        actor=personas.cpo, kind="test.count", params={"n": 3, "fail": "invalid"}
    )
    crash = services.job_submit(
        actor=personas.cpo, kind="test.count", params={"n": 3, "fail": "crash"}
    )
    work()
    invalid.refresh_from_db()
    crash.refresh_from_db()
    assert invalid.state == Job.State.FAILED
    assert invalid.message == "n: Row 2 is not a number." and invalid.result is None
    assert crash.state == Job.State.FAILED
    assert f"job {crash.pk}" in crash.message and "Ghulam" not in crash.message


def test_a_job_that_may_be_retried_is_tried_again_then_failed(personas: Personas) -> None:
    job = services.job_submit(
        actor=personas.cpo, kind="test.count-retried", params={"n": 3, "fail": "crash"}
    )
    first_task = job.task_id
    work()
    job.refresh_from_db()
    assert job.state == Job.State.WAITING and job.attempts == 1
    retry = DBTaskResult.objects.get(pk=job.task_id)
    assert job.task_id != first_task and retry.run_after > timezone.now()  # after a delay
    for _ in range(2):
        DBTaskResult.objects.filter(pk=job.task_id).update(run_after=timezone.now())
        work()
        job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.attempts == 3


def test_a_cancelled_job_never_runs_and_a_running_one_stops_keeping_nothing(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting = services.job_submit(actor=personas.cpo, kind="test.count", params={"n": 2})
    services.job_cancel(actor=personas.cpo, job_id=waiting.pk)
    waiting.refresh_from_db()
    assert waiting.state == Job.State.CANCELLED
    assert runner.execute(waiting.pk, worker="w1") == "skipped"

    running = services.job_submit(actor=personas.cpo, kind="test.count", params={"n": 50})
    original = runner.kinds.get("test.count")
    assert original is not None

    def cancel_midway(job: Job, progress: runner.Progress) -> object:
        progress.update("counting", done=1, total=50)
        services.job_cancel(actor=personas.cpo, job_id=job.pk)  # the owner, from the page
        return original.run(job, progress)

    monkeypatch.setitem(runner.kinds._KINDS, "test.count", replace(original, run=cancel_midway))
    work()
    running.refresh_from_db()
    assert running.state == Job.State.CANCELLED and running.result is None
    with pytest.raises(ValidationError, match="already ended"):
        services.job_cancel(actor=personas.cpo, job_id=running.pk)


def test_the_job_of_a_worker_that_died_is_taken_up_again_or_failed(personas: Personas) -> None:
    now = timezone.now()
    long_ago = now - timedelta(minutes=5)
    supervision.beat("alive", now=now)
    WorkerBeat.objects.create(worker="dead", host="h", pid=1, started_at=long_ago, seen_at=long_ago)

    def running(kind: str, worker: str) -> Job:
        job = services.job_submit(actor=personas.cpo, kind=kind, params={"n": 1})
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.RUNNING, worker=worker, attempts=1, progress_at=long_ago
        )
        return job

    retried = running("test.count-retried", "dead")
    failed = running("test.count", "dead")
    lost = running("test.count", "never-beat")  # killed before its first heartbeat
    busy = running("test.count", "alive")  # a long step without progress: its worker beats
    assert supervision.reap(now=now) == {"requeued": 1, "failed": 2}
    said = AuditEvent.objects.filter(actor_username="system:jobs")
    assert sorted(said.values_list("action", "object_id")) == sorted(
        [
            ("job.requeued", str(retried.pk)),
            ("job.failed", str(failed.pk)),
            ("job.failed", str(lost.pk)),
        ]
    )
    for job in (retried, failed, lost, busy):
        job.refresh_from_db()
    assert retried.state == Job.State.WAITING and retried.worker == ""
    assert failed.state == Job.State.FAILED and "stopped before it finished" in failed.message
    assert lost.state == Job.State.FAILED
    assert busy.state == Job.State.RUNNING
    # The retried job runs again (after its delay) and finishes.
    DBTaskResult.objects.filter(pk=retried.task_id).update(run_after=now)
    work()
    retried.refresh_from_db()
    assert retried.state == Job.State.DONE and retried.attempts == 2


def test_a_worker_presumed_dead_that_finishes_late_keeps_nothing(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = services.job_submit(actor=personas.cpo, kind="test.count", params={"n": 1})
    original = runner.kinds.get("test.count")
    assert original is not None

    def taken_away(job_: Job, progress: runner.Progress) -> object:
        result = original.run(job_, progress)
        # Meanwhile another worker's check found this one silent and put the job back.
        Job.objects.filter(pk=job_.pk).update(state=Job.State.WAITING, worker="")
        return result

    monkeypatch.setitem(runner.kinds._KINDS, "test.count", replace(original, run=taken_away))
    work()
    job.refresh_from_db()
    assert job.state == Job.State.WAITING and job.result is None


def test_results_past_their_time_are_deleted(personas: Personas) -> None:
    job = services.job_submit(actor=personas.cpo, kind="test.count", params={"n": 1})
    work()
    assert supervision.prune(now=timezone.now()) == 0
    assert supervision.prune(now=timezone.now() + timedelta(days=30)) == 1
    job.refresh_from_db()
    assert job.result is None and job.state == Job.State.DONE
    answer = api_as(personas.cpo).get(f"/api/jobs/{job.pk}/result")
    assert answer.status_code == 400 and "no longer kept" in answer.json()["state"][0]


def test_a_person_sees_follows_and_downloads_only_their_own_jobs(personas: Personas) -> None:
    api = api_as(personas.cpo)
    asked = api.post("/api/jobs/", {"kind": "test.count", "params": {"n": 2}}, format="json")
    assert asked.status_code == 202, asked.content
    url = asked["Location"]
    assert api.get(url).json()["state"] == "waiting"
    work()
    body = api.get(url).json()
    assert body["state"] == "done" and body["progress"]["done"] == 2
    file = api.get(body["result_url"])
    assert file.status_code == 200 and file.content == b"counted to 2"
    assert file["Content-Disposition"] == 'attachment; filename="count.txt"'
    assert AuditEvent.objects.filter(action="job.download", actor_id=personas.cpo.pk).exists()
    assert [j["id"] for j in api.get("/api/jobs/").json()["results"]] == [body["id"]]

    other = api_as(personas.other_cpo)
    assert other.get(url).status_code == 404
    assert other.get(body["result_url"]).status_code == 404
    assert other.post(f"/api/jobs/{body['id']}/cancel").status_code == 404
    assert other.get("/api/jobs/").json()["count"] == 0
    assert api_as(None).get(url).status_code in (401, 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "no.such"}, "kind"),
        ({"kind": "test.count", "params": {"n": "many"}}, "n"),
        ({"kind": "test.count", "params": "n=3"}, "params"),
        ({"kind": "x" * 200}, "kind"),
    ],
)
def test_bad_requests_for_a_job_get_a_clear_400(
    personas: Personas, body: dict[str, object], field: str
) -> None:
    answer = api_as(personas.cpo).post("/api/jobs/", body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.content
    assert not Job.objects.exists()


def test_a_kind_refuses_who_may_not_ask_for_it(personas: Personas) -> None:
    answer = api_as(personas.analyst).post(
        "/api/jobs/", {"kind": "test.count", "params": {"n": 1}}, format="json"
    )
    assert answer.status_code == 403 and not Job.objects.exists()


def test_the_annex_workbook_is_counted_by_a_worker(personas: Personas, client: Any) -> None:
    from tests.conftest import web_as

    year = timezone.localdate().year - 1
    page = web_as(client, personas.analyst).get(f"/indicators/annex.xlsx?year={year}")
    assert page.status_code == 302 and page["Location"].startswith("/jobs/")
    bad = client.get("/indicators/annex.xlsx?year=2020-Q1")
    assert bad.status_code == 400 and "whole year" in bad.content.decode()
    work()
    job = Job.objects.get(owner=personas.analyst)
    assert job.state == Job.State.DONE, job.message
    file = client.get(f"/jobs/{job.pk}/result")
    assert file.status_code == 200 and file.content.startswith(b"PK")
    assert AuditEvent.objects.filter(
        action="indicators.export", actor_id=personas.analyst.pk
    ).exists()


def test_work_only_its_own_app_asks_for_is_unknown_to_the_jobs_api(personas: Personas) -> None:
    for kind in ("linkage.relink", "exchange.submission"):
        answer = api_as(personas.supervisor).post(
            "/api/jobs/", {"kind": kind, "params": {"records": [1]}}, format="json"
        )
        assert answer.status_code == 400 and "report.pdf" in answer.json()["kind"][0]
        assert kind not in answer.json()["kind"][0]
    assert not Job.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: there a thread with its own connection writes a job's progress "
    "(SQLite lets one writer in at a time)",
)
@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_while_the_job_holds_a_long_transaction(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from django.db import transaction

    from cpmis.jobs.kinds import Kind, Prepared

    seen: list[dict[str, Any]] = []

    def look(job_id: int) -> None:
        seen.append(Job.objects.get(pk=job_id).progress)
        connection.close()

    def long_write(job: Job, progress: runner.Progress) -> None:
        with transaction.atomic():  # as a batch's rows are written: one transaction
            progress.update("writing the accepted rows", written=5)
            time.sleep(2.5)
            other = threading.Thread(target=look, args=(job.pk,))  # another connection
            other.start()
            other.join()

    kind = Kind("test.long", "Long", lambda actor, raw: Prepared({}), long_write)
    monkeypatch.setitem(runner.kinds._KINDS, "test.long", kind)
    job = services.job_submit(actor=personas.cpo, kind="test.long", params={})
    work()
    assert seen and seen[0]["stage"] == "writing the accepted rows" and seen[0]["written"] == 5
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.progress["stage"] == "done"


def test_the_progress_thread_keeps_its_cadence() -> None:
    """A write that took long pushes no later one back; one that missed its time goes at once."""
    from cpmis.jobs.progress import next_due

    assert next_due(10.0, now=10.3, beat=0.5) == 10.5  # the write took 0.3 s: 0.2 s more
    assert next_due(10.0, now=11.2, beat=0.5) == 11.2  # it waited 1.2 s: at once
