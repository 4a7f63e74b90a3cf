"""No value at any field of the oversight API or forms makes a 500."""

from __future__ import annotations

from typing import Any

from cpmis.oversight.models import Recommendation
from tests.conftest import Personas, api_as, web_as
from tests.core.test_hostile_input import NASTY

from .conftest import assignment_of, days_ago

BODIES: dict[str, dict[str, Any]] = {
    "activities/": {
        "kind": "training",
        "title": "T",
        "held_on": str(days_ago(2)),
        "topic": "other",
        "jurisdiction": "PK-PB",
        "district": "PK617",
        "organiser": "police",
        "organiser_name": "",
        "materials_distributed": 0,
        "report_paragraphs": [93],
        "participants": [],
        "ended_on": None,
        "description": "",
    },
    "legal-requests/": {
        "kind": "mla",
        "direction": "incoming",
        "country": "AE",
        "dated_on": str(days_ago(2)),
        "opsc_category": "sale",
        "status": "pending",
        "decided_on": None,
        "jurisdiction": None,
        "reference": "",
        "note": "",
    },
    "recommendations/": {
        "document": "D",
        "paragraph": "1",
        "text": "t",
        "theme": "",
        "issued_on": str(days_ago(2)),
        "report_sections": [],
        "articles": [],
    },
}


def test_hostile_api_bodies(personas: Personas, recommendation: Recommendation) -> None:
    client = api_as(personas.analyst)
    police = assignment_of(recommendation, "police")
    for path, base in BODIES.items():
        for field in base:
            for value in NASTY:
                response = client.post(f"/api/oversight/{path}", {**base, field: value}, "json")
                assert response.status_code < 500, (path, field, value, response.content[:300])
    for field in ("status", "note", "action", "version"):
        for value in NASTY:
            body = {"status": "in_progress", "note": "n", "version": 1, field: value}
            response = client.post(f"/api/oversight/assignments/{police.pk}/reports/", body, "json")
            assert response.status_code < 500, (field, value, response.content[:300])
    for field in ("institution", "lead", "action", "status", "due_on", "version"):
        for value in NASTY:
            body = {"institution": "courts", field: value}
            response = client.post(
                f"/api/oversight/recommendations/{recommendation.pk}/assignments/", body, "json"
            )
            assert response.status_code < 500, (field, value, response.content[:300])
    for field in ("version", "report_sections", "articles", "issued_on"):
        for value in NASTY:
            response = client.patch(
                f"/api/oversight/recommendations/{recommendation.pk}/",
                {"version": 1, field: value},
                "json",
            )
            assert response.status_code < 500, (field, value, response.content[:300])


def test_hostile_forms_and_query_strings(client: Any, personas: Personas) -> None:
    web_as(client, personas.analyst)
    texts = [str(v) for v in NASTY if not isinstance(v, (list, dict)) and v is not None]
    for text in texts:
        for path, fields in (
            ("/oversight/activities/new", [*BODIES["activities/"], "p-police-male"]),
            ("/oversight/legal-requests/new", list(BODIES["legal-requests/"])),
            ("/oversight/recommendations/new", list(BODIES["recommendations/"])),
        ):
            response = client.post(path, dict.fromkeys(fields, text))
            assert response.status_code < 500, (path, text)
        for path in ("activities/", "legal-requests/", "recommendations/"):
            params = dict.fromkeys(
                ("kind", "year", "status", "section", "institution", "page"), text
            )
            assert client.get(f"/oversight/{path}", params).status_code < 500
            assert api_as(personas.analyst).get(f"/api/oversight/{path}", params).status_code < 500
