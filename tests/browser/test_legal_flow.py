"""The law in a real browser: an administrator corrects the kinds of sentence of a provision (a
range of months without a term is refused on the page, and imprisonment for life is saved as
life); an analyst reads the compliance matrix and its table of gaps on a phone."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
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


def test_analyst_sees_federal_coverage_and_downloads_the_gaps_of_one_province(
    page: Any, live_server: Any, personas: Personas, catalogue: Any, sign_in: Any, submit: Any
) -> None:
    """On a phone: a province's cell covered by federal law is shown apart from its own law,
    the gaps count only what no applicable law covers, and the filter of the table of gaps
    narrows it to Punjab, whose XLSX downloads."""
    page.set_viewport_size(PHONE)
    sign_in(page, personas.analyst.username)
    page.goto(f"{live_server.url}/legal/matrix/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the matrix page scrolls sideways: {width}px"
    axe_check(page)
    expect(page.locator(".matrix-summary")).to_contain_text("24 gaps")
    seizure = page.get_by_role("row", name=re.compile(r"^7\. Seizure"))
    punjab = seizure.locator("td").nth(6)  # Federal, AJK, Balochistan, GB, ICT, KP, Punjab
    expect(punjab).to_have_class("federal-only")
    expect(punjab.get_by_text("Cr.P.C. s.51")).to_be_hidden()  # folded: the page stays short
    punjab.get_by_text("Covered by federal law").click()
    expect(punjab.get_by_text("Cr.P.C. s.51")).to_be_visible()

    page.get_by_role("link", name="The table of gaps").click()
    page.get_by_label("Jurisdiction").select_option(label="Punjab")
    submit(page, page.get_by_role("button", name="Show"))
    rows = page.locator("table.gaps tbody tr")
    expect(rows).to_have_count(6)  # Articles 10-12, federal law and Punjab's
    expect(rows.nth(1)).to_contain_text("Neither federal law nor a law of Punjab")
    axe_check(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the table of gaps scrolls sideways: {width}px"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download XLSX").click()
    assert download.value.suggested_filename == "opsc-compliance-gaps.xlsx"
    with open(download.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert sheet.max_row == 2 + 6
