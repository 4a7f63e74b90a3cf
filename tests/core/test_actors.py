"""Who acts: a person or a named system actor, never "no actor"; every service asks access."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from cpmis import access
from cpmis.accounts.models import User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.accounts.services import role_assign, user_create
from cpmis.actors import DEMO, LINKAGE, PUBLIC, SystemActor, command, person, system
from cpmis.audit.models import AuditEvent
from cpmis.legal.loader import legal_data_load
from cpmis.people import merging
from cpmis.people.models import ChildMerge
from cpmis.reference.services import reference_data_load
from tests.conftest import Personas, Records
from tests.people.test_merging import register_twin

CPMIS = Path(__file__).resolve().parents[2] / "cpmis"

pytestmark = pytest.mark.django_db


def test_a_management_command_is_named_in_the_audit_trail() -> None:
    os.environ["CPMIS_TEST_PASSWORD"] = "a long enough passphrase 42"
    try:
        call_command(
            "create_user",
            "operator.made",
            "--role",
            Role.ADMINISTRATOR,
            "--national",
            "--password-env",
            "CPMIS_TEST_PASSWORD",
        )
    finally:
        del os.environ["CPMIS_TEST_PASSWORD"]
    made = User.objects.get(username="operator.made")
    events = AuditEvent.objects.filter(action__in=["user.create", "role.assign"]).filter(
        object_id__in=[str(made.pk), *map(str, made.role_assignments.values_list("pk", flat=True))]
    )
    assert sorted(events.values_list("action", flat=True)) == ["role.assign", "user.create"]
    for event in events:
        assert event.actor_username == "system:command:create_user"
        assert event.actor_id is None
        assert event.actor_roles == "system"


@pytest.mark.parametrize(
    "actor",
    [AnonymousUser(), LINKAGE, PUBLIC, system("nothing-granted")],
    ids=["anonymous", "linkage", "public-form", "no-capability"],
)
def test_an_actor_without_the_capability_is_refused(actor: object) -> None:
    with pytest.raises(PermissionDenied):
        user_create(actor=actor, username="never.made", password="x" * 20, validate=False)  # type: ignore[arg-type]
    assert not User.objects.filter(username="never.made").exists()


def test_a_system_actor_holds_what_it_is_given_nationally(personas: Personas) -> None:
    granted = command("tests", "users.manage")
    made = user_create(actor=granted, username="by.command", password="x" * 20, validate=False)
    role_assign(
        actor=granted,
        user=made,
        role=Role.SUPERVISOR,
        scope_level=ScopeLevel.JURISDICTION,
        jurisdiction=personas.supervisor.role_assignments.get().district.jurisdiction,  # type: ignore[union-attr]
    )
    assert access.has_capability(granted, "users.manage")
    assert not access.has_capability(granted, "child.view")
    assert not access.children_visible_to(granted).exists()  # holds no child.view


def test_a_system_actor_names_only_capabilities_that_exist() -> None:
    with pytest.raises(ValueError, match="unknown capabilities"):
        system("typo", "users.mange")


def test_the_data_loads_act_as_the_system_and_check_it() -> None:
    legal_data_load()
    reference_data_load()
    with pytest.raises(PermissionDenied):
        reference_data_load(actor=LINKAGE)
    with pytest.raises(PermissionDenied):
        legal_data_load(actor=LINKAGE)


def test_the_system_proposes_a_merge_but_never_decides_one(
    personas: Personas, records: Records
) -> None:
    twin = register_twin(personas, name_latin="Ayesha Bibi")
    proposal = merging.merge_propose(
        actor=LINKAGE, child_a=records.cpo_child, child_b=twin, source="linkage run, model v4"
    )
    assert proposal.proposed_by is None
    event = AuditEvent.objects.filter(action="child.merge_propose").latest("id")
    assert event.actor_username == "system:linkage"
    # Even the demo generator, which holds every capability, may not decide it.
    assert not access.merges_decidable_by(DEMO).exists()
    assert access.merges_decidable_by(personas.supervisor).filter(pk=proposal.pk).exists()
    # A system actor without linkage.manage may not propose either.
    with pytest.raises(PermissionDenied):
        merging.merge_propose(
            actor=PUBLIC, child_a=records.cpo_child, child_b=twin, source="the public form"
        )
    assert ChildMerge.objects.count() == 1


def test_person_is_the_signed_in_user_only(personas: Personas) -> None:
    assert person(personas.cpo) == personas.cpo
    assert person(AnonymousUser()) is None
    assert person(LINKAGE) is None
    assert isinstance(LINKAGE, SystemActor) and str(LINKAGE) == "system:linkage"


def _parameters(tree: ast.AST) -> list[tuple[str, ast.arg]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for arg in [*node.args.args, *node.args.kwonlyargs]:
                if arg.arg in {"actor", "user"}:
                    found.append((node.name, arg))
    return found


def test_no_service_or_selector_takes_an_untyped_actor_or_skips_on_none() -> None:
    """The actor of a service or selector is typed (mypy checks it), and no code asks whether
    it is None: that is how a permission check used to be skipped."""
    problems = []
    for path in sorted(CPMIS.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        name = path.relative_to(CPMIS.parent)
        for function, arg in _parameters(tree):
            annotation = ast.unparse(arg.annotation) if arg.annotation else ""
            in_service = path.name in {"services.py", "selectors.py"} or "services" in path.parts
            if in_service and annotation in {"", "Any"}:
                problems.append(f"{name}:{arg.lineno} {function}({arg.arg}: {annotation})")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Compare)
                and isinstance(node.left, ast.Name)
                and node.left.id == "actor"
                and any(isinstance(op, ast.Is | ast.IsNot) for op in node.ops)
                and any(isinstance(c, ast.Constant) and c.value is None for c in node.comparators)
            ):
                problems.append(f"{name}:{node.lineno} compares the actor with None")
    assert problems == []
