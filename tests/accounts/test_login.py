"""Signing in: Argon2, lockout, session lifetime, TOTP, API tokens."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cpmis.accounts.middleware import LOGIN_AT
from cpmis.audit.models import AuditEvent
from tests.conftest import PASSWORD, Personas

TOKEN = "/api/auth/token/"


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def confirmed_device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def login(client: Any, username: str, password: str = PASSWORD, otp_code: str = "") -> Any:
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password, "otp_code": otp_code},
    )


def test_passwords_are_hashed_with_argon2(personas: Personas) -> None:
    assert personas.cpo.password.startswith("argon2")
    assert make_password("x").startswith("argon2")


def test_a_user_signs_in_and_the_login_is_audited(client: Any, personas: Personas) -> None:
    response = login(client, "cpo")
    assert response.status_code == 302 and response.url == reverse("core:home")
    assert AuditEvent.objects.filter(action="auth.login", actor_id=personas.cpo.pk).exists()


def test_the_next_url_is_only_followed_on_this_site(client: Any, personas: Personas) -> None:
    url = reverse("accounts:login") + "?next=https://evil.example/"
    response = client.post(url, {"username": "cpo", "password": PASSWORD})
    assert response.url == reverse("core:home")


def test_wrong_password_is_refused_and_audited(client: Any, personas: Personas) -> None:
    response = login(client, "cpo", "wrong password")
    assert response.status_code == 400
    assert "Wrong username or password" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed", object_id="cpo").exists()


def test_repeated_failures_lock_the_account(client: Any, personas: Personas) -> None:
    for _ in range(5):
        login(client, "cpo", "wrong password")
    response = login(client, "cpo")  # the right password no longer helps
    assert response.status_code == 429
    assert "locked" in response.content.decode()
    assert api_token(client, "cpo").status_code == 429


def api_token(client: Any, username: str, password: str = PASSWORD, otp_code: str = "") -> Any:
    body = {"username": username, "password": password}
    if otp_code:
        body["otp_code"] = otp_code
    return client.post(TOKEN, body, content_type="application/json")


def test_the_session_ends_after_idle_time(
    clock: Any, client: Any, personas: Personas, settings: Any
) -> None:
    login(client, "cpo")
    clock.shift(settings.CPMIS_SESSION_IDLE_SECONDS + 1)  # nothing done for that long
    response = client.get(reverse("people:child-list"))
    assert response.status_code == 302 and "expired=1" in response.url
    assert AuditEvent.objects.filter(action="auth.session_expired").exists()
    assert client.get(reverse("people:child-list")).status_code == 302


def test_the_session_has_an_absolute_lifetime(
    client: Any, personas: Personas, settings: Any
) -> None:
    login(client, "cpo")
    session = client.session
    session[LOGIN_AT] = time.time() - settings.CPMIS_SESSION_MAX_SECONDS - 1
    session.save()
    assert client.get(reverse("people:child-list")).status_code == 302
    assert client.get("/api/children/").status_code in {401, 403}


def test_an_active_session_stays(client: Any, personas: Personas) -> None:
    login(client, "cpo")
    assert client.get(reverse("people:child-list")).status_code == 200


def test_the_api_issues_a_token_that_authenticates(client: Any, personas: Personas) -> None:
    response = api_token(client, "cpo")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    listing = client.get("/api/children/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listing.status_code == 200
    assert client.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {token}").json()["roles"] == [
        "cpo@PK617"
    ]
    assert client.delete(TOKEN, HTTP_AUTHORIZATION=f"Token {token}").status_code == 204
    assert client.get("/api/children/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "cpo"},
        {"username": ["cpo"], "password": 1},
        {"username": "cpo", "password": PASSWORD, "otp_code": "12ab"},
    ],
)
def test_the_token_endpoint_validates_input(client: Any, personas: Personas, body: dict) -> None:
    assert client.post(TOKEN, body, content_type="application/json").status_code == 400


def test_wrong_credentials_get_no_token(client: Any, personas: Personas) -> None:
    response = api_token(client, "cpo", "nope")
    assert response.status_code == 401
    assert "token" not in response.json()


class TestTwoFactor:
    @pytest.fixture(autouse=True)
    def _required(self, settings: Any) -> None:
        settings.CPMIS_REQUIRE_2FA = True
        # django-otp delays retries after a wrong code (1 s, 2 s, ...); the tests retry at once.
        settings.OTP_TOTP_THROTTLE_FACTOR = 0

    def test_a_user_without_a_device_must_enrol_before_anything_else(
        self, client: Any, personas: Personas
    ) -> None:
        assert login(client, "supervisor").status_code == 302
        response = client.get(reverse("people:child-list"))
        assert response.status_code == 302 and response.url == reverse("accounts:2fa-setup")
        assert client.get("/api/children/").status_code == 403
        setup = client.get(reverse("accounts:2fa-setup"))
        assert setup.status_code == 200 and b"<svg" in setup.content
        device = TOTPDevice.objects.get(user=personas.supervisor, confirmed=False)
        assert client.post(reverse("accounts:2fa-setup"), {"otp_code": "000000"}).status_code == 400
        client.post(reverse("accounts:2fa-setup"), {"otp_code": code_for(device)})
        device.refresh_from_db()
        assert device.confirmed
        assert client.get(reverse("people:child-list")).status_code == 200
        assert AuditEvent.objects.filter(action="auth.2fa_enrolment_started").exists()
        assert AuditEvent.objects.filter(action="auth.2fa_enrolled").exists()

    def test_a_user_with_a_device_needs_the_code(self, client: Any, personas: Personas) -> None:
        device = confirmed_device(personas.cpo)
        response = login(client, "cpo")
        assert response.status_code == 400
        assert "code" in response.content.decode()
        assert login(client, "cpo", otp_code="123456").status_code == 400
        assert login(client, "cpo", otp_code=code_for(device)).status_code == 302
        assert client.get(reverse("people:child-list")).status_code == 200

    def test_wrong_codes_count_towards_the_lockout(self, client: Any, personas: Personas) -> None:
        device = confirmed_device(personas.cpo)
        for _ in range(5):
            login(client, "cpo", otp_code="000001")
        assert login(client, "cpo", otp_code=code_for(device)).status_code == 429

    def test_the_api_token_needs_the_code(self, client: Any, personas: Personas) -> None:
        device = confirmed_device(personas.cpo)
        assert api_token(client, "cpo").status_code == 401
        assert api_token(client, "cpo", otp_code=code_for(device)).status_code == 200

    def test_the_api_refuses_a_token_before_enrolment(
        self, client: Any, personas: Personas
    ) -> None:
        response = api_token(client, "supervisor")
        assert response.status_code == 401
        assert "two-factor" in response.json()["detail"]

    def test_account_pages_are_not_exempt(self, client: Any, personas: Personas) -> None:
        login(client, "administrator")
        response = client.get("/accounts/users/")
        assert response.status_code == 302 and response.url == reverse("accounts:2fa-setup")

    def test_an_analyst_needs_no_second_factor(self, client: Any, personas: Personas) -> None:
        login(client, "analyst")
        assert client.get(reverse("core:home")).status_code == 200
        assert api_token(client, "analyst").status_code == 200
