"""The oversight API: happy paths, 400s with field messages, 409s, and who is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cpmis.oversight.models import (
    LegalAssistanceRequest,
    PreventionActivity,
    Recommendation,
)
from tests.conftest import Personas, api_as

from .conftest import assignment_of, days_ago

API = "/api/oversight"


def test_create_and_change_an_activity(personas: Personas) -> None:
    client = api_as(personas.analyst)
    body = {
        "kind": "training",
        "title": "Investigating trafficking",
        "held_on": str(days_ago(3)),
        "topic": "trafficking",
        "jurisdiction": "PK-PB",
        "district": "PK617",
        "organiser": "police",
        "report_paragraphs": [95],
        "participants": [
            {"profession": "police", "sex": "male", "count": 30},
            {"profession": "police", "sex": "female", "count": 5},
        ],
    }
    response = client.post(f"{API}/activities/", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["participants_total"] == 35 and created["district"] == "PK617"
    url = f"{API}/activities/{created['id']}/"
    response = client.patch(url, {"version": 1, "materials_distributed": 40}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "title": "x"}, format="json")
    assert stale.status_code == 409 and stale.json()["version"] == 2
    assert client.patch(url, {"title": "no version"}, format="json").status_code == 400
    listed = client.get(f"{API}/activities/", {"kind": "training", "year": days_ago(3).year})
    assert [a["id"] for a in listed.json()["results"]] == [created["id"]]
    assert client.get(f"{API}/activities/", {"kind": "material"}).json()["count"] == 0
    assert client.get(f"{API}/activities/", {"year": "soon"}).status_code == 400


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"held_on": "tomorrow"}, "held_on"),  # the day after the test runs, not collected
        ({"ended_on": "2000-01-01"}, "ended_on"),
        ({"district": "PK528"}, "district"),
        ({"district": "PK999"}, "district"),
        ({"kind": "seminar"}, "kind"),
        ({"participants": [{"profession": "police", "sex": "male", "count": "many"}]}, None),
        ({"report_paragraphs": [500]}, "report_paragraphs"),
    ],
)
def test_bad_activity_input_is_a_400_with_the_field(
    personas: Personas, change: dict, field: str | None
) -> None:
    body = {
        "kind": "training",
        "title": "T",
        "held_on": str(days_ago(3)),
        "topic": "other",
        "jurisdiction": "PK-PB",
        **change,
    }
    if body["held_on"] == "tomorrow":
        body["held_on"] = str(timezone.localdate() + timedelta(days=1))
    response = api_as(personas.analyst).post(f"{API}/activities/", body, format="json")
    assert response.status_code == 400, response.content
    assert (field or "participants") in response.json()
    assert not PreventionActivity.objects.exists()


def test_legal_requests(personas: Personas) -> None:
    client = api_as(personas.analyst)
    body = {
        "kind": "extradition",
        "direction": "incoming",
        "country": "GB",
        "dated_on": str(days_ago(20)),
        "opsc_category": "pornography",
    }
    bad = client.post(f"{API}/legal-requests/", {**body, "country": "ZZ"}, format="json")
    assert bad.status_code == 400 and "country" in bad.json()
    missing = client.post(f"{API}/legal-requests/", {**body, "status": "refused"}, format="json")
    assert missing.status_code == 400 and "decided_on" in missing.json()
    created = client.post(f"{API}/legal-requests/", body, format="json")
    assert created.status_code == 201, created.content
    url = f"{API}/legal-requests/{created.json()['id']}/"
    decided = client.patch(
        url, {"version": 1, "status": "refused", "decided_on": str(days_ago(2))}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "refused"
    assert client.get(f"{API}/legal-requests/", {"status": "refused"}).json()["count"] == 1
    assert LegalAssistanceRequest.objects.get().version == 2


def test_recommendations_assignments_and_reports(personas: Personas) -> None:
    client = api_as(personas.analyst)
    body = {
        "document": "CRC/C/OPSC/PAK/CO/1",
        "paragraph": "19",
        "text": "Use the Optional Protocol as a legal basis for extradition.",
        "issued_on": str(days_ago(60)),
        "report_sections": ["articles-5-6"],
        "articles": [5],
    }
    bad = client.post(
        f"{API}/recommendations/", {**body, "report_sections": ["chapter-9"]}, format="json"
    )
    assert bad.status_code == 400 and "report_sections" in bad.json()
    created = client.post(f"{API}/recommendations/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assigned = client.post(
        f"{API}/recommendations/{pk}/assignments/",
        {"institution": "fia", "lead": True, "action": "Amend the schedule"},
        format="json",
    )
    assert assigned.status_code == 200, assigned.content
    assert (
        client.post(
            f"{API}/recommendations/{pk}/assignments/", {"institution": "nasa"}, format="json"
        ).status_code
        == 400
    )
    report = client.post(
        f"{API}/assignments/{assigned.json()['id']}/reports/",
        {"status": "implemented", "note": "Schedule amended.", "version": 1},
        format="json",
    )
    assert report.status_code == 201, report.content
    detail = client.get(f"{API}/recommendations/{pk}/").json()
    assert detail["status"] == "implemented" and detail["assignments"][0]["version"] == 2
    listed = client.get(f"{API}/recommendations/", {"section": "articles-5-6"}).json()
    assert listed["count"] == 1
    assert client.get(f"{API}/recommendations/", {"section": "x-1"}).status_code == 400
    changed = client.patch(f"{API}/recommendations/{pk}/", {"version": 1, "theme": "Extradition"})
    assert changed.status_code == 200 and changed.json()["theme"] == "Extradition"


def test_the_focal_point_reports_through_the_api_only_for_their_department(
    personas: Personas, recommendation: Recommendation
) -> None:
    client = api_as(personas.focal_point)
    police = assignment_of(recommendation, "police")
    fia = assignment_of(recommendation, "fia")
    body = {"status": "in_progress", "note": "Training planned", "version": 1}
    assert client.post(f"{API}/assignments/{fia.pk}/reports/", body).status_code == 403
    assert client.post(f"{API}/assignments/{police.pk}/reports/", body).status_code == 201
    assert client.post(f"{API}/assignments/{police.pk}/reports/", body).status_code == 409
    assert client.get(f"{API}/recommendations/").status_code == 200  # may read
    assert (
        client.patch(
            f"{API}/recommendations/{recommendation.pk}/", {"version": 1, "theme": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{API}/recommendations/{recommendation.pk}/assignments/", {"institution": "police"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("persona", ["outsider", "cpo", "auditor", "administrator"])
def test_roles_without_oversight_are_refused(
    personas: Personas, recommendation: Recommendation, persona: str
) -> None:
    client = api_as(getattr(personas, persona))
    police = assignment_of(recommendation, "police")
    for path in ("activities/", "legal-requests/", "recommendations/"):
        assert client.get(f"{API}/{path}").status_code == 403
        assert client.post(f"{API}/{path}", {}).status_code == 403
    assert client.get(f"{API}/recommendations/{recommendation.pk}/").status_code == 403
    body = {"status": "implemented", "note": "x", "version": 1}
    assert client.post(f"{API}/assignments/{police.pk}/reports/", body).status_code == 403
    assert api_as(None).get(f"{API}/activities/").status_code in {401, 403}


def test_a_supervisor_reads_but_does_not_write(
    personas: Personas, recommendation: Recommendation
) -> None:
    client = api_as(personas.supervisor)
    assert client.get(f"{API}/recommendations/{recommendation.pk}/").status_code == 200
    assert client.post(f"{API}/legal-requests/", {}).status_code == 403
    police = assignment_of(recommendation, "police")
    body = {"status": "implemented", "note": "x", "version": 1}
    assert client.post(f"{API}/assignments/{police.pk}/reports/", body).status_code == 403


def test_unknown_ids_are_404(personas: Personas) -> None:
    client = api_as(personas.analyst)
    for path in ("activities/999999/", "legal-requests/999999/", "recommendations/999999/"):
        assert client.get(f"{API}/{path}").status_code == 404
    body = {"status": "implemented", "note": "x", "version": 1}
    assert client.post(f"{API}/assignments/999999/reports/", body).status_code == 404


def test_the_schema_documents_every_endpoint(client, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    for path in (
        "/api/oversight/activities/",
        "/api/oversight/activities/{id}/",
        "/api/oversight/legal-requests/",
        "/api/oversight/legal-requests/{id}/",
        "/api/oversight/recommendations/",
        "/api/oversight/recommendations/{id}/",
        "/api/oversight/recommendations/{id}/assignments/",
        "/api/oversight/assignments/{id}/reports/",
    ):
        assert path in paths, path
