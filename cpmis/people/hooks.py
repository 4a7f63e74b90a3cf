"""What linkage lends the registry, registered from ``LinkageConfig.ready()`` so that people
imports no app above it (linkage imports people; tests/test_architecture.py keeps it one way).

Three things: how linkage compares two children (a merge proposal's evidence), its writer lock
(a merge moves links and review items), and a child's links for the child's page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from cpmis.actors import Actor

if TYPE_CHECKING:
    from .models import Child


def _no_lock() -> None:
    """Without linkage there is no other writer of links to wait for."""


def _no_links(user: Actor, child: Child) -> list[tuple[Any, bool]]:
    return []


@dataclass
class Hooks:
    # (a, b) -> {"name"|"father"|"date_of_birth"|"b_form": "agree"|"disagree"}, a field that
    # either child lacks left out.
    compare_children: Callable[[Child, Child], dict[str, str]] | None = None
    writer_lock: Callable[[], None] = _no_lock
    # (user, child) -> up to 200 of the child's links the user may see, each with whether
    # the user may undo it.
    child_links: Callable[[Any, Child], list[tuple[Any, bool]]] = _no_links


hooks = Hooks()


def compare_children(a: Child, b: Child) -> dict[str, str]:
    if hooks.compare_children is None:
        raise ImproperlyConfigured("No linkage app registered how two children compare.")
    return hooks.compare_children(a, b)
