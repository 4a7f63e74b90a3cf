"""A member of the public files a complaint in Urdu, checks it with the tracking code, and a
CPO of the district triages it into a case; the public status then changes, in neutral words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docx import Document
from playwright.sync_api import expect

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.cases.models import Case, ResponseTime
from cpmis.complaints.models import Complaint
from tests.conftest import LAHORE, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def cpo(transactional_db: Any) -> Any:
    for risk, hours in {"high": 24, "medium": 72, "low": 168}.items():
        ResponseTime.objects.get_or_create(
            jurisdiction=None, risk_level=risk, defaults={"hours": hours}
        )
    user = make_user(
        "lhr.cpo", {"role": Role.CPO, "scope_level": ScopeLevel.DISTRICT, "district": LAHORE}
    )
    user.sex = "female"
    user.save(update_fields=["sex"])
    return user


def test_public_complaint_status_and_triage_into_a_case(
    page: Any, live_server: Any, sign_in: Any, submit: Any, cpo: Any, external_requests: list[str]
) -> None:
    # The public form, switched to Urdu; it works without any script.
    page.goto(f"{live_server.url}/complaint/")
    submit(page, page.get_by_role("link", name="اردو"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_contain_text("بچے")
    # Right to left, nothing sticks out sideways (the hidden honeypot included).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("بچے سے زبردستی کام کروایا جاتا ہے").check()
    page.get_by_label("اپنے الفاظ میں بتائیں").fill("ایک بچی سارا دن ایک گھر میں کام کرتی ہے۔")
    page.get_by_label("صوبہ یا علاقہ").select_option("PK-PB")
    page.get_by_label("ضلع").select_option(LAHORE)
    page.locator("#child_name").fill("عائشہ")  # "نام" also labels the reporter's name
    page.get_by_label("عمر (اندازاً)").fill("10")
    page.get_by_label("لڑکی", exact=True).check()
    response = submit(page, page.get_by_role("button", name="بھیجیں"))
    assert response.status == 200
    code = page.locator("[data-tracking-code]").get_attribute("data-tracking-code")
    assert code and len(code) == 13
    # An acknowledgement to keep, in Urdu, as PDF: the code and the status, no name.
    with page.expect_download() as download:
        page.get_by_role("button", name="رسید (PDF)").click()
    assert download.value.suggested_filename == "complaint-acknowledgement.pdf"
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    # Its status, asked with the code typed in lower case without dashes.
    page.goto(f"{live_server.url}/complaint/status/?lang=en")
    page.get_by_label("Your tracking code").fill(code.replace("-", "").lower())
    submit(page, page.get_by_role("button", name="Check"))
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "received")
    expect(page.locator("main")).not_to_contain_text("عائشہ")
    with page.expect_download() as download:  # and as Word, from the status page
        page.get_by_role("button", name="Acknowledgement (Word)").click()
    word = Document(download.value.path())
    assert code in "\n".join(p.text for p in word.paragraphs)

    # A CPO of Lahore finds it at the top of the queue and opens a case from it.
    sign_in(page, cpo.username)
    page.goto(f"{live_server.url}/complaints/")
    complaint = Complaint.objects.get()
    submit(page, page.get_by_role("link", name=complaint.short_ref))
    expect(page.locator("[data-complaint-status]")).to_have_text("Waiting for triage")
    form = page.locator("#open-case-form")
    form.get_by_label("Child's name (Latin script)").fill("Ayesha")
    expect(form.get_by_label("Name (Urdu script)")).to_be_visible()
    form.get_by_label("Name (Urdu script)").fill("عائشہ")
    form.get_by_label("Risk at first contact").select_option("high")
    submit(page, form.get_by_role("button", name="Register the child and open the case"))
    assert "/cases/" in page.url
    expect(page.locator("main")).to_contain_text("Opened from complaint")
    case = Case.objects.get()
    assert case.concerns == ["child_labour"] and case.assigned_to == cpo

    # The public status now says, in neutral words, that the CPU is working on it.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/complaint/status/?lang=en")
    page.get_by_label("Your tracking code").fill(code)
    submit(page, page.get_by_role("button", name="Check"))
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "case_opened")
    expect(page.locator("main")).not_to_contain_text("Ayesha")
    assert external_requests == []
