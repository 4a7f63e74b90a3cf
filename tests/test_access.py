"""Each persona reaches exactly what it should: lists, details, guessed ids, web pages."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from cpmis import access
from tests.conftest import SETUP, Personas, Records, api_as, web_as

LIST = "/api/children/"


def uuids(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {row["uuid"] for row in response.json()["results"]}


def test_cpo_sees_only_their_caseload(personas: Personas, records: Records) -> None:
    assert uuids(api_as(personas.cpo).get(LIST)) == {str(records.cpo_child.uuid)}


def test_supervisor_sees_their_district_and_nothing_else(
    personas: Personas, records: Records
) -> None:
    seen = uuids(api_as(personas.supervisor).get(LIST))
    assert seen == {str(records.cpo_child.uuid), str(records.lahore_child.uuid)}


def test_provincial_supervisor_sees_the_province(personas: Personas, records: Records) -> None:
    seen = uuids(api_as(personas.provincial_supervisor).get(LIST))
    assert str(records.peshawar_child.uuid) not in seen
    assert str(records.lahore_child.uuid) in seen


def test_list_does_not_leak_other_districts_even_when_filtered(
    personas: Personas, records: Records
) -> None:
    client = api_as(personas.cpo)
    assert uuids(client.get(LIST, {"district": "PK528"})) == set()
    assert uuids(client.get(LIST, {"q": "usman"})) == set()


def test_other_district_cpo_cannot_open_a_guessed_detail_url(
    personas: Personas, records: Records
) -> None:
    url = f"{LIST}{records.cpo_child.uuid}/"
    assert api_as(personas.other_cpo).get(url).status_code == 404
    assert api_as(personas.cpo).get(url).status_code == 200
    assert api_as(personas.cpo).get(f"{LIST}{uuid.uuid4()}/").status_code == 404
    assert api_as(personas.cpo).get(f"{LIST}{records.cpo_child.pk}/").status_code == 404


@pytest.mark.parametrize(
    "persona",
    ["complaint_officer", "focal_point", "analyst", "administrator", "auditor", "outsider"],
)
def test_roles_without_child_access_are_refused(
    personas: Personas, records: Records, persona: str
) -> None:
    client = api_as(getattr(personas, persona))
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{records.cpo_child.uuid}/").status_code == 403


def test_anonymous_is_refused(records: Records) -> None:
    assert api_as(None).get(LIST).status_code in {401, 403}
    assert api_as(None).get(f"{LIST}{records.cpo_child.uuid}/").status_code in {401, 403}


def test_web_pages_follow_the_same_rules(client, personas: Personas, records: Records) -> None:  # type: ignore[no-untyped-def]
    web_as(client, personas.other_cpo)
    detail = reverse("people:child-detail", args=[records.cpo_child.uuid])
    assert client.get(detail).status_code == 404
    page = client.get(reverse("people:child-list")).content.decode()
    assert "Ayesha" not in page and "Usman" in page
    web_as(client, personas.analyst)
    assert client.get(reverse("people:child-list")).status_code == 403
    assert client.get(detail).status_code == 403


def test_the_access_module_answers_for_change_too(personas: Personas, records: Records) -> None:
    assert set(access.children_changeable_by(personas.cpo)) == {records.cpo_child}
    assert set(access.children_changeable_by(personas.other_cpo)) == {records.peshawar_child}
    assert not access.children_changeable_by(personas.administrator).exists()


def test_an_inactive_user_loses_access(personas: Personas, records: Records) -> None:
    personas.supervisor.is_active = False
    personas.supervisor.save(update_fields=["is_active"])
    access.forget(personas.supervisor)
    assert not access.children_visible_to(personas.supervisor).exists()


def test_a_user_with_two_roles_gets_both(personas: Personas, records: Records) -> None:
    from cpmis.accounts.roles import Role, ScopeLevel
    from cpmis.accounts.services import role_assign
    from cpmis.reference.models import District

    role_assign(
        actor=SETUP,
        user=personas.administrator,
        role=Role.SUPERVISOR,
        scope_level=ScopeLevel.DISTRICT,
        district=District.objects.get(pcode="PK528"),
    )
    assert uuids(api_as(personas.administrator).get(LIST)) == {str(records.peshawar_child.uuid)}
