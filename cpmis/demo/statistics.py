"""A synthetic year of child-protection work for the statistics: cases of the registry's
children in every district with their timelines (protection, production before the Court,
decisions, placements, referrals, release, follow-up) and deadline tasks, complaints from
every channel, and police, FIA and court records citing the law's offences.

Written in bulk (a system load, audited once), seeded, with rates that make the dashboards
look like a real year: most productions within 24 hours, fewer decisions within four months,
more cases in the populous provinces. ``bench/indicators_annex`` runs it at a million cases.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cpmis.actors import DEMO
from cpmis.audit.services import audit_record
from cpmis.cases import numbering
from cpmis.cases.models import Case, CaseEvent, Task
from cpmis.complaints.models import Complaint
from cpmis.exchange.models import DepartmentRecord, Submission
from cpmis.legal.models import Provision
from cpmis.people.models import Child
from cpmis.reference.models import Department, District

CONCERNS = (
    ("trafficked", 9),
    ("sexually_exploited", 7),
    ("pornography", 4),
    ("sexually_abused", 18),
    ("child_labour", 12),
    ("begging", 6),
    ("child_marriage", 4),
    ("abused", 14),
    ("neglected", 10),
    ("street_child", 8),
    ("missing", 8),
)
SERVICES = (
    "Medical examination and treatment",
    "Psychosocial counselling",
    "Legal aid",
    "School enrolment",
    "Shelter",
    "Family tracing",
    "Vocational skills",
)
PLACEMENTS = (("parental", 45), ("extended_family", 25), ("non_kinship", 5), ("institution", 25))
CHANNELS = (
    ("helpline", 40),
    ("office", 20),
    ("online", 15),
    ("complaint_box", 10),
    ("referral", 10),
    ("letter", 5),
)
COURT_STAGES = (
    ("investigated", 25),
    ("prosecuted", 35),
    ("convicted", 20),
    ("acquitted", 15),
    ("withdrawn", 5),
)


def _at(day: Any, rng: random.Random) -> datetime:
    tz = timezone.get_current_timezone()
    return datetime.combine(day, time(rng.randint(8, 19), rng.randint(0, 59)), tzinfo=tz)


def _weighted(pairs: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


def statistics_year_generate(
    *, year: int, cases: int, seed: int = 2026, batch_size: int = 5000, complaints: bool = True
) -> dict[str, int]:
    """Cases opened in ``year`` (none after now) for children of the registry, and what goes
    with them. Needs the registry's children (``population_generate``)."""
    rng = random.Random(seed * 7919 + year)
    now = timezone.now()
    start = datetime(year, 1, 1).date()
    last = min(datetime(year, 12, 31).date(), timezone.localdate())
    days = (last - start).days + 1
    if days <= 0:
        raise ValueError(f"{year} has not begun.")
    districts = {d.pk: d for d in District.objects.select_related("jurisdiction")}
    children = list(
        Child.objects.values_list(
            "pk",
            "district_id",
            "name_latin",
            "name_urdu",
            "guardian_name_latin",
            "sex",
            "date_of_birth",
        )
    )
    if not children:
        raise RuntimeError("Generate the registry's children first.")
    made = {"cases": 0, "events": 0, "tasks": 0, "complaints": 0, "records": 0}
    concern_names, concern_weights = _weighted(CONCERNS)
    placement_names, placement_weights = _weighted(PLACEMENTS)
    with transaction.atomic():
        case_batch: list[tuple[Case, list[CaseEvent], list[Task]]] = []
        victims: list[int] = []  # the children of the cases, for the department records

        def flush() -> None:
            by_prefix: dict[str, list[Case]] = {}
            for c, _, _ in case_batch:
                prefix = numbering.prefix_for(districts[c.district_id], c.opened_at)
                by_prefix.setdefault(prefix, []).append(c)
            for prefix, group in by_prefix.items():
                for c, number in zip(group, numbering.take(prefix, len(group)), strict=True):
                    c.number = number
            Case.objects.bulk_create([c for c, _, _ in case_batch], batch_size=batch_size)
            events, tasks = [], []
            for case, case_events, case_tasks in case_batch:
                item: Any
                for item in (*case_events, *case_tasks):
                    item.case_id = case.pk
                for task in case_tasks:
                    task.district_id = case.district_id
                    task.assigned_to_id = case.assigned_to_id
                events.extend(case_events)
                tasks.extend(case_tasks)
            CaseEvent.objects.bulk_create(events, batch_size=batch_size)
            Task.objects.bulk_create(tasks, batch_size=batch_size)
            made["events"] += len(events)
            made["tasks"] += len(tasks)
            case_batch.clear()

        for i in range(cases):
            index = i if i < len(children) else rng.randrange(len(children))
            child_id, district_id = children[index][0], children[index][1]
            victims.append(index)
            district = districts[district_id]
            opened = _at(start + timedelta(days=rng.randrange(days)), rng)
            if opened > now:
                opened = now - timedelta(hours=1)
            concern = rng.choices(concern_names, concern_weights)[0]
            case = Case(
                child_id=child_id,
                district_id=district_id,
                jurisdiction_id=district.jurisdiction_id,
                stage="registered",
                initial_risk=rng.choice(["high", "medium", "low"]),
                concerns=[concern],
                opened_at=opened,
                updated_at=opened,
            )
            events: list[CaseEvent] = [
                CaseEvent(kind="registered", occurred_at=opened, recorded_at=opened)
            ]
            tasks: list[Task] = []
            serious = concern in {"trafficked", "sexually_exploited", "pornography"}
            if rng.random() < (0.75 if serious else 0.3):
                taken = opened + timedelta(hours=rng.randint(1, 12))
                events.append(
                    CaseEvent(kind="taken_into_protection", occurred_at=taken, recorded_at=taken)
                )
                case.in_protection = True
                due = taken + timedelta(hours=24)
                late = rng.random() < 0.12
                produced = taken + timedelta(
                    hours=rng.randint(26, 60) if late else rng.randint(2, 23)
                )
                done = produced if produced <= now else None
                tasks.append(
                    Task(
                        kind="production",
                        due_at=due,
                        done_at=done,
                        basis="Production before the Court within 24 hours",
                    )
                )
                if done is not None:
                    events.append(
                        CaseEvent(
                            kind="produced_before_court", occurred_at=produced, recorded_at=produced
                        )
                    )
                    decision_due = produced + timedelta(days=122)
                    decided = produced + timedelta(days=rng.randint(20, 200))
                    tasks.append(
                        Task(
                            kind="decision",
                            due_at=decision_due,
                            done_at=decided if decided <= now else None,
                            basis="Final decision within four months of production",
                        )
                    )
                    case.stage = "implementation"
                    placed = produced + timedelta(days=rng.randint(0, 3))
                    if placed <= now:
                        option = rng.choices(placement_names, placement_weights)[0]
                        events.append(
                            CaseEvent(
                                kind="placement",
                                occurred_at=placed,
                                recorded_at=placed,
                                details={"option": option},
                            )
                        )
                    released = produced + timedelta(days=rng.randint(30, 150))
                    if released <= now and rng.random() < 0.6:
                        events.append(
                            CaseEvent(kind="released", occurred_at=released, recorded_at=released)
                        )
                        case.stage = "follow_up"
                        for month in (1, 3, 6):
                            visit = released + timedelta(days=30 * month - rng.randint(0, 5))
                            if visit <= now and rng.random() < 0.8:
                                events.append(
                                    CaseEvent(
                                        kind="follow_up_visit", occurred_at=visit, recorded_at=visit
                                    )
                                )
            if rng.random() < 0.55:
                referred = opened + timedelta(days=rng.randint(0, 20))
                if referred <= now:
                    events.append(
                        CaseEvent(
                            kind="referred",
                            occurred_at=referred,
                            recorded_at=referred,
                            details={"service": rng.choice(SERVICES)},
                        )
                    )
            case_batch.append((case, events, tasks))
            made["cases"] += 1
            if len(case_batch) >= batch_size:
                flush()
        if case_batch:
            flush()
        if complaints:
            made["complaints"] = _complaints(rng, year, start, days, now, districts, cases)
        records = [children[v] for v in victims]
        made["records"] = _records(rng, year, start, days, districts, records, batch_size)
        audit_record(
            actor=DEMO,
            action="demo.generate",
            object_type="cases.case",
            detail={"year": year, "seed": seed, **made},
        )
    return made


def _complaints(
    rng: random.Random,
    year: int,
    start: Any,
    days: int,
    now: datetime,
    districts: dict[int, District],
    cases: int,
) -> int:
    channel_names, channel_weights = _weighted(CHANNELS)
    concern_names, concern_weights = _weighted(CONCERNS)
    district_list = list(districts.values())
    batch = []
    for i in range(max(1, cases // 3)):
        received = _at(start + timedelta(days=rng.randrange(days)), rng)
        if received > now:
            received = now - timedelta(hours=2)
        district = rng.choice(district_list)
        routed = rng.random() < 0.93
        digest = hashlib.sha256(f"stat-{year}-{i}-{rng.random()}".encode()).hexdigest()
        batch.append(
            Complaint(
                tracking=digest,
                channel=rng.choices(channel_names, channel_weights)[0],
                received_at=received,
                recorded_at=received,
                jurisdiction_id=district.jurisdiction_id,
                district_id=district.pk if routed else None,
                concerns=[rng.choices(concern_names, concern_weights)[0]],
                narrative="(synthetic complaint for the statistics)",
                status="closed" if received < now - timedelta(days=30) else "received",
                triage_due_at=received + timedelta(hours=24),
                triaged_at=received + timedelta(hours=rng.randint(1, 30)),
            )
        )
    Complaint.objects.bulk_create(batch, batch_size=5000)
    return len(batch)


def _records(
    rng: random.Random,
    year: int,
    start: Any,
    days: int,
    districts: dict[int, District],
    children: list[tuple[Any, ...]],
    batch_size: int,
) -> int:
    """Police FIRs, FIA cases and court outcomes about the children of the year's cases (so
    that linkage finds them), citing the catalogue's OPSC offences."""
    provisions = [
        p for p in Provision.objects.select_related("statute", "penalty").exclude(opsc_category="")
    ]
    if not provisions:
        return 0
    departments = {
        d.code: d for d in Department.objects.filter(code__in=["police", "fia", "courts"])
    }
    if len(departments) < 3:
        return 0
    now = timezone.now()
    stage_names, stage_weights = _weighted(COURT_STAGES)
    submissions: dict[tuple[str, int], Submission] = {}

    def submission(record_type: str, department: Department, jurisdiction_id: int) -> Submission:
        key = (record_type, jurisdiction_id)
        if key not in submissions:
            submissions[key] = Submission.objects.create(
                department=department,
                jurisdiction_id=jurisdiction_id,
                record_type=record_type,
                schema_major=1,
                source=Submission.Source.JSON,
                content_sha256="0" * 64,
                date_format="iso",
                submitted_at=now,
                status=Submission.Status.ACCEPTED,
            )
        return submissions[key]

    kinds = (
        ("police_report", "police", 0.3),
        ("fia_case", "fia", 0.03),
        ("court_outcome", "courts", 0.2),
    )
    made = 0
    batch: list[DepartmentRecord] = []
    for record_type, department_code, rate in kinds:
        department = departments[department_code]
        for i in range(int(len(children) * rate)):
            _, district_id, latin, urdu, guardian, sex, dob = rng.choice(children)
            district = districts[district_id]
            day = start + timedelta(days=rng.randrange(days))
            if dob is not None and dob > day:
                day = dob
            cited = rng.sample(provisions, k=1 if rng.random() < 0.8 else 2)
            data: dict[str, Any] = {"offence_sections": sorted(p.citation for p in cited)}
            if record_type == "court_outcome":
                stage = rng.choices(stage_names, stage_weights)[0]
                data["stage"] = stage
                if stage == "convicted":
                    penalty = getattr(cited[0], "penalty", None)
                    low = (penalty.prison_min_months or 6) if penalty else 6
                    high = (penalty.prison_max_months or low + 60) if penalty else 120
                    months = rng.randint(low, max(low, high))
                    if rng.random() < 0.12:
                        months = max(1, low - rng.randint(1, max(1, low)))  # below the minimum
                    data["sentence_prison_months"] = months
            sub = submission(record_type, department, district.jurisdiction_id)
            batch.append(
                DepartmentRecord(
                    department=department,
                    jurisdiction_id=district.jurisdiction_id,
                    record_type=record_type,
                    department_record_id=f"S{year}-{record_type[:3].upper()}-{i:07d}",
                    schema_major=1,
                    record_date=day,
                    district=district,
                    child_name=latin or urdu,
                    guardian_relation="d/o" if sex == "female" else "s/o",
                    guardian_name=guardian,
                    sex=sex,
                    date_of_birth=dob,
                    data=data,
                    content_sha256="0" * 64,
                    first_submission=sub,
                    last_submission=sub,
                    created_at=now,
                    updated_at=now,
                )
            )
            if len(batch) >= batch_size:
                DepartmentRecord.objects.bulk_create(batch)
                made += len(batch)
                batch.clear()
    DepartmentRecord.objects.bulk_create(batch)
    return made + len(batch)
