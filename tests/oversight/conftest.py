"""Records of the oversight registers shared by its tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from cpmis.oversight import services
from cpmis.oversight.models import (
    LegalAssistanceRequest,
    PreventionActivity,
    Recommendation,
    RecommendationAssignment,
)
from cpmis.reference.models import Department, District, Jurisdiction
from tests.conftest import Personas


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def when_run(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with each callable called: a date relative to today in a ``parametrize`` list
    is made when the test runs, under its pinned clock, not when the module is read."""
    return {k: v() if callable(v) else v for k, v in values.items()}


@pytest.fixture
def activity(personas: Personas) -> PreventionActivity:
    return services.activity_create(
        actor=personas.analyst,
        kind="training",
        title="Juvenile justice for judicial officers",
        held_on=days_ago(10),
        topic="child_protection_law",
        jurisdiction=Jurisdiction.objects.get(iso_code="PK-PB"),
        district=District.objects.get(pcode="PK617"),
        report_paragraphs=[94],
        participants=[
            {"profession": "judiciary", "sex": "female", "count": 4},
            {"profession": "judiciary", "sex": "male", "count": 12},
        ],
    )


@pytest.fixture
def legal_request(personas: Personas) -> LegalAssistanceRequest:
    return services.legal_request_create(
        actor=personas.analyst,
        kind="extradition",
        direction="outgoing",
        country="AE",
        dated_on=days_ago(40),
        opsc_category="sale",
    )


@pytest.fixture
def recommendation(personas: Personas) -> Recommendation:
    """A recommendation given to the police (the focal point's department) and to FIA."""
    rec = services.recommendation_create(
        actor=personas.analyst,
        document="CRC/C/OPSC/PAK/CO/1",
        paragraph="22",
        text="Adopt child-friendly procedures in every district.",
        issued_on=days_ago(100),
        report_sections=["article-8"],
        articles=[8],
    )
    for code in ("police", "fia"):
        services.assignment_set(
            actor=personas.analyst,
            recommendation=rec,
            institution=Department.objects.get(code=code),
            lead=code == "police",
        )
    return rec


def assignment_of(rec: Recommendation, code: str) -> RecommendationAssignment:
    return rec.assignments.get(institution__code=code)
