"""District offices for the demo: a CPU supervisor and a Child Protection Officer (a woman, so
a girl's case can be given to her) in every district that has demo cases, and for each
supervisor a transfer waiting in their inbox, requested through the services by the sending
district's supervisor.

Accounts are written in bulk with one password hash (a system load, audited once); the
transfers go through ``transfer_request`` so their events, notifications and audit are real.
"""

from __future__ import annotations

import random
import re
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cpmis.accounts.models import RoleAssignment, User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.actors import DEMO
from cpmis.audit.services import audit_record
from cpmis.cases import services as case_services
from cpmis.cases.models import Case, Stage, Transfer
from cpmis.reference.models import District


def account_slug(district: District) -> str:
    return re.sub(r"[^a-z0-9]+", "-", district.name_en.lower()).strip("-")


def district_offices_create(*, password: str) -> dict[str, int]:
    """A supervisor and a CPO for every district with demo cases that lacks them."""
    with_cases = set(Case.objects.values_list("district_id", flat=True).distinct())
    has = {
        (a.role, a.district_id)
        for a in RoleAssignment.objects.filter(
            scope_level=ScopeLevel.DISTRICT, role__in=[Role.SUPERVISOR, Role.CPO]
        )
    }
    taken = set(User.objects.values_list("username", flat=True))
    hashed = make_password(password)
    now = timezone.now()
    wanted: list[tuple[User, str, District]] = []
    for district in District.objects.filter(pk__in=with_cases).order_by("pcode"):
        slug = account_slug(district)
        for role, prefix, sex, first in (
            (Role.SUPERVISOR, "supervisor", User.Sex.UNSPECIFIED, "Supervisor"),
            (Role.CPO, "cpo", User.Sex.FEMALE, "Officer"),
        ):
            username = f"{prefix}.{slug}"
            if (role, district.pk) in has or username in taken:
                continue
            taken.add(username)
            user = User(
                username=username,
                password=hashed,
                sex=sex,
                first_name=first,
                last_name=district.name_en,
                date_joined=now,
            )
            wanted.append((user, role, district))
    with transaction.atomic():
        User.objects.bulk_create([u for u, _, _ in wanted])
        made = {
            u.username: u
            for u in User.objects.filter(username__in=[u.username for u, _, _ in wanted])
        }
        RoleAssignment.objects.bulk_create(
            RoleAssignment(
                user=made[u.username],
                role=role,
                scope_level=ScopeLevel.DISTRICT,
                district=district,
                jurisdiction_id=district.jurisdiction_id,
            )
            for u, role, district in wanted
        )
        audit_record(
            actor=DEMO,
            action="demo.district_offices",
            detail={"accounts": len(wanted)},
        )
    return {"accounts": len(wanted)}


def transfers_waiting_create(*, seed: int = 2026) -> int:
    """One transfer waiting for every district supervisor: an open case of another district
    of the same province (or of a neighbouring one when the province has one district) asked
    to move there, by its own district's supervisor."""
    rng = random.Random(seed)
    supervisors: dict[int, Any] = {}
    for a in RoleAssignment.objects.filter(
        role=Role.SUPERVISOR, scope_level=ScopeLevel.DISTRICT
    ).select_related("user", "district"):
        if a.district_id is not None:
            supervisors.setdefault(a.district_id, a.user)
    waiting_into = set(
        Transfer.objects.filter(status=Transfer.Status.PENDING).values_list(
            "to_district_id", flat=True
        )
    )
    used: set[int] = set(
        Transfer.objects.filter(status=Transfer.Status.PENDING).values_list("case_id", flat=True)
    )
    districts = {d.pk: d for d in District.objects.filter(pk__in=supervisors)}
    made = 0
    for target_id in sorted(supervisors):
        if target_id in waiting_into:
            continue
        target = districts[target_id]
        sources = [d for d in districts.values() if d.pk != target_id and d.pk in supervisors]
        same = [d for d in sources if d.jurisdiction_id == target.jurisdiction_id]
        rng.shuffle(same)
        rng.shuffle(sources)
        for source in (*same, *sources):
            case = (
                Case.objects.filter(district_id=source.pk)
                .exclude(stage__in=[Stage.CLOSED, Stage.CLOSURE_REQUESTED])
                .exclude(pk__in=used)
                .order_by("-opened_at")
                .first()
            )
            if case is None:
                continue
            case_services.transfer_request(
                actor=supervisors[source.pk],
                case=case,
                to_district=target,
                reason=rng.choice(
                    [
                        "The family moved to this district.",
                        "The child now lives with an uncle in this district.",
                        "The child was found in this district and wants to stay near school.",
                    ]
                ),
            )
            used.add(case.pk)
            made += 1
            break
    return made
