"""The report's forms as the analyst who drafts it meets them, on a 360-px phone: a new
edition with its document symbol (a bad symbol refused on the form), a section written, a
comment made and resolved, the status moved on, the report prepared twice and the two versions
compared through the comparison form."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from cpmis.accounts.roles import Role, ScopeLevel
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_the_analyst_drafts_prepares_and_compares_the_report(
    page: Any, live_server: Any, sign_in: Any, submit: Any, transactional_db: Any
) -> None:
    from tests.browser.test_casework import PHONE

    analyst = make_user(
        "analyst.report", {"role": Role.ANALYST, "scope_level": ScopeLevel.NATIONAL}
    )
    year = date.today().year - 1
    page.set_viewport_size(PHONE)
    sign_in(page, analyst.username)
    page.goto(f"{live_server.url}/reports/")

    def create(symbol: str) -> Any:
        page.get_by_label("Title").fill("Second periodic report of Pakistan")
        page.get_by_label("Document symbol (if known)").fill(symbol)
        page.get_by_label("Year of the statistics").fill(str(year))
        page.get_by_label("Period from").fill(f"01/01/{year}")
        page.get_by_label("Period to").fill(f"31/12/{year}")
        return submit(page, page.get_by_role("button", name="Create the edition"))

    assert create("crc c 2").status == 400
    expect(page.locator("span.error")).to_contain_text("CRC/C/OPSC/PAK/2")
    create("CRC/C/OPSC/PAK/2")
    expect(page.locator("main")).to_contain_text("Document symbol: CRC/C/OPSC/PAK/2")
    edition_url = page.url

    def write(text: str) -> None:
        page.goto(edition_url)
        page.locator("section#article-3").get_by_role("link", name="Edit").click()
        page.get_by_label("Text").fill(text)
        submit(page, page.get_by_role("button", name="Save as a new version"))
        expect(page.locator("section#article-3 .narrative")).to_contain_text(text.split("\n")[0])

    def prepare() -> None:
        page.goto(edition_url)
        page.get_by_label("Prepare again with today's figures").select_option("docx")
        submit(page, page.get_by_role("button", name="Prepare"))
        expect(page.locator(".job-state")).to_contain_text("Done")

    write("The Penal Code criminalises the sale of children.")
    section = page.locator("section#article-3")
    section.get_by_label("Comment on this section").fill("Cite the year of the amendment.")
    submit(page, section.get_by_role("button", name="Add the comment"))
    expect(page.locator("section#article-3 .comments")).to_contain_text("Cite the year")
    submit(page, page.locator("section#article-3").get_by_role("button", name="Resolve"))
    expect(page.locator("section#article-3")).not_to_contain_text("Open comments")
    page.locator("select[name=status]").select_option("zero_draft")
    submit(page, page.get_by_role("button", name="Change the status"))
    expect(page.locator("main")).to_contain_text("Zero draft")
    prepare()
    write("The Penal Code, as amended in 2016, criminalises the sale of children.")
    prepare()

    page.goto(edition_url)
    page.locator("summary", has_text="versions of the report prepared").click()
    page.get_by_role("link", name="what changed since the version before").click()
    expect(page.locator("#compare-result")).to_contain_text("as amended in 2016")
    # the comparison form itself: the same two versions, chosen from its lists
    page.goto(f"{live_server.url}/reports/compare/")
    options = page.locator("select[name=old] option")
    expect(options).to_have_count(2)
    page.locator("select[name=old]").select_option(index=1)  # the older (newest first)
    page.locator("select[name=new]").select_option(index=0)
    submit(page, page.get_by_role("button", name="Compare"))
    expect(page.locator("#compare-result")).to_contain_text("as amended in 2016")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the comparison scrolls sideways: {width}px"
