"""Administrators manage accounts and roles, within their own scope, and it is audited."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cpmis.accounts.models import User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.audit.models import AuditEvent
from tests.conftest import SETUP, Personas, api_as, make_user

USERS = "/api/users/"


def test_an_administrator_creates_an_account_and_gives_a_role(personas: Personas) -> None:
    client = api_as(personas.administrator)
    created = client.post(
        USERS, {"username": "new.cpo", "password": "a long enough passphrase 9"}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    role = client.post(
        f"{USERS}{pk}/roles/",
        {"role": "cpo", "scope_level": "district", "district": "PK617"},
        format="json",
    )
    assert role.status_code == 201, role.content
    assert role.json()["label"] == "cpo@PK617"
    assert User.objects.get(pk=pk).password.startswith("argon2")
    assert AuditEvent.objects.filter(action="role.assign", object_id=str(pk)).exists()
    listing = client.get(USERS).json()["results"]
    assert any(u["username"] == "new.cpo" and u["roles"][0]["district"] == "PK617" for u in listing)


@pytest.mark.parametrize(
    "body",
    [
        {"username": "x", "password": "a long enough passphrase 9"},
        {"username": "cpo", "password": "a long enough passphrase 9"},
        {"username": "weak.one", "password": "12345678"},
        {"username": "bad name!", "password": "a long enough passphrase 9"},
    ],
)
def test_account_input_is_validated(personas: Personas, body: dict[str, str]) -> None:
    count = User.objects.count()
    assert api_as(personas.administrator).post(USERS, body, format="json").status_code == 400
    assert User.objects.count() == count


@pytest.mark.parametrize(
    "body",
    [
        {"role": "king", "scope_level": "national"},
        {"role": "cpo", "scope_level": "national"},
        {"role": "cpo", "scope_level": "district"},
        {"role": "supervisor", "scope_level": "jurisdiction"},
        {"role": "supervisor", "scope_level": "district", "district": "PK999"},
    ],
)
def test_role_input_is_validated(personas: Personas, body: dict[str, str]) -> None:
    response = api_as(personas.administrator).post(
        f"{USERS}{personas.outsider.pk}/roles/", body, format="json"
    )
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("persona", ["cpo", "supervisor", "analyst", "auditor", "outsider"])
def test_only_administrators_manage_accounts(personas: Personas, persona: str) -> None:
    client = api_as(getattr(personas, persona))
    assert client.get(USERS).status_code == 403
    assert (
        client.post(
            f"{USERS}{personas.outsider.pk}/roles/",
            {"role": "administrator", "scope_level": "national"},
            format="json",
        ).status_code
        == 403
    )


def test_a_provincial_administrator_stays_in_the_province(personas: Personas) -> None:
    admin = make_user(
        "punjab.admin",
        {
            "role": Role.ADMINISTRATOR,
            "scope_level": ScopeLevel.JURISDICTION,
            "jurisdiction": "PK-PB",
        },
    )
    client = api_as(admin)
    names = {u["username"] for u in client.get(USERS, {"page_size": 100}).json()["results"]}
    assert "cpo" in names and "other_cpo" not in names
    assert client.post(f"{USERS}{personas.other_cpo.pk}/unlock/").status_code == 404
    refused = client.post(
        f"{USERS}{personas.outsider.pk}/roles/",
        {"role": "cpo", "scope_level": "district", "district": "PK528"},
        format="json",
    )
    assert refused.status_code == 403
    national = client.post(
        f"{USERS}{personas.outsider.pk}/roles/",
        {"role": "administrator", "scope_level": "national"},
        format="json",
    )
    assert national.status_code == 403
    ok = client.post(
        f"{USERS}{personas.outsider.pk}/roles/",
        {"role": "cpo", "scope_level": "district", "district": "PK617"},
        format="json",
    )
    assert ok.status_code == 201


def test_revoking_a_role_removes_access(personas: Personas, records: Any) -> None:
    client = api_as(personas.administrator)
    role_id = personas.supervisor.role_assignments.get().pk
    assert client.delete(f"{USERS}{personas.supervisor.pk}/roles/{role_id}/").status_code == 204
    fresh = User.objects.get(pk=personas.supervisor.pk)
    assert api_as(fresh).get("/api/children/").status_code == 403
    assert AuditEvent.objects.filter(action="role.revoke").exists()


def test_deactivation_and_unlock(client: Any, personas: Personas) -> None:
    for _ in range(5):
        client.post("/accounts/login/", {"username": "cpo", "password": "wrong"})
    api = api_as(personas.administrator)
    assert api.post(f"{USERS}{personas.cpo.pk}/unlock/").status_code == 200
    assert (
        client.post(
            "/accounts/login/", {"username": "cpo", "password": "correct horse battery staple"}
        ).status_code
        == 302
    )
    assert api.post(f"{USERS}{personas.cpo.pk}/deactivate/").json()["is_active"] is False
    assert client.get("/children/").status_code == 302  # signed out: the account is inactive


def test_create_user_command(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEW_PW", "a long enough passphrase 9")
    out = StringIO()
    call_command(
        "create_user",
        "focal.fia",
        "--role",
        "focal_point",
        "--national",
        "--department",
        "fia",
        "--password-env",
        "NEW_PW",
        stdout=out,
    )
    user = User.objects.get(username="focal.fia")
    assert user.role_assignments.get().label == "focal_point@national/fia"
    with pytest.raises(CommandError):
        call_command(
            "create_user", "x.y", "--role", "cpo", "--district", "PK999", "--password-env", "NEW_PW"
        )
    with pytest.raises(CommandError):
        call_command(
            "create_user", "z.cpo", "--role", "cpo", "--national", "--password-env", "NEW_PW"
        )
    assert not User.objects.filter(username="z.cpo").exists()


def test_a_provincial_administrator_cannot_act_on_a_national_account(personas: Personas) -> None:
    from cpmis.accounts.services import role_assign
    from cpmis.reference.models import District

    admin = make_user(
        "punjab.admin2",
        {
            "role": Role.ADMINISTRATOR,
            "scope_level": ScopeLevel.JURISDICTION,
            "jurisdiction": "PK-PB",
        },
    )
    role_assign(
        actor=SETUP,
        user=personas.administrator,
        role=Role.SUPERVISOR,
        scope_level=ScopeLevel.DISTRICT,
        district=District.objects.get(pcode="PK617"),
    )  # the national administrator now also holds a Punjab role, so is visible
    client = api_as(admin)
    assert client.post(f"{USERS}{personas.administrator.pk}/deactivate/").status_code == 403
    assert User.objects.get(pk=personas.administrator.pk).is_active
    assert client.post(f"{USERS}{personas.cpo.pk}/unlock/").status_code == 200


def test_an_administrator_cannot_lock_themselves_out(personas: Personas) -> None:
    admin = personas.administrator
    client = api_as(admin)
    response = client.post(f"{USERS}{admin.pk}/deactivate/")
    assert response.status_code == 403 and "another administrator" in response.json()["detail"]
    role = admin.role_assignments.get(role=Role.ADMINISTRATOR)
    response = client.delete(f"{USERS}{admin.pk}/roles/{role.pk}/")
    assert response.status_code == 403 and "another administrator" in response.json()["detail"]
    admin.refresh_from_db()
    assert admin.is_active and admin.role_assignments.filter(pk=role.pk).exists()
