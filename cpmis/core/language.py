"""Which language a page is written in: decided here, for every request.

In order, the first that names a language cpmis speaks (``settings.LANGUAGES``):

1. ``?lang=`` in the address (the public pages' links; also remembered in a cookie, so that a
   member of the public who chose Urdu keeps it on the next page);
2. the signed-in person's own setting (``User.language``, chosen with the switch on every page);
3. the language cookie (the switch, for someone not signed in);
4. the browser's languages (``Accept-Language``);
5. English.

A code is read leniently: ``UR``, ``ur-PK``, ``ur_PK`` all mean Urdu. A code cpmis does not
speak is passed over, never an error. Responses say which language they are in
(``Content-Language``) and that they vary with the cookie and the browser's languages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

COOKIE_AGE = 365 * 24 * 3600


def supported(code: object) -> str | None:
    """``code`` as one of ``settings.LANGUAGES``' codes, or None."""
    if not isinstance(code, str) or not code or len(code) > 35:
        return None
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in dict(settings.LANGUAGES) else None


def asked_in_address(request: HttpRequest) -> str | None:
    return supported(request.GET.get("lang"))


def chosen(request: HttpRequest) -> str:
    """The language of ``request``'s page (see the module's docstring for the order)."""
    asked = asked_in_address(request)
    if asked:
        return asked
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        own = supported(getattr(user, "language", ""))
        if own:
            return own
    cookie = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if cookie:
        return cookie
    return supported(translation.get_language_from_request(request)) or settings.LANGUAGE_CODE


def remember(response: HttpResponse, language: str) -> None:
    """Keep ``language`` in the browser's cookie (a year; not readable by scripts)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )


class LanguageMiddleware:
    """Activate the chosen language for the request (after authentication: it reads the user)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        asked = asked_in_address(request)
        if asked and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != asked:
            remember(response, asked)
        return response
