"""The public pages (no account, English and Urdu) and the staff API and pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings

from cpmis.cases.models import Case
from cpmis.complaints.models import Complaint, ComplaintChild, Status
from tests.conftest import LAHORE, api_as, web_as

CODE = re.compile(r'data-tracking-code="([^"]+)"')


def public_form(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "language": "en",
        "jurisdiction": "PK-PB",
        "district": LAHORE,
        "concerns": ["sexually_abused"],
        "narrative": "Our neighbour's daughter is taken to a house at night.",
        "child_name": "Zainab",
        "child_age": "12",
        "child_sex": "female",
        "reporter_kind": "anonymous",
        "website": "",
    }
    values.update(overrides)
    return values


def submit(client: Client, **overrides: Any) -> Any:
    return client.post("/complaint/", public_form(**overrides))


@pytest.mark.django_db
def test_anyone_files_a_complaint_and_checks_its_status_with_the_code(client: Client) -> None:
    page = client.get("/complaint/")
    assert page.status_code == 200 and b"<script" not in page.content
    response = submit(client)
    assert response.status_code == 200
    code = CODE.search(response.content.decode()).group(1)  # type: ignore[union-attr]
    complaint = Complaint.objects.get()
    assert complaint.channel == "online" and complaint.recorded_by is None
    assert code.replace("-", "") not in complaint.tracking  # only a keyed hash is kept
    assert ComplaintChild.objects.get().name == "Zainab"
    status = client.post("/complaint/status/", {"code": code.lower()})
    body = status.content.decode()
    assert 'data-status="received"' in body
    assert "Zainab" not in body and "Lahore" not in body and "neighbour" not in body


@pytest.mark.django_db
def test_unknown_and_mistyped_codes_get_the_same_not_found(client: Client) -> None:
    code = CODE.search(submit(client).content.decode()).group(1)  # type: ignore[union-attr]
    mistyped = ("1" if code[0] != "1" else "2") + code[1:]
    answers = set()
    for typed in (mistyped, "ZZZZ-ZZZZ-ZZZ", "not a code", "\x00", "<script>alert(1)</script>"):
        response = client.post("/complaint/status/", {"code": typed})
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-status="not-found"' in body and "<script>alert" not in body
        answers.add(body.split('data-status="not-found">', 1)[1].split("</div>", 1)[0])
    assert len(answers) == 1


@pytest.mark.django_db
def test_the_public_pages_speak_urdu(client: Client) -> None:
    page = client.get("/complaint/?lang=ur")
    body = page.content.decode()
    assert 'lang="ur" dir="rtl"' in body
    assert "بچے" in body  # the form's heading is translated
    assert "Tell us about a child" not in body
    response = submit(
        client, language="ur", narrative="ہمسائے کی بیٹی کو رات کو ایک گھر لے جاتے ہیں"
    )
    assert 'dir="rtl"' in response.content.decode()
    assert Complaint.objects.get().language == "ur"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"district": ""}, "Choose the district"),
        ({"jurisdiction": ""}, "Choose the province"),
        ({"district": "PK528"}, "Choose the district"),  # Peshawar is not in Punjab
        ({"concerns": []}, "Choose at least one"),
        ({"narrative": "x" * 6000}, "Tell us what happened"),
        ({"child_age": "40"}, "0 to 17"),
        ({"narrative": "bad\x00byte"}, "has control characters"),
    ],
)
def test_a_mistake_brings_the_form_back_filled_in_with_a_plain_message(
    client: Client, overrides: dict[str, Any], message: str
) -> None:
    response = submit(client, **overrides)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Zainab" in body  # nothing typed is lost
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_script_in_any_field_is_shown_as_text(client: Client, personas: Any) -> None:
    evil = "<script>alert(1)</script>"
    submit(client, narrative=evil, child_name=evil, place=evil)
    complaint = Complaint.objects.get()
    staff = web_as(Client(), personas.cpo)
    page = staff.get(f"/complaints/{complaint.uuid}/").content.decode()
    assert evil not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_the_honeypot_drops_robots_silently(client: Client) -> None:
    response = submit(client, website="http://spam.example")
    assert response.status_code == 200 and not CODE.search(response.content.decode())
    assert not Complaint.objects.exists()


@pytest.mark.django_db
@override_settings(CPMIS_PUBLIC_RATE_LIMIT="2/h")
def test_a_flood_from_one_address_is_held_back_and_the_form_kept(client: Client) -> None:
    for i in range(2):
        assert submit(client, narrative=f"complaint {i}").status_code == 200
    response = submit(client, narrative="third")
    assert response.status_code == 429
    assert "third" in response.content.decode()
    assert Complaint.objects.count() == 2
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert submit(other, narrative="from elsewhere").status_code == 200


@pytest.mark.django_db
@override_settings(CPMIS_STATUS_RATE_LIMIT="3/h")
def test_status_lookups_are_limited_per_address(client: Client) -> None:
    for _ in range(3):
        assert client.post("/complaint/status/", {"code": "x"}).status_code == 200
    assert client.post("/complaint/status/", {"code": "x"}).status_code == 429


@pytest.mark.django_db
def test_api_registers_triages_and_hides_complaints_outside_scope(personas: Any) -> None:
    officer = api_as(personas.complaint_officer)
    created = officer.post(
        "/api/complaints/",
        {
            "channel": "helpline",
            "jurisdiction": "PK-PB",
            "district": LAHORE,
            "concerns": ["trafficked"],
            "narrative": "A boy was taken to Karachi by an agent.",
            "children": [{"name": "Bilal", "sex": "male", "age_years": 13}],
            "reporter_kind": "parent",
            "reporter_phone": "0300 1234567",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    uuid, code = created.data["uuid"], created.data["tracking_code"]
    assert len(code) == 13
    cpo = api_as(personas.cpo)
    queue = cpo.get("/api/complaints/").data
    assert [c["uuid"] for c in queue["results"]] == [uuid]
    assert api_as(personas.other_cpo).get(f"/api/complaints/{uuid}/").status_code == 404
    assert api_as(personas.analyst).get("/api/complaints/").status_code == 403
    assert (
        api_as(personas.other_cpo)
        .post(f"/api/complaints/{uuid}/close/", {"version": 1, "reason": "resolved"}, format="json")
        .status_code
        == 404
    )
    matches = cpo.get(f"/api/complaints/{uuid}/matches/")
    assert matches.status_code == 200
    opened = cpo.post(
        f"/api/complaints/{uuid}/open-case/",
        {
            "version": 1,
            "initial_risk": "high",
            "register": {"name_latin": "Bilal", "sex": "male", "estimated_age_years": 13},
        },
        format="json",
    )
    assert opened.status_code == 200, opened.content
    assert opened.data["status"] == Status.CASE_OPENED and opened.data["case"]
    case = Case.objects.get()
    assert case.concerns == ["trafficked"]
    case_page = web_as(Client(), personas.cpo).get(f"/cases/{case.uuid}/").content.decode()
    assert f"/complaints/{uuid}/" in case_page
    stale = cpo.post(
        f"/api/complaints/{uuid}/close/", {"version": 1, "reason": "resolved"}, format="json"
    )
    assert stale.status_code == 409


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"channel": "online", "jurisdiction": "PK-PB", "concerns": ["abused"], "narrative": "x"},
        {"channel": "helpline", "jurisdiction": "\x00", "concerns": ["abused"], "narrative": "x"},
        {"channel": "helpline", "jurisdiction": "PK-PB", "concerns": "abused", "narrative": "x"},
        {
            "channel": "helpline",
            "jurisdiction": "PK-PB",
            "concerns": ["abused"],
            "narrative": "x",
            "received_at": "2999-01-01T00:00:00Z",
        },
        {
            "channel": "helpline",
            "jurisdiction": "PK-PB",
            "concerns": ["abused"],
            "narrative": "x",
            "children": [{"age_years": 99}],
        },
        {
            "channel": "helpline",
            "jurisdiction": "PK-PB",
            "concerns": ["abused"],
            "narrative": "x",
            "children": [{"name": "A"}] * 11,
        },
    ],
)
def test_api_refuses_bad_input_with_400(personas: Any, payload: dict[str, Any]) -> None:
    response = api_as(personas.complaint_officer).post("/api/complaints/", payload, format="json")
    assert response.status_code == 400
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_box_batch_api_and_bad_actions(personas: Any) -> None:
    officer = api_as(personas.complaint_officer)
    response = officer.post(
        "/api/complaints/box/",
        {
            "jurisdiction": "PK-PB",
            "district": LAHORE,
            "school": "Govt Boys School No. 2",
            "opened_at": "2026-01-10T09:00:00+05:00",
            "slips": [
                {"narrative": "Sir hits us", "concerns": ["abused"]},
                {
                    "narrative": "A girl in class 6 is to be married",
                    "concerns": ["child_marriage"],
                    "child": {"name": "Sana", "sex": "female", "age_years": 12},
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.data["count"] == 2
    uuid = response.data["results"][0]["uuid"]
    cpo = api_as(personas.cpo)
    assert cpo.post(f"/api/complaints/{uuid}/nonsense/", {}, format="json").status_code == 404
    assert (
        cpo.post(
            f"/api/complaints/{uuid}/refer/",
            {"version": 1, "body": "police", "follow_up_on": "1999-01-01"},
            format="json",
        ).status_code
        == 400
    )
    assert cpo.get("/api/complaints/not-a-uuid/").status_code == 404
    assert cpo.get("/api/complaints/?view=bogus").status_code == 400


@pytest.mark.django_db
def test_staff_pages_queue_register_box_and_triage(personas: Any) -> None:
    officer = web_as(Client(), personas.complaint_officer)
    response = officer.post(
        "/complaints/new/",
        {
            "channel": "office",
            "jurisdiction": "PK-PB",
            "district": LAHORE,
            "concerns": ["begging"],
            "narrative": "Children made to beg at the signal.",
            "child_0_name": "Ali",
            "child_0_age": "8",
            "child_0_sex": "male",
            "reporter_kind": "anonymous",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.children.get().age_years == 8
    box = officer.post(
        "/complaints/box/",
        {
            "school": "Govt Primary School",
            "jurisdiction": "PK-PB",
            "district": LAHORE,
            "opened_at": "2026-02-01T10:00",
            "slip_0_narrative": "A boy is beaten at home",
            "slip_0_concern": "abused",
            "slip_3_narrative": "",
        },
    )
    assert box.status_code == 302 and Complaint.objects.count() == 2
    refused = officer.post(
        "/complaints/box/",
        {
            "school": "X",
            "jurisdiction": "PK-PB",
            "opened_at": "2026-02-01T10:00",
            "slip_1_narrative": "kept text",
        },
    )
    assert refused.status_code == 200 and "kept text" in refused.content.decode()
    cpo = web_as(Client(), personas.cpo)
    queue = cpo.get("/complaints/")
    assert complaint.short_ref in queue.content.decode()
    page = cpo.get(f"/complaints/{complaint.uuid}/")
    assert page.status_code == 200
    closed = cpo.post(
        f"/complaints/{complaint.uuid}/act/close/",
        {"version": complaint.version, "reason": "resolved"},
    )
    assert closed.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    export = cpo.get("/complaints/export.csv")
    assert export.status_code == 200
    assert complaint.short_ref in export.content.decode()
    assert web_as(Client(), personas.analyst).get("/complaints/").status_code == 403


@pytest.mark.django_db
def test_exports_carry_no_free_text_to_inject(personas: Any) -> None:
    officer = api_as(personas.complaint_officer)
    officer.post(
        "/api/complaints/",
        {
            "channel": "referral",
            "jurisdiction": "PK-PB",
            "district": LAHORE,
            "concerns": ["abused"],
            "narrative": "x",
            "source": '=HYPERLINK("http://evil")',
        },
        format="json",
    )
    export = web_as(Client(), personas.cpo).get("/complaints/export.csv")
    text = export.content.decode()
    assert "HYPERLINK" not in text  # free text (names, places, sources) is never exported
    assert text.count("\n") == 2  # the header and the one complaint
