"""No input makes a complaints endpoint or page fail with a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from cpmis.complaints import public, selectors
from tests.conftest import LAHORE, Personas, api_as, web_as
from tests.core.test_hostile_input import NASTY

from .conftest import complaint_input

TEXTS = [str(v) for v in NASTY if not isinstance(v, (list, dict)) and v is not None]


@pytest.mark.django_db
def test_hostile_json_to_the_complaints_api(personas: Personas) -> None:
    from cpmis.complaints import services

    officer, cpo = api_as(personas.complaint_officer), api_as(personas.cpo)
    base = {
        "channel": "helpline",
        "jurisdiction": "PK-PB",
        "district": LAHORE,
        "concerns": ["abused"],
        "narrative": "x",
    }
    for field in [*base, "received_at", "reporter_kind", "reporter_phone", "children", "place"]:
        for value in NASTY:
            response = officer.post("/api/complaints/", {**base, field: value}, format="json")
            assert response.status_code < 500, (field, value, response.content[:200])
    box = {"jurisdiction": "PK-PB", "school": "S", "opened_at": "2026-01-01T00:00:00Z"}
    for field in ["school", "opened_at", "district", "slips"]:
        for value in NASTY:
            response = officer.post("/api/complaints/box/", {**box, field: value}, format="json")
            assert response.status_code < 500, (field, value)
    complaint = services.complaint_register(
        actor=personas.complaint_officer, data=complaint_input()
    ).complaint
    for action, fields in {
        "open-case": ["initial_risk", "child", "register", "complaint_child", "concerns"],
        "attach": ["case"],
        "refer": ["body", "follow_up_on"],
        "close": ["reason", "note"],
        "route": ["district"],
        "follow-up": ["next_follow_up_on"],
    }.items():
        for field in [*fields, "version"]:
            for value in NASTY:
                response = cpo.post(
                    f"/api/complaints/{complaint.uuid}/{action}/",
                    {"version": 1, field: value},
                    format="json",
                )
                assert response.status_code < 500, (action, field, value, response.content[:200])
    for param in ("view", "channel", "district", "overdue", "page", "page_size"):
        for text in TEXTS:
            assert cpo.get("/api/complaints/", {param: text}).status_code < 500, (param, text)


@pytest.mark.django_db
def test_hostile_public_and_staff_forms(client: Client, personas: Personas) -> None:
    fields = [
        "language",
        "jurisdiction",
        "district",
        "concerns",
        "narrative",
        "child_name",
        "child_age",
        "child_sex",
        "reporter_kind",
        "reporter_phone",
    ]
    good = {
        "jurisdiction": "PK-PB",
        "district": LAHORE,
        "concerns": "abused",
        "narrative": "x",
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("cpmis.complaints.views._limited", lambda *a, **k: False)
        for field in fields:
            for text in TEXTS:
                response = client.post("/complaint/", {**good, field: text})
                assert response.status_code < 500, (field, text)
                response = client.post("/complaint/status/", {"code": text, "language": text})
                assert response.status_code < 500
                assert client.get("/complaint/", {"lang": text}).status_code == 200
    staff = web_as(Client(), personas.complaint_officer)
    for text in TEXTS:
        for form in ("/complaints/new/", "/complaints/box/"):
            response = staff.post(
                form,
                {
                    "channel": text,
                    "jurisdiction": text,
                    "district": text,
                    "received_at": text,
                    "opened_at": text,
                    "school": text,
                    "narrative": text,
                    "concerns": text,
                    "child_0_age": text,
                    "slip_0_narrative": text,
                    "slip_0_age": text,
                },
            )
            assert response.status_code < 500, (form, text)
        for params in ({"view": text}, {"district": text}, {"page": text}):
            assert staff.get("/complaints/", params).status_code < 500
            assert staff.get("/complaints/export.csv", params).status_code < 500
        assert staff.post("/complaints/find/", {"code": text}).status_code == 302
        assert staff.get(f"/complaints/{text[:30]}/").status_code < 500


def test_every_public_phrase_has_an_urdu_translation() -> None:
    phrases = [label for _, label in public.CONCERNS + public.REPORTERS + public.SEXES]
    phrases += [p for pair in selectors._PUBLIC.values() for p in pair]
    with translation.override("ur"):
        untranslated = [str(p) for p in phrases if str(p).isascii()]
    assert untranslated == []


def test_a_phone_number_typed_with_urdu_digits_is_kept_with_western_ones(
    personas: Personas,
) -> None:
    from cpmis.complaints import services

    registered = services.complaint_register(
        actor=personas.complaint_officer,
        data=complaint_input(
            reporter_kind="parent", reporter_name="Ali", reporter_phone="۰۳۰۰-۱۲۳۴۵۶۷"
        ),
    )
    assert registered.complaint.reporter_phone == "0300-1234567"
