"""Create an account with one role, from the command line (the operator acts as the system)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.accounts.services import role_assign, user_create
from cpmis.actors import command
from cpmis.reference.models import Department, District, Jurisdiction


class Command(BaseCommand):
    help = "Create a user with a role at a scope, e.g. create_user ali --role cpo --district PK617"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--national", action="store_true")
        scope.add_argument("--jurisdiction", help="ISO 3166-2 code, e.g. PK-PB")
        scope.add_argument("--district", help="district p-code, e.g. PK617")
        parser.add_argument("--department", help="department code, e.g. police")
        parser.add_argument(
            "--password-env", help="read the password from this environment variable"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            scope: dict[str, Any] = {"scope_level": ScopeLevel.NATIONAL}
            if opts["jurisdiction"]:
                scope = {
                    "scope_level": ScopeLevel.JURISDICTION,
                    "jurisdiction": Jurisdiction.objects.get(iso_code=opts["jurisdiction"]),
                }
            elif opts["district"]:
                scope = {
                    "scope_level": ScopeLevel.DISTRICT,
                    "district": District.objects.get(pcode=opts["district"]),
                }
            department = (
                Department.objects.get(code=opts["department"]) if opts["department"] else None
            )
        except (Jurisdiction.DoesNotExist, District.DoesNotExist, Department.DoesNotExist) as exc:
            raise CommandError(f"Unknown code: {exc}") from exc
        if opts["password_env"]:
            password = os.environ.get(opts["password_env"], "")
        else:
            password = getpass.getpass("Password: ")
        try:
            actor = command("create_user", "users.manage")
            with transaction.atomic():  # no account without its role
                user = user_create(actor=actor, username=opts["username"], password=password)
                role_assign(
                    actor=actor, user=user, role=opts["role"], department=department, **scope
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Created {user.username} ({opts['role']}).")
