"""/readyz: 200 when every readiness check passes, 503 with each check's result when one does
not, never a 500, to anyone, and never a secret or a record in its answer."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from cpmis.core import health
from tests.conftest import Personas

SECRET = "password authentication failed for user cpmis_owner at db.internal.example"


def passing() -> tuple[bool, str]:
    return True, "the queue is empty"


def raising() -> tuple[bool, str]:
    raise RuntimeError(SECRET)


def answering_nonsense() -> object:
    return "yes"


def test_it_is_ready_when_the_database_answers_and_is_migrated(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")  # never cached by a proxy
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "detail": "answers; every migration applied"}
    # The background work's own checks (tests/jobs/test_schedules.py) are listed too.
    assert set(body["checks"]) == {"database", "workers", "queue"}


def test_an_unapplied_migration_makes_it_not_ready(client: Client) -> None:
    # The test's transaction forgets that core's migration ran (rolled back afterwards).
    MigrationRecorder(connection).migration_qs.filter(app="core", name="0001_initial").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == {"ok": False, "detail": "1 migration(s) not applied"}
    assert client.get("/healthz").status_code == 200  # alive all the same


def test_an_unreachable_database_is_a_503_that_names_nothing(client: Client) -> None:
    with patch.object(connection, "cursor", side_effect=OperationalError(SECRET)):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "detail": "the database did not answer",
    }
    assert b"cpmis_owner" not in response.content and b"internal" not in response.content


def test_checks_are_plugged_in_by_setting_and_a_broken_one_is_a_503_not_a_500(
    client: Client, settings: Any
) -> None:
    settings.CPMIS_READINESS_CHECKS = [
        "cpmis.core.health.database",
        "tests.core.test_readiness.passing",
        "tests.core.test_readiness.raising",
        "tests.core.test_readiness.answering_nonsense",
        "tests.core.missing_module.check",
    ]
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert {name: c["ok"] for name, c in checks.items()} == {
        "database": True,
        "passing": True,
        "raising": False,
        "answering_nonsense": False,
        "check": False,
    }
    assert checks["passing"]["detail"] == "the queue is empty"
    assert SECRET.encode() not in response.content


def test_two_checks_of_the_same_name_are_both_kept() -> None:
    results = health.run_checks(["tests.core.test_readiness.passing", "tests.core.other.passing"])
    assert list(results) == ["passing", "tests.core.other.passing"]


@pytest.mark.parametrize("path", ["/readyz", "/healthz"])
def test_the_probes_need_no_account_and_no_second_factor(
    client: Client, personas: Personas, settings: Any, path: str
) -> None:
    assert client.get(path).status_code == 200
    settings.CPMIS_REQUIRE_2FA = True
    client.force_login(personas.cpo)  # signed in, no second factor yet
    assert client.get(path).status_code == 200
    assert client.get("/children/").status_code == 302  # everything else sends them to enrol


def test_it_answers_get_only(client: Client) -> None:
    assert client.post("/readyz").status_code == 405
