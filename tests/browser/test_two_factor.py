"""Two-factor enrolment and sign-in with a code, through the real pages."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cpmis.accounts.authentication import WRONG_CODE
from tests.conftest import Personas

pytestmark = pytest.mark.browser


def totp_code(key: bytes, *, after_step: int = -1) -> str:
    """The current code, or the next one if the current step was used already (a device
    accepts each time step once; its tolerance accepts the next step)."""
    totp = TOTP(key)  # django-otp's defaults: 30 s steps, 6 digits, as TOTPDevice uses
    totp.drift = max(0, after_step + 1 - totp.t())
    return f"{totp.token():06d}"


def test_supervisor_enrols_a_second_factor_and_then_needs_a_code_to_sign_in(
    page: Any, live_server: Any, personas: Personas, settings: Any, sign_in: Any, submit: Any
) -> None:
    settings.CPMIS_REQUIRE_2FA = True
    base = live_server.url
    setup_url = f"{base}/accounts/2fa/setup/"

    response = sign_in(page, "supervisor")
    assert response.status == 200
    assert page.url == setup_url
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    # Nothing but enrolment until the code is confirmed.
    page.goto(f"{base}/children/")
    assert page.url == setup_url

    secret = page.locator("code.secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    key = base64.b32decode(secret)
    device = TOTPDevice.objects.get(user=personas.supervisor)
    assert not device.confirmed
    assert key == device.bin_key

    code_field = page.get_by_label("Code from your authenticator app")
    code_field.fill(totp_code(key))
    submit(page, page.get_by_role("button", name="Confirm"))
    assert page.url == f"{base}/"
    device.refresh_from_db()
    assert device.confirmed

    response = page.goto(f"{base}/children/")
    assert response is not None and response.status == 200
    assert page.url == f"{base}/children/"
    expect(page.get_by_role("heading", name="Children")).to_be_visible()

    submit(page, page.get_by_role("button", name="Sign out"))
    assert page.url == f"{base}/accounts/login/?signed_out=1"
    page.goto(f"{base}/children/")
    assert page.url.startswith(f"{base}/accounts/login/"), "still signed in after signing out"

    # The password alone is no longer enough. (No code: no verification is attempted, so the
    # device's throttling, which would refuse the next code for a second, is not engaged.)
    response = sign_in(page, "supervisor")
    assert response.status == 400
    expect(page.get_by_role("alert")).to_have_text(WRONG_CODE)

    device.refresh_from_db()
    response = sign_in(page, "supervisor", code=totp_code(key, after_step=device.last_t))
    assert response.status == 200
    assert page.url == f"{base}/"
    response = page.goto(f"{base}/children/")
    assert response is not None and response.status == 200
    assert page.url == f"{base}/children/"

    submit(page, page.get_by_role("button", name="Sign out"))
    assert page.url == f"{base}/accounts/login/?signed_out=1"

    # Any code that none of the steps around now would accept.
    valid = {TOTP(key, drift=d).token() for d in range(-2, 3)}
    wrong = next(c for c in range(1_000_000) if c not in valid)
    response = sign_in(page, "supervisor", code=f"{wrong:06d}")
    assert response.status == 400
    assert page.url == f"{base}/accounts/login/"
    expect(page.get_by_role("alert")).to_have_text(WRONG_CODE)
    page.goto(f"{base}/children/")
    assert page.url.startswith(f"{base}/accounts/login/")
