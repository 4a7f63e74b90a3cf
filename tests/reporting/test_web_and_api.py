"""The report's pages and API: who may do what, conflicts, bad input (400/404, never 500)
and the downloads."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cpmis.reporting import services
from cpmis.reporting.models import NarrativeVersion, ReportEdition, ReviewComment
from tests.conftest import Personas, api_as, web_as


def test_the_api_lists_and_creates_editions(personas: Personas) -> None:
    body = {
        "title": "Second periodic report",
        "reporting_year": 2025,
        "period_from": "2025-01-01",
        "period_to": "2025-12-31",
    }
    created = api_as(personas.analyst).post("/api/reports/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft"
    listed = api_as(personas.supervisor).get("/api/reports/")
    assert listed.status_code == 200 and listed.json()["count"] == 1
    assert api_as(personas.supervisor).post("/api/reports/", body, format="json").status_code == 403
    for who in (personas.cpo, personas.outsider):
        assert api_as(who).get("/api/reports/").status_code == 403
    assert api_as(None).get("/api/reports/").status_code in {401, 403}
    bad = {**body, "period_from": "2026-01-01"}
    assert api_as(personas.analyst).post("/api/reports/", bad, format="json").status_code == 400


def test_the_api_saves_versions_and_reports_conflicts(
    personas: Personas, edition: ReportEdition
) -> None:
    api = api_as(personas.analyst)
    url = f"/api/reports/{edition.pk}/sections/process/versions/"
    first = api.post(url, {"text": "A zero draft was shared.", "base_number": 0}, format="json")
    assert first.status_code == 201 and first.json()["number"] == 1
    assert api.post(url, {"text": "Mine", "base_number": 1}, format="json").status_code == 201
    stale = api.post(url, {"text": "Theirs", "base_number": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["text"] == "Mine" and stale.json()["current"]["number"] == 2
    assert [v["number"] for v in api.get(url).json()["results"]] == [2, 1]
    diff = api.get(f"/api/reports/{edition.pk}/sections/process/diff/?old=1&new=2")
    assert diff.status_code == 200 and "<ins>Mine</ins>" in diff.json()["html"]
    supervisor = api_as(personas.supervisor)
    assert supervisor.post(url, {"text": "x", "base_number": 2}, format="json").status_code == 403
    assert supervisor.get(url).status_code == 200
    detail = supervisor.get(f"/api/reports/{edition.pk}/").json()
    process = next(s for s in detail["sections"] if s["code"] == "process")
    assert process["current"]["number"] == 2


def test_bad_input_is_a_400_or_404_never_a_500(personas: Personas, edition: ReportEdition) -> None:
    api = api_as(personas.analyst)
    base = f"/api/reports/{edition.pk}"
    assert (
        api.post(f"{base}/sections/nope/versions/", {"text": "x", "base_number": 0}).status_code
        == 400
    )
    assert api.get(f"{base}/sections/nope/comments/").status_code == 400
    assert api.get("/api/reports/999999/").status_code == 404
    assert api.get("/api/reports/99999999999999/").status_code == 404
    assert api.get(f"{base}/sections/process/diff/?old=1&new=7").status_code == 404
    assert api.get(f"{base}/sections/process/diff/?old=x").status_code == 400
    url = f"{base}/sections/process/versions/"
    for value in ["\x00", "", None, [], {}, 10**30, "ی" * 2000, "<script>alert(1)</script>"]:
        for field in ("text", "base_number", "summary"):
            body: dict[str, Any] = {"text": "ok", "base_number": 0, field: value}
            response = api.post(url, body, format="json")
            assert response.status_code < 500, (field, value, response.content[:200])
    comments = f"{base}/sections/process/comments/"
    for body in ({"text": ""}, {"text": "x", "reply_to": 999}, {"text": "x", "on_version": 9}):
        assert api.post(comments, body, format="json").status_code == 400
    assert api.post(f"{base}/status/", {"status": "nope"}, format="json").status_code == 400


def test_comments_through_the_api(personas: Personas, edition: ReportEdition) -> None:
    supervisor, analyst = api_as(personas.supervisor), api_as(personas.analyst)
    url = f"/api/reports/{edition.pk}/sections/introduction/comments/"
    made = supervisor.post(url, {"text": "Please cite ¶15."}, format="json")
    assert made.status_code == 201, made.content
    comment_id = made.json()["id"]
    reply = analyst.post(url, {"text": "Done.", "reply_to": comment_id}, format="json")
    assert reply.status_code == 201 and reply.json()["reply_to"] == comment_id
    assert api_as(personas.cpo).post(url, {"text": "x"}, format="json").status_code == 403
    theirs = analyst.post(url, {"text": "Editor's own note"}, format="json").json()["id"]
    resolve = f"/api/reports/{edition.pk}/comments/{{}}/resolve/"
    assert supervisor.post(resolve.format(theirs)).status_code == 403
    assert supervisor.post(resolve.format(comment_id)).status_code == 200
    assert supervisor.post(resolve.format(comment_id)).status_code == 409
    assert analyst.post(resolve.format(999999)).status_code == 404
    assert [c["resolved_at"] is not None for c in analyst.get(url).json()["results"]] == [
        True,
        True,
        False,
    ]


def test_a_final_edition_refuses_new_text(personas: Personas, edition: ReportEdition) -> None:
    api = api_as(personas.analyst)
    assert api.post(f"/api/reports/{edition.pk}/status/", {"status": "final"}).status_code == 200
    response = api.post(
        f"/api/reports/{edition.pk}/sections/process/versions/",
        {"text": "x", "base_number": 0},
        format="json",
    )
    assert response.status_code == 400


def test_the_docx_download(
    personas: Personas, edition: ReportEdition, tables: dict[str, Any], client: Any
) -> None:
    response = api_as(personas.supervisor).get(f"/api/reports/{edition.pk}/report.docx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response.content[:2] == b"PK"
    assert api_as(personas.cpo).get(f"/api/reports/{edition.pk}/report.docx").status_code == 403
    page = web_as(client, personas.supervisor).get(f"/reports/{edition.pk}/report.docx")
    assert page.status_code == 200 and "attachment" in page["Content-Disposition"]
    assert client.get("/reports/999999/report.docx").status_code == 404


# --- pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["cpo", "outsider"])
def test_pages_are_refused_without_the_capability(
    personas: Personas, edition: ReportEdition, client: Any, who: str
) -> None:
    web_as(client, getattr(personas, who))
    for path in (
        "/reports/",
        f"/reports/{edition.pk}/",
        f"/reports/{edition.pk}/sections/process/history",
        f"/reports/{edition.pk}/report.pdf",
    ):
        assert client.get(path).status_code == 403, path


def test_the_edition_page_shows_sections_narratives_and_comments(
    personas: Personas, edition: ReportEdition, client: Any
) -> None:
    services.narrative_save(
        actor=personas.analyst,
        edition=edition,
        section="process",
        text="A zero draft was shared with stakeholders.",
        base_number=0,
    )
    services.comment_add(
        actor=personas.supervisor, edition=edition, section="process", text="Name them."
    )
    page = web_as(client, personas.supervisor).get(f"/reports/{edition.pk}/").content.decode()
    assert "A zero draft was shared with stakeholders." in page
    assert "Name them." in page and "version 1 by analyst" in page
    assert "Report (DOCX)" in page and "Report (PDF)" in page
    assert "/sections/process/edit" not in page, "a supervisor is not offered the editor"
    # The only script is the shell's menu (a file: the CSP forbids inline scripts).
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/cpmis/menu.js" defer>']
    assert client.get(f"/reports/{edition.pk}/sections/process/edit").status_code == 403


def test_the_list_page_creates_an_edition_or_shows_form_errors(
    personas: Personas, client: Any
) -> None:
    web_as(client, personas.analyst)
    bad = client.post("/reports/", {"title": "", "reporting_year": "abc"})
    assert bad.status_code == 400 and b"error" in bad.content
    made = client.post(
        "/reports/",
        {
            "title": "Second periodic report",
            "reporting_year": "2025",
            "period_from": "2025-01-01",
            "period_to": "2025-12-31",
        },
    )
    assert made.status_code == 302
    edition = ReportEdition.objects.get()
    assert made.url == f"/reports/{edition.pk}/"
    web_as(client, personas.supervisor)
    assert client.post("/reports/", {"title": "x"}).status_code == 404


def test_an_edition_period_is_typed_day_first(personas: Personas, client: Any) -> None:
    web_as(client, personas.analyst)
    body = {"title": "Third report", "reporting_year": "2025", "period_to": "31/12/2025"}
    wrong = client.post("/reports/", {**body, "period_from": "1st of January"})
    assert wrong.status_code == 400 and "dd/mm/yyyy" in wrong.content.decode()
    assert 'value="1st of January"' in wrong.content.decode()
    made = client.post("/reports/", {**body, "period_from": "01/01/2025"})
    assert made.status_code == 302
    edition = ReportEdition.objects.get()
    assert str(edition.period_from) == "2025-01-01" and str(edition.period_to) == "2025-12-31"
    listed = client.get("/reports/").content.decode()
    assert "1 Jan 2025 – 31 Dec 2025" in listed


def test_the_editor_keeps_your_text_on_a_conflict(
    personas: Personas, edition: ReportEdition, client: Any
) -> None:
    url = f"/reports/{edition.pk}/sections/article-8/edit"
    web_as(client, personas.analyst)
    page = client.get(url).content.decode()
    assert 'name="base_number" value="0"' in page
    assert client.post(url, {"text": "First", "base_number": "0"}).status_code == 302
    services.narrative_save(
        actor=personas.analyst, edition=edition, section="article-8", text="Theirs", base_number=1
    )
    conflict = client.post(url, {"text": "My careful text", "base_number": "1"})
    assert conflict.status_code == 409
    body = conflict.content.decode()
    assert "Your text was not saved" in body and "My careful text" in body and "Theirs" in body
    assert 'name="base_number" value="2"' in body
    assert client.post(url, {"text": "Merged", "base_number": "2"}).status_code == 302
    assert NarrativeVersion.objects.filter(section="article-8").count() == 3
    assert client.post(url, {"text": "x", "base_number": "-4"}).status_code == 400
    assert client.post(url, {"text": "a\x00b", "base_number": "3"}).status_code == 400
    assert client.get(f"/reports/{edition.pk}/sections/nope/edit").status_code == 404
    assert client.get("/reports/424242/sections/process/edit").status_code == 404


def test_history_comments_and_resolve_pages(
    personas: Personas, edition: ReportEdition, client: Any
) -> None:
    a = personas.analyst
    services.narrative_save(
        actor=a, edition=edition, section="process", text="One <i>", base_number=0
    )
    services.narrative_save(
        actor=a, edition=edition, section="process", text="Two <i>", base_number=1
    )
    web_as(client, personas.supervisor)
    history = client.get(f"/reports/{edition.pk}/sections/process/history")
    assert history.status_code == 200
    assert b"<del>One</del><ins>Two</ins>" in history.content and b"&lt;i&gt;" in history.content
    assert (
        client.get(f"/reports/{edition.pk}/sections/process/history?old=1&new=9").status_code == 404
    )
    assert client.get(f"/reports/{edition.pk}/sections/process/history?old=x").status_code == 404
    posted = client.post(
        f"/reports/{edition.pk}/sections/process/comment", {"text": "Clearer?", "on_version": "2"}
    )
    assert posted.status_code == 302
    comment = ReviewComment.objects.get()
    assert comment.on_version is not None and comment.on_version.number == 2
    assert (
        client.post(f"/reports/{edition.pk}/sections/process/comment", {"text": ""}).status_code
        == 302
    )
    assert ReviewComment.objects.count() == 1
    assert client.post(f"/reports/{edition.pk}/comments/{comment.pk}/resolve").status_code == 302
    comment.refresh_from_db()
    assert comment.resolved_by == personas.supervisor
    assert client.post(f"/reports/{edition.pk}/comments/999999/resolve").status_code == 404
