"""The oversight screens: forms that save through the services, clear messages, refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cpmis.oversight.models import (
    LegalAssistanceRequest,
    PreventionActivity,
    Recommendation,
)
from tests.conftest import Personas, web_as

from .conftest import assignment_of, days_ago, when_run

# The forms refuse dates in the future and count from today: the clock is pinned.
pytestmark = pytest.mark.clock


def activity_form(**values: Any) -> dict[str, Any]:
    return {
        "kind": "training",
        "title": "Prosecuting OPSC offences",
        "topic": "sexual_exploitation",
        "held_on": str(days_ago(5)),
        "jurisdiction": "PK-PB",
        "district": "PK617",
        "organiser": "prosecution",
        "report_paragraphs": "94; 95",
        "p-prosecution-female": "6",
        "p-prosecution-male": "19",
        "p-police-male": "",
        **values,
    }


def test_the_index_and_lists_render(client: Any, personas: Personas, activity: Any) -> None:
    web_as(client, personas.analyst)
    index = client.get("/oversight/")
    assert index.status_code == 200 and "Record an activity" in index.content.decode()
    page = client.get("/oversight/activities/", {"kind": "training", "year": "2000"})
    assert page.status_code == 200 and activity.title not in page.content.decode()
    page = client.get("/oversight/activities/", {"kind": "training"})
    assert activity.title in page.content.decode()
    wrong = client.get("/oversight/activities/", {"year": "next", "kind": "\x00"})
    assert wrong.status_code == 200 and activity.title in wrong.content.decode()
    for path in ("/oversight/legal-requests/", "/oversight/recommendations/"):
        assert client.get(path, {"status": "<b>", "section": "%"}).status_code == 200


def test_an_activity_is_recorded_from_the_form_with_its_grid(
    client: Any, personas: Personas
) -> None:
    web_as(client, personas.analyst)
    assert client.get("/oversight/activities/new").status_code == 200
    response = client.post("/oversight/activities/new", activity_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = PreventionActivity.objects.get()
    assert activity.report_paragraphs == [94, 95] and activity.participants_total == 25
    page = client.get(response.url).content.decode()
    assert 'value="19"' in page and 'name="version" value="1"' in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"held_on": lambda: str(days_ago(-3))}, "cannot be in the future"),
        ({"ended_on": lambda: str(days_ago(30))}, "last day cannot be before"),
        ({"district": "PK528"}, "not in the province"),
        ({"p-police-male": "many"}, "Give whole numbers"),
        ({"title": ""}, "may not be blank"),
        ({"report_paragraphs": "two"}, "report_paragraphs"),
    ],
)
def test_a_wrong_activity_form_says_what_is_wrong(
    client: Any, personas: Personas, values: dict[str, str], message: str
) -> None:
    web_as(client, personas.analyst)
    response = client.post("/oversight/activities/new", activity_form(**when_run(values)))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PreventionActivity.objects.exists()


def test_a_stale_edit_is_refused_with_a_message(
    client: Any, personas: Personas, activity: PreventionActivity
) -> None:
    web_as(client, personas.analyst)
    url = f"/oversight/activities/{activity.pk}/"
    ok = client.post(url, activity_form(version="1", title="Day one"))
    assert ok.status_code == 302
    stale = client.post(url, activity_form(version="1", title="Day two"))
    assert stale.status_code == 400 and "changed by someone else" in stale.content.decode()
    assert PreventionActivity.objects.get().title == "Day one"


def test_legal_request_form(client: Any, personas: Personas) -> None:
    web_as(client, personas.analyst)
    data = {
        "kind": "mla",
        "direction": "outgoing",
        "country": "om",
        "dated_on": str(days_ago(9)),
        "opsc_category": "sale",
        "status": "granted",
    }
    missing = client.post("/oversight/legal-requests/new", data)
    assert missing.status_code == 400 and "date of the decision" in missing.content.decode()
    response = client.post(
        "/oversight/legal-requests/new", {**data, "decided_on": str(days_ago(2))}
    )
    assert response.status_code == 302
    assert LegalAssistanceRequest.objects.get().country == "OM"
    assert "Oman" in client.get("/oversight/legal-requests/").content.decode()


def test_recommendation_pages(client: Any, personas: Personas) -> None:
    web_as(client, personas.analyst)
    data = {
        "document": "CRC/C/OPSC/PAK/CO/1",
        "paragraph": "24",
        "text": "Provide shelter and psychosocial care.",
        "issued_on": str(days_ago(50)),
        "report_sections": ["article-8", "articles-9-11"],
        "articles": ["9"],
    }
    bad = client.post("/oversight/recommendations/new", {**data, "report_sections": ["nope"]})
    assert bad.status_code == 400 and "Unknown section code" in bad.content.decode()
    response = client.post("/oversight/recommendations/new", data)
    assert response.status_code == 302
    rec = Recommendation.objects.get()
    assert rec.articles == [9]
    url = f"/oversight/recommendations/{rec.pk}/"
    added = client.post(
        f"{url}assignments", {"form": "add", "institution": "health", "status": "in_progress"}
    )
    assert added.status_code == 302
    unknown = client.post(f"{url}assignments", {"form": "add", "institution": "nasa"})
    assert unknown.status_code == 400
    page = client.get(url).content.decode()
    assert "Health" in page and "In progress" in page and "Report the status" in page
    edit = client.post(f"/oversight/recommendations/{rec.pk}/edit", {**data, "version": "1"})
    assert edit.status_code == 302
    listed = client.get("/oversight/recommendations/", {"institution": "health"}).content
    assert b"24" in listed


def test_the_focal_point_reports_from_the_page_for_their_department_only(
    client: Any, personas: Personas, recommendation: Recommendation
) -> None:
    web_as(client, personas.focal_point)
    police = assignment_of(recommendation, "police")
    fia = assignment_of(recommendation, "fia")
    page = client.get(f"/oversight/recommendations/{recommendation.pk}/").content.decode()
    assert f"/oversight/assignments/{police.pk}/report" in page
    assert f"/oversight/assignments/{fia.pk}/report" not in page
    assert "Give it to an institution" not in page
    body = {"status": "in_progress", "note": "Rooms being built", "version": "1"}
    assert client.post(f"/oversight/assignments/{fia.pk}/report", body).status_code == 403
    empty = client.post(f"/oversight/assignments/{police.pk}/report", {**body, "note": ""})
    assert empty.status_code == 400 and "may not be blank" in empty.content.decode()
    done = client.post(f"/oversight/assignments/{police.pk}/report", body)
    assert done.status_code == 302
    police.refresh_from_db()
    assert police.status == "in_progress"
    assert "Rooms being built" in client.get(done.url).content.decode()
    assert client.get("/oversight/activities/new").status_code == 403


@pytest.mark.parametrize("persona", ["outsider", "cpo", "auditor"])
def test_pages_refuse_roles_without_oversight(
    client: Any, personas: Personas, recommendation: Recommendation, persona: str
) -> None:
    web_as(client, getattr(personas, persona))
    police = assignment_of(recommendation, "police")
    for path in (
        "/oversight/",
        "/oversight/activities/",
        "/oversight/activities/new",
        "/oversight/legal-requests/",
        "/oversight/recommendations/",
        f"/oversight/recommendations/{recommendation.pk}/",
    ):
        assert client.get(path).status_code == 403, path
    body = {"status": "implemented", "note": "x", "version": "1"}
    assert client.post(f"/oversight/assignments/{police.pk}/report", body).status_code == 403


def test_pages_need_a_sign_in_and_unknown_ids_are_404(client: Any, personas: Personas) -> None:
    response = client.get("/oversight/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    web_as(client, personas.analyst)
    for path in (
        "/oversight/activities/424242/",
        "/oversight/legal-requests/424242/",
        "/oversight/recommendations/424242/",
        "/oversight/recommendations/424242/edit",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post("/oversight/assignments/424242/report", {}).status_code == 404


def test_a_supervisor_sees_but_cannot_change(
    client: Any, personas: Personas, activity: PreventionActivity
) -> None:
    web_as(client, personas.supervisor)
    url = f"/oversight/activities/{activity.pk}/"
    page = client.get(url).content.decode()
    assert "Participants (16)" in page and '<form method="post" class="form"' not in page
    assert client.post(url, activity_form(version="1")).status_code == 403


def test_dates_are_typed_day_first_and_shown_back_that_way(client: Any, personas: Personas) -> None:
    web_as(client, personas.analyst)
    held = days_ago(5)
    response = client.post(
        "/oversight/activities/new", activity_form(held_on=held.strftime("%d/%m/%Y"))
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PreventionActivity.objects.get().held_on == held
    form = client.get(response.url).content.decode()
    assert f'value="{held.strftime("%d/%m/%Y")}"' in form
    assert 'type="date"' not in form and 'placeholder="dd/mm/yyyy"' in form


@pytest.mark.parametrize("typed", ["12/31/2025", "yesterday", "31-02-2025"])
def test_a_date_that_is_not_one_says_what_to_type(
    client: Any, personas: Personas, typed: str
) -> None:
    web_as(client, personas.analyst)
    response = client.post("/oversight/activities/new", activity_form(held_on=typed))
    assert response.status_code == 400
    page = response.content.decode()
    assert "dd/mm/yyyy" in page or "There is no such day" in page
    assert f'value="{typed}"' in page, "what was typed stays in the box"
    assert not PreventionActivity.objects.exists()


def test_an_assignment_due_date_is_typed_day_first(client: Any, personas: Personas) -> None:
    web_as(client, personas.analyst)
    made = client.post(
        "/oversight/recommendations/new",
        {
            "document": "CRC/C/OPSC/PAK/CO/1",
            "paragraph": "25",
            "text": "Train judges.",
            "issued_on": days_ago(50).strftime("%d %b %Y"),
            "report_sections": ["article-8"],
        },
    )
    assert made.status_code == 302
    rec = Recommendation.objects.get()
    assert rec.issued_on == days_ago(50)
    url = f"/oversight/recommendations/{rec.pk}/"
    wrong = client.post(
        f"{url}assignments", {"form": "add", "institution": "health", "due_on": "soon"}
    )
    assert wrong.status_code == 400 and "is not a date" in wrong.content.decode()
    due = timezone.localdate() + timedelta(days=40)
    added = client.post(
        f"{url}assignments",
        {"form": "add", "institution": "health", "due_on": due.strftime("%d/%m/%Y")},
    )
    assert added.status_code == 302
    assert rec.assignments.get().due_on == due
