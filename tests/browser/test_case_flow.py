"""One case, walked through the case pages in a real browser: registration, custody,
production before the Court, placement, a quarterly review, release, follow-up and closure."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.cases.models import Case, Institution, ResponseTime
from cpmis.legal.loader import legal_data_load
from cpmis.legal.models import Statute
from cpmis.people.services import child_register
from cpmis.reference.models import District, InstitutionType
from tests.conftest import LAHORE, make_user

pytestmark = pytest.mark.browser

# The assessment response times a migration seeds (cases/migrations/0002).
DEFAULT_RESPONSE_HOURS = {"high": 24, "medium": 72, "low": 168}


@pytest.fixture
def lahore(transactional_db: Any) -> dict[str, Any]:
    """A Lahore CPO and supervisor, a boy in the CPO's caseload, a child protection institution."""
    # A browser test before this one flushed the database: the legal catalogue and the
    # migration's response times are not reloaded by tests/conftest.py, so load them here.
    if not Statute.objects.exists():
        legal_data_load()
    for risk, hours in DEFAULT_RESPONSE_HOURS.items():
        ResponseTime.objects.get_or_create(
            jurisdiction=None, risk_level=risk, defaults={"hours": hours}
        )
    d = ScopeLevel.DISTRICT
    cpo = make_user("lhr.cpo", {"role": Role.CPO, "scope_level": d, "district": LAHORE})
    supervisor = make_user(
        "lhr.sup", {"role": Role.SUPERVISOR, "scope_level": d, "district": LAHORE}
    )
    district = District.objects.get(pcode=LAHORE)
    child = child_register(
        actor=cpo,
        district=district,
        sex="male",  # no girl-child safeguard applies
        date_of_birth=date(2014, 4, 2),
        name_latin="Hamza Iqbal",
    )
    institution = Institution.objects.create(
        name="Child Protection Institution Lahore",
        type=InstitutionType.objects.get(code="child_protection_institution"),
        district=district,
        accepts=Institution.Accepts.ALL,
        capacity=5,
    )
    return {"cpo": cpo, "supervisor": supervisor, "child": child, "institution": institution}


def form_of(page: Any, action: str) -> Any:
    """The <details> of one action on the case page, opened."""
    details = page.locator(
        "details", has=page.locator("summary", has_text=re.compile(rf"^\s*{re.escape(action)}\s*$"))
    )
    expect(details).to_have_count(1)
    details.locator("summary").click()
    expect(details.locator("form")).to_be_visible()
    return details


def record(page: Any, submit: Any, details: Any, case_url: str, action: str) -> None:
    """Submit an action's form; the post redirects back to the case page with its message."""
    response = submit(page, details.get_by_role("button", name="Record"))
    assert response.status == 200
    assert page.url == case_url
    expect(page.locator("ul.messages")).to_have_text(f"Recorded: {action.replace('-', ' ')}.")


def test_a_case_walks_from_registration_through_custody_placement_release_to_closure(
    page: Any, live_server: Any, lahore: dict[str, Any], sign_in: Any, submit: Any
) -> None:
    base = live_server.url
    child, institution = lahore["child"], lahore["institution"]
    timeline = page.locator("ol.timeline > li")
    stage = page.locator("main h1 + p")

    sign_in(page, "lhr.cpo")
    assert page.url == f"{base}/"

    # Registration: from the child's page.
    page.goto(f"{base}/children/{child.uuid}/")
    submit(page, page.get_by_role("link", name="Open a case"))
    assert page.url == f"{base}/cases/new/?child={child.uuid}"
    page.get_by_label("Risk at first contact").select_option("high")
    page.get_by_label("Neglected or destitute").check()
    response = submit(page, page.get_by_role("button", name="Open the case"))
    assert response.status == 200
    case = Case.objects.get(child=child)
    case_url = f"{base}/cases/{case.uuid}/"
    assert page.url == case_url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hamza Iqbal")
    expect(stage).to_contain_text("Identification and registration")
    expect(timeline).to_have_count(1)
    expect(timeline.last).to_contain_text("Registered")
    assert case.assigned_to == lahore["cpo"]

    events = 1

    def step(action: str, shows: str, fill: Any = None) -> None:
        nonlocal events
        details = form_of(page, action.capitalize())
        if fill is not None:
            fill(details)
        record(page, submit, details, case_url, action)
        events += 1
        expect(timeline).to_have_count(events)
        expect(timeline.last).to_contain_text(shows)

    step(
        "assess",
        "Assessed",
        lambda f: f.get_by_label("Risk level", exact=True).select_option("high"),
    )
    expect(stage).to_contain_text("Assessment")

    # Custody: taking the child into protection starts the Punjab clock for production.
    step("protect", "Taken into protection")
    expect(stage).to_contain_text("in protection")
    production = page.locator("table.list tbody tr", has_text="Produce the child before the Court")
    expect(production).to_have_count(1)
    expect(production.locator("td").nth(2)).to_have_text("open")
    expect(production.locator("td").nth(3)).to_contain_text("Punjab DNCA")
    # The officer's task list says the same.
    submit(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks"))
    assert urlsplit(page.url).path == "/cases/tasks/"
    listed = page.locator("table.list tbody tr", has_text="Produce the child before the Court")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Hamza Iqbal")
    expect(listed.locator("td").nth(4)).to_contain_text("Punjab DNCA")
    page.goto(case_url)

    step(
        "produce",
        "Produced before the Court — Child Protection Court Lahore",
        lambda f: f.get_by_label("Court", exact=True).fill("Child Protection Court Lahore"),
    )
    expect(production.locator("td").nth(2)).not_to_have_text("open")

    def custody(f: Any) -> None:
        f.get_by_label("Kind", exact=True).select_option("custody")
        f.get_by_label("Child views", exact=True).fill(
            "Hamza wants to stay somewhere safe, near school."
        )

    step("order", "Court order (custody)", custody)

    def place(f: Any) -> None:
        f.get_by_label("Option", exact=True).select_option("institution")
        f.get_by_label("Institution", exact=True).select_option(label=institution.name)
        f.get_by_label("Lower option reason", exact=True).fill("No relative can care for him yet.")

    assert Institution.objects.get(pk=institution.pk).occupancy == 0
    step("place", "Placed — institution", place)
    expect(stage).to_contain_text("Implementation")
    assert Institution.objects.get(pk=institution.pk).occupancy == 1

    step(
        "plan",
        "Case plan set",
        lambda f: f.get_by_label("Goals (one per line)", exact=True).fill(
            "Back to school\nFamily tracing"
        ),
    )
    expect(page.locator("table.list tbody tr", has_text="Review the case plan")).to_have_count(1)
    step(
        "review",
        "Plan reviewed",
        lambda f: f.get_by_label("Note", exact=True).fill("Quarterly review."),
    )

    def release_order(f: Any) -> None:
        f.get_by_label("Kind", exact=True).select_option("release")
        f.get_by_label("Final", exact=True).check()

    step("order", "Court order (release)", release_order)
    step("release", "Released")
    expect(stage).to_contain_text("Follow-up and review")
    expect(stage).not_to_contain_text("in protection")
    assert Institution.objects.get(pk=institution.pk).occupancy == 0

    step(
        "follow-up",
        "Follow-up visit",
        lambda f: f.get_by_label("Note", exact=True).fill("Home visit."),
    )
    step(
        "legal-aid",
        "Legal assistance offered",
        lambda f: f.get_by_label("Accepted", exact=True).check(),
    )
    step(
        "request-closure",
        "Closure requested",
        lambda f: f.get_by_label("Reason", exact=True).select_option("reintegrated"),
    )
    expect(stage).to_contain_text("Closure requested")
    assert Case.objects.get(pk=case.pk).stage == "closure_requested"

    # The supervisor decides.
    submit(page, page.get_by_role("button", name="Sign out"))
    sign_in(page, "lhr.sup")
    assert page.url == f"{base}/"
    page.goto(case_url)
    details = form_of(page, "Decide-closure")
    details.get_by_label("Approve", exact=True).check()
    record(page, submit, details, case_url, "decide-closure")
    expect(timeline).to_have_count(events + 1)
    expect(timeline.last).to_contain_text("Closure approved")
    expect(timeline.last).to_contain_text("by lhr.sup")
    expect(stage).to_contain_text("Closed")
    case.refresh_from_db()
    assert case.stage == "closed"
    assert case.closed_at is not None
    assert not case.in_protection
