"""The people registry through the API: registration, search, change, and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cpmis.audit.models import AuditEvent
from cpmis.people.models import Child
from tests.conftest import Personas, Records, api_as, born

LIST = "/api/children/"


def valid(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name_latin": "Zainab",
        "name_urdu": "زینب",
        "guardian_name_latin": "Ghulam Rasool",
        "guardian_name_urdu": "غلام رسول",
        "sex": "female",
        "date_of_birth": born(10, 5, 4).isoformat(),
        "district": "PK617",
        "b_form_number": "35202-1234567-2",
        "disabilities": ["hearing"],
        "has_disability": True,
    }
    body.update(overrides)
    return body


def test_a_cpo_registers_a_child_into_their_caseload(personas: Personas) -> None:
    response = api_as(personas.cpo).post(LIST, valid(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    child = Child.objects.get(uuid=data["uuid"])
    assert child.owner == personas.cpo and child.registered_by == personas.cpo
    assert data["b_form_number"] == "35202-1234567-2"
    assert AuditEvent.objects.filter(action="child.register", object_id=data["uuid"]).count() == 1


def test_urdu_text_round_trips_exactly(personas: Personas) -> None:
    name = "مُحَمَّد عَلی‌رضا"  # diacritics and a zero-width non-joiner, as typed
    guardian = "غلام حیدر ۓ"
    client = api_as(personas.cpo)
    created = client.post(
        LIST, valid(name_latin="", name_urdu=name, guardian_name_urdu=guardian), format="json"
    ).json()
    fetched = client.get(f"{LIST}{created['uuid']}/").json()
    assert fetched["name_urdu"] == name
    assert fetched["guardian_name_urdu"] == guardian


def test_an_estimated_age_is_flagged(personas: Personas) -> None:
    body = valid(estimated_age_years=6)
    del body["date_of_birth"]
    data = api_as(personas.cpo).post(LIST, body, format="json").json()
    assert data["date_of_birth_estimated"] is True
    assert data["age"] == 6


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"b_form_number": "3520212345"}, "b_form_number"),
        ({"b_form_number": "35202-12345671"}, "b_form_number"),
        ({"cnic": "abcde-fghijkl-m"}, "cnic"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "05/04/2016"}, "date_of_birth"),
        ({"district": "PK999"}, "district"),
        ({"district": 617}, "district"),
        ({"sex": "boy"}, "sex"),
        ({"disabilities": "hearing"}, "disabilities"),
        ({"disabilities": ["flying"]}, "disabilities"),
        ({"nationality": "Pakistani"}, "nationality"),
        ({"name_latin": "x" * 151}, "name_latin"),
        ({"name_latin": "", "name_urdu": ""}, "name_latin"),
        ({"estimated_age_years": 5}, "estimated_age_years"),
        ({"has_disability": "perhaps"}, "has_disability"),
        ({"owner": "nobody"}, "owner"),
    ],
)
def test_bad_input_gets_a_field_message_and_writes_nothing(
    personas: Personas, override: dict[str, object], field: str
) -> None:
    events = AuditEvent.objects.count()
    response = api_as(personas.cpo).post(LIST, valid(**override), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Child.objects.exists()
    assert AuditEvent.objects.count() == events


def test_an_age_over_17_is_refused_citing_the_law(personas: Personas) -> None:
    dob = timezone.localdate() - timedelta(days=18 * 366)
    response = api_as(personas.cpo).post(LIST, valid(date_of_birth=str(dob)), format="json")
    assert response.status_code == 400
    assert "under 18" in response.json()["date_of_birth"][0]
    assert "s.3(e)" in response.json()["date_of_birth"][0]
    body = valid(estimated_age_years=18)
    del body["date_of_birth"]
    assert api_as(personas.cpo).post(LIST, body, format="json").status_code == 400


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"name_latin": "Ali",', "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"just a string"', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"name_latin=Ali", "text/plain"),
    ],
)
def test_malformed_bodies_are_400s(personas: Personas, body: bytes, content_type: str) -> None:
    response = api_as(personas.cpo).post(LIST, body, content_type=content_type)
    assert response.status_code in {400, 415}
    assert not Child.objects.exists()


def test_an_oversized_body_is_refused_before_it_is_read(personas: Personas) -> None:
    body = b'{"name_latin": "' + b"a" * (1024 * 1024 + 10) + b'"}'
    response = api_as(personas.cpo).post(LIST, body, content_type="application/json")
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]
    assert not Child.objects.exists()


def test_a_cpo_cannot_register_in_another_district(personas: Personas) -> None:
    response = api_as(personas.cpo).post(LIST, valid(district="PK528"), format="json")
    assert response.status_code == 403
    assert not Child.objects.exists()


def test_only_a_supervisor_assigns_another_officer(personas: Personas) -> None:
    body = valid(owner="cpo")
    assert api_as(personas.cpo).post(
        LIST, valid(owner="supervisor"), format="json"
    ).status_code in {400, 403}
    response = api_as(personas.supervisor).post(LIST, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["owner"] == "cpo"
    # an officer of another district cannot be made responsible
    response = api_as(personas.supervisor).post(LIST, valid(owner="other_cpo"), format="json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    ["ayesha", "AYESHA", "Áyeshá", "bibi", "yesh", "عائشہ", "عائشه", "عَائِشَہ", "بی بی", "بي بي"],
)
def test_search_is_partial_case_accent_and_script_variant_insensitive(
    personas: Personas, records: Records, query: str
) -> None:
    results = api_as(personas.supervisor).get(LIST, {"q": query}).json()["results"]
    assert [r["uuid"] for r in results] == [str(records.cpo_child.uuid)]


def test_search_misses_are_empty_and_short_queries_are_refused(
    personas: Personas, records: Records
) -> None:
    client = api_as(personas.supervisor)
    assert client.get(LIST, {"q": "zzz"}).json()["results"] == []
    assert client.get(LIST, {"q": "a"}).status_code == 400
    assert client.get(LIST, {"q": "x" * 101}).status_code == 400
    assert client.get(LIST, {"page": "0"}).status_code == 400
    assert client.get(LIST, {"page_size": "1000"}).status_code == 400
    assert client.get(LIST, {"sex": "boy"}).status_code == 400
    assert client.get(LIST, {"district": "Lahore"}).status_code == 400
    assert client.get(LIST, {"page": "99"}).status_code == 404


def test_search_filters_by_sex_and_district(personas: Personas, records: Records) -> None:
    client = api_as(personas.provincial_supervisor)
    males = client.get(LIST, {"sex": "male"}).json()["results"]
    assert [r["uuid"] for r in males] == [str(records.lahore_child.uuid)]
    assert client.get(LIST, {"district": "PK617"}).json()["count"] == 2


def test_a_list_read_is_audited_without_the_search_words(
    personas: Personas, records: Records
) -> None:
    api_as(personas.supervisor).get(LIST, {"q": "ayesha"})
    event = AuditEvent.objects.filter(action="child.list").latest("id")
    assert event.detail["results"] == [str(records.cpo_child.uuid)]
    assert "ayesha" not in str(event.detail).lower()


def test_a_detail_read_is_audited(personas: Personas, records: Records) -> None:
    api_as(personas.cpo).get(f"{LIST}{records.cpo_child.uuid}/")
    event = AuditEvent.objects.filter(action="child.read").latest("id")
    assert event.object_id == str(records.cpo_child.uuid)
    assert event.actor_id == personas.cpo.pk and event.actor_roles == "cpo@PK617"


def test_a_change_is_audited_with_field_names(personas: Personas, records: Records) -> None:
    url = f"{LIST}{records.cpo_child.uuid}/"
    response = api_as(personas.cpo).patch(url, {"name_urdu": "عائشہ"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name_urdu"] == "عائشہ"
    event = AuditEvent.objects.filter(action="child.update").latest("id")
    assert event.detail == {"fields": ["name_urdu"]}


def test_a_change_outside_scope_is_refused(personas: Personas, records: Records) -> None:
    url = f"{LIST}{records.cpo_child.uuid}/"
    born_on = records.cpo_child.date_of_birth
    assert (
        api_as(personas.other_cpo).patch(url, {"name_urdu": "x"}, format="json").status_code == 404
    )
    bad = api_as(personas.cpo).patch(url, {"date_of_birth": "2999-01-01"}, format="json")
    assert bad.status_code == 400
    records.cpo_child.refresh_from_db()
    assert records.cpo_child.date_of_birth == born_on


def test_a_cpo_cannot_reassign_or_move_out_of_scope(personas: Personas, records: Records) -> None:
    url = f"{LIST}{records.cpo_child.uuid}/"
    client = api_as(personas.cpo)
    assert client.patch(url, {"district": "PK528"}, format="json").status_code == 403
    assert client.patch(url, {"owner": None}, format="json").status_code == 403
    response = api_as(personas.supervisor).patch(url, {"owner": None}, format="json")
    assert response.status_code == 200
    assert api_as(personas.cpo).get(url).status_code == 404  # left the caseload


def test_moving_a_child_needs_an_officer_of_the_new_district(
    personas: Personas, records: Records
) -> None:
    url = f"{LIST}{records.cpo_child.uuid}/"
    client = api_as(personas.provincial_supervisor)
    assert client.patch(url, {"district": "PK601"}, format="json").status_code == 400
    moved = client.patch(url, {"district": "PK601", "owner": None}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["district"] == "PK601" and moved.json()["owner"] is None


def test_a_child_who_turned_18_keeps_a_record_that_can_be_corrected(
    personas: Personas, records: Records
) -> None:
    from datetime import timedelta

    registered = timezone.now() - timedelta(days=2 * 366)
    born = timezone.localdate() - timedelta(days=19 * 366)  # 17 at registration, 19 now
    Child.objects.filter(pk=records.cpo_child.pk).update(
        registered_at=registered, date_of_birth=born
    )
    url = f"{LIST}{records.cpo_child.uuid}/"
    response = api_as(personas.cpo).patch(url, {"address": "Shelter, Lahore"}, format="json")
    assert response.status_code == 200, response.content
    too_old = str(born - timedelta(days=366))
    refused = api_as(personas.cpo).patch(url, {"date_of_birth": too_old}, format="json")
    assert refused.status_code == 400 and "when registered" in refused.json()["date_of_birth"][0]


def test_nationality_is_stored_upper_case(personas: Personas) -> None:
    response = api_as(personas.cpo).post(LIST, valid(nationality="af"), format="json")
    assert response.json()["nationality"] == "AF"
