"""The legal catalogue through the API and pages: search, matrix, exports, rules, changes."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from cpmis.audit.models import AuditEvent
from cpmis.legal.models import Penalty, Provision
from cpmis.legal.selectors import rule_for
from cpmis.reference.models import Jurisdiction
from tests.conftest import Personas, api_as


def provision(statute: str, section: str) -> Provision:
    from cpmis.legal.text import section_key

    return Provision.objects.get(
        statute__code=statute, section_key=section_key(section), valid_to__isnull=True
    )


@pytest.mark.parametrize("query", ["377 b", "377-B", "377B", "377b"])
def test_provisions_are_found_by_number(personas: Personas, catalogue: Any, query: str) -> None:
    results = api_as(personas.analyst).get("/api/legal/provisions/", {"q": query}).json()["results"]
    assert "377-B" in {r["section"] for r in results}


def test_provisions_are_found_by_words(personas: Personas, catalogue: Any) -> None:
    results = api_as(personas.cpo).get("/api/legal/provisions/", {"q": "trafficking"}).json()
    assert results["count"] >= 2
    assert any(r["section"] == "369-A" for r in results["results"])
    sale = api_as(personas.cpo).get("/api/legal/provisions/", {"category": "sale"}).json()
    assert all(r["opsc_category"] == "sale" for r in sale["results"])


def test_the_matrix_has_every_article_and_jurisdiction_and_shows_gaps(
    personas: Personas, catalogue: Any
) -> None:
    body = api_as(personas.analyst).get("/api/legal/compliance-matrix/").json()
    assert [r["article"] for r in body["rows"]] == list(range(1, 13))
    assert body["columns"][0] == "federal" and len(body["columns"]) == 8
    gaps = sum(cell["gap"] for row in body["rows"] for cell in row["cells"].values())
    assert gaps == body["gaps"] > 0
    federal_art2 = body["rows"][1]["cells"]["federal"]
    assert not federal_art2["gap"] and all(
        p["report_paragraphs"] for p in federal_art2["provisions"]
    )


def test_the_matrix_filters_by_jurisdiction(personas: Personas, catalogue: Any) -> None:
    client = api_as(personas.analyst)
    body = client.get("/api/legal/compliance-matrix/", {"jurisdiction": "PK-KP"}).json()
    assert body["columns"] == ["federal", "PK-KP"]
    assert client.get("/api/legal/compliance-matrix/", {"jurisdiction": "PK-XX"}).status_code == 400
    assert (
        client.get("/api/legal/compliance-matrix/", {"jurisdiction": "Punjab"}).status_code == 400
    )


def test_the_matrix_exports_to_xlsx_and_docx(personas: Personas, catalogue: Any) -> None:
    client = api_as(personas.analyst)
    xlsx = client.get("/api/legal/compliance-matrix/", {"export": "xlsx"})
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A2"].value == "Article" and sheet["C2"].value == "Federal"
    assert sheet.max_row == 2 + 12
    assert "GAP" in " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    docx = client.get("/api/legal/compliance-matrix/", {"export": "docx", "jurisdiction": "PK-PB"})
    table = Document(io.BytesIO(docx.content)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Article", "Title", "Federal", "Punjab"]
    assert len(table.rows) == 13


def test_the_matrix_in_urdu_prints_right_to_left_in_nastaliq(
    personas: Personas, catalogue: Any
) -> None:
    client = api_as(personas.analyst)
    docx = client.get(
        "/api/legal/compliance-matrix/",
        {"export": "docx", "jurisdiction": "PK-PB"},
        HTTP_ACCEPT_LANGUAGE="ur",
    )
    document = Document(io.BytesIO(docx.content))
    table = document.tables[0]
    assert table._tbl.tblPr.find(qn("w:bidiVisual")) is not None  # columns from the right
    header = table.rows[0].cells[0].paragraphs[0]
    assert header.text == "آرٹیکل" and header._p.pPr.find(qn("w:bidi")) is not None
    fonts = header.runs[0]._r.rPr.rFonts
    assert fonts.get(qn("w:cs")) == "Noto Nastaliq Urdu"
    title = document.paragraphs[0]
    assert re.search("[\u0600-\u06ff]", title.text) and title._p.pPr.find(qn("w:bidi")) is not None


def test_the_pages(client: Any, personas: Personas, catalogue: Any) -> None:
    client.force_login(personas.analyst)
    matrix = client.get("/legal/matrix/", {"jurisdiction": "PK-KP"})
    assert matrix.status_code == 200 and b"Khyber" in matrix.content and b"gap" in matrix.content
    assert client.get("/legal/matrix.xlsx").status_code == 200
    assert client.get("/legal/matrix.pdf").status_code == 404
    search = client.get("/legal/", {"q": "369A"})
    assert b"369-A" in search.content
    assert client.get("/legal/statutes/ppc-1860/").status_code == 200
    assert client.get("/legal/rules/", {"jurisdiction": "PK-KP"}).status_code == 200


def test_rules_come_from_the_jurisdiction_law_or_a_labelled_policy_default(catalogue: Any) -> None:
    kp = Jurisdiction.objects.get(iso_code="PK-KP")
    sindh = Jurisdiction.objects.get(iso_code="PK-SD")
    law = rule_for("final_decision", kp)
    assert law.is_law and law.months == 4 and "KP" in law.citation and "¶52" in law.citation
    default = rule_for("final_decision", sindh)
    assert not default.is_law and default.months == 4 and "policy" in default.citation
    assert rule_for("production_before_court", kp).hours == 24


def test_the_rules_api(personas: Personas, catalogue: Any) -> None:
    rules = api_as(personas.cpo).get("/api/legal/rules/", {"jurisdiction": "PK-SD"}).json()
    by_code = {r["code"]: r for r in rules}
    assert by_code["final_decision"]["basis"] == "policy"
    assert api_as(personas.cpo).get("/api/legal/rules/", {"jurisdiction": "XX"}).status_code == 400


@pytest.mark.parametrize(
    ("sentence", "within"),
    [
        ({"prison_months": 72}, True),
        ({"prison_months": 48}, False),
        ({"prison_months": 96}, False),
        ({"fine_rs": 600_000}, True),
        ({"fine_rs": 100_000}, False),
        ({"prison_months": 60, "fine_rs": 700_000}, True),
        ({"life": True}, False),
        ({}, False),
    ],
)
def test_a_sentence_is_checked_against_the_statutory_range(
    personas: Personas, catalogue: Any, sentence: dict[str, Any], within: bool
) -> None:
    trafficking = provision("ppc-1860", "369-A")
    response = api_as(personas.analyst).post(
        "/api/legal/sentence-check/", {"provision": trafficking.pk, **sentence}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["within"] is within, response.json()


def test_a_term_of_years_for_an_offence_punished_only_with_life_is_refused(
    personas: Personas, catalogue: Any
) -> None:
    kidnapping = provision("ppc-1860", "365-B")  # "liable to be punished for life" (¶28)
    client = api_as(personas.analyst)

    def check(pk: int, sentence: dict[str, Any]) -> dict[str, Any]:
        response = client.post(
            "/api/legal/sentence-check/", {"provision": pk, **sentence}, format="json"
        )
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        return body

    term = check(kidnapping.pk, {"prison_months": 120})
    assert term["within"] is False, term
    assert term["reasons"] == [
        "A term of 120 months is outside the law: PPC s.365-B allows imprisonment for life "
        "only (report ¶28)."
    ]
    assert check(kidnapping.pk, {"life": True}) == {
        "provision": "PPC s.365-B",
        "within": True,
        "reasons": [],
    }
    # an offence with a term range is judged by its range
    child_kidnapping = provision("ppc-1860", "364-A")  # 7 to 14 years (¶29)
    assert check(child_kidnapping.pk, {"prison_months": 120})["within"] is True
    assert check(child_kidnapping.pk, {"prison_months": 180})["reasons"] == [
        "Above the maximum of 168 months."
    ]
    assert check(child_kidnapping.pk, {"life": True})["within"] is False


def test_the_compliance_page_shows_when_pakistan_signed_ratified_and_was_bound(
    client: Any, personas: Personas, catalogue: Any
) -> None:
    client.force_login(personas.cpo)
    page = client.get("/legal/matrix/").content.decode()
    for line in (
        "Signed by Pakistan: 26 September 2001",
        "Ratified by Pakistan: 5 July 2011",
        "Entered into force for Pakistan: 5 August 2011",
    ):
        assert line in " ".join(re.sub(r"<[^>]+>", " ", page).split()), line
    assert "¶1" in page


def test_an_amendment_is_a_new_version_with_history_and_audit(
    personas: Personas, catalogue: Any
) -> None:
    current = provision("ppc-1860", "369-A")
    # An amendment in force from a day still to come, in any year the suite runs.
    later = date(timezone.localdate().year + 4, 1, 1)
    client = api_as(personas.administrator)
    response = client.post(
        f"/api/legal/provisions/{current.pk}/amend/",
        {
            "valid_from": later.isoformat(),
            "amended_by": "cla-2016",
            "penalty": {
                "prison_min_months": 84,
                "prison_max_months": 120,
                "combination": "and_liable_to_fine",
                "penalty_text": "Hypothetical.",
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    current.refresh_from_db()
    assert current.valid_to == later
    assert Penalty.objects.get(provision=current).prison_max_months == 84  # untouched
    new = Provision.objects.get(pk=response.json()["id"])
    assert new.penalty.prison_max_months == 120
    detail = client.get(f"/api/legal/provisions/{current.pk}/").json()
    assert len(detail["versions"]) == 2
    assert [h["type"] for h in detail["history"]][:1] == ["~"]
    assert detail["history"][0]["user"] == "administrator"
    assert AuditEvent.objects.filter(action="legal.provision.amend").exists()
    # today the old version is still the one in force
    results = client.get("/api/legal/provisions/", {"q": "369A"}).json()["results"]
    assert [r["id"] for r in results if r["section"] == "369-A"] == [current.pk]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "penalty/",
            {
                "prison_min_months": 100,
                "prison_max_months": 10,
                "combination": "or",
                "penalty_text": "x",
            },
            "prison_min_months",
        ),
        (
            "penalty/",
            {"fine_min_rs": 5, "fine_max_rs": 1, "combination": "fine_only", "penalty_text": "x"},
            "fine_min_rs",
        ),
        ("", {"report_paragraphs": [98]}, "report_paragraphs"),
        ("", {"report_paragraphs": []}, "report_paragraphs"),
        ("amend/", {"valid_from": "1800-01-01", "amended_by": "cla-2016"}, "valid_from"),
        ("amend/", {"valid_from": "2030-01-01", "amended_by": "nothing"}, "amended_by"),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_written(
    personas: Personas, catalogue: Any, path: str, body: dict[str, Any], field: str
) -> None:
    target = provision("ppc-1860", "369-A")
    before = (
        Provision.objects.count(),
        AuditEvent.objects.count(),
        Penalty.objects.get(provision=target).prison_max_months,
    )
    method = "put" if path == "penalty/" else ("post" if path else "patch")
    response = getattr(api_as(personas.administrator), method)(
        f"/api/legal/provisions/{target.pk}/{path}", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in str(response.json())
    after = (
        Provision.objects.count(),
        AuditEvent.objects.count(),
        Penalty.objects.get(provision=target).prison_max_months,
    )
    assert after == before


def test_a_new_provision_that_overlaps_is_refused(personas: Personas, catalogue: Any) -> None:
    body = {
        "statute": "ppc-1860",
        "section": "369-A",
        "title": "Duplicate",
        "kind": "offence",
        "report_paragraphs": [25],
    }
    response = api_as(personas.administrator).post("/api/legal/provisions/", body, format="json")
    assert response.status_code == 400 and "in force" in str(response.json())


@pytest.mark.parametrize("persona", ["cpo", "supervisor", "analyst", "auditor", "outsider"])
def test_only_editors_change_the_law(personas: Personas, catalogue: Any, persona: str) -> None:
    target = provision("ppc-1860", "369-A")
    client = api_as(getattr(personas, persona))
    assert (
        client.patch(
            f"/api/legal/provisions/{target.pk}/", {"notes": "x"}, format="json"
        ).status_code
        == 403
    )
    assert client.get(f"/api/legal/provisions/{target.pk}/").status_code == 200
    assert api_as(None).get("/api/legal/compliance-matrix/").status_code in {401, 403}


def test_an_editor_corrects_a_provision_on_its_page(
    client: Any, personas: Personas, catalogue: Any
) -> None:
    target = provision("ppc-1860", "292-C")
    client.force_login(personas.analyst)
    page = client.get(f"/legal/provisions/{target.pk}/")
    assert page.status_code == 200 and b"Evidence in the report" in page.content
    assert b"Correct this version" not in page.content
    assert client.post(f"/legal/provisions/{target.pk}/", {"notes": "x"}).status_code == 403
    client.force_login(personas.administrator)
    form = {
        "title": target.title,
        "kind": "offence",
        "report_paragraphs": "27; 3",
        "notes": "Reviewed.",
        "prison_min_months": "24",
        "prison_max_months": "84",
        "fine_min_rs": "200000",
        "fine_max_rs": "700000",
        "combination": "or_both",
        "penalty_text": target.penalty.penalty_text,
    }
    assert client.post(f"/legal/provisions/{target.pk}/", form).status_code == 302
    target.refresh_from_db()
    assert target.notes == "Reviewed." and target.report_paragraphs == [3, 27]
    assert target.history.first().history_user == personas.administrator
    bad = client.post(
        f"/legal/provisions/{target.pk}/",
        {**form, "prison_min_months": "100", "notes": "Not saved."},
    )
    assert bad.status_code == 400 and b"above the maximum" in bad.content
    target.refresh_from_db()
    assert target.notes == "Reviewed."


def test_matrix_entries_are_added_and_removed_with_audit(
    personas: Personas, catalogue: Any
) -> None:
    from cpmis.legal.models import ComplianceLink

    client = api_as(personas.administrator)
    target = provision("kp-cpwa-2010", "20")
    gaps = client.get("/api/legal/compliance-matrix/").json()["gaps"]
    body = {
        "article": 12,
        "statute": "kp-cpwa-2010",
        "provision": target.pk,
        "report_paragraphs": [52],
    }
    created = client.post("/api/legal/compliance-links/", body, format="json")
    assert created.status_code == 201, created.content
    link = ComplianceLink.objects.get(pk=created.json()["id"])
    assert link.jurisdiction.iso_code == "PK-KP"  # the statute's jurisdiction
    assert client.get("/api/legal/compliance-matrix/").json()["gaps"] == gaps - 1
    wrong = client.post(
        "/api/legal/compliance-links/", {**body, "statute": "ppc-1860"}, format="json"
    )
    assert wrong.status_code == 400
    assert (
        client.post(
            "/api/legal/compliance-links/", {**body, "report_paragraphs": [0]}, format="json"
        ).status_code
        == 400
    )
    assert (
        api_as(personas.analyst).delete(f"/api/legal/compliance-links/{link.pk}/").status_code
        == 403
    )
    assert client.delete(f"/api/legal/compliance-links/{link.pk}/").status_code == 204
    assert ComplianceLink.history.filter(id=link.pk, history_type="-").exists()
    assert AuditEvent.objects.filter(action="legal.compliance.remove").exists()
