"""Signing in with a password and, where the user has one, a TOTP code.

Shared by the web login and the API token endpoint so both count failures the same way:
a wrong code counts as a failed login towards the lockout, like a wrong password.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from cpmis import access

from .models import User
from .services import sign_in_recorded, totp_device_for

# Plain strings (a browser test compares a page with one); translated where they are used.
WRONG_CREDENTIALS = gettext_noop("Wrong username or password.")
WRONG_CODE = gettext_noop("The authentication code is missing, wrong or expired.")
LOCKED_OUT = gettext_noop("Too many failed sign-in attempts: this account is locked for a while.")
ENROL_FIRST = gettext_noop(
    "Set up two-factor authentication in the web application before using the API."
)


@dataclass(frozen=True)
class SignIn:
    user: User | None = None
    device: TOTPDevice | None = None
    error: str = ""
    locked_out: bool = False


def sign_in(request: HttpRequest, *, username: str, password: str, otp_code: str = "") -> SignIn:
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        sign_in_recorded(user=None, action="auth.locked_out", username=username)
        return SignIn(error=gettext(LOCKED_OUT), locked_out=True)
    if not isinstance(user, User):
        sign_in_recorded(
            user=None, action="auth.login_failed", username=username, reason="password"
        )
        return SignIn(error=gettext(WRONG_CREDENTIALS))
    device = totp_device_for(user)
    if device is not None and not (otp_code and device.verify_token(otp_code)):
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        sign_in_recorded(user=None, action="auth.login_failed", username=username, reason="code")
        return SignIn(error=gettext(WRONG_CODE))
    return SignIn(user=user, device=device)


def api_sign_in(request: HttpRequest, *, username: str, password: str, otp_code: str) -> SignIn:
    result = sign_in(request, username=username, password=password, otp_code=otp_code)
    if result.user is None:
        return result
    if result.device is None and access.requires_two_factor(result.user):
        return SignIn(error=gettext(ENROL_FIRST))
    # Resets the failure count (axes) and updates last_login, as a web login does.
    user_logged_in.send(sender=result.user.__class__, request=request, user=result.user)
    return result
