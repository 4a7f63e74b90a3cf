"""Sign-in, sign-out and two-factor enrolment pages."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from cpmis.core.forms import run_service
from cpmis.core.language import remember, supported

from . import services
from .authentication import LOCKED_OUT, sign_in
from .forms import LoginForm, TotpConfirmForm
from .middleware import LAST_SEEN, LOGIN_AT
from .models import User


@sensitive_post_parameters("password", "otp_code")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = sign_in(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            otp_code=form.cleaned_data["otp_code"],
        )
        if result.locked_out:
            return lockout_response(request)
        if result.user is not None:
            login(request, result.user)
            if result.device is not None:
                otp_login(request, result.device)
            now = time.time()
            request.session[LOGIN_AT] = now
            request.session[LAST_SEEN] = now
            services.sign_in_recorded(user=result.user, action="auth.login")
            return redirect(next_url or "core:home")
        error = result.error
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "error": error,
            "next": next_url,
            "expired": "expired" in request.GET,
            # Only the page the sign-out leads to deletes the offline store, never a retried
            # sign-in, and never after an expired session (its queued work must survive).
            "signed_out": request.method == "GET"
            and "signed_out" in request.GET
            and "expired" not in request.GET,
        },
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.sign_in_recorded(user=request.user, action="auth.logout")  # type: ignore[arg-type]
    logout(request)
    # An explicit sign-out: the login page deletes what the browser keeps for offline work
    # (an expired session, ``?expired``, keeps it: queued actions must survive it).
    return redirect(f"{reverse('accounts:login')}?signed_out=1")


@login_required
@never_cache
def twofactor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if services.totp_device_for(user) is not None and user.is_verified():  # type: ignore[arg-type,union-attr]
        return redirect("core:home")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = services.totp_enrolment_start(user=user)  # type: ignore[arg-type]
    form = TotpConfirmForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if services.totp_enrolment_confirm(
            user=user,  # type: ignore[arg-type]
            device=device,
            token=form.cleaned_data["otp_code"],
        ):
            otp_login(request, device)
            return redirect("core:home")
        error = _("That code did not match. Check the time on your phone and try again.")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(
        request,
        "accounts/2fa_setup.html",
        {"form": form, "error": error, "qr_svg": qr_svg, "secret": _base32(device)},
        status=400 if error or (request.method == "POST" and not form.is_valid()) else 200,
    )


def _base32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode()


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes calls this when an account is locked (JSON for the API)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKED_OUT}, status=429)
    return render(request, "accounts/locked.html", {"message": _(LOCKED_OUT)}, status=429)


def _back_to(request: HttpRequest, target: str) -> str:
    """``target`` if it is a page of this site (without its ``lang``), else the home page."""
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("core:home")
    parts = urlsplit(target)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "lang"])
    return urlunsplit(("", "", parts.path or "/", query, ""))


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """The language switch on every page: kept in the person's own settings when signed in,
    in the browser's cookie always; then back to the page it was used on."""
    back = _back_to(request, request.POST.get("next", ""))
    language = supported(request.POST.get("language"))
    if language is None:
        messages.error(request, _("That language is not available: choose English or Urdu."))
        return redirect(back)
    if request.user.is_authenticated:
        services.preferences_set(actor=request.user, language=language)  # type: ignore[arg-type]
    response = redirect(back)
    remember(response, language)
    return response


@login_required
@never_cache
def settings_view(request: HttpRequest) -> HttpResponse:
    """A person's own settings: the language of their pages and the digits of Urdu pages."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        language = request.POST.get("language", "")
        chosen = supported(language) if language else ""
        if chosen is None:
            errors["language"] = [_("That language is not available: choose English or Urdu.")]
        else:
            _saved, errors = run_service(
                services.preferences_set,
                actor=request.user,
                language=chosen,
                digits=request.POST.get("digits", ""),
            )
            if not errors:
                translation.activate(chosen or translation.get_language())
                messages.success(request, _("Your settings are saved."))
                response = redirect("accounts:settings")
                if chosen:
                    remember(response, chosen)
                else:  # the browser's language: forget what the switch kept
                    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, samesite="Lax")
                return response
    return render(
        request,
        "accounts/settings.html",
        {"errors": errors, "digit_choices": User.Digits.choices},
        status=400 if errors else 200,
    )
