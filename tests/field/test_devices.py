"""The phones officers use offline, as their supervisors see them: the list and its counts, the
page, removing a phone (audited, in scope only), a disabled account's phones, and the login
page that deletes a phone's offline store after an explicit sign-out (and only then)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cpmis.accounts.models import User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.accounts.services import role_assign, user_deactivate
from cpmis.audit.models import AuditEvent
from cpmis.core.errors import NotFound
from cpmis.field import selectors, services
from cpmis.field.models import Device, FieldAction
from cpmis.reference.models import District
from tests.conftest import LAHORE, PESHAWAR, SETUP, Personas, make_user

DEVICES = "/field/devices/"
REMOVED = "The phone will delete its data at its next contact."


def _named(user: User, first: str, last: str) -> User:
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def office(personas: Personas) -> dict[str, Any]:
    """Lahore's CPO (named) with a phone in use; a supervisor of Peshawar."""
    cpo = _named(personas.cpo, "Samina", "Akhtar")
    supervisor = _named(personas.supervisor, "Nadia", "Qureshi")
    enrolment = services.device_enrol(actor=cpo, label="Samina's Nokia")
    kp_supervisor = make_user(
        "kp_supervisor",
        {"role": Role.SUPERVISOR, "scope_level": ScopeLevel.DISTRICT, "district": PESHAWAR},
    )
    return {
        "cpo": cpo,
        "supervisor": supervisor,
        "kp_supervisor": kp_supervisor,
        "device": enrolment.device,
        "secret": enrolment.secret,
    }


def _actions(device: Device, **by_status: int) -> None:
    """Receipts of actions the device sent, so many of each status."""
    now = timezone.now()
    seq = FieldAction.objects.filter(device=device).count()
    for status, count in by_status.items():
        for _ in range(count):
            seq += 1
            FieldAction.objects.create(
                key=uuid.uuid4(),
                device=device,
                user=device.user,
                seq=seq,
                kind=FieldAction.Kind.VISIT,
                case_uuid=uuid.uuid4(),
                field_time=now,
                queued_at=now,
                received_at=now,
                digest="0" * 64,
                data={"note": "Visited."},
                status=status,
            )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- selectors -------------------------------------------------------------------------------


def test_device_list_counts_what_became_of_each_devices_actions(office: dict[str, Any]) -> None:
    _actions(office["device"], refused=2, conflict=1, held=3, applied=4, discarded=1)
    other = services.device_enrol(actor=office["cpo"], label="Tablet").device

    listed = {d.pk: d for d in selectors.device_list(user=office["supervisor"])}

    assert set(listed) == {office["device"].pk, other.pk}
    phone = listed[office["device"].pk]
    assert (phone.refused_count, phone.conflict_count, phone.held_count) == (2, 1, 3)
    tablet = listed[other.pk]
    assert (tablet.refused_count, tablet.conflict_count, tablet.held_count) == (0, 0, 0)


def test_counts_are_not_multiplied_by_an_officer_working_in_two_districts(
    personas: Personas, office: dict[str, Any]
) -> None:
    # Both of the officer's districts are in the provincial supervisor's scope: the scope's
    # join has two rows for the officer, the counts must not double.
    second = District.objects.filter(jurisdiction__iso_code="PK-PB").exclude(pcode=LAHORE)[0]
    role_assign(
        actor=SETUP,
        user=office["cpo"],
        role=Role.CPO,
        scope_level=ScopeLevel.DISTRICT,
        district=second,
    )
    _actions(office["device"], refused=2, conflict=1)

    listed = list(selectors.device_list(user=personas.provincial_supervisor))

    assert [d.pk for d in listed] == [office["device"].pk]
    assert (listed[0].refused_count, listed[0].conflict_count) == (2, 1)
    districts = selectors.officer_districts(
        user=personas.provincial_supervisor, officer_ids={office["cpo"].pk}
    )
    assert {d.pcode for d in districts[office["cpo"].pk]} == {LAHORE, second.pcode}


def test_device_list_orders_each_officers_phones_together_in_use_first(
    personas: Personas, office: dict[str, Any]
) -> None:
    cpo, supervisor = office["cpo"], office["supervisor"]
    colleague = _named(
        make_user(
            "colleague",
            {"role": Role.CPO, "scope_level": ScopeLevel.DISTRICT, "district": LAHORE},
        ),
        "Amna",
        "Baig",
    )
    theirs = services.device_enrol(actor=colleague, label="Amna's phone").device
    ended = services.device_enrol(actor=cpo, label="Old phone").device
    services.device_revoke(actor=supervisor, device=ended, note="Lost.")
    newer = services.device_enrol(actor=cpo, label="New phone").device

    listed = [d.pk for d in selectors.device_list(user=supervisor)]

    # Amna before Samina; Samina's phones in use (newest first), then the removed one.
    assert listed == [theirs.pk, newer.pk, office["device"].pk, ended.pk]


def test_device_get_finds_only_devices_in_scope(office: dict[str, Any]) -> None:
    device = office["device"]
    assert selectors.device_get(user=office["supervisor"], device_uuid=str(device.uuid)) == device
    for user, key in (
        (office["kp_supervisor"], str(device.uuid)),
        (office["cpo"], str(device.uuid)),
        (office["supervisor"], "not-a-uuid"),
        (office["supervisor"], str(uuid.uuid4())),
    ):
        with pytest.raises(NotFound):
            selectors.device_get(user=user, device_uuid=key)
    assert list(selectors.device_list(user=office["kp_supervisor"])) == []


def test_officers_without_a_phone_in_use(office: dict[str, Any]) -> None:
    colleague = make_user(
        "colleague", {"role": Role.CPO, "scope_level": ScopeLevel.DISTRICT, "district": LAHORE}
    )
    assert list(selectors.officers_without_device(user=office["supervisor"])) == [colleague]
    services.device_revoke(actor=office["supervisor"], device=office["device"], note="Stolen.")
    assert set(selectors.officers_without_device(user=office["supervisor"])) == {
        colleague,
        office["cpo"],
    }


# --- the page --------------------------------------------------------------------------------


def test_the_supervisor_sees_each_officers_phones(office: dict[str, Any]) -> None:
    device = office["device"]
    _actions(device, refused=1, conflict=2, held=1)
    Device.objects.filter(pk=device.pk).update(
        last_contact_at=timezone.now() - timedelta(hours=5),
        last_sync_at=timezone.now() - timedelta(days=3, hours=2),
    )

    response = _client(office["supervisor"]).get(DEVICES)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Samina Akhtar" in html and "cpo" in html
    assert "Samina&#x27;s Nokia" in html
    assert "In use" in html
    assert "5 h ago" in html
    assert "3 days ago" in html
    assert "1 action not recorded" in html
    assert "2 wait for the officer&#x27;s decision" in html
    assert "1 waits for an earlier action" in html
    assert f'action="/field/devices/{device.uuid}/revoke/"' in html
    assert "Remove this phone" in html


def test_a_phone_that_never_synced_says_never(office: dict[str, Any]) -> None:
    html = _client(office["supervisor"]).get(DEVICES).content.decode()
    assert html.count(">never<") == 2  # last contact, last sync
    assert "action not recorded" not in html


def test_the_page_reads_the_same_number_of_queries_for_more_officers_and_phones(
    office: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = _client(office["supervisor"])
    _actions(office["device"], refused=1)
    client.get(DEVICES)  # the session and the user's roles, read once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(DEVICES)
    for n in range(3):
        officer = make_user(
            f"officer{n}",
            {"role": Role.CPO, "scope_level": ScopeLevel.DISTRICT, "district": LAHORE},
        )
        for label in ("Phone A", "Phone B"):
            _actions(services.device_enrol(actor=officer, label=label).device, held=1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(DEVICES)
    assert response.content.decode().count('class="device"') == 7


def test_a_removed_phone_shows_who_removed_it_when_and_why(office: dict[str, Any]) -> None:
    services.device_revoke(
        actor=office["supervisor"], device=office["device"], note="Lost in the bazaar."
    )
    html = _client(office["supervisor"]).get(DEVICES).content.decode()
    assert "Removed by Nadia Qureshi on" in html
    assert "Lost in the bazaar." in html
    assert "The phone has not yet confirmed that it deleted its data" in html
    assert "/revoke/" not in html  # nothing left to remove

    services.device_status(
        device_uuid=str(office["device"].uuid), secret=office["secret"], wiped=True
    )
    html = _client(office["supervisor"]).get(DEVICES).content.decode()
    assert "The phone deleted its data on" in html


def test_a_signed_out_phone_says_so(office: dict[str, Any]) -> None:
    services.device_sign_out(actor=office["cpo"], device=office["device"])
    html = _client(office["supervisor"]).get(DEVICES).content.decode()
    assert "Signed out on" in html
    assert "In use" not in html


def test_the_page_in_urdu_leaves_no_english_but_what_people_wrote(
    office: dict[str, Any],
) -> None:
    """Every state a phone can be in, read in Urdu (the test of every page in Urdu in
    tests/test_routes.py reads it with no phone)."""
    from tests.test_routes import english_left, shown_text

    cpo, supervisor = office["cpo"], office["supervisor"]
    _actions(office["device"], refused=1, conflict=2, held=1)
    Device.objects.filter(pk=office["device"].pk).update(
        last_contact_at=timezone.now() - timedelta(minutes=20), last_sync_at=timezone.now()
    )
    revoked = services.device_enrol(actor=cpo, label="Old phone").device
    services.device_revoke(actor=supervisor, device=revoked, note="Lost in the bazaar.")
    signed_out = services.device_enrol(actor=cpo, label="Tablet").device
    services.device_sign_out(actor=cpo, device=signed_out)
    disabled = make_user(
        "leaver", {"role": Role.CPO, "scope_level": ScopeLevel.DISTRICT, "district": LAHORE}
    )
    enrolment = services.device_enrol(actor=disabled, label="Leaver's phone")
    services.devices_end_for_disabled(actor=SETUP, user=disabled)
    User.objects.filter(pk=disabled.pk).update(is_active=False)
    services.device_status(
        device_uuid=str(enrolment.device.uuid), secret=enrolment.secret, wiped=True
    )
    make_user("idle", {"role": Role.CPO, "scope_level": ScopeLevel.DISTRICT, "district": LAHORE})

    client = _client(supervisor)
    response = client.get(DEVICES, HTTP_ACCEPT_LANGUAGE="ur")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    for state in ("active", "revoked", "signed_out", "account_disabled"):
        assert f'data-state="{state}"' in html
    written = [
        "Samina Akhtar",
        "Nadia Qureshi",
        "Samina's Nokia",
        "Old phone",
        "Tablet",
        "Leaver's phone",
        "Lost in the bazaar.",
        "leaver",
        "idle",
        "cpo",
        "supervisor",  # the usernames
    ]
    assert english_left(shown_text(html), written) == []


def test_a_supervisor_of_another_district_sees_none_of_them(office: dict[str, Any]) -> None:
    response = _client(office["kp_supervisor"]).get(DEVICES)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nokia" not in html and "Samina" not in html
    assert "No officer of your districts has enrolled a phone" in html


@pytest.mark.parametrize("who", ["cpo", "outsider", "complaint_officer", "analyst"])
def test_the_page_is_for_supervisors_only(
    personas: Personas, office: dict[str, Any], who: str
) -> None:
    client = _client(getattr(personas, who))
    assert client.get(DEVICES).status_code == 403
    response = client.post(f"{DEVICES}{office['device'].uuid}/revoke/", {"note": "Lost."})
    assert response.status_code == 403
    office["device"].refresh_from_db()
    assert office["device"].ended_at is None


def test_signed_out_visitors_are_sent_to_sign_in(office: dict[str, Any]) -> None:
    response = Client().get(DEVICES)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- removing a phone ------------------------------------------------------------------------


def test_the_supervisor_removes_a_phone_with_a_reason(office: dict[str, Any]) -> None:
    device = office["device"]
    client = _client(office["supervisor"])

    response = client.post(f"{DEVICES}{device.uuid}/revoke/", {"note": "  Stolen  at court. "})

    assert response.status_code == 302
    assert response["Location"] == f"{DEVICES}#device-{device.uuid}"
    page = client.get(DEVICES)
    assert any(REMOVED in m for m in _messages(page))
    device.refresh_from_db()
    assert device.end_reason == Device.EndReason.REVOKED
    assert device.ended_by == office["supervisor"]
    assert device.end_note == "Stolen at court."
    event = AuditEvent.objects.get(action="field.device_revoked")
    assert event.object_id == str(device.uuid)
    assert event.actor_id == office["supervisor"].pk
    # The phone learns it at its next contact.
    status = services.device_status(device_uuid=str(device.uuid), secret=office["secret"])
    assert (status.state, status.reason) == ("wipe", "revoked")


@pytest.mark.parametrize("note", ["", "   \n "])
def test_a_removal_without_a_reason_is_refused_with_a_message(
    office: dict[str, Any], note: str
) -> None:
    device = office["device"]
    client = _client(office["supervisor"])

    response = client.post(f"{DEVICES}{device.uuid}/revoke/", {"note": note}, follow=True)

    assert response.status_code == 200
    assert any(
        "was not removed" in m and "Say why the phone is removed" in m for m in _messages(response)
    )
    device.refresh_from_db()
    assert device.ended_at is None
    assert not AuditEvent.objects.filter(action="field.device_revoked").exists()


def test_removing_a_removed_phone_says_so(office: dict[str, Any]) -> None:
    device = office["device"]
    client = _client(office["supervisor"])
    client.post(f"{DEVICES}{device.uuid}/revoke/", {"note": "Lost."})

    response = client.post(f"{DEVICES}{device.uuid}/revoke/", {"note": "Again."}, follow=True)

    assert any("already removed" in m for m in _messages(response))
    device.refresh_from_db()
    assert device.end_note == "Lost."
    assert AuditEvent.objects.filter(action="field.device_revoked").count() == 1


def test_a_supervisor_of_another_district_cannot_remove_it(office: dict[str, Any]) -> None:
    device = office["device"]
    response = _client(office["kp_supervisor"]).post(
        f"{DEVICES}{device.uuid}/revoke/", {"note": "Lost."}
    )
    assert response.status_code == 404
    assert "Nokia" not in response.content.decode()
    device.refresh_from_db()
    assert device.ended_at is None


@pytest.mark.parametrize("key", ["not-a-uuid", str(uuid.UUID(int=7)), "1%27%20or%201=1"])
def test_an_unknown_device_is_a_404_page(office: dict[str, Any], key: str) -> None:
    response = _client(office["supervisor"]).post(f"{DEVICES}{key}/revoke/", {"note": "Lost."})
    assert response.status_code == 404


def test_removal_is_a_post(office: dict[str, Any]) -> None:
    client = _client(office["supervisor"])
    assert client.get(f"{DEVICES}{office['device'].uuid}/revoke/").status_code == 405


# --- a disabled account, a wrong secret ------------------------------------------------------


def test_deactivating_an_account_ends_its_phones(
    personas: Personas, office: dict[str, Any]
) -> None:
    device = office["device"]
    second = services.device_enrol(actor=office["cpo"], label="Tablet").device

    user_deactivate(actor=personas.administrator, user=office["cpo"])

    for d in (device, second):
        d.refresh_from_db()
        assert d.end_reason == Device.EndReason.ACCOUNT_DISABLED
        assert d.ended_at is not None
    assert AuditEvent.objects.filter(action="field.device_account_disabled").count() == 2
    status = services.device_status(device_uuid=str(device.uuid), secret=office["secret"])
    assert (status.state, status.reason) == ("wipe", "account_disabled")
    html = _client(office["supervisor"]).get(DEVICES).content.decode()
    assert "Account disabled on" in html


def test_a_refused_deactivation_ends_no_phone(personas: Personas, office: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        user_deactivate(actor=office["supervisor"], user=office["cpo"])
    office["device"].refresh_from_db()
    assert office["device"].ended_at is None


def test_the_status_call_with_a_wrong_secret_says_wipe(office: dict[str, Any]) -> None:
    device = office["device"]
    for key, secret in (
        (str(device.uuid), "x" * 43),
        (str(device.uuid), ""),
        (str(uuid.uuid4()), office["secret"]),
        ("not-a-uuid", office["secret"]),
    ):
        status = services.device_status(device_uuid=key, secret=secret)
        assert (status.state, status.reason) == ("wipe", "unknown")
    device.refresh_from_db()
    assert device.ended_at is None  # a wrong guess ends nothing
    status = services.device_status(device_uuid=str(device.uuid), secret=office["secret"])
    assert (status.state, status.reason) == ("active", "")


# --- signing out deletes the offline store; an expired session does not ------------------------

WIPE_SCRIPT = "cpmis/field/wipe.js"
WIPED = "Anything stored on this device for offline work was deleted."


def test_signing_out_leads_to_the_page_that_deletes_the_offline_store(
    personas: Personas,
) -> None:
    client = _client(personas.cpo)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?signed_out=1"

    html = client.get(response["Location"]).content.decode()
    assert WIPE_SCRIPT in html
    assert WIPED in html


@pytest.mark.parametrize("query", ["", "?expired=1", "?signed_out=1&expired=1", "?next=/cases/"])
def test_other_login_pages_keep_the_offline_store(db: Any, query: str) -> None:
    html = Client().get(f"/accounts/login/{query}").content.decode()
    assert WIPE_SCRIPT not in html
    assert WIPED not in html


def test_a_failed_sign_in_after_signing_out_does_not_wipe_again(personas: Personas) -> None:
    response = Client().post(
        "/accounts/login/?signed_out=1", {"username": "cpo", "password": "wrong"}
    )
    assert response.status_code == 400
    assert WIPE_SCRIPT not in response.content.decode()


def test_an_expired_session_sends_to_a_login_page_that_keeps_the_store(
    personas: Personas, settings: Any
) -> None:
    from cpmis.accounts.middleware import LAST_SEEN, LOGIN_AT

    client = _client(personas.cpo)
    session = client.session
    session[LOGIN_AT] = session[LAST_SEEN] = 0  # long ago
    session.save()
    response = client.get("/cases/")
    assert response.status_code == 302
    assert "expired" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert WIPE_SCRIPT not in html


# --- the menu ----------------------------------------------------------------------------------


def test_the_menu_offers_offline_work_to_officers_and_phones_to_supervisors(
    personas: Personas,
) -> None:
    cpo = _client(personas.cpo).get("/").content.decode()
    assert 'href="/field/"' in cpo and "Work offline" in cpo
    assert 'href="/field/devices/"' not in cpo
    supervisor = _client(personas.supervisor).get("/").content.decode()
    assert 'href="/field/devices/"' in supervisor and ">Phones<" in supervisor
    analyst = _client(personas.analyst).get("/").content.decode()
    assert 'href="/field/' not in analyst
