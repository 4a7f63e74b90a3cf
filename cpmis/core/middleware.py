"""Request-level protections that run before any view."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from .errors import NotFound


class RequestSizeLimitMiddleware:
    """Refuse bodies over CPMIS_MAX_BODY_BYTES with a 400 before anything reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.CPMIS_MAX_BODY_BYTES
        if request.path.startswith(settings.CPMIS_UPLOAD_PATHS):
            limit = settings.CPMIS_MAX_UPLOAD_BYTES  # department batches
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0 or length > limit:
            message = (
                f"The request body is too large: the limit is {limit // 1024:,} KB."
                if length > limit
                else "The Content-Length header is not a number."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy (every asset is served by the app itself) and no
    caching of signed-in pages: office computers are shared, and the back button must not
    show a child's record after sign-out."""

    CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
        "form-action 'self'"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response


class DomainErrorMiddleware:
    """A service's ``NotFound`` is a page's 404, as Django's own Http404 is (services speak the
    domain's errors, never HTTP's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            raise Http404 from exception


# Unicode's explicit direction controls: embeddings and overrides (U+202A–U+202E) and
# isolates (U+2066–U+2069), as UTF-8. cpmis's own pages never use them (they mark direction
# with dir= and <bdi>), so any on a page came from what someone typed.
BIDI_CONTROLS = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


class BidiControlsMiddleware:
    """Neutralise direction controls in what people typed, on every page: a name holding a
    right-to-left override (U+202E) would otherwise reverse the text after it, and could make
    a case number, a date or a link read as something else. They are kept as typed in the
    database and the exports; a page shows the text without them, in its logical order."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and BIDI_CONTROLS.search(response.content)
        ):
            response.content = BIDI_CONTROLS.sub(b"", response.content)
            if response.has_header("Content-Length"):  # set by a middleware outside this one
                response["Content-Length"] = str(len(response.content))
        return response
