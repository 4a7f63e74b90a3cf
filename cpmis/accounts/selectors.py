"""Reads of accounts, through cpmis.access."""

from __future__ import annotations

from django.db.models import QuerySet

from cpmis import access
from cpmis.actors import Actor

from .models import User


def user_list(*, user: Actor, q: str = "") -> QuerySet[User]:
    """Accounts an administrator may see, with their roles, by username."""
    users = access.users_visible_to(user).prefetch_related(
        "role_assignments__district",
        "role_assignments__jurisdiction",
        "role_assignments__department",
    )
    if q:
        users = users.filter(username__icontains=q)
    return users.order_by("username")
