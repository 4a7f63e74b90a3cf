"""Casework in a real browser, as the people who do it: a supervisor assigns a new case, the
CPO finds it on their home and works it to court, a supervisor transfers it, the receiving
supervisor accepts it and assigns it. Then every other form of the casework pages, each as the
role that uses it, each result checked on the page; the pages at 360 px; axe-core on each.

The module's last test checks that every form of the casework pages was submitted here
(``casework_forms.COVERED``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cpmis.accounts.models import User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.cases import services as s
from cpmis.cases.models import Case, Institution
from cpmis.legal.models import Provision
from cpmis.people.services import child_register
from cpmis.reference.models import District, InstitutionType
from tests.browser.casework_forms import COVERED, SUBMITTED, submit_form
from tests.conftest import LAHORE, PESHAWAR, born, make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def _officer(username: str, role: str, district: str, sex: str, first: str, last: str) -> User:
    user = make_user(
        username, {"role": role, "scope_level": ScopeLevel.DISTRICT, "district": district}
    )
    user.sex, user.first_name, user.last_name = sex, first, last
    user.save(update_fields=["sex", "first_name", "last_name"])
    return user


@pytest.fixture
def office(transactional_db: Any) -> dict[str, Any]:
    """Lahore's and Peshawar's CPUs: a supervisor and a woman CPO each; a girl known by her
    Urdu and Latin names whose case the Lahore supervisor has opened, not yet assigned."""
    lahore = District.objects.get(pcode=LAHORE)
    people = {
        "lhr_sup": _officer("lhr.sup", Role.SUPERVISOR, LAHORE, "female", "Nadia", "Qureshi"),
        "lhr_cpo": _officer("lhr.cpo", Role.CPO, LAHORE, "female", "Samina", "Akhtar"),
        "kp_sup": _officer("kp.sup", Role.SUPERVISOR, PESHAWAR, "male", "Imran", "Khan"),
        "kp_cpo": _officer("kp.cpo", Role.CPO, PESHAWAR, "female", "Gul", "Bano"),
    }
    girl = child_register(
        actor=people["lhr_sup"],
        district=lahore,
        sex="female",
        date_of_birth=born(13, 5, 1),
        name_latin="Zainab Ali",
        name_urdu="زینب علی",
        guardian_name_latin="Ali Raza",
    )
    case = s.case_open(
        actor=people["lhr_sup"],
        child=girl,
        initial_risk="high",
        concerns=["trafficked"],
        opened_at=timezone.now() - timedelta(days=3),
    )
    home = Institution.objects.create(
        name="Nigehban Centre Lahore",
        type=InstitutionType.objects.get(code="child_protection_institution"),
        district=lahore,
        accepts=Institution.Accepts.GIRLS,
        capacity=10,
    )
    return {**people, "girl": girl, "case": case, "home": home}


def axe_check(page: Any) -> None:
    """axe-core (shipped by axe-playwright-python, run from disk): no critical or serious
    violation on the page."""
    import axe_playwright_python

    source = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
    page.evaluate(source + ";0")  # evaluated by the DevTools protocol: the page's CSP allows it
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['critical', 'serious'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )
    assert result == [], f"{page.url}: {result}"


def sign_out(page: Any, submit: Any) -> None:
    toggle = page.locator(".menu-toggle")
    if toggle.count() and toggle.is_visible():
        toggle.click()
    submit(page, page.get_by_role("button", name="Sign out"))


def step(page: Any, submit: Any, label: str, fill: Any = None) -> Any:
    """Open a step of the case page by its name, fill it, press its button; the page says
    it was done."""
    action = page.locator(
        "details.action", has=page.locator("summary", has_text=re.compile(rf"^{re.escape(label)}$"))
    )
    expect(action).to_have_count(1)
    if action.get_attribute("open") is None:
        action.locator("summary").click()
    form = action.locator("form")
    expect(form).to_be_visible()
    if fill is not None:
        fill(form)
    response = submit_form(page, submit, form, form.get_by_role("button", name=label))
    problems = page.locator(".error-summary")
    assert response.status == 200, problems.inner_text() if problems.count() else response.status
    expect(page.locator("ul.messages")).to_contain_text(f"Done: {label}.")
    return response


def test_a_new_case_is_assigned_worked_to_court_transferred_and_taken_over(
    page: Any, live_server: Any, office: dict[str, Any], sign_in: Any, submit: Any
) -> None:
    base, case = live_server.url, office["case"]
    header = page.locator(".case-head")

    # The Lahore supervisor finds the new case on their home and assigns it.
    sign_in(page, "lhr.sup")
    panel = page.locator(
        "section.panel",
        has=page.get_by_role("heading", name=re.compile("Cases without an officer")),
    )
    expect(panel).to_contain_text(case.number)
    axe_check(page)
    submit(page, panel.get_by_role("link", name=case.number))
    expect(header).to_contain_text(case.number)
    expect(header).to_contain_text("Zainab Ali")
    expect(header.locator('[lang="ur"]')).to_have_text("زینب علی")
    expect(header).to_contain_text("d/o Ali Raza")
    expect(header).to_contain_text("Not assigned")
    axe_check(page)
    # The picker offers the district's women officers only (a girl's case), by name.
    picker = page.locator("#assign-officer")
    expect(picker.locator("option")).to_have_text(["Choose…", "Samina Akhtar (lhr.cpo)"])

    step(
        page,
        submit,
        "Assign an officer",
        lambda f: f.get_by_label("Officer").select_option(label="Samina Akhtar (lhr.cpo)"),
    )
    expect(header).to_contain_text("Samina Akhtar")
    sign_out(page, submit)

    # The CPO sees it on her home and works it to court.
    sign_in(page, "lhr.cpo")
    new = page.locator(
        "section.panel", has=page.get_by_role("heading", name="Newly assigned to you")
    )
    expect(new).to_contain_text(case.number)
    expect(
        page.locator("section.panel", has=page.get_by_role("heading", name="For your attention"))
    ).to_contain_text(f"Case {case.number} is assigned to you.")
    submit(page, new.get_by_role("link", name=case.number))
    expect(page.locator("p.next")).to_contain_text("Assess the child")
    # what the stage does not allow is out of sight
    expect(page.locator("summary", has_text="Produce before the Court")).to_have_count(0)
    step(page, submit, "Record the assessment", lambda f: f.get_by_label("High").check())
    expect(header).to_contain_text("Assessment")
    step(page, submit, "Take into protection")
    clock = page.locator("ul.clocks li", has_text="Produce the child before the Court")
    expect(clock.locator(".badge")).to_contain_text(re.compile(r"Due in (2[0-3]|1\d) h"))
    expect(clock).to_contain_text("Punjab DNCA")
    expect(clock).to_contain_text("¶")
    step(
        page,
        submit,
        "Produce before the Court",
        lambda f: f.get_by_label("Court").fill("Child Protection Court Lahore"),
    )
    expect(page.locator("ol.timeline")).to_contain_text(
        "Produced before the Court — Child Protection Court Lahore"
    )
    expect(page.locator("ul.clocks")).not_to_contain_text("Produce the child before the Court")
    axe_check(page)
    sign_out(page, submit)

    # The supervisor transfers it to Peshawar: a request; the case stays in Lahore meanwhile.
    sign_in(page, "lhr.sup")
    page.goto(f"{base}/cases/{case.uuid}/")
    step(
        page,
        submit,
        "Transfer to another district",
        lambda f: (
            f.get_by_role("searchbox").fill("pesh"),  # the filter narrows the long list
            f.get_by_role("combobox", name=re.compile("To district")).select_option(
                label="Peshawar"
            ),
            f.get_by_label("Why the case moves").fill("The family moved to Peshawar."),
        ),
    )
    expect(page.locator("p.notice")).to_contain_text("Transfer to Peshawar requested")
    expect(header).to_contain_text("Lahore")
    sign_out(page, submit)

    # Peshawar's supervisor sees it waiting, accepts it, and assigns it.
    sign_in(page, "kp.sup")
    waiting = page.locator(
        "section.panel",
        has=page.get_by_role("heading", name=re.compile("Transfers waiting for you")),
    )
    expect(waiting).to_contain_text(case.number)
    submit(page, waiting.get_by_role("link", name="Answer transfers"))
    article = page.locator("article.transfer", has_text=case.number)
    expect(article).to_contain_text("The family moved to Peshawar.")
    expect(article).not_to_contain_text("Zainab")  # no name before the case is theirs
    axe_check(page)
    accept = article.locator('form[data-form="cases:transfer-accept"]')
    submit_form(page, submit, accept)
    expect(page.locator("ul.messages")).to_contain_text(
        f"Transfer accepted: case {case.number} is now yours."
    )
    expect(header).to_contain_text("Peshawar")
    expect(header).to_contain_text("Khyber Pakhtunkhwa")
    expect(header).to_contain_text("Not assigned")
    step(
        page,
        submit,
        "Assign an officer",
        lambda f: f.get_by_label("Officer").select_option(label="Gul Bano (kp.cpo)"),
    )
    expect(header).to_contain_text("Gul Bano")
    sign_out(page, submit)

    # Lahore is told, and dismisses the notice.
    sign_in(page, "lhr.sup")
    notes = page.locator(
        "section.panel", has=page.get_by_role("heading", name="For your attention")
    )
    expect(notes).to_contain_text(f"Peshawar accepted case {case.number}")
    item = notes.locator("li", has_text=f"Peshawar accepted case {case.number}")
    submit_form(page, submit, item.locator("form"))
    expect(page.locator("body")).not_to_contain_text(f"Peshawar accepted case {case.number}")
    assert Case.objects.get(pk=case.pk).assigned_to == office["kp_cpo"]


def test_every_casework_form_as_the_role_that_uses_it(
    page: Any, live_server: Any, office: dict[str, Any], sign_in: Any, submit: Any
) -> None:
    base, case = live_server.url, office["case"]
    header, timeline = page.locator(".case-head"), page.locator("ol.timeline")
    boy = child_register(
        actor=office["lhr_sup"],
        district=office["girl"].district,
        sex="male",
        date_of_birth=born(14, 2, 2),
        name_latin="Bilal Ahmed",
    )
    other = s.case_open(
        actor=office["lhr_sup"], child=boy, initial_risk="low", concerns=["begging"]
    )
    # one more transfer into Lahore, to be declined
    pesh_boy = child_register(
        actor=office["kp_sup"],
        district=District.objects.get(pcode=PESHAWAR),
        sex="male",
        date_of_birth=born(15, 3, 3),
        name_latin="Hamid Gul",
    )
    incoming = s.case_open(
        actor=office["kp_sup"], child=pesh_boy, initial_risk="medium", concerns=["child_labour"]
    )
    s.transfer_request(
        actor=office["kp_sup"],
        case=incoming,
        to_district=office["girl"].district,
        reason="Works in Lahore now.",
    )

    # The supervisor: bulk assignment, the transfers inbox (decline), a case search.
    sign_in(page, "lhr.sup")
    page.goto(f"{base}/cases/unassigned/")
    axe_check(page)
    page.get_by_label(f"Assign case {case.number}").check()
    page.get_by_label(f"Assign case {other.number}").check()
    page.get_by_label("Assign the ticked cases to").select_option("lhr.cpo")
    submit_form(page, submit, page.locator('form[data-form="cases:assign-many"]'))
    expect(page.locator("ul.messages")).to_contain_text(
        "2 cases assigned to Samina Akhtar (lhr.cpo)."
    )
    expect(page.locator("main")).to_contain_text("Every open case has an officer.")
    page.goto(f"{base}/cases/transfers/")
    article = page.locator("article.transfer", has_text=incoming.number)
    decline = article.locator('form[data-form="cases:transfer-decline"]')
    decline.get_by_label("Why you decline").fill("No place for him here; he lives in Peshawar.")
    submit_form(page, submit, decline)
    expect(page.locator("ul.messages")).to_contain_text(
        f"Transfer of case {incoming.number} declined."
    )
    page.goto(f"{base}/cases/")
    search = page.locator('form[data-form="cases:search"]')
    search.get_by_label("Case number or child's name").fill(other.number.lower())
    submit_form(page, submit, search)
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Bilal Ahmed")
    # a transfer asked by mistake, withdrawn before anyone answers
    submit(page, rows.get_by_role("link", name=other.number))
    step(
        page,
        submit,
        "Transfer to another district",
        lambda f: (
            f.get_by_role("combobox", name=re.compile("To district")).select_option(
                label="Peshawar"
            ),
            f.get_by_label("Why the case moves").fill("Family moving."),
        ),
    )
    step(
        page,
        submit,
        "Withdraw the transfer request",
        lambda f: f.get_by_label("Why the request is withdrawn").fill("They stayed in Lahore."),
    )
    expect(page.locator("ol.timeline")).to_contain_text("Transfer to Peshawar withdrawn")
    expect(page.locator("p.notice")).to_have_count(0)
    sign_out(page, submit)

    # The CPO: opening a case, then every step of the case's life on the case page.
    sign_in(page, "lhr.cpo")
    page.goto(f"{base}/cases/new/?child={boy.uuid}")
    form = page.locator('form[data-form="cases:open"]')
    form.get_by_label("Risk at first contact").select_option("medium")
    form.get_by_label("Street child").check()
    submit_form(page, submit, form)
    expect(page.locator("ul.messages")).to_contain_text(
        re.compile(r"Case PB-LHR-\d{4}-\d{6} opened\.")
    )

    page.goto(f"{base}/cases/{case.uuid}/")
    step(page, submit, "Record the assessment", lambda f: f.get_by_label("High").check())
    trafficking = Provision.objects.select_related("statute").get(
        statute__code="ppc-1860", section="369-A"
    )
    step(
        page,
        submit,
        "Record an alleged offence",
        lambda f: f.get_by_role("combobox", name=re.compile("^Offence")).select_option(
            label=f"{trafficking.citation} — {trafficking.title}"
        ),
    )
    expect(page.locator("dl.record")).to_contain_text(trafficking.citation)
    step(
        page,
        submit,
        "Record an alleged perpetrator",
        lambda f: (
            f.get_by_label("Relationship to the child").select_option(
                label="Trafficker or organised group"
            ),
            f.get_by_label("Male", exact=True).check(),
            f.get_by_label("18 or older").check(),
        ),
    )
    expect(page.locator("dl.record")).to_contain_text(
        "Trafficker or organised group, male, 18 or older"
    )
    step(
        page,
        submit,
        "Add an FIR, FIA or court number",
        lambda f: (
            f.get_by_label("Kind").select_option(label="Police FIR"),
            f.get_by_label("Number", exact=False).fill("123/2026"),
            f.get_by_label("Police station, court or office").fill("PS Gulberg"),
        ),
    )
    expect(page.locator("dl.record")).to_contain_text("Police FIR 123/2026 (PS Gulberg)")
    step(page, submit, "Take into protection")
    # a mistyped time, corrected: the 24-hour clock follows and is overdue
    taken = timeline.locator("li", has_text="Taken into protection")
    taken.locator("summary", has_text="Correct the time").click()
    correction = taken.locator('form[data-form="case:correct-time"]')
    yesterday = date.today().toordinal() - 2
    day = date.fromordinal(yesterday).strftime("%d/%m/%Y")
    correction.get_by_label("It happened on").fill(f"{day} 09:00")
    correction.get_by_label("Why the time is corrected").fill("Typed the wrong day.")
    submit_form(page, submit, correction)
    expect(page.locator("ul.messages")).to_contain_text("Time corrected")
    expect(timeline.locator("li", has_text="Taken into protection")).to_contain_text("Corrected")
    expect(
        page.locator("ul.clocks li", has_text="Produce the child before the Court").locator(
            ".badge.overdue"
        )
    ).to_contain_text("Overdue by")
    step(
        page,
        submit,
        "Produce before the Court",
        lambda f: f.get_by_label("Court").fill("Child Protection Court Lahore"),
    )
    step(page, submit, "Record a hearing", lambda f: f.get_by_label("Note").fill("First hearing."))
    step(
        page,
        submit,
        "Send the delay report",
        lambda f: f.get_by_label("Note").fill("Sent to the District Judge."),
    )

    # a custody order needs the child's views: refused in words, then given
    def custody(f: Any) -> None:
        f.get_by_label("Kind of order").select_option(label="Custody")

    action = page.locator(
        "details.action", has=page.locator("summary", has_text=re.compile("^Record a Court order$"))
    )
    action.locator("summary").click()
    custody(action.locator("form"))
    refused = submit_form(
        page,
        submit,
        action.locator("form"),
        action.get_by_role("button", name="Record a Court order"),
    )
    assert refused.status == 400
    expect(page.locator(".error-summary")).to_contain_text("child's views")
    assert (
        Case.objects.get(pk=case.pk).version == Case.objects.get(pk=case.pk).version
    )  # nothing new
    step(
        page,
        submit,
        "Record a Court order",
        lambda f: (
            custody(f),
            f.get_by_label("The child's views").fill("She wants to be safe and go to school."),
        ),
    )
    expect(timeline).to_contain_text("Court order: custody; the child was heard")
    step(
        page,
        submit,
        "Record a placement",
        lambda f: (
            f.get_by_label("In an institution").check(),
            f.get_by_role("combobox", name="Institution (for a placement in one)").select_option(
                str(office["home"].pk)
            ),
            f.get_by_label("Why not a preferred option").fill("No relative can care for her yet."),
        ),
    )
    expect(timeline).to_contain_text("Placed in an institution — Nigehban Centre Lahore")
    assert Institution.objects.get(pk=office["home"].pk).occupancy == 1
    step(
        page,
        submit,
        "Offer legal assistance",
        lambda f: f.get_by_label("accepted legal assistance").check(),
    )
    step(
        page,
        submit,
        "Record a visit",
        lambda f: f.get_by_label("What you found").fill("Settled at the centre, attends classes."),
    )
    expect(timeline).to_contain_text("Settled at the centre, attends classes.")
    step(
        page,
        submit,
        "Refer to a service",
        lambda f: (
            f.get_by_label("Service", exact=False).fill("Psychosocial counselling"),
            f.get_by_role("combobox", name="Provided by").select_option(str(office["home"].pk)),
        ),
    )
    expect(timeline).to_contain_text("Referred: Psychosocial counselling — Nigehban Centre Lahore")
    step(
        page,
        submit,
        "Set the case plan",
        lambda f: f.get_by_label("Goals of the plan").fill("Back to school\nFamily tracing"),
    )
    step(
        page,
        submit,
        "Record a plan review",
        lambda f: f.get_by_label("Note").fill("Quarterly review."),
    )
    step(
        page,
        submit,
        "Record a Court order",
        lambda f: (
            f.get_by_label("Kind of order").select_option(label="Release"),
            f.get_by_label("final decision").check(),
        ),
    )
    step(page, submit, "Release from protection")
    expect(header).to_contain_text("Follow-up and review")
    assert Institution.objects.get(pk=office["home"].pk).occupancy == 0  # the place is freed
    step(
        page,
        submit,
        "Record a follow-up visit",
        lambda f: f.get_by_label("Note").fill("Home visit: back at school."),
    )
    # the plan was never approved: closure waits for it
    action = page.locator(
        "details.action", has=page.locator("summary", has_text=re.compile("^Request closure$"))
    )
    action.locator("summary").click()
    action.get_by_label("Reason").select_option(label="Reintegrated with the family or community")
    submit_form(
        page, submit, action.locator("form"), action.get_by_role("button", name="Request closure")
    )
    expect(page.locator(".error-summary")).to_contain_text("approves the case plan")
    sign_out(page, submit)

    # The supervisor approves the plan (after placement and release: still possible).
    sign_in(page, "lhr.sup")
    page.goto(f"{base}/cases/{case.uuid}/")
    step(page, submit, "Approve the case plan")
    expect(timeline).to_contain_text("Case plan approved")
    sign_out(page, submit)

    sign_in(page, "lhr.cpo")
    page.goto(f"{base}/cases/{case.uuid}/")
    step(
        page,
        submit,
        "Request closure",
        lambda f: f.get_by_label("Reason").select_option(
            label="Reintegrated with the family or community"
        ),
    )
    expect(header).to_contain_text("Closure requested")
    # the CPO has nothing to decide: the supervisor's steps are not offered
    expect(page.locator("summary", has_text="Decide on closure")).to_have_count(0)
    sign_out(page, submit)

    sign_in(page, "lhr.sup")
    page.goto(f"{base}/cases/{case.uuid}/")
    action = page.locator(
        "details.action", has=page.locator("summary", has_text=re.compile("^Decide on closure$"))
    )
    action.locator("summary").click()
    action.get_by_label("Note to the officer").fill("Well done.")
    submit_form(
        page, submit, action.locator("form"), action.get_by_role("button", name="Approve closure")
    )
    expect(page.locator("ul.messages")).to_contain_text("Done: Decide on closure.")
    expect(header).to_contain_text("Closed")
    expect(page.locator("details.action summary")).to_have_text(["Reopen the case"])
    step(
        page,
        submit,
        "Reopen the case",
        lambda f: f.get_by_label("Why the case is reopened").fill(
            "A new complaint about her safety."
        ),
    )
    expect(header).to_contain_text("Assessment")
    axe_check(page)


def test_casework_pages_fit_a_phone(
    page: Any, live_server: Any, office: dict[str, Any], sign_in: Any, submit: Any
) -> None:
    base, case = live_server.url, office["case"]
    s.case_assign(actor=office["lhr_sup"], case=case, officer=office["lhr_cpo"])
    s.protection_take(actor=office["lhr_cpo"], case=case)
    page.set_viewport_size(PHONE)
    sign_in(page, "lhr.cpo")
    # the skip link is the first thing the keyboard reaches, and it goes to the content
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to content")
    for path in ("/", "/cases/tasks/", "/cases/", f"/cases/{case.uuid}/"):
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways: {width}px"
        # the menu is folded behind one button
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                    'main button, main summary, main select, main input:not([type=hidden])'
                    + ':not([type=checkbox]):not([type=radio])')]
                .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
                .map(e => e.outerHTML.slice(0, 80))"""
        )
        assert small == [], f"{path}: touch targets under 44 px: {small}"
        axe_check(page)
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    # lists are cards: each cell says what it is
    page.goto(f"{base}/cases/tasks/")
    cell = page.locator("table.list tbody tr").first.locator("td").first
    assert (
        page.evaluate("(td) => getComputedStyle(td, '::before').content", cell.element_handle())
        != "none"
    )


def test_every_casework_form_was_submitted_in_the_browser(
    browser: Any, transactional_db: Any
) -> None:
    """Runs last in this module (pytest-django orders tests by their kind of database: this one
    asks for the same as the tests above, so it stays after them): each form the casework
    pages can show was submitted above."""
    if not SUBMITTED:
        pytest.skip("the browser tests of this module did not run")
    missing = sorted(COVERED - SUBMITTED)
    assert missing == [], f"casework forms no browser test submitted: {missing}"
