"""Writes of the oversight registers: rules, versions, audit, who may."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cpmis.audit.models import AuditEvent
from cpmis.core.errors import Conflict
from cpmis.oversight import selectors, services
from cpmis.oversight.models import (
    AssignmentUpdate,
    ImplementationStatus,
    LegalAssistanceRequest,
    PreventionActivity,
    Recommendation,
    overall_status,
)
from cpmis.reference.models import Department, District, Jurisdiction
from tests.conftest import Personas

from .conftest import assignment_of, days_ago, when_run

PUNJAB = "PK-PB"

# The registers refuse dates in the future and count from today: the clock is pinned.
pytestmark = pytest.mark.clock


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# --- activities ------------------------------------------------------------------------------


def test_an_activity_is_recorded_with_its_participants_and_audited(
    personas: Personas, activity: PreventionActivity
) -> None:
    assert activity.participants_total == 16
    assert activity.created_by == personas.analyst and activity.version == 1
    [event] = events("oversight.activity.create")
    assert event.actor_username == "analyst" and event.object_id == str(activity.pk)
    assert event.detail == {"kind": "training", "participants": 16}


def test_participants_are_replaced_on_update(
    personas: Personas, activity: PreventionActivity
) -> None:
    changed = services.activity_update(
        actor=personas.analyst,
        activity=activity,
        version=1,
        title="Juvenile justice (second day)",
        participants=[{"profession": "police", "sex": "female", "count": 7}],
    )
    assert changed.version == 2
    assert list(changed.participants.values_list("profession", "sex", "count")) == [
        ("police", "female", 7)
    ]
    [event] = events("oversight.activity.update")
    assert event.detail == {"fields": ["participants", "title"], "version": 2}


def test_a_stale_version_is_a_conflict(personas: Personas, activity: PreventionActivity) -> None:
    services.activity_update(actor=personas.analyst, activity=activity, version=1, title="A")
    with pytest.raises(Conflict):
        services.activity_update(actor=personas.analyst, activity=activity, version=1, title="B")
    assert PreventionActivity.objects.get(pk=activity.pk).title == "A"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"held_on": lambda: days_ago(-1)}, "held_on"),
        ({"ended_on": lambda: days_ago(30)}, "ended_on"),  # held 10 days ago
        ({"district": "PK528"}, "district"),  # Peshawar is not in Punjab
        ({"report_paragraphs": [98]}, "report_paragraphs"),
    ],
)
def test_activity_rules(
    personas: Personas, activity: PreventionActivity, changes: dict, field: str
) -> None:
    changes = when_run(changes)
    if "district" in changes:
        changes["district"] = District.objects.get(pcode=changes["district"])
    with pytest.raises(ValidationError) as exc:
        services.activity_update(actor=personas.analyst, activity=activity, version=1, **changes)
    assert field in exc.value.message_dict
    assert PreventionActivity.objects.get(pk=activity.pk).version == 1


def test_a_district_needs_its_jurisdiction(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            actor=personas.analyst,
            kind="awareness_event",
            title="Walk",
            held_on=days_ago(1),
            topic="trafficking",
            district=District.objects.get(pcode="PK617"),
        )
    assert "district" in exc.value.message_dict


def test_participants_must_be_known_groups_counted_once(personas: Personas) -> None:
    base = {
        "actor": personas.analyst,
        "kind": "training",
        "title": "T",
        "held_on": days_ago(1),
        "topic": "other",
    }
    for rows in (
        [{"profession": "astronaut", "sex": "male", "count": 1}],
        [{"profession": "police", "sex": "male", "count": -1}],
        [{"profession": "police", "sex": "male", "count": 1}] * 2,
    ):
        with pytest.raises(ValidationError):
            services.activity_create(participants=rows, **base)
    assert not PreventionActivity.objects.exists()


# --- legal assistance ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "PK"}, "country"),
        ({"country": "ae"}, "country"),
        ({"dated_on": lambda: days_ago(-1)}, "dated_on"),
        ({"status": "granted"}, "decided_on"),
        ({"status": "refused", "decided_on": lambda: days_ago(50)}, "decided_on"),  # too early
        ({"decided_on": lambda: days_ago(1)}, "decided_on"),  # pending, yet decided
    ],
)
def test_legal_request_rules(personas: Personas, fields: dict, field: str) -> None:
    data = {
        "kind": "mla",
        "direction": "incoming",
        "country": "SA",
        "dated_on": days_ago(40),
        "opsc_category": "pornography",
        **when_run(fields),
    }
    with pytest.raises(ValidationError) as exc:
        services.legal_request_create(actor=personas.analyst, **data)
    assert field in exc.value.message_dict
    assert not LegalAssistanceRequest.objects.exists()


def test_a_decision_is_recorded_with_its_date(
    personas: Personas, legal_request: LegalAssistanceRequest
) -> None:
    decided = services.legal_request_update(
        actor=personas.analyst,
        request=legal_request,
        version=1,
        status="granted",
        decided_on=days_ago(5),
        jurisdiction=Jurisdiction.objects.get(iso_code=PUNJAB),
    )
    assert decided.version == 2 and decided.status == "granted"
    [event] = events("oversight.legal_request.update")
    assert event.detail["fields"] == ["decided_on", "jurisdiction", "status"]
    with pytest.raises(Conflict):
        services.legal_request_update(
            actor=personas.analyst, request=legal_request, version=1, note="late"
        )


# --- recommendations -------------------------------------------------------------------------


def test_sections_and_articles_are_checked(personas: Personas) -> None:
    base = {
        "actor": personas.analyst,
        "document": "CRC/C/OPSC/PAK/CO/1",
        "text": "…",
        "issued_on": days_ago(3),
    }
    with pytest.raises(ValidationError) as exc:
        services.recommendation_create(paragraph="9", report_sections=["article-99"], **base)
    assert "report_sections" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.recommendation_create(paragraph="9", articles=[18], **base)
    assert "articles" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.recommendation_create(paragraph="nine", **base)
    assert "paragraph" in exc.value.message_dict
    made = services.recommendation_create(
        paragraph="9", report_sections=["prevention", "article-3", "prevention"], **base
    )
    assert made.report_sections == ["article-3", "prevention"]  # report order, once each
    with pytest.raises(ValidationError):  # the same paragraph twice
        services.recommendation_create(paragraph="9", **base)


def test_assignments_keep_a_history_of_status_and_action(
    personas: Personas, recommendation: Recommendation
) -> None:
    police = assignment_of(recommendation, "police")
    assert police.updates.count() == 1  # assigned
    services.assignment_set(
        actor=personas.analyst,
        recommendation=recommendation,
        institution=police.institution,
        version=1,
        due_on=days_ago(-100),
    )
    assert police.updates.count() == 1  # a due date is not a status change
    services.assignment_set(
        actor=personas.analyst,
        recommendation=recommendation,
        institution=police.institution,
        version=2,
        status="in_progress",
        note="Started",
    )
    latest = police.updates.order_by("-pk").first()
    assert latest is not None and latest.status == "in_progress" and latest.note == "Started"
    with pytest.raises(Conflict):
        services.assignment_set(
            actor=personas.analyst,
            recommendation=recommendation,
            institution=police.institution,
            version=2,
            lead=False,
        )


def test_the_focal_point_reports_on_their_own_department(
    personas: Personas, recommendation: Recommendation
) -> None:
    police = assignment_of(recommendation, "police")
    update = services.assignment_report(
        actor=personas.focal_point,
        assignment=police,
        status="partially_implemented",
        note="Child-friendly rooms in 12 police stations.",
        action="Child-friendly rooms",
        version=1,
    )
    assert update.by == personas.focal_point
    police.refresh_from_db()
    assert police.status == "partially_implemented" and police.version == 2
    assert police.action == "Child-friendly rooms"
    [event] = events("oversight.assignment.report")
    assert event.actor_username == "focal" and event.detail["institution"] == "police"


def test_the_focal_point_cannot_report_for_another_department(
    personas: Personas, recommendation: Recommendation
) -> None:
    fia = assignment_of(recommendation, "fia")
    with pytest.raises(PermissionDenied):
        services.assignment_report(
            actor=personas.focal_point, assignment=fia, status="implemented", note="x", version=1
        )
    fia.refresh_from_db()
    assert fia.status == "not_started" and not events("oversight.assignment.report")


def test_a_report_needs_a_note_and_the_current_version(
    personas: Personas, recommendation: Recommendation
) -> None:
    police = assignment_of(recommendation, "police")
    with pytest.raises(ValidationError):
        services.assignment_report(
            actor=personas.analyst, assignment=police, status="implemented", note=" ", version=1
        )
    with pytest.raises(Conflict):
        services.assignment_report(
            actor=personas.analyst, assignment=police, status="implemented", note="x", version=7
        )
    assert AssignmentUpdate.objects.filter(assignment=police).count() == 1


@pytest.mark.parametrize("persona", ["focal_point", "supervisor", "outsider", "cpo"])
def test_only_an_editor_changes_the_registers(
    personas: Personas, recommendation: Recommendation, persona: str
) -> None:
    user = getattr(personas, persona)
    with pytest.raises(PermissionDenied):
        services.recommendation_update(
            actor=user, recommendation=recommendation, version=1, theme="x"
        )
    with pytest.raises(PermissionDenied):
        services.assignment_set(
            actor=user,
            recommendation=recommendation,
            institution=Department.objects.get(code="courts"),
        )
    with pytest.raises(PermissionDenied):
        services.legal_request_create(
            actor=user,
            kind="mla",
            direction="incoming",
            country="SA",
            dated_on=days_ago(1),
            opsc_category="sale",
        )


# --- overall status --------------------------------------------------------------------------

S = ImplementationStatus
CASES = [
    ([], S.NOT_STARTED),
    ([S.IMPLEMENTED, S.IMPLEMENTED], S.IMPLEMENTED),
    ([S.IMPLEMENTED, S.NOT_STARTED], S.PARTIALLY_IMPLEMENTED),
    ([S.NOT_STARTED, S.IN_PROGRESS], S.IN_PROGRESS),
    ([S.NOT_IMPLEMENTED, S.NOT_IMPLEMENTED], S.NOT_IMPLEMENTED),
    ([S.NOT_IMPLEMENTED, S.NOT_STARTED], S.NOT_STARTED),
]


@pytest.mark.parametrize(("statuses", "expected"), CASES)
def test_overall_status_in_python_and_in_the_database_agree(
    personas: Personas, statuses: list[str], expected: str
) -> None:
    assert overall_status(statuses) == expected
    rec = services.recommendation_create(
        actor=personas.analyst, document="D", paragraph="1", text="t", issued_on=days_ago(1)
    )
    for code, status in zip(("police", "fia"), statuses, strict=False):
        services.assignment_set(
            actor=personas.analyst,
            recommendation=rec,
            institution=Department.objects.get(code=code),
            status=status,
        )
    [listed] = selectors.recommendation_list(user=personas.analyst)
    assert listed.status == expected
    assert Recommendation.objects.get(pk=rec.pk).status == expected  # not annotated
    assert [r.pk for r in selectors.recommendation_list(user=personas.analyst, status=expected)]


def test_recommendations_for_a_section(personas: Personas, recommendation: Recommendation) -> None:
    [found] = selectors.recommendations_for_section("article-8")
    assert found.pk == recommendation.pk and found.status == "not_started"
    assert [a.institution.code for a in found.assignments.all()] == ["police", "fia"]  # lead first
    assert selectors.recommendations_for_section("prevention") == []
    assert selectors.recommendations_for_section("nonsense") == []


def test_list_filters(personas: Personas, recommendation: Recommendation) -> None:
    def ids(**filters: str) -> list[int]:
        return [r.pk for r in selectors.recommendation_list(user=personas.analyst, **filters)]

    assert ids(institution="fia") == [recommendation.pk]
    assert ids(institution="courts") == []
    assert ids(section="article-8") == [recommendation.pk]
    assert ids(section="article-4") == []
    with pytest.raises(PermissionDenied):
        selectors.recommendation_list(user=personas.cpo)
