"""Account administration through the pages: same rules as the API."""

from __future__ import annotations

from typing import Any

from cpmis.accounts.models import User
from cpmis.audit.models import AuditEvent
from tests.conftest import Personas


def test_an_administrator_creates_an_account_and_gives_a_role(
    client: Any, personas: Personas
) -> None:
    client.force_login(personas.administrator)
    assert client.get("/accounts/users/").status_code == 200
    response = client.post(
        "/accounts/users/new/", {"username": "new.cpo", "password": "a long enough passphrase 9"}
    )
    assert response.status_code == 302
    user = User.objects.get(username="new.cpo")
    response = client.post(
        f"/accounts/users/{user.pk}/",
        {"role": "cpo", "scope_level": "district", "district": "PK617"},
    )
    assert response.status_code == 302
    assert [a.label for a in user.role_assignments.all()] == ["cpo@PK617"]
    page = client.get(f"/accounts/users/{user.pk}/").content.decode()
    assert "Lahore" in page
    role = user.role_assignments.get()
    assert client.post(f"/accounts/users/{user.pk}/roles/{role.pk}/revoke/").status_code == 302
    assert not user.role_assignments.exists()
    assert client.post(f"/accounts/users/{user.pk}/deactivate/").status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert AuditEvent.objects.filter(action="user.deactivate").exists()


def test_bad_role_input_shows_errors(client: Any, personas: Personas) -> None:
    client.force_login(personas.administrator)
    response = client.post(
        f"/accounts/users/{personas.outsider.pk}/", {"role": "cpo", "scope_level": "national"}
    )
    assert response.status_code == 400
    assert not personas.outsider.role_assignments.exists()
    assert (
        client.post("/accounts/users/new/", {"username": "x", "password": "1"}).status_code == 400
    )
    assert client.post(f"/accounts/users/{personas.outsider.pk}/explode/").status_code == 403


def test_other_roles_cannot_administer(client: Any, personas: Personas) -> None:
    for persona in (personas.cpo, personas.supervisor, personas.auditor, personas.outsider):
        client.force_login(persona)
        assert client.get("/accounts/users/").status_code == 403
        assert (
            client.post(
                f"/accounts/users/{personas.outsider.pk}/",
                {"role": "administrator", "scope_level": "national"},
            ).status_code
            == 403
        )


def test_home_and_reference_pages(client: Any, personas: Personas) -> None:
    client.force_login(personas.focal_point)
    home = client.get("/").content.decode()
    assert "Department focal point" in home and "Punjab" in home and "Police" in home
    assert "Accounts" not in home
    reference = client.get("/reference/").content.decode()
    assert "PK-PB" in reference and "Nigehban centre" in reference and reference.count("<tr>") > 160
