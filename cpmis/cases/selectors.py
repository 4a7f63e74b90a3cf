"""Reads of cases and tasks, always through cpmis.access."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, QuerySet, Value, When
from django.db.models import Case as SqlCase
from django.utils import timezone

from cpmis import access

from .models import Case, Task

LIST_COLUMNS = (
    "uuid",
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
)


def case_list(*, user: Any, stage: str = "", overdue: bool = False) -> QuerySet[Case]:
    """Cases the user may see, with only what a list shows (no child's details beyond names)."""
    qs = (
        access.cases_visible_to(user)
        .select_related("child", "district", "assigned_to")
        .only(*LIST_COLUMNS)
    )
    if stage:
        qs = qs.filter(stage=stage)
    if overdue:
        qs = qs.filter(tasks__done_at__isnull=True, tasks__due_at__lt=timezone.now()).distinct()
    return qs


def task_list(*, user: Any, mine_only: bool = False) -> QuerySet[Task]:
    """Open tasks of the cases the user may see, overdue first, then by due time.

    A CPO sees the tasks of their cases; a supervisor those of the district, including every
    overdue task (escalation) and the closures waiting for approval.
    """
    cases = access.cases_visible_to(user)
    qs = Task.objects.filter(done_at__isnull=True, case__in=cases).select_related(
        "case__child", "case__assigned_to"
    )
    if mine_only:
        qs = qs.filter(case__assigned_to_id=user.pk, for_supervisor=False)
    now = timezone.now()
    # Ordered by due time, the overdue tasks come first by themselves (earliest first), and the
    # open-task index on (done_at, due_at) can serve the order.
    overdue = SqlCase(
        When(due_at__lt=now, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return qs.annotate(overdue=overdue).order_by("due_at", "id")


def supervisor_dashboard(*, user: Any, near_days: int = 30) -> dict[str, Any]:
    """A supervisor's view of the district: caseload and overdue tasks per officer, and the
    cases whose Court decision is due within ``near_days`` (or overdue)."""
    from datetime import timedelta

    from django.db.models import Count, Q

    from .models import Stage, TaskKind

    now = timezone.now()
    cases = access.cases_supervised_by(user).exclude(stage=Stage.CLOSED)
    per_officer = list(
        cases.values("assigned_to__username")
        .annotate(
            open_cases=Count("id", distinct=True),
            overdue=Count(
                "tasks",
                filter=Q(tasks__done_at__isnull=True, tasks__due_at__lt=now),
                distinct=True,
            ),
        )
        .order_by("-overdue", "assigned_to__username")
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


def case_get(*, user: Any, case_uuid: str) -> Case:
    """One case the user may see; Http404 for anything else, a malformed id included."""
    import uuid as uuid_lib

    from django.http import Http404

    try:
        key = uuid_lib.UUID(str(case_uuid))
    except ValueError as exc:
        raise Http404 from exc
    case = (
        access.cases_visible_to(user)
        .select_related("child", "district", "assigned_to", "jurisdiction")
        .filter(uuid=key)
        .first()
    )
    if case is None:
        raise Http404
    return case
