"""A child protection officer searches, reads and registers children in a real browser."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from cpmis.people.models import Child
from tests.conftest import LAHORE, Personas, Records

pytestmark = pytest.mark.browser

NO_CHILDREN = "No children found."


def search(page: Any, submit: Any, text: str) -> Any:
    page.get_by_label("Name (English or Urdu)").fill(text)
    response = submit(page, page.get_by_role("button", name="Search"))
    assert response.status == 200
    assert urlsplit(page.url).path == "/children/"
    return page.locator("table.list tbody tr")


def test_cpo_finds_own_child_by_urdu_or_latin_name_and_reads_the_urdu_name_back(
    page: Any, live_server: Any, records: Records, sign_in: Any, submit: Any
) -> None:
    base = live_server.url
    ayesha, peshawar = records.cpo_child, records.peshawar_child

    response = sign_in(page, "cpo")
    assert response.status == 200
    assert page.url == f"{base}/"
    expect(page.get_by_role("heading", name="What needs your attention", level=1)).to_be_visible()

    main_nav = page.get_by_role("navigation", name="Main")
    submit(page, main_nav.get_by_role("link", name="Children", exact=True))
    assert page.url == f"{base}/children/"
    rows = page.locator("table.list tbody tr")
    # A CPO sees the own caseload only: not the Peshawar child, not Lahore's unassigned one.
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ayesha Bibi")
    expect(page.locator("table.list")).not_to_contain_text(peshawar.name_latin)
    expect(page.locator("table.list")).not_to_contain_text(records.lahore_child.name_latin)

    # Urdu: the plain first name, then with zabar/zer and an Arabic-keyboard heh (ه, not ہ).
    for query in ("عائشہ", "عَائِشه"):
        rows = search(page, submit, query)
        expect(rows).to_have_count(1)
        expect(rows.first.get_by_role("link", name="Ayesha Bibi")).to_be_visible()
        expect(page.get_by_label("Name (English or Urdu)")).to_have_value(query)

    # Latin: a partial, lower-case.
    rows = search(page, submit, "ayesha")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td[lang=ur]")).to_have_text(ayesha.name_urdu)

    # The Peshawar child exists but is outside the CPO's district: searching it finds nothing.
    rows = search(page, submit, "usman")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text(NO_CHILDREN)

    rows = search(page, submit, "ayesha")
    submit(page, rows.first.get_by_role("link", name="Ayesha Bibi"))
    assert page.url == f"{base}/children/{ayesha.uuid}/"
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Ayesha Bibi")
    urdu = heading.locator("span[lang=ur]")
    expect(urdu).to_have_attribute("dir", "rtl")
    # Round trip: exactly the code points that were registered, nothing normalised away.
    assert urdu.text_content() == "عائشہ بی بی" == ayesha.name_urdu
    expect(page.locator("dl.record")).to_contain_text("35202-1234567-1")

    # The other district's record is reported as absent, even by its address.
    response = page.goto(f"{base}/children/{peshawar.uuid}/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text(peshawar.name_latin)


def register_form(page: Any, base: str, **values: str) -> None:
    page.goto(f"{base}/children/new/")
    expect(page.get_by_role("heading", name="Register a child")).to_be_visible()
    page.get_by_label("Name (English letters)").fill(values["name_latin"])
    page.get_by_label("نام (اردو)").fill(values["name_urdu"])
    page.get_by_label("Sex").select_option(values["sex"])
    page.get_by_label("or estimated age (years)").fill(values["age"])
    page.get_by_label("District").select_option(LAHORE)
    if "b_form" in values:
        page.get_by_label("B-form / CRC number").fill(values["b_form"])


def test_cpo_registers_a_child_and_invalid_input_is_refused(
    page: Any, live_server: Any, personas: Personas, sign_in: Any, submit: Any
) -> None:
    base = live_server.url
    sign_in(page, "cpo")
    assert page.url == f"{base}/"
    assert Child.objects.count() == 0

    register_form(page, base, name_latin="Zainab Noor", name_urdu="زینب نور", sex="female", age="7")
    response = submit(page, page.get_by_role("button", name="Register"))
    assert response.status == 200
    child = Child.objects.get()
    assert page.url == f"{base}/children/{child.uuid}/"
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Zainab Noor")
    expect(heading.locator("span[lang=ur]")).to_have_text("زینب نور")
    assert (child.name_latin, child.name_urdu, child.sex) == ("Zainab Noor", "زینب نور", "female")
    assert child.district.pcode == LAHORE
    assert child.owner == personas.cpo  # a CPO's registration lands in the own caseload
    assert child.date_of_birth_estimated

    # A B-form number that is not 13 digits: refused by the server, the form comes back filled.
    register_form(
        page, base, name_latin="Bad Bform", name_urdu="", sex="male", age="5", b_form="123"
    )
    response = submit(page, page.get_by_role("button", name="Register"))
    assert response.status == 400
    assert page.url == f"{base}/children/new/"
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter 13 digits in the form 12345-1234567-1."
    )
    expect(page.get_by_label("Name (English letters)")).to_have_value("Bad Bform")
    expect(page.get_by_label("B-form / CRC number")).to_have_value("123")
    assert Child.objects.count() == 1

    # An estimated age of 19: the browser refuses to submit (max=17) ...
    register_form(page, base, name_latin="Too Old", name_urdu="", sex="male", age="19")
    age = page.get_by_label("or estimated age (years)")
    page.get_by_role("button", name="Register").click()
    assert age.evaluate("el => el.validity.rangeOverflow") is True
    assert page.url == f"{base}/children/new/"
    # ... and so does the server, for a client that skips the browser's validation.
    page.locator("form.form").evaluate("form => { form.noValidate = true; }")
    response = submit(page, page.get_by_role("button", name="Register"))
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text(
        "Ensure this value is less than or equal to 17."
    )
    assert Child.objects.count() == 1
