"""Background work as people meet it: an analyst prepares the report again and downloads it
from the job's page; through the real queue a report waits, is cancelled from its page, and
once a worker has run, the page offers the file; an administrator runs the clean-up from the
schedule and sees its outcome there."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from docx import Document
from playwright.sync_api import expect

from cpmis.accounts.roles import Role, ScopeLevel
from tests.conftest import make_user
from tests.jobs.conftest import DATABASE_QUEUE, run_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def edition(transactional_db: Any) -> tuple[Any, int]:
    from cpmis.reporting import services as reporting

    analyst = make_user("analyst.jobs", {"role": Role.ANALYST, "scope_level": ScopeLevel.NATIONAL})
    year = date.today().year - 1
    made = reporting.edition_create(
        actor=analyst,
        title="Report prepared in the background",
        reporting_year=year,
        period_from=date(year, 1, 1),
        period_to=date(year, 12, 31),
    )
    return analyst, made.pk


def work() -> None:
    run_worker("browser-test")


def test_the_analyst_prepares_the_report_and_downloads_it_from_the_job(
    page: Any, live_server: Any, sign_in: Any, submit: Any, edition: tuple[Any, int]
) -> None:
    analyst, edition_id = edition
    sign_in(page, analyst.username)
    page.goto(f"{live_server.url}/reports/{edition_id}/")
    page.get_by_label("Prepare again with today's figures").select_option("docx")
    submit(page, page.get_by_role("button", name="Prepare"))
    expect(page.locator(".job-state")).to_contain_text("Done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download opsc-report").click()
    doc = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert any(p.text == "Report prepared in the background" for p in doc.paragraphs)
    page.get_by_role("link", name="Your jobs").first.click()
    expect(page.locator("table.list")).to_contain_text("The report to the Committee (DOCX)")


def test_through_the_queue_a_job_waits_is_cancelled_or_done(
    page: Any, live_server: Any, sign_in: Any, submit: Any, edition: tuple[Any, int]
) -> None:
    analyst, edition_id = edition
    sign_in(page, analyst.username)
    with override_settings(TASKS=DATABASE_QUEUE):
        page.goto(f"{live_server.url}/reports/{edition_id}/report.docx")
        expect(page.locator(".job-state")).to_contain_text("Waiting")
        page.get_by_role("button", name="Cancel the job").click()
        expect(page.locator(".job-state")).to_contain_text("Cancelled")
        expect(page.locator(".messages")).to_contain_text("The job was cancelled.")

        page.goto(f"{live_server.url}/reports/{edition_id}/")
        page.get_by_role("link", name="Report (DOCX)").click()
        expect(page.locator(".job-state")).to_contain_text("Waiting")
        work()
        # The page refreshes itself: the file is offered without a click.
        expect(page.get_by_role("link", name="Download opsc-report")).to_be_visible()


def test_the_administrator_runs_the_clean_up_and_sees_its_outcome(
    page: Any, live_server: Any, sign_in: Any, submit: Any, transactional_db: Any
) -> None:
    admin = make_user(
        "admin.jobs", {"role": Role.ADMINISTRATOR, "scope_level": ScopeLevel.NATIONAL}
    )
    sign_in(page, admin.username)
    page.get_by_role("link", name="Background work").click()
    expect(page.locator("p.error")).to_contain_text("No worker is running")
    row = page.locator("tr", has_text="Delete expired sessions")
    submit(page, row.get_by_role("button", name="Run now"))
    expect(page.locator(".job-state")).to_contain_text("Done")
    page.get_by_role("link", name="Background work").click()
    expect(page.locator("tr", has_text="Delete expired sessions")).to_contain_text("Done")


def test_the_jobs_pages_fit_a_phone(
    page: Any, live_server: Any, sign_in: Any, submit: Any, edition: tuple[Any, int]
) -> None:
    from cpmis.jobs.models import Job
    from tests.browser.test_casework import PHONE, axe_check

    analyst, edition_id = edition
    page.set_viewport_size(PHONE)
    sign_in(page, analyst.username)
    page.goto(f"{live_server.url}/reports/{edition_id}/")
    page.get_by_label("Prepare again with today's figures").select_option("docx")
    submit(page, page.get_by_role("button", name="Prepare"))
    expect(page.locator(".job-state")).to_contain_text("Done")
    job = Job.objects.get(owner=analyst)
    admin = make_user(
        "admin.phone", {"role": Role.ADMINISTRATOR, "scope_level": ScopeLevel.NATIONAL}
    )

    def fits(path: str) -> None:
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways: {width}px"
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                    'main button, main summary, main select, main input:not([type=hidden])'
                    + ':not([type=checkbox]):not([type=radio])')]
                .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
                .map(e => e.outerHTML.slice(0, 80))"""
        )
        assert small == [], f"{path}: touch targets under 44 px: {small}"
        axe_check(page)

    fits("/jobs/")
    fits(f"/jobs/{job.pk}/")
    page.context.clear_cookies()
    sign_in(page, admin.username)
    fits("/jobs/queue/")


def test_the_officer_takes_the_complaint_queue_away_as_csv_on_a_phone(
    page: Any, live_server: Any, sign_in: Any, transactional_db: Any
) -> None:
    from tests.browser.test_casework import PHONE
    from tests.conftest import LAHORE, api_as

    officer = make_user(
        "complaints.csv",
        {
            "role": Role.COMPLAINT_OFFICER,
            "scope_level": ScopeLevel.JURISDICTION,
            "jurisdiction": "PK-PB",
            "department": "ombudsman",
        },
    )
    made = api_as(officer).post(
        "/api/complaints/",
        {
            "channel": "helpline",
            "jurisdiction": "PK-PB",
            "district": LAHORE,
            "concerns": ["abused"],
            "narrative": "Seen at the bus stand.",
        },
        format="json",
    )
    reference = made.json()["reference"]
    page.set_viewport_size(PHONE)
    sign_in(page, officer.username)
    with override_settings(TASKS=DATABASE_QUEUE):
        page.goto(f"{live_server.url}/complaints/?view=all")
        page.get_by_role("link", name="Download CSV").click()
        expect(page.locator(".job-state")).to_contain_text("Waiting")
        expect(page.locator("main")).to_contain_text("The complaint queue (CSV)")
        work()
        link = page.get_by_role("link", name="Download complaints-all.csv")
        expect(link).to_be_visible()
        with page.expect_download() as download:
            link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert reference in text and "bus stand" not in text
