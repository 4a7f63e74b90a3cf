"""An administrator corrects the kinds of sentence of a provision in a real browser: a range
of months without a term is refused on the page, and imprisonment for life is saved as life."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_casework import PHONE, axe_check
from tests.conftest import Personas
from tests.legal.test_api import provision

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue(transactional_db: Any) -> None:
    """The shipped catalogue (a live-server test's database is flushed after each test)."""
    from cpmis.legal.loader import legal_data_load
    from cpmis.legal.models import Statute

    if not Statute.objects.exists():
        legal_data_load()


def test_administrator_records_imprisonment_for_life_on_the_provision_page(
    page: Any, live_server: Any, personas: Personas, catalogue: Any, sign_in: Any, submit: Any
) -> None:
    target = provision("ppc-1860", "292-C")
    assert target.penalty.prison_term and not target.penalty.prison_life
    page.set_viewport_size(PHONE)
    sign_in(page, "administrator")
    page.goto(f"{live_server.url}/legal/provisions/{target.pk}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the provision page scrolls sideways: {width}px"
    axe_check(page)
    term = page.get_by_label("a term of imprisonment (the range above)")
    expect(term).to_be_checked()

    # Life only, but the months left in place: refused, and nothing saved.
    term.uncheck()
    page.get_by_label("imprisonment for life").check()
    submit(page, page.get_by_role("button", name="Save the correction"))
    expect(page.get_by_role("alert")).to_contain_text("imprisonment for life is recorded as life")
    target.penalty.refresh_from_db()
    assert target.penalty.prison_term and not target.penalty.prison_life

    # The months cleared: saved as life, and the page says so.
    page.get_by_label("a term of imprisonment (the range above)").uncheck()
    page.get_by_label("imprisonment for life").check()
    page.get_by_label("Imprisonment, minimum (months)").fill("")
    page.get_by_label("Imprisonment, maximum (months)").fill("")
    submit(page, page.get_by_role("button", name="Save the correction"))
    expect(page.locator("main")).to_contain_text("Imprisonment for life")
    target.penalty.refresh_from_db()
    assert target.penalty.prison_life and not target.penalty.prison_term
    assert target.penalty.prison_max_months is None
