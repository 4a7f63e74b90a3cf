"""Case management through the API: scoped reads, actions with versions, 409s, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from cpmis.accounts.roles import CAPABILITIES, Role
from cpmis.cases import services
from cpmis.cases.models import Case, CaseEvent, Institution
from cpmis.reference.models import District, InstitutionType
from tests.conftest import Personas, Records, api_as

CASES = "/api/cases/"


def open_case(personas: Personas, records: Records) -> dict[str, Any]:
    body = {
        "child": str(records.cpo_child.uuid),
        "initial_risk": "high",
        "concerns": ["trafficked"],
    }
    response = api_as(personas.cpo).post(CASES, body, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def act(client: Any, case: dict[str, Any], action: str, **body: Any) -> Any:
    return client.post(
        f"{CASES}{case['uuid']}/{action}/", {"version": case["version"], **body}, format="json"
    )


def test_a_cpo_opens_and_works_a_case(personas: Personas, records: Records) -> None:
    case = open_case(personas, records)
    assert case["assigned_to"] == "cpo" and case["stage"] == "registered"
    assert [t["kind"] for t in case["tasks"]] == ["assessment"]
    client = api_as(personas.cpo)
    case = act(client, case, "assess", risk_level="high").json()
    case = act(client, case, "protect").json()
    production = next(t for t in case["tasks"] if t["kind"] == "production")
    assert "Punjab DNCA" in production["basis"]
    response = act(client, case, "produce", court="Lahore Court")
    assert response.status_code == 200, response.content
    case = response.json()
    assert [e["kind"] for e in case["timeline"]] == [
        "registered",
        "assessed",
        "taken_into_protection",
        "produced_before_court",
    ]
    mine = client.get("/api/tasks/", {"mine": "true"}).json()["results"]
    assert {t["kind"] for t in mine} == {"decision", "delay_report"}


def test_a_stale_version_gets_409_with_what_changed(personas: Personas, records: Records) -> None:
    case = open_case(personas, records)
    assert act(api_as(personas.cpo), case, "assess", risk_level="medium").status_code == 200
    stale = act(api_as(personas.supervisor), case, "assess", risk_level="low")
    assert stale.status_code == 409
    body = stale.json()
    assert body["version"] == case["version"] + 1
    assert [c["kind"] for c in body["changes"]] == ["assessed"]
    assert Case.objects.get(uuid=case["uuid"]).risk_level == "medium"


@pytest.mark.parametrize(
    ("action", "body", "message"),
    [
        ("produce", {"court": "Lahore"}, "after being taken into protection"),
        ("place", {"option": "institution"}, "Court order"),
        ("request-closure", {"reason": "sold"}, "reason"),
        ("assess", {"risk_level": "extreme"}, "risk_level"),
        ("assess", {"risk_level": "low", "occurred_at": "2999-01-01T00:00:00Z"}, "future"),
        ("assess", {"risk_level": "low", "occurred_at": "1999-01-01T00:00:00Z"}, "before the case"),
        ("plan", {"goals": []}, "goals"),
        ("release", {}, "not in protection"),
    ],
)
def test_refusals_say_why_and_write_nothing(
    personas: Personas, records: Records, action: str, body: dict[str, Any], message: str
) -> None:
    case = open_case(personas, records)
    events = CaseEvent.objects.count()
    response = act(api_as(personas.cpo), case, action, **body)
    assert response.status_code == 400, response.content
    assert message in str(response.json())
    assert CaseEvent.objects.count() == events


def test_bad_requests(personas: Personas, records: Records) -> None:
    case = open_case(personas, records)
    client = api_as(personas.cpo)
    assert (
        client.post(f"{CASES}{case['uuid']}/explode/", {"version": 1}, format="json").status_code
        == 404
    )
    assert (
        client.post(
            f"{CASES}{case['uuid']}/assess/", {"risk_level": "low"}, format="json"
        ).status_code
        == 400
    )
    assert (
        client.post(f"{CASES}not-a-uuid/assess/", {"version": 1}, format="json").status_code == 404
    )
    assert (
        client.post(
            CASES, {"child": "nope", "initial_risk": "high", "concerns": ["x"]}, format="json"
        ).status_code
        == 400
    )
    other = {
        "child": str(records.peshawar_child.uuid),
        "initial_risk": "high",
        "concerns": ["abused"],
    }
    assert client.post(CASES, other, format="json").status_code == 400  # a child outside the scope


def test_reading_a_case_through_the_api_is_audited_once(
    personas: Personas, records: Records
) -> None:
    from cpmis.audit.models import AuditEvent

    case = open_case(personas, records)
    reads = AuditEvent.objects.filter(action="case.read", object_id=case["uuid"])
    assert not reads.exists()
    assert api_as(personas.supervisor).get(f"{CASES}{case['uuid']}/").status_code == 200
    assert [e.actor_id for e in reads] == [personas.supervisor.pk]
    assert api_as(personas.other_cpo).get(f"{CASES}{case['uuid']}/").status_code == 404
    assert reads.count() == 1  # a refused read is not a read


def test_access_to_cases(personas: Personas, records: Records) -> None:
    case = open_case(personas, records)
    url = f"{CASES}{case['uuid']}/"
    assert api_as(personas.supervisor).get(url).status_code == 200
    assert api_as(personas.other_cpo).get(url).status_code == 404
    assert api_as(personas.other_cpo).get(CASES).json()["results"] == []
    assert act(api_as(personas.other_cpo), case, "assess", risk_level="low").status_code == 404
    for persona in ("analyst", "focal_point", "administrator", "outsider"):
        assert api_as(getattr(personas, persona)).get(url).status_code == 403
    # a supervisor's action, refused to the CPO
    assert act(api_as(personas.cpo), case, "reopen", note="x").status_code == 403


def test_the_child_of_an_assigned_case_joins_the_caseload(
    personas: Personas, records: Records
) -> None:
    body = {
        "child": str(records.lahore_child.uuid),
        "initial_risk": "low",
        "concerns": ["neglected"],
        "assigned_to": "cpo",
    }
    assert api_as(personas.supervisor).post(CASES, body, format="json").status_code == 201
    seen = {r["uuid"] for r in api_as(personas.cpo).get("/api/children/").json()["results"]}
    assert str(records.lahore_child.uuid) in seen


def test_correcting_an_event_moves_its_deadlines(personas: Personas, records: Records) -> None:
    from datetime import timedelta

    from django.utils import timezone

    client = api_as(personas.cpo)
    opened = (timezone.now() - timedelta(days=3)).isoformat()
    body = {
        "child": str(records.cpo_child.uuid),
        "initial_risk": "high",
        "concerns": ["abused"],
        "opened_at": opened,
    }
    case = client.post(CASES, body, format="json").json()
    taken = timezone.now() - timedelta(hours=10)
    case = act(client, case, "protect", occurred_at=taken.isoformat()).json()
    event = next(e for e in case["timeline"] if e["kind"] == "taken_into_protection")
    earlier = taken - timedelta(hours=30)
    url = f"{CASES}{case['uuid']}/events/{event['id']}/correct/"
    response = client.post(
        url,
        {
            "version": case["version"],
            "occurred_at": earlier.isoformat(),
            "reason": "Typed the wrong day.",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    production = next(t for t in response.json()["tasks"] if t["kind"] == "production")
    assert production["overdue"] is True  # 24 hours from the corrected time have passed
    stale = client.post(
        url,
        {"version": case["version"], "occurred_at": taken.isoformat(), "reason": "x"},
        format="json",
    )
    assert stale.status_code == 409
    # the correction recorded no event of the case, yet it is what changed
    assert [c["kind"] for c in stale.json()["changes"]] == ["event_corrected"]
    assert (
        client.post(
            url,
            {"version": response.json()["version"], "occurred_at": taken.isoformat()},
            format="json",
        ).status_code
        == 400
    )  # no reason


def test_a_transfer_through_the_api(personas: Personas, records: Records) -> None:
    from tests.conftest import make_user

    case = open_case(personas, records)
    refused = act(
        api_as(personas.cpo), case, "transfer", to_district="PK528", reason="Family moved."
    )
    assert refused.status_code == 400  # nobody in Peshawar could accept it
    assert "no CPU supervisor" in refused.json()["to_district"][0]
    peshawar = make_user(
        "kp.supervisor", {"role": "supervisor", "scope_level": "district", "district": "PK528"}
    )
    response = act(
        api_as(personas.cpo), case, "transfer", to_district="PK528", reason="Family moved."
    )
    assert response.status_code == 200, response.content
    client = api_as(peshawar)
    waiting = client.get("/api/transfers/").json()["results"]
    assert [t["uuid"] for t in waiting] == [case["uuid"]]
    assert waiting[0]["from_district"] == "PK617" and waiting[0]["reason"] == "Family moved."
    assert "child" not in waiting[0]
    declined = client.post(
        f"/api/transfers/{case['uuid']}/decision/", {"accept": False}, format="json"
    )
    assert declined.status_code == 400 and "declined" in declined.json()["note"][0]
    assert (
        api_as(personas.supervisor)
        .post(f"/api/transfers/{case['uuid']}/decision/", {"accept": True}, format="json")
        .status_code
        == 404
    )
    done = client.post(f"/api/transfers/{case['uuid']}/decision/", {"accept": True}, format="json")
    assert done.status_code == 200 and done.json()["district"] == "PK528"
    assert done.json()["jurisdiction"] == "PK-KP"
    assert client.get(f"{CASES}{case['uuid']}/").status_code == 200
    assert api_as(personas.cpo).get(f"{CASES}{case['uuid']}/").status_code == 404
    again = client.post(f"/api/transfers/{case['uuid']}/decision/", {"accept": True}, format="json")
    assert again.status_code == 404  # answered: no longer waiting


def test_perpetrators_and_references(personas: Personas, records: Records) -> None:
    case = open_case(personas, records)
    client = api_as(personas.cpo)
    case = act(
        client,
        case,
        "perpetrator",
        relationship="trafficker",
        sex="male",
        age_band="adult",
        number=2,
    ).json()
    case = act(
        client, case, "reference", kind="fir", number="123/2026", authority="PS Gulberg"
    ).json()
    assert case["perpetrators"] == [
        {"number": 2, "relationship": "trafficker", "sex": "male", "age_band": "adult"}
    ]
    assert case["references"][0]["number"] == "123/2026"
    again = act(client, case, "reference", kind="fir", number="123/2026")
    assert again.status_code == 400
    assert (
        act(
            client, case, "perpetrator", relationship="uncle", sex="male", age_band="adult"
        ).status_code
        == 400
    )


def test_the_institutions_directory(personas: Personas, records: Records) -> None:
    body = {
        "name": "Nigehban Centre Lahore",
        "type": "nigehban_centre",
        "district": "PK617",
        "accepts": "girls",
        "age_min": 5,
        "age_max": 17,
        "capacity": 40,
    }
    assert (
        api_as(personas.supervisor).post("/api/institutions/", body, format="json").status_code
        == 403
    )
    created = api_as(personas.administrator).post("/api/institutions/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["occupancy"] == 0
    listed = api_as(personas.cpo).get("/api/institutions/", {"district": "PK617"}).json()
    assert [i["name"] for i in listed] == ["Nigehban Centre Lahore"]
    bad = api_as(personas.administrator).post(
        "/api/institutions/", {**body, "age_min": 18, "age_max": 5}, format="json"
    )
    assert bad.status_code == 400


def test_the_directory_is_kept_under_its_own_capability(
    personas: Personas, records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Administrators hold both capabilities today; pull them apart so that a check on
    # users.manage (the old guard) would let the wrong person in and keep the right one out.
    assert {r for r, caps in CAPABILITIES.items() if "institution.manage" in caps} == {
        r for r, caps in CAPABILITIES.items() if "users.manage" in caps
    }
    supervisor = CAPABILITIES[Role.SUPERVISOR]
    administrator = CAPABILITIES[Role.ADMINISTRATOR]
    monkeypatch.setitem(CAPABILITIES, Role.SUPERVISOR, supervisor | {"institution.manage"})
    monkeypatch.setitem(CAPABILITIES, Role.ADMINISTRATOR, administrator - {"institution.manage"})
    body = {
        "name": "Child Protection Centre Lahore",
        "type": "nigehban_centre",
        "district": "PK617",
        "accepts": "all",
        "age_min": 0,
        "age_max": 17,
        "capacity": 20,
    }
    keeper = api_as(personas.supervisor).post("/api/institutions/", body, format="json")
    assert keeper.status_code == 201, keeper.content
    refused = api_as(personas.administrator).post(
        "/api/institutions/", {**body, "name": "Another"}, format="json"
    )
    assert refused.status_code == 403
    # The service refuses on its own, for callers that are not the API.
    with pytest.raises(PermissionDenied):
        services.institution_create(
            actor=personas.administrator,
            name="Another",
            type=InstitutionType.objects.get(code="nigehban_centre"),
            district=District.objects.get(pcode="PK617"),
            age_min=0,
            age_max=17,
            capacity=1,
        )
    assert list(Institution.objects.values_list("name", flat=True)) == [body["name"]]


def test_a_hearing_follows_production(personas: Personas, records: Records) -> None:
    case = open_case(personas, records)
    client = api_as(personas.cpo)
    early = act(client, case, "hearing")
    assert early.status_code == 400 and "production" in str(early.json())
    case = act(client, case, "protect").json()
    case = act(client, case, "produce", court="Lahore").json()
    assert act(client, case, "hearing", note="Adjourned to next week.").status_code == 200


def test_a_409_after_a_version_without_an_event_says_what_changed(
    personas: Personas, records: Records
) -> None:
    case = open_case(personas, records)
    added = act(
        api_as(personas.cpo),
        case,
        "perpetrator",
        relationship="trafficker",
        sex="male",
        age_band="adult",
    )
    assert added.status_code == 200, added.content
    stale = act(api_as(personas.supervisor), case, "assess", risk_level="low")
    assert stale.status_code == 409
    body = stale.json()
    assert body["version"] == case["version"] + 1
    [change] = body["changes"]
    assert change["kind"] == "perpetrator_added" and change["recorded_by"] == "cpo"
    assert change["version"] == case["version"] + 1
