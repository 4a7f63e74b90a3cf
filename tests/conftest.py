"""Fixed personas and records shared by the suite (see docs/adr/0003-access.md)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from cpmis.accounts.models import User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.legal.loader import legal_data_load
from cpmis.people.models import Child
from cpmis.people.services import child_register
from cpmis.reference.models import District
from cpmis.reference.services import reference_data_load

# Re-exported: the tests import these from here.
from tests.factories import LAHORE, PASSWORD, PESHAWAR, SETUP, born, make_user

__all__ = ["LAHORE", "PASSWORD", "PESHAWAR", "SETUP", "born", "make_user"]

# The instant a test with a pinned clock runs at: a working morning in Pakistan, mid-year, so
# that last year, this quarter, four months ago and six months ahead are all ordinary dates.
CLOCK = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Karachi"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "clock(at=CLOCK, tick=False): pin the clock (time_machine) for the whole test, its "
        "fixtures included; tick=True lets it run on from there",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The clock is pinned before any other fixture runs (users, children and cases made by
    # fixtures are made at the pinned time too), whether a test asks for it by marker or by name.
    for item in items:
        names: list[str] = getattr(item, "fixturenames", [])
        if item.get_closest_marker("clock") is not None or "clock" in names:
            if "clock" in names:
                names.remove("clock")
            names.insert(0, "clock")


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller]:
    """The clock, pinned at ``CLOCK`` (or the marker's ``at``) and still (or running on with
    ``tick=True``): every date a test derives from "now" is the same on every day it runs.
    ``clock.shift(timedelta(...))`` moves it on; ``clock.move_to(...)`` sets it."""
    marker = request.node.get_closest_marker("clock")
    kwargs = dict(marker.kwargs) if marker is not None else {}
    at = marker.args[0] if marker is not None and marker.args else kwargs.pop("at", CLOCK)
    traveller = time_machine.travel(at, tick=kwargs.pop("tick", False))
    yield traveller.start()
    traveller.stop()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    # Reference data and the legal catalogue are committed once, outside the tests'
    # transactions, so every test starts with them. They are loaded at the pinned instant: a
    # test with a pinned clock finds nothing written after its "now" (the load's audit events),
    # and a test on the real clock finds them in the past.
    with django_db_blocker.unblock(), time_machine.travel(CLOCK, tick=False):
        reference_data_load()
        legal_data_load()


@pytest.fixture(autouse=True)
def _reference_data(db: Any) -> None:
    # A transactional (browser) test flushes the database, data migrations included: load the
    # reference data, the legal catalogue and the default response times again.
    from cpmis.cases.models import ResponseTime
    from cpmis.legal.models import Statute

    if not District.objects.exists():
        reference_data_load()
    if not Statute.objects.exists():
        legal_data_load()
    if not ResponseTime.objects.exists():
        for risk, hours in {"high": 24, "medium": 72, "low": 168}.items():
            ResponseTime.objects.create(jurisdiction=None, risk_level=risk, hours=hours)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()  # throttling counters live in the cache


@dataclass
class Personas:
    cpo: User
    supervisor: User
    other_cpo: User
    provincial_supervisor: User
    complaint_officer: User
    focal_point: User
    analyst: User
    administrator: User
    auditor: User
    outsider: User


@pytest.fixture
def personas(db: Any) -> Personas:
    d = ScopeLevel.DISTRICT
    cpo = make_user("cpo", {"role": Role.CPO, "scope_level": d, "district": LAHORE})
    # A woman: the girl of the records is in her caseload (ICT CPA 2018 s.20).
    cpo.sex = User.Sex.FEMALE
    cpo.save(update_fields=["sex"])
    return Personas(
        cpo=cpo,
        supervisor=make_user(
            "supervisor", {"role": Role.SUPERVISOR, "scope_level": d, "district": LAHORE}
        ),
        other_cpo=make_user(
            "other_cpo", {"role": Role.CPO, "scope_level": d, "district": PESHAWAR}
        ),
        provincial_supervisor=make_user(
            "punjab_manager",
            {
                "role": Role.SUPERVISOR,
                "scope_level": ScopeLevel.JURISDICTION,
                "jurisdiction": "PK-PB",
            },
        ),
        complaint_officer=make_user(
            "complaints",
            {
                "role": Role.COMPLAINT_OFFICER,
                "scope_level": ScopeLevel.JURISDICTION,
                "jurisdiction": "PK-PB",
                "department": "ombudsman",
            },
        ),
        focal_point=make_user(
            "focal",
            {
                "role": Role.FOCAL_POINT,
                "scope_level": ScopeLevel.JURISDICTION,
                "jurisdiction": "PK-PB",
                "department": "police",
            },
        ),
        analyst=make_user("analyst", {"role": Role.ANALYST, "scope_level": ScopeLevel.NATIONAL}),
        administrator=make_user(
            "administrator", {"role": Role.ADMINISTRATOR, "scope_level": ScopeLevel.NATIONAL}
        ),
        auditor=make_user("auditor", {"role": Role.AUDITOR, "scope_level": ScopeLevel.NATIONAL}),
        outsider=make_user("outsider"),
    )


@dataclass
class Records:
    cpo_child: Child  # Lahore, in the CPO's caseload
    lahore_child: Child  # Lahore, no officer yet (supervisor's)
    peshawar_child: Child  # Peshawar, the other CPO's


@pytest.fixture
def records(personas: Personas) -> Records:
    lahore = District.objects.get(pcode=LAHORE)
    peshawar = District.objects.get(pcode=PESHAWAR)
    return Records(
        cpo_child=child_register(
            actor=personas.cpo,
            district=lahore,
            sex="female",
            date_of_birth=born(11, 3, 1),  # 10 or 11: complaints about a girl of 11 find her
            name_latin="Ayesha Bibi",
            name_urdu="عائشہ بی بی",
            guardian_name_latin="Muhammad Aslam",
            b_form_number="3520212345671",
        ),
        lahore_child=child_register(
            actor=personas.supervisor,
            district=lahore,
            sex="male",
            estimated_age_years=9,
            name_latin="Muhammad Bilal",
        ),
        peshawar_child=child_register(
            actor=personas.other_cpo,
            district=peshawar,
            sex="male",
            date_of_birth=born(14, 7, 9),  # 13 or 14, in any year
            name_latin="Mohammad Usman Khattak",
        ),
    )


def api_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def web_as(client: Any, user: User) -> Any:
    client.force_login(user)
    return client
