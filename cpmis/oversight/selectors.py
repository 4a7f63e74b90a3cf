"""Reads of the oversight registers, and the one decision of who may see and change them.

The registers are national records about the State's work, not about children: whoever
holds ``oversight.view`` sees all of them, at any scope (a provincial supervisor or a
jurisdiction-scoped analyst sees the other provinces' trainings too; nothing here is
confidential to a province). ``oversight.edit`` changes everything. ``oversight.respond``
(a department's focal point) reports the status and action of the assignments given to
their own department, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from cpmis import access
from cpmis.actors import Actor
from cpmis.core.errors import NotFound
from cpmis.legal.report_structure import SECTION_CODES
from cpmis.reference.models import Department

from .models import (
    ActivityParticipants,
    AssignmentUpdate,
    ImplementationStatus,
    LegalAssistanceRequest,
    PreventionActivity,
    Recommendation,
    RecommendationAssignment,
)

# --- access ----------------------------------------------------------------------------------


def can_view(user: Actor) -> bool:
    return access.has_capability(user, "oversight.view")


def can_edit(user: Actor) -> bool:
    return access.has_capability(user, "oversight.edit")


def respond_departments(user: Actor) -> set[int]:
    """Ids of the departments whose assignments the user reports on as a focal point."""
    return {s.department_id for s in access.department_scopes(user, "oversight.respond")}


def can_report(user: Actor, assignment: RecommendationAssignment) -> bool:
    """An editor reports on any assignment; a focal point on their own department's. A
    department is one row for every province (the Punjab Police focal point answers for
    "Police"), so the province of the focal point does not narrow it."""
    if can_edit(user):
        return True
    return assignment.institution_id in respond_departments(user)


def require_view(user: Actor) -> None:
    if not can_view(user):
        raise PermissionDenied("You cannot see the oversight registers.")


# --- prevention activities -------------------------------------------------------------------


def activity_list(
    *,
    user: Actor,
    kind: str | None = None,
    year: int | None = None,
    jurisdiction: str | None = None,
) -> QuerySet[PreventionActivity]:
    """Activities, newest first; ``jurisdiction`` is an ISO code, or "federal" for those
    held federally or nationally (no jurisdiction)."""
    require_view(user)
    qs = PreventionActivity.objects.select_related(
        "jurisdiction", "district", "organiser"
    ).prefetch_related(Prefetch("participants", ActivityParticipants.objects.order_by("pk")))
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(held_on__year=year)
    if jurisdiction == "federal":
        qs = qs.filter(jurisdiction__isnull=True)
    elif jurisdiction:
        qs = qs.filter(jurisdiction__iso_code=jurisdiction)
    return qs.order_by("-held_on", "-pk")


def activity_get(*, user: Actor, activity_id: int) -> PreventionActivity:
    activity = activity_list(user=user).filter(pk=activity_id).first()
    if activity is None:
        raise NotFound
    return activity


def activity_years() -> list[int]:
    return sorted({d.year for d in PreventionActivity.objects.dates("held_on", "year")})


# --- legal assistance ------------------------------------------------------------------------


def legal_request_list(
    *,
    user: Actor,
    kind: str | None = None,
    direction: str | None = None,
    status: str | None = None,
    year: int | None = None,
) -> QuerySet[LegalAssistanceRequest]:
    require_view(user)
    qs = LegalAssistanceRequest.objects.select_related("jurisdiction")
    if kind:
        qs = qs.filter(kind=kind)
    if direction:
        qs = qs.filter(direction=direction)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(dated_on__year=year)
    return qs.order_by("-dated_on", "-pk")


def legal_request_get(*, user: Actor, request_id: int) -> LegalAssistanceRequest:
    found = legal_request_list(user=user).filter(pk=request_id).first()
    if found is None:
        raise NotFound
    return found


# --- recommendations -------------------------------------------------------------------------


def with_overall_status(qs: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """Annotate ``overall_status``: the rule of ``models.overall_status``, in the database."""
    s = ImplementationStatus

    def n(*statuses: str) -> Count:
        return Count("assignments", filter=Q(assignments__status__in=statuses))

    return qs.annotate(
        _n=Count("assignments"),
        _implemented=n(s.IMPLEMENTED),
        _partly=n(s.IMPLEMENTED, s.PARTIALLY_IMPLEMENTED),
        _working=n(s.IN_PROGRESS),
        _refused=n(s.NOT_IMPLEMENTED),
    ).annotate(
        overall_status=Case(
            When(_n=0, then=Value(s.NOT_STARTED.value)),
            When(_implemented=F("_n"), then=Value(s.IMPLEMENTED.value)),
            When(_partly__gt=0, then=Value(s.PARTIALLY_IMPLEMENTED.value)),
            When(_working__gt=0, then=Value(s.IN_PROGRESS.value)),
            When(_refused=F("_n"), then=Value(s.NOT_IMPLEMENTED.value)),
            default=Value(s.NOT_STARTED.value),
        )
    )


def _assignments_prefetch() -> Prefetch:
    return Prefetch(
        "assignments",
        RecommendationAssignment.objects.select_related("institution").order_by(
            "-lead", "institution__name_en", "pk"
        ),
    )


def _section_q(code: str) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(report_sections__contains=[code])
    # SQLite has no JSON containment; the codes are checked, so the quoted text is exact.
    return Q(report_sections__icontains=f'"{code}"')


def recommendation_list(
    *,
    user: Actor,
    status: str | None = None,
    institution: str | None = None,
    section: str | None = None,
) -> QuerySet[Recommendation]:
    """Recommendations in document and paragraph order, each with its overall status;
    ``institution`` is a department code, ``section`` a section code of the report."""
    require_view(user)
    qs = Recommendation.objects.all()
    if institution:
        qs = qs.filter(
            Exists(
                RecommendationAssignment.objects.filter(
                    recommendation_id=OuterRef("pk"), institution__code=institution
                )
            )
        )
    if section:
        qs = qs.filter(_section_q(section))
    qs = with_overall_status(qs)
    if status:
        qs = qs.filter(**{"overall_status": status})  # an annotation
    return qs.prefetch_related(_assignments_prefetch()).order_by("document", "paragraph_key", "pk")


@dataclass
class RecommendationDetail:
    recommendation: Recommendation
    assignments: list[Any]  # RecommendationAssignment, each with ``history`` (newest first)
    reportable: set[int]  # ids of the assignments the user may report on


def recommendation_get(*, user: Actor, recommendation_id: int) -> Recommendation:
    found = recommendation_list(user=user).filter(pk=recommendation_id).first()
    if found is None:
        raise NotFound
    return found


def recommendation_detail(*, user: Actor, recommendation_id: int) -> RecommendationDetail:
    recommendation = recommendation_get(user=user, recommendation_id=recommendation_id)
    assignments = list(
        RecommendationAssignment.objects.filter(recommendation=recommendation)
        .select_related("institution", "updated_by")
        .prefetch_related(
            Prefetch(
                "updates",
                AssignmentUpdate.objects.select_related("by").order_by("-at", "-pk"),
                to_attr="history",
            )
        )
        .order_by("-lead", "institution__name_en", "pk")
    )
    reportable = {a.pk for a in assignments if can_report(user, a)}
    return RecommendationDetail(recommendation, assignments, reportable)


def assignment_get(*, user: Actor, assignment_id: int) -> RecommendationAssignment:
    require_view(user)
    found = (
        RecommendationAssignment.objects.select_related("recommendation", "institution")
        .filter(pk=assignment_id)
        .first()
    )
    if found is None:
        raise NotFound
    return found


def recommendations_for_section(code: str) -> list[Recommendation]:
    """The Committee's recommendations linked to a report section, with their assignments
    (institution loaded) and overall status, in document and paragraph order. For the report
    generator, which checks the user's access itself; an unknown code gives none."""
    if code not in SECTION_CODES:
        return []
    return list(
        with_overall_status(Recommendation.objects.filter(_section_q(code)))
        .prefetch_related(_assignments_prefetch())
        .order_by("document", "paragraph_key", "pk")
    )


def institutions() -> QuerySet[Department]:
    return Department.objects.order_by("name_en")


@dataclass
class Summary:
    activities: int
    trainings: int
    participants: int
    legal_requests: int
    recommendations: int
    by_status: dict[str, int]


def summary(*, user: Actor) -> Summary:
    require_view(user)
    by_status = {s.value: 0 for s in ImplementationStatus}
    for row in with_overall_status(Recommendation.objects.all()).values(*["overall_status"]):
        by_status[row["overall_status"]] += 1
    return Summary(
        activities=PreventionActivity.objects.count(),
        trainings=PreventionActivity.objects.filter(kind="training").count(),
        participants=ActivityParticipants.objects.aggregate(n=Sum("count"))["n"] or 0,
        legal_requests=LegalAssistanceRequest.objects.count(),
        recommendations=sum(by_status.values()),
        by_status=by_status,
    )
