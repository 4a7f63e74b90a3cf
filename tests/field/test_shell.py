"""The field app as the server serves it: the shell page (officers who work cases only), the web
app manifest in English and Urdu, and the service worker (its scope, its headers, and a cache
version that follows the files it caches)."""

from __future__ import annotations

import json
import struct
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from cpmis.field import views
from tests.conftest import Personas

SHELL = "/field/"
MANIFEST = "/field/manifest.webmanifest"
WORKER = "/field/sw.js"


class _Elements(HTMLParser):
    """The start tags of a page, as (tag, attributes) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def _png_size(path: str) -> tuple[int, int]:
    found = finders.find(path)
    assert found, path
    with open(str(found), "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_it_serves_the_shell_to_an_officer(client: Client, personas: Personas) -> None:
    client.force_login(personas.cpo)
    response = client.get(SHELL)
    assert response.status_code == 200
    html = response.content.decode()
    elements = _elements(html)
    status = next(a for t, a in elements if a.get("id") == "field-status")
    assert status["data-network"] in {"online", "offline"}
    assert status["data-queued"] == "0" and status["data-failed"] == "0"
    manifest = next(a for t, a in elements if t == "link" and a.get("rel") == "manifest")
    assert manifest["href"] == f"{MANIFEST}?lang=en"
    assert any(t == "meta" and a.get("name") == "theme-color" for t, a in elements)
    scripts = [a for t, a in elements if t == "script" and a.get("type") == "module"]
    assert [s["src"] for s in scripts] == ["/static/cpmis/field/app.js"]
    templates = {a.get("id") for t, a in elements if t == "template"}
    assert {"tpl-enrol", "tpl-unlock", "tpl-caseload", "tpl-tasks", "tpl-case"} <= templates
    assert {"tpl-register", "tpl-sync", "tpl-when"} <= templates
    # The texts the scripts show come translated with the page, never from the scripts.
    texts = json.loads(
        html.split('<script id="field-texts" type="application/json">')[1].split("</script>")[0]
    )
    assert texts["waiting"] == "%(n)s waiting to sync"
    assert texts["kind_visit"] == "Visit"
    # The casework pages' header (menu, language switch, sign-out form) is the same.
    assert 'class="logout"' in html and 'class="language"' in html


def test_it_serves_the_shell_in_urdu_right_to_left(client: Client, personas: Personas) -> None:
    personas.cpo.language = "ur"
    personas.cpo.save(update_fields=["language"])
    client.force_login(personas.cpo)
    response = client.get(SHELL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    assert f"{MANIFEST}?lang=ur" in html
    with translation.override("ur"):
        assert json.dumps(gettext("%(n)s waiting to sync"))[1:-1] in html


@pytest.mark.parametrize("role", ["analyst", "focal_point", "complaint_officer", "outsider"])
def test_it_refuses_the_shell_to_a_role_that_does_not_work_cases(
    client: Client, personas: Personas, role: str
) -> None:
    client.force_login(getattr(personas, role))
    assert client.get(SHELL).status_code == 403


def test_it_sends_a_visitor_to_the_login_page(client: Client, db: Any) -> None:
    response = client.get(SHELL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("language, direction", [("en", "ltr"), ("ur", "rtl")])
def test_it_describes_the_app_in_the_language_asked(
    client: Client, db: Any, language: str, direction: str
) -> None:
    # No session: a browser fetches the manifest without cookies.
    response = client.get(MANIFEST, {"lang": language})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = json.loads(response.content)
    with translation.override(language):
        assert body["name"] == gettext("cpmis — casework offline")
        assert body["short_name"] == gettext("cpmis field")
    assert body["lang"] == language and body["dir"] == direction
    assert body["start_url"] == body["scope"] == SHELL
    assert body["display"] == "standalone"
    assert body["theme_color"] == "#0b5cad" and body["background_color"] == "#f7f8fa"
    sizes = {icon["sizes"]: icon for icon in body["icons"]}
    assert set(sizes) == {"192x192", "512x512"}
    for size, icon in sizes.items():
        assert icon["type"] == "image/png"
        path = icon["src"].removeprefix("/static/")
        assert _png_size(path) == tuple(int(n) for n in size.split("x"))


def test_it_describes_the_app_in_the_officers_language_without_a_query(
    client: Client, personas: Personas
) -> None:
    personas.cpo.language = "ur"
    personas.cpo.save(update_fields=["language"])
    client.force_login(personas.cpo)
    body = json.loads(client.get(MANIFEST).content)
    assert body["lang"] == "ur" and body["dir"] == "rtl"


def test_the_service_worker_controls_the_field_app_only(client: Client, db: Any) -> None:
    response = client.get(WORKER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == SHELL
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    config = json.loads(source.split("self.CPMIS_FIELD = ", 1)[1].split(";\n", 1)[0])
    assert config["shell"] == SHELL
    assert config["version"] == response["X-CPMIS-Field-Version"]
    # It keeps the app's files (each one there), and no page but the shell, no API.
    assert "/static/cpmis/field/app.js" in config["assets"]
    assert "/static/cpmis/app.css" in config["assets"]
    for url in config["assets"]:
        assert url.startswith("/static/")
        assert finders.find(url.removeprefix("/static/")), url
    assert 'addEventListener("fetch"' in source


def test_the_service_worker_is_never_kept_by_a_signed_in_browser(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.cpo)
    response = client.get(WORKER)
    assert response.status_code == 200
    assert response["Cache-Control"] in {"no-cache", "no-store"}


def test_the_cache_version_changes_with_the_files_it_caches(
    client: Client, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.get(WORKER)["X-CPMIS-Field-Version"]
    assert client.get(WORKER)["X-CPMIS-Field-Version"] == first  # computed once
    views._worker.cache_clear()
    try:
        monkeypatch.setattr(views, "ASSETS", (*views.ASSETS, "cpmis/public.css"))
        assert client.get(WORKER)["X-CPMIS-Field-Version"] != first
    finally:
        views._worker.cache_clear()
