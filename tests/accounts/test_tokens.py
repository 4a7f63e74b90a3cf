"""API tokens: hashed, expiring, limited in number, and refused when malformed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from knox.models import AuthToken

from tests.conftest import PASSWORD, Personas


def issue(client: Any, username: str = "cpo") -> str:
    response = client.post(
        "/api/auth/token/",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def test_tokens_are_stored_hashed(client: Any, personas: Personas) -> None:
    token = issue(client)
    stored = AuthToken.objects.get(user=personas.cpo)
    assert token not in (stored.digest, stored.token_key) and stored.token_key == token[:15]
    from cpmis.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="auth.token_issued", actor_id=personas.cpo.pk).exists()


def test_an_expired_token_is_refused_and_removed(
    clock: Any, client: Any, personas: Personas, settings: Any
) -> None:
    token = issue(client)
    assert client.get("/api/children/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    clock.shift(settings.REST_KNOX["TOKEN_TTL"] + timedelta(seconds=1))  # the token's lifetime
    response = client.get("/api/children/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 401
    assert not AuthToken.objects.filter(user=personas.cpo).exists()


def test_a_user_holds_at_most_ten_tokens(client: Any, personas: Personas) -> None:
    tokens = []
    for _ in range(12):
        cache.clear()  # the token endpoint allows 10 requests a minute per address
        tokens.append(issue(client))
    assert AuthToken.objects.filter(user=personas.cpo).count() == 10
    assert client.get("/api/children/", HTTP_AUTHORIZATION=f"Token {tokens[0]}").status_code == 401
    assert client.get("/api/children/", HTTP_AUTHORIZATION=f"Token {tokens[-1]}").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Token",
        "Token a b",
        "Token " + "g" * 64,
        "Token " + "a" * 63,
        "Token " + "0" * 64,
        "Token \x00" + "a" * 63,
        "Token " + "é" * 64,
        "Bearer " + "a" * 64,
        "Token " + "A" * 64,
    ],
)
def test_malformed_tokens_are_401s(client: Any, personas: Personas, header: str) -> None:
    response = client.get("/api/children/", HTTP_AUTHORIZATION=header)
    assert response.status_code in {401, 403}


def test_a_token_of_a_deactivated_user_stops_working(client: Any, personas: Personas) -> None:
    token = issue(client)
    personas.cpo.is_active = False
    personas.cpo.save(update_fields=["is_active"])
    assert client.get("/api/children/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
