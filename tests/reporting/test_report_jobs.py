"""The report's files as background jobs: prepared once per version of the edition and per
view of the figures, kept and served again; a new section version, another view or "prepare
again" renders anew; through the database queue the API answers 202 and then the file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from cpmis.accounts.models import RoleAssignment
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.audit.models import AuditEvent
from cpmis.jobs.models import Job
from cpmis.reporting import document, services
from cpmis.reporting.models import ReportEdition
from tests.conftest import Personas, api_as, make_user, web_as
from tests.jobs.conftest import DATABASE_QUEUE, run_worker


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch, tables: dict[str, Any]) -> Iterator[list[str]]:
    """Every DOCX rendered, by the title it printed (rendering itself is tests/reporting's)."""
    seen: list[str] = []
    real = document.render_docx

    def render(content: Any) -> bytes:
        seen.append(content.generated)
        return real(content)

    monkeypatch.setattr(document, "render_docx", render)
    yield seen


def test_the_report_is_rendered_once_per_version_and_view_then_kept(
    personas: Personas, edition: ReportEdition, renders: list[str], client: Any
) -> None:
    url = f"/api/reports/{edition.pk}/report.docx"
    analyst = api_as(personas.analyst)
    first = analyst.get(url)
    assert first.status_code == 200 and first.content.startswith(b"PK")
    again = analyst.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert len(renders) == 1
    kept = Job.objects.filter(owner=personas.analyst).order_by("pk")
    assert [j.source_id for j in kept] == [None, kept[0].pk]
    # Each download is an export in the audit trail, rendered or kept.
    assert (
        AuditEvent.objects.filter(action="report.export", actor_id=personas.analyst.pk).count() == 2
    )

    # A reader who sees the same figures gets the kept file; one who sees others does not.
    national = make_user("analyst2", {"role": Role.ANALYST, "scope_level": ScopeLevel.NATIONAL})
    assert api_as(national).get(url).content == first.content and len(renders) == 1
    assert api_as(personas.supervisor).get(url).status_code == 200 and len(renders) == 2

    # A new version of a section is a new version of the report.
    services.narrative_save(
        actor=personas.analyst, edition=edition, section="process", text="Consulted.", base_number=0
    )
    assert analyst.get(url).status_code == 200 and len(renders) == 3
    # "Prepare again with today's figures" renders anew, and shows the job.
    page = web_as(client, personas.analyst).post(
        f"/reports/{edition.pk}/prepare", {"format": "docx"}
    )
    assert page.status_code == 302 and page["Location"].startswith("/jobs/")
    assert len(renders) == 4
    job_page = client.get(page["Location"])
    assert job_page.status_code == 200 and "Download opsc-report" in job_page.content.decode()


def test_through_the_queue_the_api_answers_202_and_then_the_file(
    personas: Personas, edition: ReportEdition, renders: list[str], client: Any
) -> None:
    url = f"/api/reports/{edition.pk}/report.docx"
    analyst = api_as(personas.analyst)
    with override_settings(TASKS=DATABASE_QUEUE):
        waiting = analyst.get(url)
        assert waiting.status_code == 202, waiting.content
        assert waiting.json()["state"] == "waiting" and waiting["Location"].startswith("/api/jobs/")
        assert analyst.get(url).json()["id"] == waiting.json()["id"]  # one job, not two
        page = web_as(client, personas.analyst).get(f"/reports/{edition.pk}/report.docx")
        assert page.status_code == 302
        progress = client.get(page["Location"]).content.decode()
        assert 'http-equiv="refresh"' in progress and "Cancel the job" in progress
        assert renders == []
        run_worker()
        job = analyst.get(waiting["Location"]).json()
        assert job["state"] == "done" and job["progress"]["sections"] > 10
        assert analyst.get(job["result_url"]).content.startswith(b"PK")
        assert analyst.get(url).status_code == 200 and len(renders) == 1


def test_a_reader_who_lost_the_right_meanwhile_gets_no_report(
    personas: Personas, edition: ReportEdition, renders: list[str]
) -> None:
    url = f"/api/reports/{edition.pk}/report.docx"
    with override_settings(TASKS=DATABASE_QUEUE):
        waiting = api_as(personas.analyst).get(url)
        RoleAssignment.objects.filter(user=personas.analyst).delete()
        run_worker()
    job = Job.objects.get(pk=waiting.json()["id"])
    assert job.state == Job.State.FAILED and job.result is None and renders == []
