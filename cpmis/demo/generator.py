"""Deterministic synthetic population for demos, tests and benchmarks — one place for all of it.

``demo_accounts_create`` makes one user per role; ``population_generate`` makes ``size``
children spread over every district, seeded so the same seed and size give the same records.
Synthetic NADRA numbers start with "00", which no real number does.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cpmis.accounts.models import User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.accounts.services import role_assign, user_create
from cpmis.actors import DEMO
from cpmis.audit.services import audit_record
from cpmis.people.models import Child, Disability, GuardianRelation, Sex
from cpmis.people.search import search_key
from cpmis.reference.models import Department, District, Jurisdiction

from . import names

DEFAULT_PASSWORD = "cpmis-demo-2026"  # noqa: S105 - demo mode only, printed to the operator


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str
    department: str = ""
    description: str = ""
    sex: str = "unspecified"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "cpo.lahore", Role.CPO, "PK617", description="CPO, Lahore: own caseload", sex="female"
    ),
    DemoAccount(
        "supervisor.lahore", Role.SUPERVISOR, "PK617", description="CPU supervisor, Lahore"
    ),
    DemoAccount("cpo.peshawar", Role.CPO, "PK528", description="CPO, Peshawar", sex="male"),
    DemoAccount(
        "complaints.punjab",
        Role.COMPLAINT_OFFICER,
        "PK-PB",
        "ombudsman",
        "Children Complaint Office, Punjab",
    ),
    DemoAccount(
        "focal.police.punjab", Role.FOCAL_POINT, "PK-PB", "police", "Punjab Police focal point"
    ),
    DemoAccount("analyst.national", Role.ANALYST, "national", "commission", "Commission analyst"),
    DemoAccount("admin", Role.ADMINISTRATOR, "national", description="Administrator"),
    DemoAccount("auditor", Role.AUDITOR, "national", description="Auditor"),
)


def _scope_kwargs(scope: str) -> dict[str, Any]:
    if scope == "national":
        return {"scope_level": ScopeLevel.NATIONAL}
    if scope.startswith("PK-"):
        return {
            "scope_level": ScopeLevel.JURISDICTION,
            "jurisdiction": Jurisdiction.objects.get(iso_code=scope),
        }
    return {"scope_level": ScopeLevel.DISTRICT, "district": District.objects.get(pcode=scope)}


@transaction.atomic
def demo_accounts_create(*, password: str) -> list[tuple[User, DemoAccount]]:
    created = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = user_create(
                actor=DEMO, username=account.username, password=password, validate=False
            )
            user.sex = account.sex
            user.save(update_fields=["sex"])
            role_assign(
                actor=DEMO,
                user=user,
                role=account.role,
                department=(
                    Department.objects.get(code=account.department) if account.department else None
                ),
                **_scope_kwargs(account.scope),
            )
        created.append((user, account))
    return created


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, options: list[names.Name]) -> tuple[str, str]:
        latin_variants, urdu = self.rng.choice(options)
        return self.rng.choice(latin_variants), urdu

    def child(self, sex: str, province_digit: str) -> tuple[str, str]:
        first = self.pick(names.GIRLS if sex == Sex.FEMALE else names.BOYS)
        parts = [first]
        roll = self.rng.random()
        if sex == Sex.FEMALE and roll < 0.25:
            parts.append(self.pick(names.GIRL_SUFFIXES))
        elif sex != Sex.FEMALE and first[1] == "محمد":
            parts.append(self.pick(names.BOYS))  # "Muhammad Bilal"
        if self.rng.random() < 0.4:
            parts.append(self.pick(names.FAMILY_BY_PROVINCE[province_digit]))
        return " ".join(p[0] for p in parts), " ".join(p[1] for p in parts)


def _nadra_number(rng: random.Random) -> str:
    digits = "00" + "".join(str(rng.randint(0, 9)) for _ in range(11))
    return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"


def children_generate(
    *,
    size: int,
    seed: int,
    districts: list[District],
    owners: dict[int, list[int]],
    today: date,
    now: datetime,
) -> Iterator[Child]:
    """Yield ``size`` unsaved children; ``owners`` maps district id to CPO user ids."""
    rng = random.Random(seed)
    # a second stream, so that fields added later leave the first one's records as they were
    extra = random.Random(seed + 1)
    namer = _Names(rng)
    weights = [8 if d.pk in owners else 1 for d in districts]
    for i in range(size):
        # every district once, then at random, the demo officers' districts more often
        district = districts[i] if i < len(districts) else rng.choices(districts, weights)[0]
        province = district.pcode[2]
        sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.TRANSGENDER, Sex.UNKNOWN], [48, 50, 1, 1])[0]
        latin, urdu = namer.child(sex, province)
        father_latin, father_urdu = namer.pick(names.FATHERS)
        script = rng.random()  # most records have the Latin name, about half the Urdu one
        if script >= 0.92:
            latin = ""
        if script <= 0.55:
            urdu = father_urdu = ""
        estimated = rng.random() < 0.3
        dob = today - timedelta(days=rng.randint(0, 17 * 365 + 364))
        registered_at = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        disabled = rng.random()
        owner_ids = owners.get(district.pk, [])
        yield Child(
            uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            name_latin=latin,
            name_urdu=urdu,
            guardian_relation=rng.choices(
                [
                    GuardianRelation.FATHER,
                    GuardianRelation.MOTHER,
                    GuardianRelation.GUARDIAN,
                    GuardianRelation.UNKNOWN,
                ],
                [85, 6, 6, 3],
            )[0],
            guardian_name_latin=father_latin,
            guardian_name_urdu=father_urdu,
            sex=sex,
            date_of_birth=dob,
            date_of_birth_estimated=estimated,
            b_form_number=_nadra_number(rng) if rng.random() < 0.35 else "",
            cnic="",
            nationality=rng.choices(["PK", "AF", "BD", "IN"], [93, 5, 1, 1])[0],
            has_disability=None if disabled < 0.2 else disabled > 0.95,
            disabilities=[rng.choice(Disability.values)] if disabled > 0.95 else [],
            address=f"House {rng.randint(1, 999)}, {rng.choice(names.STREETS)}, {district.name_en}",
            locality=extra.choices(["urban", "rural", "unknown"], [45, 45, 10])[0],
            district=district,
            owner_id=rng.choice(owner_ids) if owner_ids and rng.random() < 0.6 else None,
            registered_at=registered_at,
            updated_at=registered_at,
            name_search=search_key(latin, urdu),
        )


def population_generate(*, size: int, seed: int = 2026, batch_size: int = 2000) -> int:
    """Create ``size`` synthetic children in one transaction (a system load, audited once)."""
    districts = list(District.objects.order_by("pcode"))
    if not districts:
        raise RuntimeError("Load the reference data first (cpmis manage load_reference).")
    owners: dict[int, list[int]] = {}
    from cpmis.accounts.models import RoleAssignment

    for a in RoleAssignment.objects.filter(role=Role.CPO, scope_level=ScopeLevel.DISTRICT):
        owners.setdefault(a.district_id, []).append(a.user_id)  # type: ignore[arg-type]
    today, now = timezone.localdate(), timezone.now()
    with transaction.atomic():
        batch: list[Child] = []
        for child in children_generate(
            size=size, seed=seed, districts=districts, owners=owners, today=today, now=now
        ):
            batch.append(child)
            if len(batch) >= batch_size:
                Child.objects.bulk_create(batch)
                batch.clear()
        Child.objects.bulk_create(batch)
        audit_record(
            actor=DEMO,
            action="demo.generate",
            object_type="people.child",
            detail={"children": size, "seed": seed},
        )
    return size


# --- cases ------------------------------------------------------------------------------------

DEMO_INSTITUTIONS = (
    ("Nigehban Centre Lahore", "nigehban_centre", "PK617", "girls", 40),
    ("Child Protection Institution Lahore", "child_protection_institution", "PK617", "all", 25),
    ("Welfare Home Peshawar", "welfare_home", "PK528", "boys", 30),
)

# (stage reached, days ago the case opened): every stage, some deadlines overdue
_SCENARIOS = (
    ("closed", 400),
    ("closure_requested", 300),
    ("released", 120),
    ("placed", 150),
    ("produced", 100),
    ("protection", 2),
    ("registered", 3),
    ("produced", 30),
    ("planned", 40),
    ("assessed", 20),
    ("registered", 0),
) * 3


def institutions_create() -> list[Any]:
    from cpmis.cases.models import Institution
    from cpmis.reference.models import InstitutionType

    made = []
    for name, kind, district, accepts, capacity in DEMO_INSTITUTIONS:
        institution, _ = Institution.objects.get_or_create(
            name=name,
            defaults={
                "type": InstitutionType.objects.get(code=kind),
                "district": District.objects.get(pcode=district),
                "accepts": accepts,
                "capacity": capacity,
            },
        )
        made.append(institution)
    return made


def cases_generate(*, seed: int = 2026) -> int:
    """Cases of the demo CPOs' children at every stage, made through the services (so the
    timeline, tasks and audit trail are real), with dates in the past."""
    from cpmis.cases import services as s
    from cpmis.cases.models import Institution

    rng = random.Random(seed)
    institutions_create()
    now = timezone.now()
    made = 0
    for username, supervisor_name in (("cpo.lahore", "supervisor.lahore"), ("cpo.peshawar", None)):
        cpo = User.objects.get(username=username)
        supervisor = (
            User.objects.filter(username=supervisor_name).first() if supervisor_name else None
        )
        district_id = cpo.role_assignments.get().district_id or 0
        # a supervisor opens cases for any child of the district; a CPO for their own
        children = list(
            Child.objects.filter(
                district_id=district_id, **({} if supervisor else {"owner": cpo})
            ).order_by("pk")
        )
        if cpo.sex == "male":
            children = [c for c in children if c.sex != Sex.FEMALE]  # a safeguard of the law
        for child, (stage, days) in zip(children, _SCENARIOS, strict=False):
            if stage in {"closure_requested", "closed"} and supervisor is None:
                continue
            start = now - timedelta(days=days, hours=rng.randint(1, 6))

            def at(day: float, start: datetime = start) -> datetime:
                return min(start + timedelta(days=day), now)

            case = s.case_open(
                actor=supervisor or cpo,
                assigned_to=cpo,
                child=child,
                initial_risk=rng.choice(["high", "medium", "low"]),
                concerns=[
                    rng.choice(
                        [
                            "trafficked",
                            "sexually_exploited",
                            "abused",
                            "street_child",
                            "child_labour",
                            "missing",
                        ]
                    )
                ],
                opened_at=start,
            )
            made += 1
            if stage in {"registered"}:
                continue
            s.case_assess(actor=cpo, case=case, risk_level=case.initial_risk, occurred_at=at(0.5))
            if stage == "assessed":
                continue
            if stage == "planned":
                s.case_plan(
                    actor=cpo, case=case, goals=[{"goal": "Return to school"}], occurred_at=at(2)
                )
                continue
            s.protection_take(actor=cpo, case=case, occurred_at=at(0.6))
            if stage == "protection":
                continue
            s.court_produce(
                actor=cpo, case=case, court="Court of the District Judge", occurred_at=at(0.9)
            )
            if stage == "produced":
                continue
            s.order_record(
                actor=cpo,
                case=case,
                kind="custody",
                child_views="Agrees to stay.",
                occurred_at=at(1),
            )
            home = (
                Institution.objects.filter(district=child.district)
                .exclude(accepts="boys" if child.sex == Sex.FEMALE else "girls")
                .first()
            )
            s.placement_make(
                actor=cpo,
                case=case,
                option="institution",
                institution=home,
                lower_option_reason="No family member could be found yet.",
                occurred_at=at(1.1),
            )
            s.case_plan(actor=cpo, case=case, goals=[{"goal": "Family tracing"}], occurred_at=at(3))
            if supervisor is not None:
                s.case_plan_approve(actor=supervisor, case=case)
            if stage == "placed":
                continue
            s.order_record(actor=cpo, case=case, kind="release", final=True, occurred_at=at(60))
            s.release(actor=cpo, case=case, occurred_at=at(61))
            s.legal_aid_offer(actor=cpo, case=case, accepted=True, occurred_at=at(61))
            if stage == "released":
                continue
            s.simple_event(actor=cpo, case=case, kind="follow_up_visit", occurred_at=at(90))
            s.closure_request(actor=cpo, case=case, reason="reintegrated")
            if stage == "closed" and supervisor is not None:
                s.closure_decide(actor=supervisor, case=case, approve=True)
    return made
