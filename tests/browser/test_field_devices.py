"""A supervisor removes a CPO's phone, on a phone: the form refuses an empty reason, then
takes one, and the page shows the phone removed, by whom and why."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from cpmis.accounts.models import User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.field import services
from cpmis.field.models import Device
from tests.conftest import LAHORE, make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def _officer(username: str, role: str, first: str, last: str) -> User:
    user = make_user(
        username, {"role": role, "scope_level": ScopeLevel.DISTRICT, "district": LAHORE}
    )
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def phones(transactional_db: Any) -> dict[str, Any]:
    """Lahore's supervisor, and a CPO who enrolled two phones."""
    supervisor = _officer("lhr.sup", Role.SUPERVISOR, "Nadia", "Qureshi")
    cpo = _officer("lhr.cpo", Role.CPO, "Samina", "Akhtar")
    lost = services.device_enrol(actor=cpo, label="Samina's Nokia").device
    kept = services.device_enrol(actor=cpo, label="Office tablet").device
    return {"supervisor": supervisor, "cpo": cpo, "lost": lost, "kept": kept}


def test_the_supervisor_removes_a_lost_phone_with_a_reason(
    page: Any, live_server: Any, sign_in: Any, submit: Any, phones: dict[str, Any]
) -> None:
    from tests.browser.test_casework import axe_check

    page.set_viewport_size(PHONE)
    sign_in(page, "lhr.sup")
    page.locator(".menu-toggle").click()
    submit(page, page.get_by_role("link", name="Phones"))
    expect(page.get_by_role("heading", name="Phones used offline")).to_be_visible()
    officer = page.locator("section.officer", has=page.get_by_role("heading", name="Samina Akhtar"))
    expect(officer.locator("tr.device")).to_have_count(2)
    row = officer.locator("tr.device", has_text="Samina's Nokia")
    expect(row.locator("td.state")).to_have_text("In use")
    expect(row).to_contain_text("never")
    axe_check(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a 360-px phone"

    row.locator("summary", has_text="Remove this phone").click()
    reason = row.get_by_label("Why you remove it")
    button = row.get_by_role("button", name="Remove the phone")

    # Nothing typed: the browser keeps the form (the reason is required).
    button.click()
    assert reason.evaluate("e => e.validity.valueMissing")
    assert page.url.endswith("/field/devices/")
    # Only spaces: the server refuses it, and says why on the page.
    reason.fill("   ")
    submit(page, button)
    expect(page.locator("ul.messages")).to_contain_text(
        "The phone “Samina's Nokia” was not removed: Say why the phone is removed"
    )
    row = page.locator("tr.device", has_text="Samina's Nokia")
    expect(row.locator("td.state")).to_have_text("In use")
    phones["lost"].refresh_from_db()
    assert phones["lost"].ended_at is None

    row.locator("summary", has_text="Remove this phone").click()
    row.get_by_label("Why you remove it").fill("Lost on the bus to Kasur.")
    submit(page, row.get_by_role("button", name="Remove the phone"))

    expect(page.locator("ul.messages")).to_contain_text(
        "The phone will delete its data at its next contact."
    )
    row = page.locator("tr.device", has_text="Samina's Nokia")
    state = row.locator("td.state")
    expect(state).to_contain_text("Removed by Nadia Qureshi on")
    expect(state).to_contain_text("Lost on the bus to Kasur.")
    expect(state).to_contain_text("The phone has not yet confirmed that it deleted its data")
    expect(row.locator("summary")).to_have_count(0)  # nothing left to remove
    other = page.locator("tr.device", has_text="Office tablet")
    expect(other.locator("td.state")).to_have_text("In use")
    phones["lost"].refresh_from_db()
    assert phones["lost"].end_reason == Device.EndReason.REVOKED
    assert phones["lost"].end_note == "Lost on the bus to Kasur."
