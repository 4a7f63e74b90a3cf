"""The audit trail: written with the change, append-only, queryable by the right people."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cpmis.audit.models import AuditEvent, AuditEventImmutable
from cpmis.people.models import Child
from cpmis.people.services import child_register
from cpmis.reference.models import District
from tests.conftest import Personas, Records, api_as, born

EVENTS = "/api/audit/events/"


def test_the_audit_table_has_no_foreign_keys() -> None:
    assert not [f for f in AuditEvent._meta.get_fields() if f.is_relation]


def test_an_event_is_written_in_the_same_transaction_as_the_write(personas: Personas) -> None:
    lahore = District.objects.get(pcode="PK617")
    with pytest.raises(RuntimeError), transaction.atomic():
        child_register(
            actor=personas.cpo,
            district=lahore,
            sex="male",
            date_of_birth=born(12, 1, 1),
            name_latin="Hamza",
        )
        raise RuntimeError("the write fails after the audit")
    assert not Child.objects.exists()
    assert not AuditEvent.objects.filter(action="child.register").exists()


def test_events_record_who_what_which_when_and_where(client: Any, personas: Personas) -> None:
    client.force_login(personas.cpo)
    body = {
        "name_latin": "Hamza",
        "sex": "male",
        "date_of_birth": born(12, 1, 1).isoformat(),
        "district": "PK617",
    }
    response = client.post(
        "/api/children/", body, content_type="application/json", REMOTE_ADDR="10.1.2.3"
    )
    event = AuditEvent.objects.get(action="child.register")
    assert event.actor_id == personas.cpo.pk
    assert event.actor_username == "cpo" and event.actor_roles == "cpo@PK617"
    assert event.object_type == "people.child" and event.object_id == response.json()["uuid"]
    assert event.ip_address == "10.1.2.3" and len(event.request_id) == 32
    assert abs((timezone.now() - event.occurred_at).total_seconds()) < 60
    assert "Hamza" not in str(event.detail)


def test_the_application_cannot_edit_or_delete_events(personas: Personas, records: Records) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "forged"
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET action = 'forged'", "DELETE FROM audit_auditevent"],
)
def test_postgresql_refuses_update_and_delete(records: Records, sql: str) -> None:
    from django.db import DatabaseError

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.filter(action="child.register").count() == 3


@pytest.mark.clock  # "since tomorrow" and "since yesterday" around a pinned now
def test_an_auditor_queries_by_user_record_and_period(personas: Personas, records: Records) -> None:
    client = api_as(personas.auditor)
    api_as(personas.cpo).get(f"/api/children/{records.cpo_child.uuid}/")
    by_user = client.get(EVENTS, {"actor_id": personas.cpo.pk}).json()["results"]
    assert {e["action"] for e in by_user} == {"child.register", "child.read"}
    by_record = client.get(EVENTS, {"object_id": str(records.cpo_child.uuid)}).json()["results"]
    assert [e["action"] for e in by_record] == ["child.read", "child.register"]
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert client.get(EVENTS, {"since": future}).json()["results"] == []
    past = (timezone.now() - timedelta(days=1)).isoformat()
    assert client.get(EVENTS, {"since": past, "until": future}).json()["count"] >= 4


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"actor_id": "x"},
        {"since": "2026-02-01T00:00", "until": "2026-01-01T00:00"},
    ],
)
def test_bad_audit_queries_are_400s(personas: Personas, params: dict[str, str]) -> None:
    assert api_as(personas.auditor).get(EVENTS, params).status_code == 400


@pytest.mark.parametrize("persona", ["cpo", "supervisor", "analyst", "focal_point", "outsider"])
def test_only_auditors_and_administrators_read_the_trail(personas: Personas, persona: str) -> None:
    assert api_as(getattr(personas, persona)).get(EVENTS).status_code == 403
    assert api_as(personas.administrator).get(EVENTS).status_code == 200


def test_the_audit_page_lists_events(client: Any, personas: Personas, records: Records) -> None:
    client.force_login(personas.auditor)
    page = client.get("/audit/", {"actor_username": "cpo"})
    assert page.status_code == 200 and b"child.register" in page.content
    assert client.get("/audit/", {"since": "garbage"}).status_code == 200
    client.force_login(personas.cpo)
    assert client.get("/audit/").status_code == 403


@pytest.mark.clock  # today's events, as the records were made minutes ago: not near midnight
def test_the_audit_page_reads_dates_typed_day_first(
    client: Any, personas: Personas, records: Records
) -> None:
    client.force_login(personas.auditor)
    today = timezone.localdate().strftime("%d/%m/%Y")
    page = client.get("/audit/", {"since": today, "until": today})
    assert page.status_code == 200 and b"child.register" in page.content, "To includes the day"
    soon = (timezone.localtime() + timedelta(minutes=5)).strftime("%d/%m/%Y %H:%M")
    later = client.get("/audit/", {"since": soon})
    assert later.status_code == 200 and b"child.register" not in later.content
    wrong = client.get("/audit/", {"since": "13/13/2026"})
    assert wrong.status_code == 200 and "dd/mm/yyyy" in wrong.content.decode()
    iso = client.get("/audit/", {"since": "2000-01-01T00:00"})
    assert b"child.register" in iso.content, "links made before still work"


def test_many_events_are_written_by_the_same_writer_as_one(personas: Personas) -> None:
    from cpmis.audit.services import audit_record, audit_records

    one = audit_record(actor=personas.cpo, action="test.one", object_type="t", object_id=1)
    written = audit_records(
        actor=personas.cpo,
        action="test.many",
        items=[("t", n, {"n": n}) for n in range(3)],
    )
    many = list(AuditEvent.objects.filter(action="test.many").order_by("object_id"))
    assert written == 3 and [e.object_id for e in many] == ["0", "1", "2"]
    for event in many:
        assert (event.actor_id, event.actor_username, event.actor_roles) == (
            one.actor_id,
            one.actor_username,
            one.actor_roles,
        )
        assert event.actor_roles
    assert len({e.occurred_at for e in many}) == 1
