"""The registry's pages: change a record through the form, within scope."""

from __future__ import annotations

from typing import Any

from cpmis.audit.models import AuditEvent
from tests.conftest import Personas, Records


def form_of(child: Any, **changes: str) -> dict[str, Any]:
    values = {
        "name_latin": child.name_latin,
        "name_urdu": child.name_urdu,
        "guardian_relation": child.guardian_relation,
        "guardian_name_latin": child.guardian_name_latin,
        "guardian_name_urdu": child.guardian_name_urdu,
        "sex": child.sex,
        "date_of_birth": child.date_of_birth.isoformat(),
        "estimated_age_years": "",
        "b_form_number": child.b_form_number,
        "cnic": child.cnic,
        "nationality": child.nationality,
        "has_disability": "",
        "address": child.address,
        "district": child.district.pcode,
        "contact_name": "",
        "contact_phone": "",
    }
    values.update(changes)
    return values


def test_a_cpo_changes_a_record_through_the_form(
    client: Any, personas: Personas, records: Records
) -> None:
    child = records.lahore_child  # registered with an estimated age
    client.force_login(personas.supervisor)
    url = f"/children/{child.uuid}/edit/"
    page = client.get(url)
    assert page.status_code == 200 and b"Muhammad Bilal" in page.content
    response = client.post(
        url, form_of(child, name_urdu="محمد بلال", has_disability="true", disabilities="hearing")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    child.refresh_from_db()
    assert child.name_urdu == "محمد بلال" and child.disabilities == ["hearing"]
    assert child.date_of_birth_estimated  # the unchanged date stays an estimate
    event = AuditEvent.objects.filter(action="child.update").latest("id")
    assert event.detail == {"fields": ["disabilities", "has_disability", "name_urdu"]}
    client.post(url, form_of(child))  # unticked boxes and "unknown" clear them
    child.refresh_from_db()
    assert child.disabilities == [] and child.has_disability is None


def test_the_form_shows_errors_and_changes_nothing(
    client: Any, personas: Personas, records: Records
) -> None:
    child = records.cpo_child
    client.force_login(personas.cpo)
    response = client.post(
        f"/children/{child.uuid}/edit/", form_of(child, b_form_number="12", name_latin="Changed")
    )
    assert response.status_code == 400 and "13 digits" in response.content.decode()
    child.refresh_from_db()
    assert child.name_latin == "Ayesha Bibi"


def test_no_change_outside_scope(client: Any, personas: Personas, records: Records) -> None:
    client.force_login(personas.other_cpo)
    assert client.get(f"/children/{records.cpo_child.uuid}/edit/").status_code == 404
    assert (
        client.post(
            f"/children/{records.cpo_child.uuid}/edit/", form_of(records.cpo_child)
        ).status_code
        == 404
    )
    client.force_login(personas.analyst)
    assert client.get(f"/children/{records.cpo_child.uuid}/edit/").status_code == 403
