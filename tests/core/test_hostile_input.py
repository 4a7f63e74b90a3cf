"""No input makes an endpoint fail with a 500: hostile values at every field of every endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Personas, Records, api_as, born

NASTY: list[Any] = [
    "\x00",
    "a\x00b",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "😀" * 50,
    "ی" * 2000,
    10**30,
    -1,
    1.5,
    [],
    {},
    None,
    True,
    "",
    " ",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
]
POST_BODIES = {
    "/api/children/": [
        "name_latin",
        "name_urdu",
        "sex",
        "date_of_birth",
        "estimated_age_years",
        "b_form_number",
        "cnic",
        "nationality",
        "has_disability",
        "disabilities",
        "district",
        "owner",
        "contact_phone",
        "guardian_relation",
    ],
    "/api/auth/token/": ["username", "password", "otp_code"],
    "/api/users/": ["username", "password", "email"],
    "/api/legal/provisions/": [
        "statute",
        "section",
        "title",
        "kind",
        "report_paragraphs",
        "valid_from",
        "opsc_category",
    ],
    "/api/legal/sentence-check/": ["provision", "prison_months", "life", "fine_rs"],
    "/api/cases/": ["child", "initial_risk", "concerns", "opened_at", "assigned_to"],
}
GET_PARAMS = {
    "/api/children/": ["q", "district", "sex", "page", "page_size"],
    "/api/audit/events/": ["actor_id", "actor_username", "object_id", "since", "until", "page"],
    "/api/reference/districts/": ["jurisdiction"],
    "/api/users/": ["page", "page_size"],
    "/api/legal/provisions/": ["q", "statute", "kind", "category", "jurisdiction", "on", "page"],
    "/api/legal/statutes/": ["q", "jurisdiction"],
    "/api/legal/compliance-matrix/": ["jurisdiction", "export"],
    "/api/legal/rules/": ["jurisdiction"],
    "/api/cases/": ["stage", "overdue", "page"],
    "/api/tasks/": ["mine", "page", "page_size"],
}


def test_hostile_json_bodies(personas: Personas, records: Records) -> None:
    supervisor, admin = api_as(personas.supervisor), api_as(personas.administrator)
    base = {
        "name_latin": "Ali",
        "sex": "male",
        "date_of_birth": born(11, 1, 1).isoformat(),
        "district": "PK617",
    }
    for path, fields in POST_BODIES.items():
        client = admin if path in {"/api/users/", "/api/legal/provisions/"} else supervisor
        for field in fields:
            for value in NASTY:
                response = client.post(path, {**base, field: value}, format="json")
                assert response.status_code < 500, (path, field, value, response.content[:200])
    from cpmis.cases.services import case_open

    case = case_open(
        actor=personas.supervisor,
        child=records.lahore_child,
        initial_risk="low",
        concerns=["neglected"],
    )
    for action in ("assess", "protect", "produce", "order", "place", "plan", "request-closure"):
        for field in (
            "version",
            "risk_level",
            "occurred_at",
            "court",
            "kind",
            "option",
            "institution",
            "goals",
            "reason",
            "child_views",
        ):
            for value in NASTY:
                response = supervisor.post(
                    f"/api/cases/{case.uuid}/{action}/", {"version": 1, field: value}, format="json"
                )
                assert response.status_code < 500, (action, field, value, response.content[:200])
    url = f"/api/children/{records.lahore_child.uuid}/"
    for field in POST_BODIES["/api/children/"]:
        for value in NASTY:
            response = supervisor.patch(url, {field: value}, format="json")
            assert response.status_code < 500, (field, value, response.content[:200])


@pytest.mark.parametrize("path", list(GET_PARAMS))
def test_hostile_query_parameters(personas: Personas, records: Records, path: str) -> None:
    clients = [
        api_as(personas.supervisor),
        api_as(personas.auditor),
        api_as(personas.administrator),
    ]
    for param in GET_PARAMS[path]:
        for value in NASTY:
            if isinstance(value, (list, dict)) or value is None:
                continue
            for client in clients:
                response = client.get(path, {param: str(value)})
                assert response.status_code < 500, (path, param, value, response.content[:200])


def test_hostile_web_forms(client: Any, personas: Personas) -> None:
    for value in NASTY:
        if isinstance(value, (list, dict)) or value is None:
            continue
        text = str(value)
        response = client.post(
            "/accounts/login/", {"username": text, "password": text, "otp_code": text}
        )
        assert response.status_code < 500
    client.force_login(personas.supervisor)
    for value in NASTY:
        if isinstance(value, (list, dict)) or value is None:
            continue
        text = str(value)
        form = {
            "name_latin": text,
            "sex": text,
            "district": text,
            "date_of_birth": text,
            "estimated_age_years": text,
            "disabilities": text,
            "has_disability": text,
        }
        assert client.post("/children/new/", form).status_code < 500
        assert (
            client.get("/children/", {"q": text, "page": text, "district": text}).status_code < 500
        )
        assert client.get(f"/children/{text[:30]}/").status_code < 500
