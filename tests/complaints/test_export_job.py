"""The queue's CSV is written by a worker: the link answers at once with the job's page, the
worker writes the rows the owner sees (when it runs), and the download is the audited
export."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client, override_settings

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.audit.models import AuditEvent
from cpmis.complaints import exports
from cpmis.jobs.models import Job
from tests.conftest import LAHORE, PESHAWAR, Personas, api_as, make_user, web_as
from tests.jobs.conftest import DATABASE_QUEUE, run_worker

pytestmark = pytest.mark.django_db


def _complaint(district: str, jurisdiction: str) -> str:
    officer = make_user(
        f"complaints-{jurisdiction}-{uuid.uuid4().hex[:8]}",
        {
            "role": Role.COMPLAINT_OFFICER,
            "scope_level": ScopeLevel.JURISDICTION,
            "jurisdiction": jurisdiction,
            "department": "ombudsman",
        },
    )
    made = api_as(officer).post(
        "/api/complaints/",
        {
            "channel": "helpline",
            "jurisdiction": jurisdiction,
            "district": district,
            "concerns": ["abused"],
            "narrative": "A neighbour saw it.",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    return str(made.json()["reference"])


def test_the_csv_is_a_job_that_writes_what_its_owner_sees(
    personas: Personas, client: Client
) -> None:
    lahore = _complaint(LAHORE, "PK-PB")
    peshawar = _complaint(PESHAWAR, "PK-KP")
    cpo = web_as(client, personas.cpo)
    with override_settings(TASKS=DATABASE_QUEUE):
        asked = cpo.get("/complaints/export.csv", {"view": "all"})
        assert asked.status_code == 302 and asked["Location"].startswith("/jobs/")
        waiting = cpo.get(asked["Location"]).content.decode()
        assert "The complaint queue (CSV)" in waiting and "Cancel the job" in waiting
        # Nothing has left cpmis yet: the download is the export.
        assert not AuditEvent.objects.filter(action="complaint.export").exists()
        run_worker()
    job = Job.objects.get(owner=personas.cpo, kind="complaints.export")
    assert job.state == Job.State.DONE
    assert job.progress["done"] == job.progress["total"] == 1
    done = cpo.get(asked["Location"]).content.decode()
    assert f"/jobs/{job.pk}/result" in done
    text = cpo.get(f"/jobs/{job.pk}/result").content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("reference,channel,received_at")
    assert lahore in text and peshawar not in text  # the Lahore officer's queue only
    assert "neighbour" not in text  # narratives never leave in a list
    event = AuditEvent.objects.get(action="complaint.export")
    assert event.actor_id == personas.cpo.pk and event.detail["view"] == "all"


def test_the_job_is_refused_to_who_cannot_see_complaints(personas: Personas) -> None:
    refused = api_as(personas.analyst).post(
        "/api/jobs/", {"kind": "complaints.export", "params": {"view": "all"}}, format="json"
    )
    assert refused.status_code == 403
    assert not Job.objects.filter(kind="complaints.export").exists()


def test_an_unknown_view_is_the_whole_queue_and_progress_is_told(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        _complaint(LAHORE, "PK-PB")
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    told: list[dict[str, Any]] = []

    class Progress:
        def update(self, stage: str | None = None, **counts: Any) -> None:
            told.append({"stage": stage, **counts})

    data = exports.queue_csv(user=personas.cpo, view="all", progress=Progress())
    assert data.startswith("\ufeff".encode()) and data.decode("utf-8-sig").count("\n") == 4
    assert [t.get("done") for t in told] == [0, 2, 3]
    assert told[-1] == {"stage": "done", "done": 3, "total": 3}
    job = api_as(personas.cpo).post(
        "/api/jobs/", {"kind": "complaints.export", "params": {"view": "<script>"}}, format="json"
    )
    assert job.status_code in (200, 201, 202), job.content
    assert Job.objects.get(pk=job.json()["id"]).params == {"view": "all"}
