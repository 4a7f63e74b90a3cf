"""An analyst opens the dashboard, narrows it to a province and a breakdown, downloads the
table as XLSX, then downloads the report's DOCX: both files hold the figures, their titles and
the disclosure-control note."""

from __future__ import annotations

import io
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
    page.get_by_label("Province or territory").select_option("PK-PB")
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
    assert "Statistical annex" in texts
    assert any(
        t.startswith(f"Cases opened, by OPSC category, by province or territory — {year}")
        for t in texts
    )
    assert any("Disclosure control" in t for t in texts)
    assert doc.tables and doc.tables[0].rows[0].cells[-1].text == "Total"
