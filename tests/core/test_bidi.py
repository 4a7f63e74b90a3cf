"""Direction controls typed by someone never reach a page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Personas, web_as

RLO, LRE, PDF, RLI, PDI = "\u202e", "\u202a", "\u202c", "\u2067", "\u2069"


@pytest.mark.django_db
def test_a_typed_right_to_left_override_is_removed_from_the_page(
    client: Any, personas: Personas
) -> None:
    web_as(client, personas.cpo)
    typed = f"{RLO}Ali{PDF} {LRE}x{PDF} {RLI}y{PDI}"
    response = client.get("/children/", {"q": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ali" in html  # the search box shows what was typed…
    for control in (RLO, LRE, PDF, RLI, PDI):
        assert control not in html  # …without its direction controls
    # The length the browser is told is the length it gets (or it waits for the rest).
    assert int(response["Content-Length"]) == len(response.content)


@pytest.mark.django_db
def test_pages_without_controls_are_left_as_they_are(client: Any) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200 and "\u202e" not in response.content.decode()
