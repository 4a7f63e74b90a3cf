"""The phone's API: enrolment, the status question, the pack, and the replay of queued actions
through the case services (idempotent, conflicts shown, clocks checked, nothing lost)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cpmis.audit.models import AuditEvent
from cpmis.cases import services as case_services
from cpmis.cases.models import Case, CaseEvent, EventKind, Task, TaskKind
from cpmis.field import services as field_services
from cpmis.field.models import Device, FieldAction
from cpmis.people.models import Child
from tests.conftest import Personas, Records, api_as

pytestmark = pytest.mark.django_db

HEADER = "HTTP_X_CPMIS_DEVICE"


@pytest.fixture
def case(personas: Personas, records: Records) -> Case:
    return case_services.case_open(
        actor=personas.cpo,
        child=records.cpo_child,
        initial_risk="high",
        concerns=["trafficked"],
        opened_at=timezone.now() - timedelta(days=2),
    )


@pytest.fixture
def enrolled(personas: Personas) -> tuple[Device, str]:
    enrolment = field_services.device_enrol(actor=personas.cpo, label="Ayesha's phone")
    return enrolment.device, enrolment.secret


def phone(user: Any, device: Device) -> APIClient:
    client = api_as(user)
    client.credentials(HTTP_X_CPMIS_DEVICE=str(device.uuid))
    return client


def action(target: Case | None, kind: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "key": str(uuid.uuid4()),
        "seq": extra.pop("seq", 1),
        "kind": kind,
        "case": str(target.uuid) if target is not None else str(uuid.uuid4()),
        "base_version": target.version if target is not None else None,
        "field_time": (now - timedelta(hours=1)).isoformat(),
        "queued_at": (now - timedelta(minutes=50)).isoformat(),
        "data": data,
        **extra,
    }


def send(client: APIClient, *actions: dict[str, Any], device_now: Any = None) -> Any:
    return client.post(
        "/api/field/sync/",
        {"device_now": (device_now or timezone.now()).isoformat(), "actions": list(actions)},
        format="json",
    )


# --- enrolment and status --------------------------------------------------------------------


def test_enrolment_gives_a_secret_kept_only_as_a_hash(personas: Personas) -> None:
    answer = api_as(personas.cpo).post("/api/field/devices/", {"label": "My phone"}, format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    device = Device.objects.get(uuid=body["device"])
    assert device.user == personas.cpo and device.label == "My phone"
    assert body["secret"] not in device.secret_hash and len(body["secret"]) >= 40
    assert "server_now" in body
    assert AuditEvent.objects.filter(
        action="field.device_enrol", object_id=str(device.uuid)
    ).exists()


def test_enrolment_refused_to_roles_that_do_not_work_cases(personas: Personas) -> None:
    for user in (personas.analyst, personas.supervisor, personas.complaint_officer):
        answer = api_as(user).post("/api/field/devices/", {"label": "x"}, format="json")
        assert answer.status_code == 403, user
    assert not Device.objects.exists()


def test_enrolment_needs_a_name_and_is_limited(personas: Personas) -> None:
    client = api_as(personas.cpo)
    assert client.post("/api/field/devices/", {"label": "   "}, format="json").status_code == 400
    for n in range(field_services.MAX_ACTIVE_DEVICES):
        assert (
            client.post("/api/field/devices/", {"label": f"p{n}"}, format="json").status_code == 201
        )
    refused = client.post("/api/field/devices/", {"label": "one more"}, format="json")
    assert refused.status_code == 400 and "label" in refused.json()


def test_status_answers_only_the_device_secret_and_needs_no_session(
    personas: Personas, enrolled: tuple[Device, str]
) -> None:
    device, secret = enrolled
    anonymous = APIClient(enforce_csrf_checks=True)
    url = f"/api/field/devices/{device.uuid}/status/"
    ok = anonymous.post(url, {"secret": secret}, format="json").json()
    assert (ok["state"], ok["reason"]) == ("active", "")
    wrong = anonymous.post(url, {"secret": "guess"}, format="json").json()
    assert (wrong["state"], wrong["reason"]) == ("wipe", "unknown")
    junk = anonymous.post("/api/field/devices/not-a-uuid/status/", {"secret": "x"}, format="json")
    assert junk.status_code == 200 and junk.json()["state"] == "wipe"
    assert anonymous.post(url, {}, format="json").status_code == 400


def test_a_revoked_device_is_told_to_wipe_and_its_wipe_is_recorded(
    personas: Personas, enrolled: tuple[Device, str]
) -> None:
    device, secret = enrolled
    field_services.device_revoke(actor=personas.supervisor, device=device, note="Lost in a bus")
    url = f"/api/field/devices/{device.uuid}/status/"
    told = APIClient().post(url, {"secret": secret}, format="json").json()
    assert (told["state"], told["reason"]) == ("wipe", "revoked")
    APIClient().post(url, {"secret": secret, "wiped": True}, format="json")
    device.refresh_from_db()
    assert device.wiped_at is not None
    # and every call with the device header is answered 410 with "wipe"
    gone = phone(personas.cpo, device).get("/api/field/pack/")
    assert gone.status_code == 410 and gone.json()["wipe"] is True


def test_a_disabled_account_s_device_is_told_to_wipe(
    personas: Personas, enrolled: tuple[Device, str]
) -> None:
    device, secret = enrolled
    personas.cpo.is_active = False
    personas.cpo.save(update_fields=["is_active"])
    told = APIClient().post(
        f"/api/field/devices/{device.uuid}/status/", {"secret": secret}, format="json"
    )
    assert told.json()["state"] == "wipe" and told.json()["reason"] == "account_disabled"


# --- the pack ----------------------------------------------------------------------------------


def test_the_pack_holds_only_the_officer_s_own_open_cases(
    personas: Personas, records: Records, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    # a case of the district no one has yet, and one of the other district's officer
    unassigned = case_services.case_open(
        actor=personas.supervisor,
        child=records.lahore_child,
        initial_risk="low",
        concerns=["neglected"],
    )
    elsewhere = case_services.case_open(
        actor=personas.other_cpo,
        child=records.peshawar_child,
        initial_risk="low",
        concerns=["begging"],
    )
    answer = phone(personas.cpo, device).get("/api/field/pack/")
    assert answer.status_code == 200
    body = answer.json()
    numbers = [c["number"] for c in body["cases"]]
    assert numbers == [case.number]
    assert unassigned.number not in answer.content.decode()
    assert elsewhere.number not in answer.content.decode()
    assert "Mohammad Usman" not in answer.content.decode()
    record = body["cases"][0]
    assert record["stage_label"] == "Identification and registration"
    assert record["child"]["name"] == "Ayesha Bibi"
    assert record["timeline"][0]["summary"] == "Case opened"
    assert {o["action"] for o in record["offers"]} >= {"visit", "assess", "protect", "place"}
    assert record["production_hours"] == 24 and "report" in record["production_basis"]
    assert [t["kind"] for t in record["tasks"]] == [TaskKind.ASSESSMENT]
    assert body["settings"]["batch"] == 50
    device.refresh_from_db()
    assert device.last_contact_at is not None


def test_the_pack_is_in_the_officer_s_language(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    personas.cpo.language = "ur"
    personas.cpo.save(update_fields=["language"])
    client = APIClient()
    client.force_login(personas.cpo)  # a session, as on the phone: the language is the user's
    body = client.get("/api/field/pack/", HTTP_X_CPMIS_DEVICE=str(device.uuid)).json()
    assert body["language"] == "ur"
    assert body["cases"][0]["stage_label"] != "Identification and registration"


def test_the_pack_refuses_a_device_that_is_not_the_officer_s(
    personas: Personas, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    theirs = field_services.device_enrol(actor=personas.other_cpo, label="x").device
    assert phone(personas.cpo, theirs).get("/api/field/pack/").status_code == 410
    assert api_as(personas.cpo).get("/api/field/pack/").status_code == 410  # no header
    assert phone(personas.analyst, device).get("/api/field/pack/").status_code == 403


# --- sync ----------------------------------------------------------------------------------------


def test_queued_actions_are_applied_with_their_field_time_and_received_time(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    visit = action(case, "visit", {"note": "Child at the shelter, safe."}, seq=1)
    protect = action(case, "protect", {"temporary_institution": None}, seq=2)
    before = timezone.now()
    answer = send(phone(personas.cpo, device), visit, protect)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [r["status"] for r in body["results"]] == ["applied", "applied"], body["results"]
    events = {e.kind: e for e in CaseEvent.objects.filter(case=case)}
    seen = events[EventKind.VISIT]
    assert seen.note == "Child at the shelter, safe."
    assert seen.occurred_at.isoformat() == visit["field_time"].replace("+00:00", "+00:00")
    assert seen.recorded_at >= before
    taken = events[EventKind.TAKEN_INTO_PROTECTION]
    production = Task.objects.get(case=case, kind=TaskKind.PRODUCTION)
    assert production.due_at == taken.occurred_at + timedelta(hours=24)  # from the field time
    receipt = FieldAction.objects.get(key=visit["key"])
    assert receipt.status == "applied" and receipt.received_at >= before
    assert receipt.field_time == seen.occurred_at
    audit = AuditEvent.objects.get(action="case.visit", object_id=str(case.uuid))
    assert audit.detail["through"]["device"] == str(device.uuid)
    assert audit.detail["through"]["key"] == visit["key"]
    assert "cases" not in body and body["removed"] == []  # the phone takes the pack after
    device.refresh_from_db()
    assert device.last_sync_at is not None


def test_a_repeated_sync_changes_nothing(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    client = phone(personas.cpo, device)
    visit = action(case, "visit", {"note": "Seen"})
    assert send(client, visit).json()["results"][0]["status"] == "applied"
    events = CaseEvent.objects.filter(case=case).count()
    audits = AuditEvent.objects.count()
    again = send(client, visit).json()["results"][0]
    assert again["status"] == "duplicate"
    assert CaseEvent.objects.filter(case=case).count() == events
    assert AuditEvent.objects.count() == audits


def test_the_same_key_with_other_content_is_refused(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    client = phone(personas.cpo, device)
    visit = action(case, "visit", {"note": "Seen"})
    send(client, visit)
    tampered = {**visit, "data": {"note": "Something else"}}
    result = send(client, tampered).json()["results"][0]
    assert result["status"] == "refused" and "changed after it was first sent" in result["message"]
    assert FieldAction.objects.get(key=visit["key"]).data == {"note": "Seen"}
    assert CaseEvent.objects.filter(case=case, kind=EventKind.VISIT).count() == 1


def test_actions_of_one_phone_on_one_case_do_not_conflict_with_each_other(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    client = phone(personas.cpo, device)
    first = action(case, "assess", {"risk_level": "medium", "note": ""}, seq=1)
    second = action(case, "visit", {"note": "Back home"}, seq=2)  # the same base version
    results = send(client, first).json()["results"] + send(client, second).json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]


def test_a_change_made_meanwhile_is_a_conflict_the_officer_decides(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    client = phone(personas.cpo, device)
    assess = action(case, "assess", {"risk_level": "low", "note": "calm"}, seq=1)
    visit = action(case, "visit", {"note": "after"}, seq=2)
    # meanwhile, in the office, the case is assessed
    case_services.case_assess(
        actor=personas.cpo,  # at the office's computer
        case=case,
        risk_level="high",
        version=case.version,
    )
    results = send(client, assess, visit).json()["results"]
    assert [r["status"] for r in results] == ["conflict", "held"]
    assert results[0]["changes"][0]["label"] == "Assessed"
    assert results[0]["changes"][0]["by"]
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ASSESSED).count() == 1
    # held again while the conflict waits
    assert send(client, visit).json()["results"][0]["status"] == "held"
    decided = client.post(
        "/api/field/resolve/", {"key": assess["key"], "decision": "apply"}, format="json"
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["result"]["status"] == "applied"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ASSESSED).count() == 2
    # the held one goes now, and a decided one cannot be decided twice
    assert send(client, visit).json()["results"][0]["status"] == "applied"
    twice = client.post(
        "/api/field/resolve/", {"key": assess["key"], "decision": "discard"}, format="json"
    )
    assert twice.status_code == 400


def test_setting_a_conflicting_action_aside_keeps_it(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    client = phone(personas.cpo, device)
    assess = action(case, "assess", {"risk_level": "low", "note": "calm"})
    case_services.simple_event(
        actor=personas.cpo, case=case, kind=EventKind.VISIT, note="office", version=case.version
    )
    assert send(client, assess).json()["results"][0]["status"] == "conflict"
    answer = client.post(
        "/api/field/resolve/", {"key": assess["key"], "decision": "discard"}, format="json"
    ).json()
    assert answer["result"]["status"] == "discarded"
    receipt = FieldAction.objects.get(key=assess["key"])
    assert receipt.status == "discarded" and receipt.data["note"] == "calm"
    assert AuditEvent.objects.filter(action="field.action_discarded").exists()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.ASSESSED).exists()


def test_an_action_for_a_case_transferred_meanwhile_is_refused_and_kept(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    visit = action(case, "visit", {"note": "went there"})
    Case.objects.filter(pk=case.pk).update(assigned_to=None)  # given up by the officer
    body = send(phone(personas.cpo, device), visit).json()
    result = body["results"][0]
    assert result["status"] == "refused" and "no longer in your caseload" in result["message"]
    assert body["removed"] == [str(case.uuid)]
    assert FieldAction.objects.get(key=visit["key"]).data == {"note": "went there"}
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.VISIT).exists()


def test_field_times_that_cannot_be_true_are_refused(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    now = timezone.now()
    client = phone(personas.cpo, device)
    future = action(case, "visit", {"note": "x"}, field_time=(now + timedelta(hours=2)).isoformat())
    early = action(
        case,
        "visit",
        {"note": "x"},
        field_time=(case.opened_at - timedelta(days=3)).isoformat(),
        queued_at=now.isoformat(),
    )
    set_back = action(
        case, "visit", {"note": "x"}, queued_at=(now + timedelta(hours=3)).isoformat()
    )
    results = send(client, future, early, set_back).json()["results"]
    assert [r["status"] for r in results] == ["refused"] * 3
    assert "after the moment it was recorded" in results[0]["message"]
    assert "before the case was opened" in results[1]["message"]
    assert "clock was set back" in results[2]["message"]
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.VISIT).exists()


def test_a_phone_clock_hours_off_sends_nothing(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    visit = action(case, "visit", {"note": "x"})
    answer = send(
        phone(personas.cpo, device), visit, device_now=timezone.now() - timedelta(hours=3)
    )
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "clock_off" and 3 * 3600 - 60 < body["skew_seconds"] < 3 * 3600 + 60
    assert "3 h 0 min behind" in body["detail"]
    assert not FieldAction.objects.exists()


def test_a_child_met_in_the_field_is_registered_with_the_phone_s_ids(
    personas: Personas, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    case_uuid, child_uuid = uuid.uuid4(), uuid.uuid4()
    register = action(
        None,
        "register",
        {
            "child": {
                "uuid": str(child_uuid),
                "name_latin": "Zara Khan",
                "sex": "female",
                "estimated_age_years": 12,
                "district": "PK617",
            },
            "initial_risk": "high",
            "concerns": ["begging", "street_child"],
            "note": "Met at the bus stand",
        },
        case=str(case_uuid),
    )
    visit = action(
        None,
        "visit",
        {"note": "Follow-up the same day"},
        seq=2,
        case=str(case_uuid),
        base_version=1,
    )
    client = phone(personas.cpo, device)
    results = send(client, register, visit).json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    case = Case.objects.get(uuid=case_uuid)
    assert case.child.uuid == child_uuid and case.child.name_latin == "Zara Khan"
    assert case.assigned_to == personas.cpo
    assert case.opened_at.isoformat() == register["field_time"]
    assert send(client, register).json()["results"][0]["status"] == "duplicate"
    assert Child.objects.filter(name_latin="Zara Khan").count() == 1


def test_a_registration_with_missing_details_is_refused_with_reasons(
    personas: Personas, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    register = action(
        None,
        "register",
        {
            "child": {"uuid": str(uuid.uuid4()), "sex": "female", "district": "PK617"},
            "initial_risk": "high",
        },
    )
    result = send(phone(personas.cpo, device), register).json()["results"][0]
    assert result["status"] == "refused"
    assert {"name_latin", "concerns"} <= set(result["errors"])
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"device_now": "yesterday", "actions": []},
        {"device_now": "2026-01-01T00:00:00Z", "actions": "all"},
        {"device_now": "2026-01-01T00:00:00Z", "actions": [{"kind": "visit"}]},
        {"device_now": "2026-01-01T00:00:00Z", "actions": [None]},
    ],
)
def test_malformed_syncs_are_400(
    personas: Personas, enrolled: tuple[Device, str], body: dict[str, Any]
) -> None:
    device, _ = enrolled
    answer = phone(personas.cpo, device).post("/api/field/sync/", body, format="json")
    assert answer.status_code == 400, answer.content


def test_an_unknown_kind_a_missing_version_and_too_many_actions_are_400(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    client = phone(personas.cpo, device)
    assert send(client, action(case, "close", {})).status_code == 400
    assert send(client, action(case, "visit", {"note": "x"}, base_version=None)).status_code == 400
    many = [action(case, "visit", {"note": "x"}, seq=n) for n in range(51)]
    assert send(client, *many).status_code == 400
    assert not FieldAction.objects.exists()


def test_signing_out_ends_the_device(personas: Personas, enrolled: tuple[Device, str]) -> None:
    device, secret = enrolled
    answer = api_as(personas.cpo).post(f"/api/field/devices/{device.uuid}/sign-out/")
    assert answer.status_code == 200 and answer.json()["state"] == "wipe"
    told = APIClient().post(
        f"/api/field/devices/{device.uuid}/status/", {"secret": secret}, format="json"
    )
    assert told.json()["reason"] == "signed_out"
    theirs = field_services.device_enrol(actor=personas.other_cpo, label="x").device
    assert (
        api_as(personas.cpo).post(f"/api/field/devices/{theirs.uuid}/sign-out/").status_code == 404
    )


def test_the_pack_and_the_sync_answers_are_compressed_for_slow_lines(
    personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    import gzip
    import json

    device, _ = enrolled
    client = phone(personas.cpo, device)
    packed = client.get("/api/field/pack/", HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content))["cases"][0]["uuid"] == str(case.uuid)
    synced = client.post(
        "/api/field/sync/",
        {
            "device_now": timezone.now().isoformat(),
            "actions": [action(case, "visit", {"note": "x"}, seq=n) for n in range(10)],
        },
        format="json",
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert synced["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(synced.content))["results"][0]["status"] == "applied"


def test_the_case_page_shows_when_a_field_action_was_received(
    client: Any, personas: Personas, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    now = timezone.now()
    visit = action(
        case,
        "visit",
        {"note": "Seen at the shelter."},
        field_time=(now - timedelta(hours=3)).isoformat(),
        queued_at=(now - timedelta(hours=3)).isoformat(),
    )
    assert send(phone(personas.cpo, device), visit).json()["results"][0]["status"] == "applied"
    client.force_login(personas.cpo)
    page = client.get(f"/cases/{case.uuid}/").content.decode()
    seen = page[page.index("Seen at the shelter.") - 600 : page.index("Seen at the shelter.")]
    assert "recorded by cpo on" in seen  # the field time is the event's; the received one too


def test_a_key_of_another_officer_s_phone_tells_nothing_of_it(
    personas: Personas, records: Records, case: Case, enrolled: tuple[Device, str]
) -> None:
    device, _ = enrolled
    visit = action(case, "visit", {"note": "Seen"})
    assert send(phone(personas.cpo, device), visit).json()["results"][0]["status"] == "applied"
    theirs = field_services.device_enrol(actor=personas.other_cpo, label="x").device
    elsewhere = case_services.case_open(
        actor=personas.other_cpo,
        child=records.peshawar_child,
        initial_risk="low",
        concerns=["begging"],
    )
    reused = {**action(elsewhere, "visit", {"note": "x"}), "key": visit["key"]}
    result = send(phone(personas.other_cpo, theirs), reused).json()["results"][0]
    assert result["status"] == "refused" and result["case"] == str(elsewhere.uuid)
    assert str(case.uuid) not in str(result)
    assert FieldAction.objects.get(key=visit["key"]).device == device
