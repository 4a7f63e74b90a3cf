"""An analyst opens the dashboard, narrows it to a province and a breakdown, downloads the
table as XLSX, then downloads the report's DOCX: both files hold the figures, their titles and
the disclosure-control note. On a phone, the analyst picks a province and a relative period,
then lays out a table of their own (a pivot) and downloads it."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import expect

from cpmis.accounts.roles import Role, ScopeLevel
from tests.conftest import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def analyst_year(transactional_db: Any) -> tuple[Any, int, int]:
    from cpmis.demo.generator import population_generate
    from cpmis.demo.statistics import statistics_year_generate
    from cpmis.legal.loader import legal_data_load
    from cpmis.legal.models import Statute
    from cpmis.reporting import services as reporting

    if not Statute.objects.exists():
        legal_data_load()
    analyst = make_user("analyst.web", {"role": Role.ANALYST, "scope_level": ScopeLevel.NATIONAL})
    year = date.today().year - 1
    population_generate(size=300, seed=3)
    statistics_year_generate(year=year, cases=500, seed=3)
    edition = reporting.edition_create(
        actor=analyst,
        title="Second periodic report under the OPSC",
        reporting_year=year,
        period_from=date(year, 1, 1),
        period_to=date(year, 12, 31),
    )
    return analyst, year, edition.pk


def test_dashboard_filter_and_downloads(
    page: Any, live_server: Any, sign_in: Any, analyst_year: tuple[Any, int, int], tmp_path: Path
) -> None:
    analyst, year, edition_id = analyst_year
    sign_in(page, analyst.username)
    page.goto(f"{live_server.url}/indicators/dashboard/?indicator=CAS01&period={year}")
    caption = page.locator("table.figures caption").first
    expect(caption).to_contain_text(f"Cases opened, by province or territory — {year}")
    expect(page.locator(".chart svg").first).to_be_visible()  # charts drawn, served locally

    page.get_by_label("Breakdown").select_option("opsc_category")
    page.locator("#f-ou").select_option("PK-PB")
    page.get_by_role("button", name="Show").click()
    expect(caption).to_contain_text("by OPSC category")
    expect(caption).to_contain_text("(Punjab)")
    expect(page.locator("p.note").first).to_contain_text("suppressed")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download XLSX").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any(
        str(c).startswith("Cases opened, by OPSC category") and "(Punjab)" in str(c) for c in cells
    )
    assert "Sale of children / trafficking" in cells
    assert any(isinstance(c, int) and c > 0 for c in cells)  # figures are numbers
    assert any("Disclosure control" in str(c) for c in cells)

    page.goto(f"{live_server.url}/reports/{edition_id}/")
    # the whole report with its annex is made while the analyst waits: seconds, not a moment
    with page.expect_download(timeout=60_000) as report:
        page.get_by_role("link", name="Report (DOCX)").click(timeout=60_000)
    doc = Document(io.BytesIO(Path(report.value.path()).read_bytes()))
    texts = [p.text for p in doc.paragraphs]
    assert "Annex: statistical tables" in texts
    # the table's title as the report words it: numbered, what, by which breakdown, the year
    assert any(
        re.fullmatch(
            rf"Table [0-9]+\. Cases opened, by OPSC category and province or territory, {year}", t
        )
        for t in texts
    ), [t for t in texts if "Cases opened" in t]
    assert any("Disclosure control" in t for t in texts)
    assert doc.tables and doc.tables[0].rows[0].cells[-1].text == "Total"


PHONE = {"width": 360, "height": 740}


# The elements that reach past the phone's width, the widest first (said when the page is too
# wide, so that a failure names its cause).
WIDE = """() => [...document.querySelectorAll("body *")]
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.right > window.innerWidth + 1)
  .sort((a, b) => b[1].right - a[1].right).slice(0, 5)
  .map(([e, r]) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${e.className} `
    + `right=${Math.round(r.right)} text=${(e.textContent || "").trim().slice(0, 60)}`)"""


def _styled(page: Any) -> None:
    """Wait for the page's stylesheets: the elements a test waits for can be in the document
    before app.css is applied, and then a chart is as wide as its own size and nothing is
    sticky (seen about once in ten runs)."""
    page.wait_for_function("() => document.readyState === 'complete'")


def _no_sideways_scroll(page: Any) -> None:
    _styled(page)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > PHONE["width"]:
        wide = page.evaluate(WIDE)
        raise AssertionError(f"the page is {width} px wide at 360 px: {wide}")


def test_picker_and_pivot_on_a_phone(
    page: Any, live_server: Any, sign_in: Any, analyst_year: tuple[Any, int, int]
) -> None:
    from cpmis.reference.models import District

    analyst, year, edition_id = analyst_year
    punjab = District.objects.filter(jurisdiction__iso_code="PK-PB")
    page.set_viewport_size(PHONE)
    sign_in(page, analyst.username)
    page.goto(f"{live_server.url}/indicators/dashboard/")
    page.wait_for_load_state("load")
    _no_sideways_scroll(page)

    # the place: typing part of a name narrows the tree to Punjab's branch
    page.locator("#f-ou-filter").fill("punjab")
    expect(page.locator("#f-ou optgroup[label='Khyber Pakhtunkhwa']")).to_be_hidden()
    page.locator("#f-ou").select_option("PK-PB")
    page.locator("#f-period").select_option(f"EDITION-{edition_id}")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".period-label")).to_contain_text("Reporting period of Second periodic")
    places = page.locator("table.figures", has=page.locator("caption", has_text="by district"))
    expect(places.locator("tbody tr")).to_have_count(punjab.count() + 1)
    expect(places.locator("tbody tr").last).to_contain_text("Total")
    expect(page.locator("nav.crumbs")).to_contain_text("Punjab")
    _no_sideways_scroll(page)

    page.locator("#f-period").select_option("LAST_12_MONTHS")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".period-label")).to_contain_text("Last 12 months (")

    # a table of one's own: districts of Punjab by sex, largest first
    page.get_by_role("link", name="Lay out a table of your own").click()
    expect(page.locator("h1")).to_have_text("Table of your own")
    expect(page.locator("#f-ou")).to_have_value("PK-PB")
    page.wait_for_load_state("load")  # the deferred script has run
    page.locator("#f-indicator").select_option("CMP01")  # complaints: no age, no sex
    expect(page.locator("#f-rows option[value='age_band']")).to_be_disabled()
    page.locator("#f-indicator").select_option("CAS01")
    page.locator("#f-rows").select_option("district")
    page.locator("#f-columns").select_option("sex")
    page.locator("#f-sort").select_option("total")
    page.locator("#f-period").select_option(str(year))
    page.get_by_role("button", name="Show the table").click()
    table = page.locator("table.pivot")
    expect(table.locator("caption")).to_contain_text("Cases opened, by district and sex")
    expect(table.locator("caption")).to_contain_text("(Punjab)")
    expect(table.locator("thead")).to_contain_text("Female")
    expect(table.locator("tbody tr")).to_have_count(punjab.count() + 1)
    expect(page.locator("p.note").first).to_contain_text("Disclosure control")
    header = table.locator("tbody th").first
    _styled(page)
    assert header.evaluate("e => getComputedStyle(e).position") == "sticky"
    box = page.locator(".figures-box").first
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # the table scrolls in its box
    _no_sideways_scroll(page)
    # the largest district first (those whose total is suppressed last)
    totals = [
        t.strip().replace(",", "")
        for t in table.locator("tbody tr td:last-child").all_inner_texts()[:-1]
    ]
    numbers = [int(t) for t in totals if t.isdigit()]
    assert numbers == sorted(numbers, reverse=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Cases opened, by district and sex" in text and "Disclosure control" in text
    assert all(d.name_en in text for d in punjab)

    # a pivot too large for a page is refused, saying why
    page.locator("#f-ou").select_option("national")
    page.locator("#f-columns").select_option("month")
    page.get_by_role("button", name="Show the table").click()
    expect(page.locator("ul.errors")).to_contain_text("a page shows at most 2,000")
