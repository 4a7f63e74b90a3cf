"""Fixed personas and records shared by the suite (see docs/adr/0003-access.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from cpmis.accounts.models import User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.accounts.services import role_assign, user_create
from cpmis.legal.loader import legal_data_load
from cpmis.people.models import Child
from cpmis.people.services import child_register
from cpmis.reference.models import Department, District, Jurisdiction
from cpmis.reference.services import reference_data_load

PASSWORD = "correct horse battery staple"
LAHORE, PESHAWAR = "PK617", "PK528"


def born(years_ago: int, month: int, day: int) -> date:
    """A birthday ``years_ago`` years before this year: a fixed year of birth would make a
    fixture child 18, and refused, as the real clock moves on."""
    return date(timezone.localdate().year - years_ago, month, day)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    # Reference data and the legal catalogue are committed once, outside the tests'
    # transactions, so every test starts with them.
    with django_db_blocker.unblock():
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


def make_user(username: str, *roles: dict[str, Any]) -> User:
    user = user_create(actor=None, username=username, password=PASSWORD, validate=False)
    for spec in roles:
        spec = dict(spec)
        if "district" in spec:
            spec["district"] = District.objects.get(pcode=spec["district"])
        if "jurisdiction" in spec:
            spec["jurisdiction"] = Jurisdiction.objects.get(iso_code=spec["jurisdiction"])
        if "department" in spec:
            spec["department"] = Department.objects.get(code=spec["department"])
        role_assign(actor=None, user=user, **spec)
    return user


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
