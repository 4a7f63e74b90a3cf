"""A control character (a NUL byte, DEL, …) in any text of a complaint is refused, and the
refusal says so, in the API, the public form (English and Urdu) and the office form; never
"up to 5000 letters" or "only digits"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cpmis.complaints.models import Complaint
from tests.conftest import LAHORE, Personas, api_as, web_as

from .test_api_and_pages import submit

SAYS_WHY = "control characters"
BAD = ["bad\x00byte", "bad\x07bell", "bad\x7fdelete", "bad\x85next-line"]


def api_complaint(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "channel": "helpline",
        "jurisdiction": "PK-PB",
        "district": LAHORE,
        "concerns": ["abused"],
        "narrative": "A boy is beaten at the workshop.",
        "reporter_kind": "parent",
    }
    values.update(overrides)
    return values


@pytest.mark.django_db
@pytest.mark.parametrize("text", BAD)
@pytest.mark.parametrize(
    "field", ["narrative", "place", "source", "reporter_name", "reporter_phone"]
)
def test_the_api_refuses_control_characters_and_says_so(
    personas: Personas, field: str, text: str
) -> None:
    response = api_as(personas.complaint_officer).post(
        "/api/complaints/", api_complaint(**{field: text}), format="json"
    )
    assert response.status_code == 400, response.content
    assert [str(m) for m in response.data[field]] == ["Text may not contain control characters."]
    assert not Complaint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "description"])
def test_the_api_refuses_control_characters_in_a_childs_details(
    personas: Personas, field: str
) -> None:
    response = api_as(personas.complaint_officer).post(
        "/api/complaints/", api_complaint(children=[{field: "bad\x00byte"}]), format="json"
    )
    assert response.status_code == 400
    assert SAYS_WHY in str(response.data["children"])
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_control_characters_in_a_box_slip(personas: Personas) -> None:
    response = api_as(personas.complaint_officer).post(
        "/api/complaints/box/",
        {
            "jurisdiction": "PK-PB",
            "district": LAHORE,
            "school": "Govt Girls School\x00",
            "opened_at": "2026-01-10T09:00:00+05:00",
            "slips": [{"narrative": "bad\x00byte", "concerns": ["abused"]}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert SAYS_WHY in str(response.data["school"])
    assert SAYS_WHY in str(response.data["slips"])
    assert not Complaint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("text", BAD)
@pytest.mark.parametrize(
    "field", ["narrative", "place", "child_name", "reporter_name", "reporter_phone"]
)
def test_the_public_form_refuses_control_characters_and_says_so(
    client: Client, field: str, text: str
) -> None:
    response = submit(client, reporter_kind="parent", **{field: text})
    assert response.status_code == 400
    body = response.content.decode()
    assert "has control characters" in body and "not allowed" in body
    assert "up to 5000 letters" not in body and "only digits" not in body
    assert "Zainab" in body or field == "child_name"  # the rest of the form is kept
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_the_public_form_says_so_in_urdu(client: Client) -> None:
    response = submit(client, language="ur", narrative="bad\x00byte")
    assert response.status_code == 400
    body = response.content.decode()
    assert "کنٹرول حروف" in body
    assert "control characters" not in body and "حروف)۔" not in body  # not "up to 5000 letters"


@pytest.mark.django_db
def test_the_office_form_refuses_control_characters_and_says_so(personas: Personas) -> None:
    staff = web_as(Client(), personas.complaint_officer)
    response = staff.post(
        "/complaints/new/",
        {
            "channel": "helpline",
            "jurisdiction": "PK-PB",
            "district": LAHORE,
            "concerns": "abused",
            "narrative": "bad\x00byte",
        },
    )
    assert response.status_code in (200, 400)
    assert "Text may not contain control characters." in response.content.decode()
    assert not Complaint.objects.exists()
