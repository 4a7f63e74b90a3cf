"""Case pages: open a case from a child, record actions through forms, see tasks."""

from __future__ import annotations

from typing import Any

from cpmis.cases.models import Case
from tests.conftest import Personas, Records


def test_a_cpo_opens_a_case_and_records_through_the_forms(
    client: Any, personas: Personas, records: Records
) -> None:
    client.force_login(personas.cpo)
    child = records.cpo_child
    form = client.get("/cases/new/", {"child": str(child.uuid)})
    assert form.status_code == 200
    response = client.post(
        "/cases/new/",
        {
            "child": str(child.uuid),
            "initial_risk": "high",
            "concerns": ["trafficked", "sexually_exploited"],
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(child=child)
    page = client.get(f"/cases/{case.uuid}/").content.decode()
    assert "Assess the child" in page and "Punjab" in page and 'name="version"' in page
    done = client.post(
        f"/cases/{case.uuid}/act/assess/", {"version": case.version, "risk_level": "medium"}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.risk_level == "medium"
    stale = client.post(
        f"/cases/{case.uuid}/act/assess/", {"version": 1, "risk_level": "low"}, follow=True
    )
    assert "changed by someone else" in stale.content.decode()
    refused = client.post(
        f"/cases/{case.uuid}/act/produce/", {"version": case.version, "court": "X"}, follow=True
    )
    assert "after being taken into protection" in refused.content.decode()
    plan = client.post(
        f"/cases/{case.uuid}/act/plan/",
        {"version": case.version, "goals": "School\nFamily tracing"},
    )
    assert plan.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == "planned"
    tasks = client.get("/cases/tasks/").content.decode()
    assert "Review the case plan" in tasks
    assert client.get("/cases/", {"stage": "planned"}).status_code == 200


def test_case_pages_follow_the_access_rules(
    client: Any, personas: Personas, records: Records
) -> None:
    from cpmis.cases.services import case_open

    case = case_open(
        actor=personas.cpo, child=records.cpo_child, initial_risk="low", concerns=["abused"]
    )
    client.force_login(personas.other_cpo)
    assert client.get(f"/cases/{case.uuid}/").status_code == 404
    assert (
        client.post(
            f"/cases/{case.uuid}/act/assess/", {"version": 1, "risk_level": "low"}
        ).status_code
        == 404
    )
    assert client.get("/cases/not-a-uuid/").status_code == 404
    client.force_login(personas.analyst)
    assert client.get("/cases/").status_code == 403
    client.force_login(personas.supervisor)
    page = client.get(f"/cases/{case.uuid}/").content.decode()
    assert "Decide-closure" in page or "Decide-closure".lower() in page.lower()


def test_the_supervisor_dashboard(client: Any, personas: Personas, records: Records) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from cpmis.cases import services as s

    case = s.case_open(
        actor=personas.supervisor,
        child=records.cpo_child,
        initial_risk="high",
        concerns=["trafficked"],
        assigned_to=personas.cpo,
        opened_at=timezone.now() - timedelta(days=120),
    )
    s.protection_take(
        actor=personas.cpo, case=case, occurred_at=timezone.now() - timedelta(days=119)
    )
    s.court_produce(
        actor=personas.cpo,
        case=case,
        court="Lahore",
        occurred_at=timezone.now() - timedelta(days=110),
    )
    client.force_login(personas.supervisor)
    page = client.get("/cases/dashboard/").content.decode()
    assert "cpo" in page and records.cpo_child.name_latin in page
    client.force_login(personas.cpo)
    assert client.get("/cases/dashboard/").status_code == 403


def test_the_daily_digest_names_no_child(
    personas: Personas, records: Records, mailoutbox: Any
) -> None:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from cpmis.cases import services as s

    s.case_open(
        actor=personas.cpo,
        child=records.cpo_child,
        initial_risk="high",
        concerns=["abused"],
        opened_at=timezone.now() - timedelta(days=3),
    )
    for user in (personas.cpo, personas.supervisor, personas.analyst):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    call_command("send_task_digest", "--base-url", "https://cpmis.example")
    assert sorted(m.to[0] for m in mailoutbox) == ["cpo@example.org", "supervisor@example.org"]
    body = mailoutbox[0].body
    assert "OVERDUE Assess the child" in body and "https://cpmis.example/cases/" in body
    assert records.cpo_child.name_latin not in body and "Ayesha" not in mailoutbox[0].subject


def test_transfer_and_correction_through_the_pages(
    client: Any, personas: Personas, records: Records
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from cpmis.cases import services as s
    from cpmis.cases.models import EventKind, Task, TaskKind
    from cpmis.reference.models import District
    from tests.conftest import make_user

    case = s.case_open(
        actor=personas.cpo,
        child=records.cpo_child,
        initial_risk="high",
        concerns=["abused"],
        opened_at=timezone.now() - timedelta(days=3),
    )
    s.protection_take(
        actor=personas.cpo, case=case, occurred_at=timezone.now() - timedelta(hours=2)
    )
    event = case.events.get(kind=EventKind.TAKEN_INTO_PROTECTION)
    case.refresh_from_db()
    client.force_login(personas.cpo)
    earlier = (timezone.localtime() - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/cases/{case.uuid}/events/{event.pk}/correct/",
        {"version": case.version, "occurred_at": earlier, "reason": "Wrong day."},
        follow=True,
    )
    assert "deadlines follow" in response.content.decode()
    assert Task.objects.get(case=case, kind=TaskKind.PRODUCTION).due_at < timezone.now()
    case.refresh_from_db()
    s.transfer_request(
        actor=personas.cpo,
        case=case,
        to_district=District.objects.get(pcode="PK528"),
        reason="Moved.",
    )
    kp = make_user(
        "kp.boss", {"role": "supervisor", "scope_level": "district", "district": "PK528"}
    )
    client.force_login(kp)
    dashboard = client.get("/cases/dashboard/").content.decode()
    assert "asked to move into your district" in dashboard
    accepted = client.post(f"/cases/{case.uuid}/transfer-decision/", {"accept": "yes"})
    assert accepted.status_code == 302
    case.refresh_from_db()
    assert case.district.pcode == "PK528"
