"""The field app in a real Chromium with the network cut (Playwright's offline mode), as a
Child Protection Officer: enrol the phone with a PIN, work offline, reconnect and sync; find on
the server what was recorded, with its field time; a conflict made on the server meanwhile is
shown and decided; the store on the phone is unreadable without the PIN and wiped after wrong
PINs, when the supervisor revokes the phone, and at sign-out; a child met in the field is
registered offline.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from cpmis.accounts.models import User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.cases import services as s
from cpmis.cases.models import Case, CaseEvent, EventKind, Institution
from cpmis.field import services as field_services
from cpmis.field.models import Device, FieldAction
from cpmis.people.models import Child
from cpmis.people.services import child_register
from cpmis.reference.models import District, InstitutionType
from tests.browser.test_casework import axe_check
from tests.conftest import LAHORE, born, make_user

pytestmark = pytest.mark.browser

PIN = "482916"
KARACHI = ZoneInfo("Asia/Karachi")  # the browser context's time zone (tests/browser/conftest.py)
PHONE = {"width": 360, "height": 740}


def _officer(username: str, role: str, first: str, last: str) -> User:
    user = make_user(
        username, {"role": role, "scope_level": ScopeLevel.DISTRICT, "district": LAHORE}
    )
    user.sex, user.first_name, user.last_name = User.Sex.FEMALE, first, last
    user.save(update_fields=["sex", "first_name", "last_name"])
    return user


@pytest.fixture
def field(transactional_db: Any) -> dict[str, Any]:
    """Lahore's supervisor and a woman CPO; a girl's case assigned to the CPO; a home."""
    lahore = District.objects.get(pcode=LAHORE)
    sup = _officer("lhr.sup", Role.SUPERVISOR, "Nadia", "Qureshi")
    cpo = _officer("lhr.cpo", Role.CPO, "Samina", "Akhtar")
    girl = child_register(
        actor=sup,
        district=lahore,
        sex="female",
        date_of_birth=born(13, 5, 1),
        name_latin="Zainab Ali",
        name_urdu="زینب علی",
    )
    case = s.case_open(
        actor=sup,
        child=girl,
        initial_risk="high",
        concerns=["trafficked"],
        opened_at=timezone.now() - timedelta(days=3),
    )
    case = s.case_assign(actor=sup, case=case, officer=cpo)
    home = Institution.objects.create(
        name="Nigehban Centre Lahore",
        type=InstitutionType.objects.get(code="child_protection_institution"),
        district=lahore,
        accepts=Institution.Accepts.GIRLS,
        capacity=10,
    )
    return {"sup": sup, "cpo": cpo, "girl": girl, "case": case, "home": home}


# ---- helpers ------------------------------------------------------------------------------


def open_app(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/field/")
    started(page)


def started(page: Any) -> None:
    """The app has read the store and asked the server whether to wipe it."""
    page.wait_for_function("() => window.cpmisField && window.cpmisField.ready")


def enrol(page: Any, live_server: Any, case: Case) -> None:
    open_app(page, live_server)
    expect(page.get_by_role("heading", name="Use this phone offline")).to_be_visible()
    page.get_by_label("Name of this phone").fill("Samsung A14, Lahore unit")
    page.get_by_label("PIN (at least 6 digits)").fill(PIN)
    page.get_by_label("The same PIN again").fill(PIN)
    page.get_by_role("button", name="Keep my cases on this phone").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    expect(page.locator("table.list")).to_contain_text(case.number)
    expect(page.locator("#field-synced")).to_contain_text("Data last synced:")


def unlock(page: Any, pin: str = PIN) -> None:
    expect(page.get_by_role("heading", name="Unlock")).to_be_visible()
    page.get_by_label("PIN", exact=True).fill(pin)
    page.get_by_role("button", name="Unlock").click()


def wait_for_offline_shell(page: Any) -> None:
    """The service worker is active and has kept the shell (what a reload offline needs)."""
    page.wait_for_function(
        """async () => {
            const ready = await navigator.serviceWorker.ready;
            if (!ready.active) return false;
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                if (await cache.match('/field/', {ignoreVary: true})) return true;
            }
            return false;
        }""",
        polling=200,
    )


def action(page: Any, label: str) -> Any:
    """Open a field action of the case page by its name; return its form."""
    box = page.locator(
        "details.action", has=page.locator("summary", has_text=re.compile(rf"^{label}$"))
    )
    expect(box).to_have_count(1)
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box.locator("form")


def record_visit(page: Any, case: Case, note: str) -> None:
    """From the caseload: open the case, record a visit with ``note``; it waits on the phone."""
    page.get_by_role("link", name=case.number).click()
    form = action(page, "Record a visit")
    form.get_by_label("What you found").fill(note)
    form.get_by_role("button", name="Record a visit").click()
    expect(status(page)).to_have_attribute("data-queued", "1")


def local(moment: datetime) -> str:
    """A datetime-local input's value for ``moment`` in the browser's time zone."""
    return moment.astimezone(KARACHI).strftime("%Y-%m-%dT%H:%M")


def minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def status(page: Any) -> Any:
    return page.locator("#field-status")


def sync_page(page: Any) -> None:
    page.locator(".field-nav").get_by_role("link", name="Sync").click()
    expect(page.get_by_role("heading", name="Sync", exact=True)).to_be_visible()


def database_exists(page: Any) -> bool:
    return bool(
        page.evaluate(
            "async () => (await indexedDB.databases()).some(d => d.name === 'cpmis-field')"
        )
    )


# ---- the tests -----------------------------------------------------------------------------


def test_actions_recorded_offline_reach_the_server_with_their_field_times(
    page: Any, live_server: Any, sign_in: Any, field: dict[str, Any]
) -> None:
    case = field["case"]
    page.set_viewport_size(PHONE)
    sign_in(page, "lhr.cpo")
    enrol(page, live_server, case)
    expect(status(page)).to_have_attribute("data-network", "online")
    axe_check(page)
    wait_for_offline_shell(page)

    # No network: the service worker serves the app; the PIN opens the store.
    page.context.set_offline(True)
    page.reload()
    expect(status(page)).to_have_attribute("data-network", "offline")
    expect(status(page)).to_contain_text("Offline")
    unlock(page)
    page.get_by_role("link", name=case.number).click()
    expect(page.locator(".case-head")).to_contain_text("Zainab Ali")
    expect(page.locator("#field-synced")).to_contain_text(re.compile(r"Data last synced: .+\("))

    an_hour_ago = timezone.now() - timedelta(hours=1)
    form = action(page, "Record a visit")
    form.get_by_label("When").fill(local(an_hour_ago))
    form.get_by_label("What you found").fill("Met the girl at her aunt's house.")
    form.get_by_role("button", name="Record a visit").click()
    expect(page.locator("#field-message")).to_contain_text("Kept on this phone")

    taken = timezone.now() - timedelta(minutes=20)
    form = action(page, "Take into protection")
    form.get_by_label("When").fill(local(taken))
    form.get_by_label("Temporary custody at").select_option(
        label="Nigehban Centre Lahore (10 free)"
    )
    form.get_by_role("button", name="Take into protection").click()

    form = action(page, "Record a placement")
    form.get_by_label("With the parents").check()
    form.get_by_label("A woman").check()  # a girl's caregiver (ICT CPA 2018 s.20)
    form.get_by_role("button", name="Record a placement").click()

    pending = page.locator("ol.timeline li.field-pending-event")
    expect(pending).to_have_count(3)
    expect(pending.first).to_contain_text("waiting to sync")
    expect(pending.first).to_contain_text("Met the girl at her aunt's house.")
    provisional = page.locator("ul.clocks li.field-provisional")
    expect(provisional).to_contain_text("Produce before the Court by")
    expect(status(page)).to_have_attribute("data-queued", "3")
    expect(status(page)).to_contain_text("3 waiting to sync")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(page)
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.VISIT).exists()

    # Back online: the app syncs by itself; the Sync page's button does the same.
    reconnected = timezone.now()
    page.context.set_offline(False)
    sync_page(page)
    page.get_by_role("button", name="Sync now").click()
    expect(status(page)).to_have_attribute("data-queued", "0")
    expect(status(page)).to_contain_text("0 waiting to sync")
    expect(status(page)).to_have_attribute("data-network", "online")

    visit = CaseEvent.objects.get(case=case, kind=EventKind.VISIT)
    assert visit.occurred_at == minute(an_hour_ago)
    placed = CaseEvent.objects.get(case=case, kind=EventKind.PLACEMENT)
    assert placed.details["option"] == "parental"
    assert visit.recorded_at >= reconnected
    protected = CaseEvent.objects.get(case=case, kind=EventKind.TAKEN_INTO_PROTECTION)
    assert protected.occurred_at == minute(taken)
    assert protected.recorded_at >= reconnected
    receipts = FieldAction.objects.order_by("seq")
    assert [r.status for r in receipts] == ["applied", "applied", "applied"]
    assert receipts[0].field_time == minute(an_hour_ago)
    case.refresh_from_db()
    assert case.in_protection

    # The fresh pack shows it as recorded: the production clock counts from the field time.
    page.locator(".field-nav").get_by_role("link", name="My cases").click()
    page.get_by_role("link", name=case.number).click()
    expect(page.locator("ol.timeline li.field-pending-event")).to_have_count(0)
    expect(page.locator("ol.timeline")).to_contain_text("Met the girl at her aunt's house.")
    expect(page.locator(".case-head")).to_contain_text("In protection")


def test_a_conflict_made_on_the_server_meanwhile_is_shown_and_decided(
    page: Any, live_server: Any, sign_in: Any, field: dict[str, Any]
) -> None:
    case, cpo = field["case"], field["cpo"]
    sign_in(page, "lhr.cpo")
    enrol(page, live_server, case)

    page.context.set_offline(True)
    page.get_by_role("link", name=case.number).click()
    form = action(page, "Record the assessment")
    form.get_by_label("Medium").check()
    form.get_by_label("Note").fill("Safe with her aunt for now.")
    form.get_by_role("button", name="Record the assessment").click()
    expect(status(page)).to_have_attribute("data-queued", "1")
    # Meanwhile, on the office computer: a visit recorded on the case page.
    s.simple_event(actor=cpo, case=case, kind=EventKind.VISIT, note="School visit.")

    page.context.set_offline(False)  # the app syncs by itself
    expect(status(page)).to_have_attribute("data-failed", "1")
    expect(status(page)).to_contain_text("1 needs your attention")
    sync_page(page)
    item = page.locator("ul.items li[data-status='conflict']")
    expect(item).to_contain_text("changed meanwhile")
    expect(item).to_contain_text("Visit, by Samina Akhtar")
    assert FieldAction.objects.get().status == "conflict"
    item.get_by_role("button", name="Record mine anyway").click()
    expect(status(page)).to_have_attribute("data-failed", "0")
    expect(page.locator("ul.items li[data-status='conflict']")).to_have_count(0)
    receipt = FieldAction.objects.get()
    assert receipt.status == "applied"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ASSESSED).count() == 1

    # Another one, set aside: not on the case, its receipt kept.
    page.context.set_offline(True)
    page.locator(".field-nav").get_by_role("link", name="My cases").click()
    page.get_by_role("link", name=case.number).click()
    form = action(page, "Record the assessment")
    form.get_by_label("High").check()
    form.get_by_role("button", name="Record the assessment").click()
    case.refresh_from_db()
    s.simple_event(actor=cpo, case=case, kind=EventKind.VISIT, note="Second school visit.")
    page.context.set_offline(False)
    expect(status(page)).to_have_attribute("data-failed", "1")
    sync_page(page)
    item = page.locator("ul.items li[data-status='conflict']")
    item.get_by_role("button", name="Set mine aside").click()
    expect(status(page)).to_have_attribute("data-failed", "0")
    expect(status(page)).to_have_attribute("data-queued", "0")
    second = FieldAction.objects.exclude(pk=receipt.pk).get()
    assert second.status == "discarded"
    assert second.data["risk_level"] == "high"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ASSESSED).count() == 1


def test_it_locks_when_idle_and_sends_nothing_while_the_phones_clock_is_off(
    page: Any, live_server: Any, sign_in: Any, field: dict[str, Any]
) -> None:
    case = field["case"]
    page.clock.install()  # the phone's clock, which the test moves on
    sign_in(page, "lhr.cpo")
    enrol(page, live_server, case)
    page.clock.fast_forward("10:00")  # ten minutes without a touch (the pack says 5)
    expect(page.get_by_role("heading", name="Unlock")).to_be_visible()
    expect(page.locator("table.list")).to_have_count(0)  # nothing of the cases left on screen
    assert page.evaluate("() => window.cpmisField.state()")["locked"] is True
    unlock(page)
    record_visit(page, case, "At the shelter.")

    # The phone's clock is now ten minutes ahead of the server's: nothing is sent.
    sync_page(page)
    page.get_by_role("button", name="Sync now").click()
    problem = page.locator("#field-message")
    expect(problem).to_contain_text("ahead of the correct time")
    expect(problem).to_contain_text("Nothing was sent")
    expect(status(page)).to_have_attribute("data-queued", "1")
    assert not FieldAction.objects.exists()

    # A time in the future is refused on the phone, before it is kept.
    page.locator(".field-nav").get_by_role("link", name="My cases").click()
    page.get_by_role("link", name=case.number).click()
    form = action(page, "Record a visit")
    later = datetime.now(KARACHI) + timedelta(hours=3)
    form.get_by_label("When").fill(later.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("What you found").fill("Tomorrow's visit.")
    form.get_by_role("button", name="Record a visit").click()
    expect(form.locator(".error")).to_contain_text("The time is in the future")
    expect(status(page)).to_have_attribute("data-queued", "1")


def test_actions_stay_on_the_phone_when_the_session_is_gone(
    page: Any, live_server: Any, sign_in: Any, field: dict[str, Any]
) -> None:
    case = field["case"]
    sign_in(page, "lhr.cpo")
    enrol(page, live_server, case)
    page.context.set_offline(True)
    record_visit(page, case, "Nobody at home.")
    Session.objects.all().delete()  # the session ended while the officer was in the field

    page.context.set_offline(False)  # the app tries to sync by itself
    message = page.locator("#field-message")
    expect(message).to_contain_text("Sign in again to send; your 1 action stays on this phone.")
    expect(message.get_by_role("link", name="Sign in")).to_have_attribute(
        "href", "/accounts/login/?next=/field/"
    )
    expect(status(page)).to_have_attribute("data-queued", "1")
    assert not FieldAction.objects.exists()


def test_the_store_is_unreadable_without_the_pin_and_wiped_after_wrong_pins(
    page: Any, live_server: Any, sign_in: Any, field: dict[str, Any]
) -> None:
    case = field["case"]
    sign_in(page, "lhr.cpo")
    enrol(page, live_server, case)
    record_visit(page, case, "Quietlyqx spoke with the neighbours.")

    # Everything IndexedDB holds, as text: no name, number or note in it.
    dump = page.evaluate(
        """async () => {
            const db = await new Promise((ok, ko) => {
                const r = indexedDB.open('cpmis-field');
                r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error);
            });
            const text = (v) => v instanceof Uint8Array || v instanceof ArrayBuffer
                ? new TextDecoder('latin1').decode(v)
                : (typeof v === 'object' && v !== null
                    ? Object.entries(v).map(([k, x]) => k + ':' + text(x)).join(' ')
                    : String(v));
            const out = {};
            for (const name of ['meta', 'vault']) {
                const store = db.transaction(name).objectStore(name);
                const values = await new Promise(ok => {
                    const r = store.getAll(); r.onsuccess = () => ok(r.result);
                });
                const keys = await new Promise(ok => {
                    const r = store.getAllKeys(); r.onsuccess = () => ok(r.result);
                });
                out[name] = keys.map((k, i) => String(k) + '=' + text(values[i]));
            }
            db.close();
            return out;
        }"""
    )
    assert any(entry.startswith("pack=") for entry in dump["vault"])
    assert any(entry.startswith("q:") for entry in dump["vault"])
    everything = " ".join(dump["meta"] + dump["vault"])
    for secret in ("Zainab", "زینب", case.number, "Quietlyqx", "trafficked", PIN):
        assert secret not in everything
    assert page.evaluate("() => window.cpmisField.storedBytes()") > 0

    # Locked: the PIN is asked again; wrong five times, the store is deleted.
    page.locator(".field-nav").get_by_role("button", name="Lock").click()
    for left in (4, 3, 2, 1):
        unlock(page, "000000")
        expect(page.locator("form .error")).to_have_text(
            re.compile(rf"Wrong PIN: {left} tr(y|ies) left")
        )
    expect(status(page)).to_have_attribute("data-queued", "1")  # known while locked
    unlock(page, "000000")
    expect(page.get_by_role("heading", name="Use this phone offline")).to_be_visible()
    expect(page.locator("[data-slot='reason']")).to_contain_text("The PIN was wrong too many")
    assert not database_exists(page)
    assert page.evaluate("() => window.cpmisField.state()")["enrolled"] is False


def test_a_record_altered_on_the_phone_is_not_sent(
    page: Any, live_server: Any, sign_in: Any, field: dict[str, Any]
) -> None:
    case = field["case"]
    sign_in(page, "lhr.cpo")
    enrol(page, live_server, case)
    page.context.set_offline(True)
    record_visit(page, case, "Seen at school.")
    # Someone with the phone changes one byte of the queued action; the app is locked and opened
    # again (what it reads is what the store holds).
    page.evaluate(
        """async () => {
            const db = await new Promise(ok => {
                const r = indexedDB.open('cpmis-field'); r.onsuccess = () => ok(r.result);
            });
            const store = db.transaction('vault', 'readwrite').objectStore('vault');
            const keys = await new Promise(ok => {
                const r = store.getAllKeys(); r.onsuccess = () => ok(r.result);
            });
            const id = keys.find(k => k.startsWith('q:'));
            const record = await new Promise(ok => {
                const r = store.get(id); r.onsuccess = () => ok(r.result);
            });
            record.ct[5] ^= 1;
            await new Promise(ok => { store.put(record).onsuccess = ok; });
            db.close();
        }"""
    )
    page.locator(".field-nav").get_by_role("button", name="Lock").click()
    page.context.set_offline(False)
    unlock(page)
    sync_page(page)
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("ul[data-slot='attention']")).to_contain_text(
        "Something on this phone was altered and could not be read: it was not sent"
    )
    expect(status(page)).to_have_attribute("data-failed", "1")
    assert not FieldAction.objects.exists()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.VISIT).exists()


def test_a_revoked_phone_is_wiped_at_its_next_contact(
    page: Any, live_server: Any, sign_in: Any, field: dict[str, Any]
) -> None:
    sign_in(page, "lhr.cpo")
    enrol(page, live_server, field["case"])
    device = Device.objects.get()
    field_services.device_revoke(actor=field["sup"], device=device, note="Lost on the bus.")

    page.reload()
    started(page)
    expect(page.get_by_role("heading", name="Use this phone offline")).to_be_visible()
    expect(page.locator("[data-slot='reason']")).to_contain_text(
        "Your supervisor removed this phone"
    )
    assert not database_exists(page)
    device.refresh_from_db()
    assert device.wiped_at is not None


def test_a_child_met_in_the_field_is_registered_offline(
    page: Any, live_server: Any, sign_in: Any, field: dict[str, Any]
) -> None:
    sign_in(page, "lhr.cpo")
    enrol(page, live_server, field["case"])
    page.context.set_offline(True)
    page.get_by_role("link", name="Register a new child met in the field").click()
    form = page.locator("form[data-kind='register']")
    form.get_by_label("Name (English letters)").fill("Rubina Noor")
    form.get_by_label("Female").check()
    form.get_by_label("or estimated age (years)").fill("12")
    form.get_by_label("District").select_option(label="Lahore")
    form.get_by_label("High").check()
    form.locator("input[name='concerns']").first.check()
    form.get_by_label("Note").fill("Found begging at the railway station.")
    form.get_by_role("button", name="Register").click()
    row = page.locator("table.list tr", has_text="Rubina Noor")
    expect(row).to_contain_text("New case")
    expect(row).to_contain_text("waiting to sync")
    expect(status(page)).to_have_attribute("data-queued", "1")

    page.context.set_offline(False)
    expect(status(page)).to_have_attribute("data-queued", "0")
    child = Child.objects.get(name_latin="Rubina Noor")
    new = Case.objects.get(child=child)
    assert new.assigned_to == field["cpo"]
    assert FieldAction.objects.get().case_uuid == new.uuid
    expect(page.locator("table.list")).to_contain_text(new.number)


def test_signing_out_on_the_phone_ends_it_and_deletes_the_store(
    page: Any, live_server: Any, sign_in: Any, field: dict[str, Any]
) -> None:
    case = field["case"]
    sign_in(page, "lhr.cpo")
    enrol(page, live_server, case)
    # The sync fails (the server is down for a moment): the visit waits on the phone.
    page.route(
        "**/api/field/sync/",
        lambda route: route.fulfill(status=503, json={"detail": "Down for maintenance."}),
    )
    page.context.set_offline(True)
    record_visit(page, case, "Not at home.")

    # Offline the phone cannot sign out; online it warns of what would be lost.
    sign_out = page.locator(".field-nav").get_by_role("button", name="Sign out of this phone")
    sign_out.click()
    expect(page.locator("#field-message")).to_contain_text("Connect to the internet to sign out")
    page.context.set_offline(False)
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    sign_out.click()
    page.wait_for_function("() => window.cpmisField.state().enrolled")
    assert asked and "1 action on this phone has not been sent" in asked[0]
    expect(status(page)).to_have_attribute("data-queued", "1")
    assert Device.objects.get().ended_at is None
    assert database_exists(page)

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation(url=re.compile("/accounts/login/")):
        sign_out.click()
    device = Device.objects.get()
    assert device.end_reason == "signed_out"
    assert not database_exists(page)
    page.goto(f"{live_server.url}/field/")
    expect(page).to_have_url(re.compile("/accounts/login/"))


def test_signing_out_on_any_page_deletes_the_store(
    page: Any, live_server: Any, sign_in: Any, submit: Any, field: dict[str, Any]
) -> None:
    sign_in(page, "lhr.cpo")
    enrol(page, live_server, field["case"])
    case = field["case"]
    record_visit(page, case, "Asleep; mother present.")
    page.goto(f"{live_server.url}/cases/")
    assert database_exists(page)
    # An action waits: the sign-out on the casework pages asks first, and a "no" keeps it.
    with page.expect_event("dialog") as asked:
        page.get_by_role("button", name="Sign out").click()
    assert "have not been sent (1)" in asked.value.message
    asked.value.dismiss()
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()
    expect(page).to_have_url(re.compile("/cases/"))
    assert database_exists(page)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation(url=re.compile("/accounts/login/")):
        page.get_by_role("button", name="Sign out").click()
    # wipe.js, on the login page after a sign-out, deletes the store.
    page.wait_for_function(
        "async () => !(await indexedDB.databases()).some(d => d.name === 'cpmis-field')"
    )


def test_a_follow_up_visit_is_recorded_offline(
    page: Any, live_server: Any, sign_in: Any, field: dict[str, Any]
) -> None:
    """A case in follow-up after the child's release: the follow-up visit its clock asks for."""
    sup, cpo, case = field["sup"], field["cpo"], field["case"]
    case = s.protection_take(actor=cpo, case=case, occurred_at=timezone.now() - timedelta(days=2))
    case = s.court_produce(actor=cpo, case=case, court="Child Protection Court Lahore")
    case = s.order_record(actor=cpo, case=case, kind="release", final=True)
    case = s.release(actor=cpo, case=case)
    case.refresh_from_db()
    assert case.stage == "follow_up"
    del sup
    sign_in(page, "lhr.cpo")
    enrol(page, live_server, case)
    page.context.set_offline(True)
    page.get_by_role("link", name=case.number).click()
    form = action(page, "Record a follow-up visit")
    form.get_by_label("Note").fill("Back at school; the family is coping.")
    form.get_by_role("button", name="Record a follow-up visit").click()
    expect(status(page)).to_have_attribute("data-queued", "1")
    page.context.set_offline(False)
    sync_page(page)
    page.get_by_role("button", name="Sync now").click()
    expect(status(page)).to_have_attribute("data-queued", "0")
    visit = CaseEvent.objects.get(case=case, kind=EventKind.FOLLOW_UP_VISIT)
    assert visit.note == "Back at school; the family is coping."
