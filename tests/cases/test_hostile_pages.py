"""No value typed into a casework form makes the server fail: every field of every step, the
bulk assignment, the transfer decision and the event correction, with hostile values."""

from __future__ import annotations

from typing import Any

from cpmis.cases import forms, services, workflow
from cpmis.cases.models import Case
from cpmis.reference.models import District
from tests.conftest import Personas, Records
from tests.factories import SupervisorFactory

NASTY = [
    "\x00",
    "a\x00b",
    "' OR 1=1 --",
    "%",
    "😀" * 50,
    "ی" * 5000,
    "1" * 40,
    "-1",
    "29/02/2025",
    "01/01/0001",
    "31/12/9999 23:59",
    "99/99/9999 99:99",
    "<script>alert(1)</script>",
    "",
]


def test_hostile_values_in_every_casework_form_get_an_answer_not_a_500(
    client: Any, personas: Personas, records: Records
) -> None:
    SupervisorFactory(username="kp.sup", district="PK528")
    case = services.case_open(
        actor=personas.supervisor,
        child=records.lahore_child,
        initial_risk="high",
        concerns=["abused"],
        assigned_to=personas.cpo,
    )
    incoming = services.case_open(
        actor=personas.other_cpo,
        child=records.peshawar_child,
        initial_risk="low",
        concerns=["abused"],
    )
    services.transfer_request(
        actor=personas.other_cpo,
        case=incoming,
        to_district=District.objects.get(pcode="PK617"),
        reason="Moved.",
    )
    client.force_login(personas.supervisor)
    for step in workflow.STEPS:
        for field in forms.fields_for(step.name, case):
            kind_specific = (
                ["29/02/2025", "01/01/0001", "31/12/9999 23:59", "99/99/9999 99:99"]
                if field.kind in {"date", "datetime"}
                else ["1" * 40, "-1", "' OR 1=1 --"]
            )
            for value in ("a\x00b", "ی" * 5000, *kind_specific):
                case = Case.objects.get(pk=case.pk)
                response = client.post(
                    f"/cases/{case.uuid}/act/{step.name}/",
                    {"version": case.version, field.name: value},
                )
                assert response.status_code in {302, 400}, (step.name, field.name, value)
        for version in ("x", "-5", "1" * 30, ""):
            response = client.post(f"/cases/{case.uuid}/act/{step.name}/", {"version": version})
            assert response.status_code in {302, 400}, (step.name, version)
    assert client.post(f"/cases/{case.uuid}/act/no-such-step/", {}).status_code == 404
    event = case.events.first()
    assert event is not None
    for value in NASTY:
        response = client.post(
            f"/cases/{case.uuid}/events/{event.pk}/correct/",
            {"version": case.version, "occurred_at": value, "reason": value},
        )
        assert response.status_code == 302, value
    for value in NASTY:
        response = client.post("/cases/unassigned/", {"case": [value], "officer": value})
        assert response.status_code == 302, value
        for decision in (value, "accept", "decline"):
            response = client.post(
                f"/cases/{incoming.uuid}/transfer-decision/",
                {"decision": decision, "officer": value, "note": value},
            )
            assert response.status_code == 302, (decision, value)
        assert client.post(f"/cases/{value[:30] or 'x'}/transfer-decision/", {}).status_code in {
            302,
            404,
        }
    assert client.post("/notifications/99999/dismiss/").status_code == 404
    assert client.get("/cases/", {"q": "\x00" + "ی" * 300, "page": "x"}).status_code == 200
    assert District.objects.exists()
