"""Home page, liveness (/healthz) and readiness (/readyz)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cpmis import access

from . import health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Whether this process should be sent work: every check of CPMIS_READINESS_CHECKS passes
    (200), or not (503, with each check's result). /healthz says only that it is alive."""
    checks = health.run_checks(settings.CPMIS_READINESS_CHECKS)
    ready = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "error", "checks": checks}, status=200 if ready else 503
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs the person's attention, from each app that has something to say
    (``CPMIS_HOME_PANELS``: functions of the request returning panels to render)."""
    panels = [
        panel for path in settings.CPMIS_HOME_PANELS for panel in import_string(path)(request)
    ]
    return render(
        request,
        "core/home.html",
        {
            "capabilities": access.capabilities(request.user),
            "assignments": access.assignments(request.user),
            "panels": panels,
        },
    )


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("Not allowed"), _("You do not have access to this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Not found"), _("There is nothing here, or you cannot see it."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("Something went wrong"), _("The error has been logged."))
