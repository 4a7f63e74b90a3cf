"""Session lifetime and the two-factor requirement for browser sessions."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from cpmis import access

from .services import sign_in_recorded

LOGIN_AT = "cpmis_login_at"
LAST_SEEN = "cpmis_last_seen"
# Refresh the last-seen time at most this often, so most requests do not write the session.
_TOUCH_EVERY = 30


class SessionTimeoutMiddleware:
    """End a session after CPMIS_SESSION_IDLE_SECONDS idle or CPMIS_SESSION_MAX_SECONDS in all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.get(LOGIN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            idle = now - last_seen > settings.CPMIS_SESSION_IDLE_SECONDS
            expired = now - login_at > settings.CPMIS_SESSION_MAX_SECONDS
            if idle or expired:
                sign_in_recorded(
                    user=user, action="auth.session_expired", reason="idle" if idle else "lifetime"
                )
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "Your session has expired."}, status=401)
                return redirect(f"{reverse('accounts:login')}?expired=1")
            session.setdefault(LOGIN_AT, now)
            if now - last_seen >= _TOUCH_EVERY or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """A signed-in user who needs a second factor and has not used one may only enrol."""

    ALLOWED_PREFIXES = (
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/2fa/",
        "/accounts/language/",
        "/static/",
        "/healthz",
        "/readyz",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and access.requires_two_factor(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Two-factor authentication is required for this account."},
                    status=403,
                )
            return redirect("accounts:2fa-setup")
        return self.get_response(request)
