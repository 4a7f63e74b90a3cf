"""Reads of cases and tasks, always through cpmis.access."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import timedelta
from typing import Any

from django.db.models import BooleanField, Count, Q, QuerySet, Value, When
from django.db.models import Case as SqlCase
from django.utils import timezone
from django.utils.translation import gettext as _

from cpmis import access
from cpmis.accounts.models import User
from cpmis.actors import Actor
from cpmis.audit.services import audit_record
from cpmis.core.errors import NotFound
from cpmis.legal.models import Provision
from cpmis.reference.models import District

from . import numbering
from .models import Case, CaseEvent, Institution, Stage, Task, TaskKind, Transfer

# The clocks the law runs (shown as countdowns): production within 24 hours, the Court's
# decision within four months, the delay report after 60 days, the follow-up after release.
CLOCK_KINDS = (
    TaskKind.PRODUCTION,
    TaskKind.DECISION,
    TaskKind.DELAY_REPORT,
    TaskKind.FOLLOW_UP_VISIT,
    TaskKind.PLAN_REVIEW,
)

LIST_COLUMNS = (
    "uuid",
    "number",
    "stage",
    "risk_level",
    "initial_risk",
    "in_protection",
    "opened_at",
    "district_id",
    "assigned_to_id",
    "child__name_latin",
    "child__name_urdu",
    "district__name_en",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
)


def case_list(
    *, user: Actor, stage: str = "", overdue: bool = False, query: str = ""
) -> QuerySet[Case]:
    """Cases the user may see, with only what a list shows (no child's details beyond names).
    ``query`` finds a case by its number (or the start of it) or the child's name."""
    qs = (
        access.cases_visible_to(user)
        .select_related("child", "district", "assigned_to")
        .only(*LIST_COLUMNS)
    )
    if stage:
        qs = qs.filter(stage=stage)
    if query:
        number = numbering.normalise(query)
        by_number = Q(number__startswith=number)
        if number.isdigit():  # the sequence alone, as people say it: "000123", "123"
            by_number |= Q(number__endswith=number.zfill(6))
        qs = qs.filter(
            by_number | Q(child__name_latin__icontains=query) | Q(child__name_urdu__icontains=query)
        )
    if overdue:
        qs = qs.filter(tasks__done_at__isnull=True, tasks__due_at__lt=timezone.now()).distinct()
    return qs


def task_list(*, user: Actor, mine_only: bool = False) -> QuerySet[Task]:
    """Open tasks of the cases the user may see, overdue first, then by due time.

    A CPO sees the tasks of their cases; a supervisor those of the district, including every
    overdue task (escalation) and the closures waiting for approval.
    """
    # Tasks carry their case's district and officer: the scope is read on the tasks themselves
    # (the partial index of open tasks by district and due time serves a district's list).
    qs = (
        access.tasks_visible_to(user)
        .filter(done_at__isnull=True)
        .select_related("case__child", "case__assigned_to")
    )
    if mine_only:
        qs = qs.filter(assigned_to_id=user.pk, for_supervisor=False)
    now = timezone.now()
    # Ordered by due time, the overdue tasks come first by themselves (earliest first), and the
    # open-task index on (done_at, due_at) can serve the order.
    overdue = SqlCase(
        When(due_at__lt=now, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return qs.annotate(overdue=overdue).order_by("due_at", "id")


def supervisor_dashboard(*, user: Actor, near_days: int = 30) -> dict[str, Any]:
    """A supervisor's view of the district: caseload and overdue tasks per officer, and the
    cases whose Court decision is due within ``near_days`` (or overdue)."""
    now = timezone.now()
    cases = access.cases_supervised_by(user).exclude(stage=Stage.CLOSED)
    # Two plain grouped counts, each an index-only read of a partial index (open cases by
    # district and officer; open tasks by district, due time and officer: tasks carry their
    # case's district and officer), rather than distinct counts over the join of every case
    # with every task (bench/case_homes at 1M cases: 838 ms before).
    open_cases = dict(cases.values_list("assigned_to_id").annotate(n=Count("id")).order_by())
    overdue = dict(
        access.tasks_supervised_by(user)
        .filter(done_at__isnull=True, due_at__lt=now)
        .values_list("assigned_to_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    names = {
        u.pk: (u.get_full_name().strip() or u.username)
        for u in User.objects.filter(pk__in=[k for k in open_cases if k]).only(
            "username", "first_name", "last_name"
        )
    }
    per_officer = sorted(
        (
            {
                "assigned_to__username": names.get(k) if k else None,
                "open_cases": n,
                "overdue": overdue.get(k, 0),
            }
            for k, n in open_cases.items()
        ),
        key=lambda r: (
            -r["overdue"],
            r["assigned_to__username"] is None,
            r["assigned_to__username"] or "",
        ),
    )
    near_limit = (
        Task.objects.filter(
            case__in=cases,
            kind=TaskKind.DECISION,
            done_at__isnull=True,
            due_at__lt=now + timedelta(days=near_days),
        )
        .select_related("case__child", "case__assigned_to")
        .order_by("due_at")
    )
    return {"per_officer": per_officer, "near_limit": near_limit, "now": now}


def case_get(*, user: Actor, case_uuid: str) -> Case:
    """One case the user may see; NotFound for anything else, a malformed id included."""
    try:
        key = uuid_lib.UUID(str(case_uuid))
    except ValueError as exc:
        raise NotFound from exc
    case = (
        access.cases_visible_to(user)
        .select_related("child", "district", "assigned_to", "jurisdiction")
        .filter(uuid=key)
        .first()
    )
    if case is None:
        raise NotFound
    return case


def case_read(*, user: Actor, case_uuid: str) -> Case:
    """One case the user may see, its reading audited: the one place the case page and the
    API's detail read a case, so both are audited alike. NotFound for anything else."""
    case = case_get(user=user, case_uuid=case_uuid)
    audit_record(actor=user, action="case.read", object_type="cases.case", object_id=case.uuid)
    return case


# --- transfers -------------------------------------------------------------------------------


def transfer_inbox(*, user: Actor) -> QuerySet[Transfer]:
    """Transfers waiting for the user's answer, oldest first (what the inbox lists)."""
    return (
        access.transfers_waiting_for(user)
        .select_related("case__child", "from_district", "to_district", "requested_by")
        .order_by("requested_at", "id")
    )


def transfer_waiting(*, user: Actor, case_uuid: str) -> Transfer:
    """The transfer of one case waiting for the user's answer; NotFound for anything else."""
    import uuid as uuid_lib

    try:
        key = uuid_lib.UUID(str(case_uuid))
    except ValueError as exc:
        raise NotFound from exc
    transfer = transfer_inbox(user=user).filter(case__uuid=key).first()
    if transfer is None:
        raise NotFound
    return transfer


def transfer_pending_of(case: Case) -> Transfer | None:
    return (
        case.transfers.filter(status=Transfer.Status.PENDING).select_related("to_district").first()
    )


# --- pickers ---------------------------------------------------------------------------------


def officers_for(case: Case) -> list[Any]:
    """The officers a supervisor may give the case to (the safeguard already applied)."""
    return list(access.officers_for_case(case))


def institutions_near(
    case: Case, *, province: bool = False
) -> tuple[list[tuple[str, list[Institution]]], int]:
    """Places for custody, a placement or a referral, as labelled groups: the case's district's
    (all of them), and with ``province`` the rest of its province too (all of them: a picker
    is never cut off). Also how many places of the province are not listed."""
    rows = list(
        Institution.objects.filter(district__jurisdiction_id=case.jurisdiction_id)
        .select_related("district")
        .only("name", "accepts", "age_min", "age_max", "capacity", "occupancy", "district__name_en")
        .order_by("district__name_en", "name")
    )
    own = [i for i in rows if i.district_id == case.district_id]
    rest = [i for i in rows if i.district_id != case.district_id]
    groups = []
    if own:
        groups.append((_("In %(district)s") % {"district": case.district.name_en}, own))
    if rest and (province or not own):
        groups.append(
            (_("Elsewhere in %(province)s") % {"province": case.jurisdiction.name_en}, rest)
        )
        return groups, 0
    return groups, len(rest)


def districts_for_transfer(case: Case) -> list[tuple[str, list[District]]]:
    """Every district but the case's own, the case's province first."""
    rows = list(District.objects.select_related("jurisdiction").order_by("name_en"))
    same = [
        d for d in rows if d.jurisdiction_id == case.jurisdiction_id and d.pk != case.district_id
    ]
    groups: dict[str, list[District]] = {}
    for d in rows:
        if d.jurisdiction_id != case.jurisdiction_id:
            groups.setdefault(d.jurisdiction.name_en, []).append(d)
    return [(case.jurisdiction.name_en, same), *sorted(groups.items())]


def offences_for(case: Case) -> list[tuple[str, list[Provision]]]:
    """Offences of the law that applies in the case's jurisdiction (federal and its own), by
    statute."""
    rows = (
        Provision.objects.filter(kind__in=[Provision.Kind.OFFENCE, Provision.Kind.PENALTY])
        .filter(
            Q(statute__jurisdiction__isnull=True) | Q(statute__jurisdiction_id=case.jurisdiction_id)
        )
        .select_related("statute")
        .order_by("statute__short_title", "section_key")
    )
    groups: dict[str, list[Provision]] = {}
    for p in rows:
        groups.setdefault(p.statute.short_title, []).append(p)
    return list(groups.items())


# --- homes -----------------------------------------------------------------------------------

HOME_ROWS = 10
DUE_SOON = timedelta(days=7)
NEW_ASSIGNMENT = timedelta(days=14)


def _task_rows(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related("case__child", "case__assigned_to").only(
        "id",
        "kind",
        "due_at",
        "basis",
        "for_supervisor",
        "case__uuid",
        "case__number",
        "case__child__name_latin",
        "case__child__name_urdu",
        "case__assigned_to__username",
        "case__assigned_to__first_name",
        "case__assigned_to__last_name",
    )


def cpo_home(*, user: Actor) -> dict[str, Any]:
    """What needs a CPO's attention: overdue and due-soon tasks of their cases, the legal
    clocks running, cases newly given to them."""
    now = timezone.now()
    mine = Task.objects.filter(
        case__assigned_to_id=user.pk, done_at__isnull=True, for_supervisor=False
    ).filter(case__in=access.cases_workable_by(user))
    return {
        "now": now,
        "overdue": list(_task_rows(mine.filter(due_at__lt=now)).order_by("due_at")[:HOME_ROWS]),
        "overdue_count": mine.filter(due_at__lt=now).count(),
        "due_soon": list(
            _task_rows(mine.filter(due_at__gte=now, due_at__lt=now + DUE_SOON)).order_by("due_at")[
                :HOME_ROWS
            ]
        ),
        "clocks": list(
            _task_rows(mine.filter(kind__in=CLOCK_KINDS, due_at__gte=now)).order_by("due_at")[
                :HOME_ROWS
            ]
        ),
        "new_cases": list(
            access.cases_workable_by(user)
            .filter(assigned_to_id=user.pk, assigned_at__gte=now - NEW_ASSIGNMENT)
            .exclude(stage=Stage.CLOSED)
            .select_related("child", "district")
            .only(*LIST_COLUMNS, "number", "assigned_at", "child__sex")
            .order_by("-assigned_at")[:HOME_ROWS]
        ),
    }


def supervisor_home(*, user: Actor, near_days: int = 30) -> dict[str, Any]:
    """What needs a supervisor's attention: unassigned cases, transfers waiting, overdue tasks
    per officer, cases near the four-month limit."""
    dashboard = supervisor_dashboard(user=user, near_days=near_days)
    unassigned = unassigned_cases(user=user)
    return {
        **dashboard,
        "unassigned": list(unassigned[:HOME_ROWS]),
        "unassigned_count": unassigned.count(),
        "transfers": list(transfer_inbox(user=user)[:HOME_ROWS]),
        "near_limit": list(dashboard["near_limit"][:HOME_ROWS]),
    }


def unassigned_cases(*, user: Actor) -> QuerySet[Case]:
    """Open cases of the user's supervised districts with no officer, newest first."""
    return (
        access.cases_supervised_by(user)
        .filter(assigned_to__isnull=True)
        .exclude(stage=Stage.CLOSED)
        .select_related("child", "district")
        .only(*LIST_COLUMNS, "number", "child__sex", "child__date_of_birth", "district__pcode")
        .order_by("-opened_at", "-id")
    )


def receiving_officers(transfer: Transfer) -> list[Any]:
    """Officers of the receiving district who could hold the case once accepted."""
    probe = Case(district_id=transfer.to_district_id, child=transfer.case.child)
    return list(access.officers_for_case(probe))


def officers_supervised_by(*, user: Actor) -> list[Any]:
    """Child Protection Officers of the districts the user supervises (the bulk picker)."""
    return list(access.officers_in(access.districts_where(user, "case.supervise")))


def timeline_names(events: list[CaseEvent]) -> dict[str, dict[Any, Any]]:
    """The officers, districts and places a timeline names, read in three queries."""
    users: set[int] = set()
    districts: set[int] = set()
    places: set[int] = set()
    for e in events:
        d = e.details or {}
        if isinstance(d.get("officer"), int):
            users.add(d["officer"])
        for key in ("to_district", "from_district"):
            if isinstance(d.get(key), int):
                districts.add(d[key])
        for key in ("institution", "temporary_institution"):
            if isinstance(d.get(key), int):
                places.add(d[key])
    return {
        "users": User.objects.in_bulk(users) if users else {},
        "districts": {
            pk: name
            for pk, name in District.objects.filter(pk__in=districts).values_list("pk", "name_en")
        },
        "institutions": {
            pk: name
            for pk, name in Institution.objects.filter(pk__in=places).values_list("pk", "name")
        },
    }


def attach_next_clock(cases: list[Case]) -> None:
    """Give each listed case its most urgent open deadline (``case.next_clock``), in one query
    for the page, so an overdue case is marked wherever it is listed."""
    ids = [c.pk for c in cases]
    first: dict[int, Task] = {}
    for task in Task.objects.filter(case_id__in=ids, done_at__isnull=True).order_by("due_at"):
        first.setdefault(task.case_id, task)
    for c in cases:
        c.next_clock = first.get(c.pk)  # type: ignore[attr-defined]


def now() -> Any:
    return timezone.now()
