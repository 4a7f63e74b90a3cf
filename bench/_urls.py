"""The application's URLs and one minimal view: the server of ``bench/complaint_load.py``
(``bench/_loadserver.py``) uses this module as ROOT_URLCONF; nothing else does."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from cpmis import urls as cpmis_urls

MINIMAL_PATH = "bench/minimal/"
MINIMAL_BODY = b"ok"


def minimal(request: HttpRequest) -> HttpResponse:
    """The baseline: the whole middleware stack, no template, no database."""
    return HttpResponse(MINIMAL_BODY, content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [
    path(MINIMAL_PATH, minimal, name="bench-minimal"),
    path("", include(cpmis_urls)),  # everything, with its names and namespaces
]

handler400 = cpmis_urls.handler400
handler403 = cpmis_urls.handler403
handler404 = cpmis_urls.handler404
handler500 = cpmis_urls.handler500
