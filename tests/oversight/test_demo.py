"""The synthetic oversight year: its counts, its dates, and the same records for a seed."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from cpmis.audit.models import AuditEvent
from cpmis.demo.oversight import oversight_generate
from cpmis.oversight.models import (
    ActivityParticipants,
    AssignmentUpdate,
    LegalAssistanceRequest,
    PreventionActivity,
    Recommendation,
)

# "Last year" and "today" are those of the pinned clock (tests/conftest.py), not of the day the
# module is read: a year is generated up to today, never after it.
pytestmark = pytest.mark.clock


def last_year() -> int:
    return timezone.localdate().year - 1


def snapshot() -> dict[str, Any]:
    return {
        "activities": list(
            PreventionActivity.objects.order_by("pk").values_list(
                "kind", "title", "held_on", "jurisdiction_id", "district_id"
            )
        ),
        "participants": list(
            ActivityParticipants.objects.order_by("pk").values_list("profession", "sex", "count")
        ),
        "requests": list(
            LegalAssistanceRequest.objects.order_by("pk").values_list(
                "country", "status", "dated_on", "decided_on"
            )
        ),
        "statuses": [r.status for r in Recommendation.objects.order_by("pk")],
    }


def wipe() -> None:
    Recommendation.objects.all().delete()
    PreventionActivity.objects.all().delete()
    LegalAssistanceRequest.objects.all().delete()


def test_a_year_of_registers(db: Any) -> None:
    year = last_year()
    counts = oversight_generate(seed=7, year=year)
    assert counts["activities"] == PreventionActivity.objects.count() == 75
    assert PreventionActivity.objects.filter(kind="training").count() == 40
    assert PreventionActivity.objects.filter(kind="awareness_event").count() == 25
    assert PreventionActivity.objects.filter(kind="material").count() == 10
    assert counts["legal_requests"] == LegalAssistanceRequest.objects.count() == 12
    assert counts["recommendations"] == Recommendation.objects.count() == 20
    assert counts["updates"] == AssignmentUpdate.objects.count() >= counts["assignments"] >= 20
    assert not PreventionActivity.objects.exclude(held_on__year=year).exists()
    assert not AssignmentUpdate.objects.filter(at__gt=timezone.now()).exists()
    for activity in PreventionActivity.objects.filter(kind="training"):
        assert 10 <= activity.participants_total <= 60, activity
        activity.full_clean()  # every rule of the services holds
    for r in LegalAssistanceRequest.objects.all():
        r.full_clean()
    assert len({r.status for r in Recommendation.objects.all()}) >= 3  # mixed
    [event] = AuditEvent.objects.filter(action="demo.generate", object_type="oversight")
    assert event.detail["seed"] == 7 and event.detail["activities"] == 75
    assert oversight_generate(seed=7, year=year)["activities"] == 0  # once only


def test_the_same_seed_gives_the_same_year(db: Any) -> None:
    oversight_generate(seed=3, year=last_year())
    first = snapshot()
    wipe()
    oversight_generate(seed=3, year=last_year())
    assert snapshot() == first
    wipe()
    oversight_generate(seed=4, year=last_year())
    assert snapshot() != first


def test_this_year_stops_today(db: Any) -> None:
    oversight_generate(seed=1, year=timezone.localdate().year)
    assert not PreventionActivity.objects.filter(held_on__gt=timezone.localdate()).exists()
    assert not LegalAssistanceRequest.objects.filter(decided_on__gt=timezone.localdate()).exists()
