"""The API documentation works on a closed network: Swagger UI comes from local static files."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SIDECAR = "/static/drf_spectacular_sidecar/swagger-ui-dist/"


def test_swagger_ui_loads_from_local_assets_only(
    page: Any, live_server: Any, external_requests: list[str]
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto(f"{live_server.url}/api/docs/")
    assert response is not None and response.status == 200
    expect(page).to_have_title("cpmis API")
    # Rendered by Swagger UI's JavaScript from the schema, so the bundle ran and the schema loaded.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("cpmis API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert external_requests == []
    assert f"{live_server.url}{SIDECAR}swagger-ui-bundle.js" in requested
    assert f"{live_server.url}/api/schema/" in requested
