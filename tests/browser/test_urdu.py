"""Urdu in a real browser: a CPO switches the language with the switch on the page, and
works in Urdu on a 360-px phone: right to left, nothing scrolling sideways, every Urdu letter
drawn by the shipped Nastaliq face (never a system font, never a missing-glyph box)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from cpmis.accounts.models import User
from cpmis.cases import services as s
from tests.browser.test_casework import PHONE, office  # noqa: F401 - the fixture
from tests.routes_support import ANONYMOUS, ROLES

pytestmark = pytest.mark.browser

URDU = re.compile(r"[\u0600-\u06ff]")
OUR_FACES = {"Noto Sans", "Noto Nastaliq Urdu", "cpmis Urdu label"}


def fonts_drawing_urdu(page: Any) -> list[tuple[str, list[dict[str, Any]]]]:
    """For each element with Urdu letters in its own text: the fonts Chromium drew it with
    (the DevTools protocol's CSS.getPlatformFontsForNode), once the page's fonts are loaded."""
    page.evaluate("document.fonts.ready.then(() => true)")
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        found = []
        for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "body *"})[
            "nodeIds"
        ]:
            own_text = cdp.send("DOM.describeNode", {"nodeId": node, "depth": 1})["node"]
            texts = [
                c.get("nodeValue", "") for c in own_text.get("children", []) if c["nodeType"] == 3
            ]
            text = "".join(texts)
            if URDU.search(text):
                fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
                # A code inside (a source's code, a case number) is set in the system's
                # monospace face, Latin only: not a fallback for Urdu.
                if any(c.get("nodeName") in ("CODE", "KBD") for c in own_text.get("children", [])):
                    fonts = [f for f in fonts if "Mono" not in f["familyName"]]
                found.append((text.strip()[:40], fonts))
        return found
    finally:
        cdp.detach()


def check_urdu_page(page: Any, path: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "ur")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} scrolls sideways: {width}px"
    drawn = fonts_drawing_urdu(page)
    assert drawn, f"{path}: no Urdu text"
    for text, fonts in drawn:
        if not fonts:
            continue  # not drawn: a folded menu, a closed list's options
        families = {f["familyName"] for f in fonts}
        assert fonts and all(f["isCustomFont"] for f in fonts), (path, text, fonts)
        assert families <= OUR_FACES, (path, text, families)


def test_a_cpo_switches_to_urdu_and_works_on_a_phone(
    page: Any,
    live_server: Any,
    office: dict[str, Any],  # noqa: F811 - the fixture imported above
    sign_in: Any,
    submit: Any,
) -> None:
    base, case = live_server.url, office["case"]
    s.case_assign(actor=office["lhr_sup"], case=case, officer=office["lhr_cpo"])
    page.set_viewport_size(PHONE)
    sign_in(page, "lhr.cpo")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    submit(page, page.get_by_role("button", name="اردو"))
    check_urdu_page(page, "/")
    assert User.objects.get(username="lhr.cpo").language == "ur"
    expect(page.locator("form.logout button")).to_have_text("سائن آؤٹ")
    for path in ("/cases/tasks/", "/cases/", f"/cases/{case.uuid}/"):
        page.goto(f"{base}{path}")
        check_urdu_page(page, path)
    # The girl's Urdu name is drawn in Nastaliq; her case number reads left to right.
    expect(page.locator("[lang=ur]", has_text="زینب علی").first).to_be_visible()
    submit(page, page.get_by_role("button", name="English"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith(f"/cases/{case.uuid}/")
    assert User.objects.get(username="lhr.cpo").language == "en"


def test_the_public_form_in_urdu_draws_every_letter_with_the_shipped_face(
    page: Any, live_server: Any, transactional_db: Any
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/complaint/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="اردو").click()
    check_urdu_page(page, "/complaint/?lang=ur")
    # Remembered by the browser: the next page is in Urdu without ?lang.
    page.goto(f"{live_server.url}/complaint/status/")
    expect(page.locator("html")).to_have_attribute("lang", "ur")


@pytest.fixture
def world(transactional_db: Any) -> Any:
    from tests.routes_support import build_world

    return build_world()


# Every role (an account with none has no menu to crawl).
CRAWLED_ROLES = tuple(r for r in ROLES if r not in (ANONYMOUS, "outsider"))


def test_every_menu_page_in_urdu_as_each_role(browser: Any, live_server: Any, world: Any) -> None:
    """Each role's home and every page of its menu, in Urdu on a 360-px phone: right to
    left, nothing scrolling sideways, every Urdu letter drawn by the shipped face."""
    from django.conf import settings
    from django.test import Client

    base = live_server.url
    seen = 0
    for role in CRAWLED_ROLES:
        client = Client()
        client.force_login(world.users[role])
        context = browser.new_context(locale="ur-PK", viewport=PHONE)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": base,
                }
            ]
        )
        page = context.new_page()
        try:
            page.goto(f"{base}/")
            menu = page.eval_on_selector_all(
                "#main-nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
            )
            assert menu, f"{role}: no menu"
            for path in ["/", *dict.fromkeys(p for p in menu if not p.startswith("/api/"))]:
                response = page.goto(f"{base}{path}")
                assert response is not None and response.status == 200, (role, path)
                check_urdu_page(page, f"{path} as {role}")
                seen += 1
        finally:
            context.close()
    assert seen >= 40


def test_a_cpo_keeps_urdu_and_urdu_digits_on_the_settings_page(
    page: Any,
    live_server: Any,
    office: dict[str, Any],  # noqa: F811 - the fixture imported above
    sign_in: Any,
    submit: Any,
) -> None:
    base, case = live_server.url, office["case"]
    s.case_assign(actor=office["lhr_sup"], case=case, officer=office["lhr_cpo"])
    sign_in(page, "lhr.cpo")
    submit(page, page.locator("a.who"))
    page.get_by_label("اردو").check()
    page.get_by_label("Urdu (۰ ۱ ۲ ۳)").check()
    submit(page, page.get_by_role("button", name="Save"))
    expect(page.locator("html")).to_have_attribute("lang", "ur")
    expect(page.locator(".messages")).to_contain_text("محفوظ")
    officer = User.objects.get(username="lhr.cpo")
    assert (officer.language, officer.digits) == ("ur", "urdu")
    page.goto(f"{base}/cases/{case.uuid}/")
    facts = page.locator(".case-head").inner_text()
    assert case.number in facts and "۲۰۲۶" in facts
