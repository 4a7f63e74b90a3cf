"""Real Chromium, driven through Playwright's sync API, against pytest-django's live server.

Chromium: ``CPMIS_CHROMIUM`` (the Makefile passes it; it may be empty), else ``chromium`` or
``chromium-browser`` on the PATH. Never ``playwright install``: there is no network for it.
Without Chromium the tests are skipped loudly, and fail when ``CI=true`` or
``CPMIS_REQUIRE_BROWSER=1`` (so a CI run cannot pass by skipping them) or when CPMIS_CHROMIUM
names a browser that is not there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # the suite runs as root
    "--disable-gpu",
    # No network but the live server: keep Chromium's background connections from failing.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
TIMEOUT_MS = 10_000  # a failing expectation should fail fast, not after Playwright's 30 s
MISSING = "Chromium not installed: browser tests SKIPPED"
_skipped_for_missing_chromium: list[str] = []


def chromium_path() -> tuple[str | None, str]:
    """The Chromium executable (None if not found) and where it was looked for."""
    configured = os.environ.get("CPMIS_CHROMIUM", "").strip()
    if configured:
        return shutil.which(configured), f"CPMIS_CHROMIUM={configured!r}"
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found, "`chromium` or `chromium-browser` on PATH (CPMIS_CHROMIUM unset or empty)"


def browser_required() -> bool:
    return (
        os.environ.get("CI", "").strip().lower() == "true"
        or os.environ.get("CPMIS_REQUIRE_BROWSER", "").strip() == "1"
    )


# Package scope: one Chromium for all the browser tests, stopped after the last of them.
# While Playwright runs, an asyncio event loop is running in the test thread, and Django refuses
# ORM calls from such a thread (SynchronousOnlyOperation); the ORM calls here are synchronous
# and sequential with the browser, so the check is switched off, but only for as long as
# Playwright runs: the rest of the suite keeps the check and never sees a running loop.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Chromium for the browser tests; each test gets its own context."""
    executable, looked_for = chromium_path()
    if executable is None:
        where = f"looked for {looked_for}; install it with `apt-get install chromium`"
        if browser_required() or os.environ.get("CPMIS_CHROMIUM", "").strip():
            # In CI a skip would pass unnoticed; a CPMIS_CHROMIUM that points nowhere is a typo.
            pytest.fail(
                f"Chromium not installed: the browser tests cannot run ({where}). They are "
                "required here (CI=true, CPMIS_REQUIRE_BROWSER=1 or CPMIS_CHROMIUM set).",
                pytrace=False,
            )
        message = f"{MISSING} ({where} or point CPMIS_CHROMIUM at it)"
        _skipped_for_missing_chromium.append(message)
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def external_requests() -> list[str]:
    """Requests the page tried to send anywhere but the live server (each one was aborted)."""
    return []


@pytest.fixture
def page(browser: Any, live_server: Any, external_requests: list[str]) -> Iterator[Any]:
    """A fresh context (no cookies, no cache) with one page; nothing leaves the live server."""
    own = urlsplit(live_server.url).netloc
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Karachi")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)

    def guard(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).netloc == own:
            route.continue_()
        else:
            external_requests.append(url)
            route.abort()

    context.route("**/*", guard)
    try:
        yield context.new_page()
    finally:
        context.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test, even one whose module forgets the mark."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped_for_missing_chromium:
        terminalreporter.write_sep("!", MISSING, red=True, bold=True)
        terminalreporter.write_line(_skipped_for_missing_chromium[0], red=True)


def _submit(page: Any, control: Any) -> Any:
    """Click a control that submits a form; wait for the page it leads to and return its
    response (after redirects)."""
    with page.expect_navigation(wait_until="load") as navigation:
        control.click()
    response = navigation.value
    assert response is not None, f"no response after submitting on {page.url}"
    return response


@pytest.fixture
def submit() -> Any:
    return _submit


@pytest.fixture
def sign_in(live_server: Any) -> Any:
    """Sign in through the real login form; returns the response of the page it leads to."""

    def sign_in(page: Any, username: str, *, password: str = PASSWORD, code: str = "") -> Any:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password", exact=True).fill(password)
        if code:
            page.get_by_label("Authentication code").fill(code)
        return _submit(page, page.get_by_role("button", name="Sign in"))

    return sign_in
