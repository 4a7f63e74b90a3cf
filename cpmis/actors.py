"""Who acts: a person signed in, or the system acting on its own, named.

Every service takes an ``actor`` and asks ``cpmis.access`` whether it may act; none skips the
question. A person is a ``User`` (an anonymous visitor is refused everything but the public
complaint form). The system is a ``SystemActor``: the linkage run, the demo generator, a data
load or a management command run by an operator. It holds only the capabilities it is given
here, nationally, and the audit trail names it (``actor_username`` ``system:<name>``, no account
id). There is no "no actor": a write without one is a type error, and mypy checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, TypeAlias

from cpmis.accounts.roles import CAPABILITIES, ScopeLevel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpmis.accounts.models import User


@dataclass(frozen=True)
class SystemActor:
    """The system acting on its own account: what it may do, and the name the audit trail
    gives it. Never signed in; holds no role assignment; acts nationally."""

    name: str
    capabilities: frozenset[str] = field(default_factory=frozenset)

    is_authenticated: ClassVar[bool] = False
    is_active: ClassVar[bool] = True
    is_superuser: ClassVar[bool] = False
    pk: ClassVar[None] = None

    def __post_init__(self) -> None:
        unknown = self.capabilities - ALL_CAPABILITIES
        if unknown:
            raise ValueError(f"unknown capabilities for {self.name}: {sorted(unknown)}")

    @property
    def audit_name(self) -> str:
        return f"system:{self.name}"

    def __str__(self) -> str:
        return self.audit_name


@dataclass(frozen=True)
class SystemGrant:
    """A system actor's capabilities, shaped as the national role assignment ``access`` reads."""

    capabilities: frozenset[str]
    role: ClassVar[str] = "system"
    label: ClassVar[str] = "system"
    scope_level: ClassVar[str] = ScopeLevel.NATIONAL
    jurisdiction_id: ClassVar[None] = None
    district_id: ClassVar[None] = None
    district: ClassVar[None] = None
    department_id: ClassVar[None] = None


ALL_CAPABILITIES: frozenset[str] = frozenset().union(*CAPABILITIES.values())

Actor: TypeAlias = "User | AnonymousUser | SystemActor"
"""Whoever asks a service or a selector to act: a person (perhaps not signed in) or the system."""


def system(name: str, *capabilities: str) -> SystemActor:
    """A named system actor holding ``capabilities`` (each must be one a role can hold)."""
    return SystemActor(name, frozenset(capabilities))


def person(actor: Actor) -> User | None:
    """The signed-in person behind ``actor``, for the fields that record who did something
    (None for the system and for an anonymous visitor)."""
    from cpmis.accounts.models import User

    if isinstance(actor, User) and actor.is_authenticated:
        return actor
    return None


# The system's own actors. Each holds what its work needs and no more.
LINKAGE = system("linkage", "linkage.manage")
"""A linkage run: links department records to registry children, trains and installs models."""

DEMO = SystemActor("demo", ALL_CAPABILITIES)
"""The demo generator, which plays every role to build synthetic data."""

DATA_LOAD = system("data-load", "legal.edit", "settings.edit")
"""The shipped reference data and legal catalogue, loaded at set-up (``load_reference``,
``load_legal``)."""

PUBLIC = system("public-form")
"""The public complaint form: a child or a parent filing a complaint, not signed in. It may
do nothing but file one, which needs no capability."""


def command(name: str, *capabilities: str) -> SystemActor:
    """A management command run by an operator on the server, named in the audit trail."""
    return system(f"command:{name}", *capabilities)
