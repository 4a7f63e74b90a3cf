"""Justice statistics follow the legal catalogue as it is edited."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from cpmis.exchange.models import DepartmentRecord, Submission
from cpmis.indicators import engine
from cpmis.indicators.catalogue import catalogue
from cpmis.indicators.facts import Window
from cpmis.legal.models import Provision
from cpmis.legal.services import penalty_set
from cpmis.reference.models import Department, District
from tests.conftest import LAHORE

pytestmark = pytest.mark.clock  # convictions of last year, by the pinned clock


def _conviction(provision: Provision, months: int, day: date) -> DepartmentRecord:
    place = District.objects.get(pcode=LAHORE)
    courts = Department.objects.get(code="courts")
    now = timezone.now()
    submission = Submission.objects.create(
        department=courts,
        jurisdiction=place.jurisdiction,
        record_type="court_outcome",
        schema_major=1,
        source=Submission.Source.JSON,
        content_sha256="0" * 64,
        date_format="iso",
        submitted_at=now,
        status=Submission.Status.ACCEPTED,
    )
    return DepartmentRecord.objects.create(
        department=courts,
        jurisdiction=place.jurisdiction,
        record_type="court_outcome",
        department_record_id="C-1",
        schema_major=1,
        record_date=day,
        district=place,
        child_name="Ayesha",
        sex="female",
        age_years=11,
        data={
            "offence_sections": [provision.citation],
            "stage": "convicted",
            "sentence_prison_months": months,
        },
        content_sha256="0" * 64,
        first_submission=submission,
        last_submission=submission,
        created_at=now,
        updated_at=now,
    )


def _sentence_ranges(user, window: Window) -> dict[tuple[str, ...], tuple[int, ...]]:
    request = engine.Request(catalogue()["JUS03"], window, (("sentence_range",),))
    return engine.compute(user, request)[("sentence_range",)]


def test_it_judges_sentences_by_the_penalty_as_last_edited(personas):
    provision = (
        Provision.objects.exclude(opsc_category="")
        .filter(
            penalty__prison_max_months__isnull=False,
            penalty__prison_life=False,
            penalty__death=False,
        )
        .exclude(penalty__combination="fine_only")
        .select_related("statute", "penalty")
        .first()
    )
    assert provision is not None
    longest = provision.penalty.prison_max_months
    day = date(timezone.localdate().year - 1, 6, 1)
    window = Window(date(day.year, 1, 1), date(day.year + 1, 1, 1))
    _conviction(provision, longest + 12, day)
    assert _sentence_ranges(personas.analyst, window) == {("above",): (1,)}

    penalty_set(actor=personas.administrator, provision=provision, prison_max_months=longest + 24)

    # the same process, no restart: the edited maximum decides at once
    assert _sentence_ranges(personas.analyst, window) == {("inside",): (1,)}


def test_a_term_of_years_for_an_offence_punished_only_with_life_is_below_the_law(personas):
    """PPC 365-B allows imprisonment for life only (report ¶28): 120 months is below it, as
    ``legal.sentencing`` also judges, never "inside" because life has no upper limit."""
    provision = Provision.objects.select_related("statute", "penalty").get(
        penalty__prison_life=True, penalty__prison_term=False, section="365-B"
    )
    day = date(timezone.localdate().year - 1, 6, 1)
    window = Window(date(day.year, 1, 1), date(day.year + 1, 1, 1))
    _conviction(provision, 120, day)
    assert _sentence_ranges(personas.analyst, window) == {("below",): (1,)}
