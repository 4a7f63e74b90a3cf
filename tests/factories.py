"""Factories for the records the tests set up again and again: accounts with a role, registry
children, cases and complaints.

Each is made through the project's services, as the hand-written set-ups did, so the audit
trail, the permission checks and the derived fields (tasks, deadlines, name keys) are those of
real use: a CPO may register a child only in her district, a case opened gets its clocks, a
complaint its tracking code. A factory only fills in what a test leaves out.

    cpo = CpoFactory(district=PESHAWAR, sex=User.Sex.FEMALE)
    girl = ChildFactory(actor=cpo, sex="female", date_of_birth=born(13, 5, 1))
    case = CaseFactory(actor=cpo, child=girl, initial_risk="high")
    complaint = ComplaintFactory(actor=personas.complaint_officer)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import factory
from django.utils import timezone

from cpmis.accounts.models import User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.accounts.services import role_assign, user_create
from cpmis.actors import system
from cpmis.cases import services as case_services
from cpmis.cases.models import Case
from cpmis.complaints import services as complaint_services
from cpmis.complaints.models import Complaint
from cpmis.people.models import Child
from cpmis.people.services import child_register
from cpmis.reference.models import Department, District, Jurisdiction

PASSWORD = "correct horse battery staple"
LAHORE, PESHAWAR = "PK617", "PK528"
# The operator who makes the fixture accounts (as `cpmis create_user` does on a server).
SETUP = system("test-setup", "users.manage")


def born(years_ago: int, month: int, day: int) -> date:
    """A birthday ``years_ago`` years before this year: a fixed year of birth would make a
    fixture child 18, and refused, as the real clock moves on. Under a pinned clock (the
    ``clock`` fixture of tests/conftest.py), the years are counted from the pinned day."""
    return date(timezone.localdate().year - years_ago, month, day)


def district(value: District | str) -> District:
    """A district from itself or its P-code."""
    if isinstance(value, District):
        return value
    return District.objects.select_related("jurisdiction").get(pcode=value)


def make_user(username: str, *roles: dict[str, Any]) -> User:
    """An account made by an operator, with each role of ``roles`` (places by code: a district's
    P-code, a jurisdiction's ISO code, a department's code)."""
    user = user_create(actor=SETUP, username=username, password=PASSWORD, validate=False)
    for spec in roles:
        spec = dict(spec)
        if "district" in spec:
            spec["district"] = district(spec["district"])
        if "jurisdiction" in spec:
            spec["jurisdiction"] = Jurisdiction.objects.get(iso_code=spec["jurisdiction"])
        if "department" in spec:
            spec["department"] = Department.objects.get(code=spec["department"])
        role_assign(actor=SETUP, user=user, **spec)
    return user


class UserFactory(factory.Factory):
    """An account with one role (or none: ``role=None``), made by ``make_user``. The scope is
    the district when one is given, else the jurisdiction, else the nation; ``sex`` is set
    afterwards, as an administrator would (the girl-child safeguard reads it)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user.{n}")
    role: Any = None
    district: Any = None
    jurisdiction: Any = None
    department: Any = None
    scope_level: Any = None
    sex: Any = None

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        username = kwargs.pop("username")
        role = kwargs.pop("role")
        sex = kwargs.pop("sex")
        place = {k: kwargs.pop(k) for k in ("district", "jurisdiction", "department")}
        scope_level = kwargs.pop("scope_level") or (
            ScopeLevel.DISTRICT
            if place["district"]
            else ScopeLevel.JURISDICTION
            if place["jurisdiction"]
            else ScopeLevel.NATIONAL
        )
        if kwargs:
            raise TypeError(f"UserFactory does not know {sorted(kwargs)}")
        roles = []
        if role is not None:
            spec: dict[str, Any] = {"role": role, "scope_level": scope_level}
            spec.update({k: v for k, v in place.items() if v is not None})
            roles.append(spec)
        user = make_user(username, *roles)
        if sex is not None:
            user.sex = sex
            user.save(update_fields=["sex"])
        return user


class CpoFactory(UserFactory):
    """A child protection officer of a district (Lahore unless told)."""

    username = factory.Sequence(lambda n: f"cpo.{n}")
    role = Role.CPO
    district = LAHORE


class SupervisorFactory(UserFactory):
    """A CPU supervisor of a district (Lahore unless told)."""

    username = factory.Sequence(lambda n: f"supervisor.{n}")
    role = Role.SUPERVISOR
    district = LAHORE


class ChildFactory(factory.Factory):
    """A registry child registered by ``actor`` (required: someone of the district) through
    ``child_register``; a girl of 12 in Lahore unless told."""

    class Meta:
        model = Child

    district = LAHORE
    sex = "female"
    date_of_birth = factory.LazyFunction(lambda: born(12, 1, 1))
    name_latin = factory.Sequence(lambda n: f"Child {n}")

    @classmethod
    def _create(cls, model_class: type[Child], *args: Any, **kwargs: Any) -> Child:
        if "actor" not in kwargs:
            raise TypeError("ChildFactory needs the actor who registers the child")
        kwargs["district"] = district(kwargs["district"])
        if kwargs.get("estimated_age_years") is not None:
            kwargs.pop("date_of_birth", None)
        return child_register(**kwargs)


class CaseFactory(factory.Factory):
    """A case opened by ``actor`` for ``child`` (both required) through ``case_open``: low
    risk, about abuse, unless told."""

    class Meta:
        model = Case

    initial_risk = "low"
    concerns = factory.LazyFunction(lambda: ["abused"])

    @classmethod
    def _create(cls, model_class: type[Case], *args: Any, **kwargs: Any) -> Case:
        if "actor" not in kwargs or "child" not in kwargs:
            raise TypeError("CaseFactory needs the actor and the child")
        return case_services.case_open(**kwargs)


def complaint_input(**overrides: Any) -> complaint_services.ComplaintInput:
    """What a helpline hears: a girl of about ten made to work at a house in Lahore."""
    lahore = district(LAHORE)
    values: dict[str, Any] = {
        "channel": "helpline",
        "jurisdiction": lahore.jurisdiction,
        "district": lahore,
        "narrative": "A girl of about nine is kept at a house and made to work.",
        "concerns": ["child_labour"],
        "children": [complaint_services.ChildInput(name="Ayesha", sex="female", age_years=10)],
    }
    values.update(overrides)
    return complaint_services.ComplaintInput(**values)


class ComplaintFactory(factory.Factory):
    """A complaint registered by ``actor`` (required: a complaint office's staff) through
    ``complaint_register``, from ``complaint_input`` with the factory's fields as overrides."""

    class Meta:
        model = Complaint

    @classmethod
    def _create(cls, model_class: type[Complaint], *args: Any, **kwargs: Any) -> Complaint:
        if "actor" not in kwargs:
            raise TypeError("ComplaintFactory needs the actor who registers the complaint")
        actor = kwargs.pop("actor")
        registered = complaint_services.complaint_register(
            actor=actor, data=complaint_input(**kwargs)
        )
        return registered.complaint
