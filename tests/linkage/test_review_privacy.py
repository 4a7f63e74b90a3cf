"""A review item shows what its reviewer needs and no more: a candidate child outside the
reviewer's scope is compared (agrees, differs, one side missing), never shown."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from cpmis.accounts.models import User
from cpmis.audit.models import AuditEvent
from cpmis.linkage import evidence, selectors, services
from cpmis.linkage.evidence import Agreement
from cpmis.linkage.models import RecordLink, ReviewItem
from tests.conftest import api_as, web_as
from tests.exchange.test_submissions import row
from tests.factories import SupervisorFactory
from tests.linkage.test_linking import OTHER_PUNJAB, install_model, record, submit

# Ayesha's birthday is written here as a date (2015-03-01) and her age as a number on records
# of 2026-03-01, while records.cpo_child is born(11, 3, 1): the clock is pinned (tests/conftest.py)
# so that they stay the same girl, and no record's child turns 18, in any year.
pytestmark = pytest.mark.clock

# The registry's Ayesha Bibi (records.cpo_child, Lahore) as only who may see her sees her.
CANDIDATE_VALUES = (
    "Ayesha",
    "عائشہ",
    "Muhammad Aslam",
    "2015-03-01",
    date_format(date(2015, 3, 1), "DATE_FORMAT"),
    "3520212345671",
    "1234567",  # the B-form's middle, however it is written
)
# From another Punjab district, spelled otherwise, an age only: maybe her.
MAYBE_AISHA = {
    "department_record_id": "FIR-3",
    "child_name": "Aisha Bibi",
    "guardian_name": "Aslam",
    "district": OTHER_PUNJAB,
    "age_years": "11",
}

# A record of Lahore already linked to her: its source and date are shown, not its contents.
KNOWN_AYESHA = {
    "department_record_id": "FIR-L1",
    "child_name": "Ayesha Bibi",
    "guardian_name": "Muhammad Aslam",
    "date_of_birth": "2015-03-01",
    "age_years": "",
}


@pytest.fixture
def item(personas: Any, records: Any, monkeypatch: pytest.MonkeyPatch) -> ReviewItem:
    """The record waits for a review with Ayesha as its candidate. Made by hand rather than
    by the model, so that what is tested here is what a review shows, whatever the model
    scores this pair."""
    monkeypatch.setattr(services, "submission_link", lambda **kwargs: None)
    submit(personas, row(**MAYBE_AISHA), row(**KNOWN_AYESHA), key="privacy-0001")
    model = install_model()
    RecordLink.objects.create(
        record=record("FIR-L1"),
        child=records.cpo_child,
        method=RecordLink.Method.AUTOMATIC,
        probability=0.99,
        model=model,
        created_at=timezone.now(),
    )
    return ReviewItem.objects.create(
        record=record("FIR-3"),
        candidate=records.cpo_child,
        probability=0.7,
        model=model,
        group=uuid.uuid4(),
        created_at=timezone.now(),
    )


@pytest.fixture
def district_reviewer(db: Any) -> User:
    """A supervisor of the record's district, who may not see a child of Lahore."""
    return SupervisorFactory(username="pk601_supervisor", district=OTHER_PUNJAB)


def leaked(text: str, child: Any) -> list[str]:
    return [v for v in (*CANDIDATE_VALUES, "FIR-L1", str(child.uuid)) if v in text]


def test_a_reviewer_outside_the_childs_scope_sees_agreement_not_values(
    item: ReviewItem, district_reviewer: User, records: Any, client: Any
) -> None:
    child = records.cpo_child
    response = api_as(district_reviewer).get(f"/api/linkage/reviews/{item.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["candidate_visible"] is False and body["candidate"] is None
    assert body["candidate_district"] == "PK617" and body["candidate_sex"] == "female"
    (comparison,) = body["comparisons"]
    assert comparison["item"] == item.pk
    assert {k: v["code"] for k, v in comparison.items() if k != "item"} == {
        "name": "agrees",
        "father": "agrees",
        "date_of_birth": "within_a_year",
        "b_form": "missing",
    }
    assert comparison["b_form"]["label"] == "one side missing"
    (source,) = body["candidate_links"]
    assert source == {
        "department": "police",
        "record_type": "police_report",
        "record_date": record("FIR-L1").record_date.isoformat(),
        "district": "PK617",
    }
    assert leaked(response.content.decode(), child) == []

    page = web_as(client, district_reviewer).get(f"/linkage/reviews/{item.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "within a year" in html and "one side missing" in html and "Aisha Bibi" in html
    assert "Already linked to this child: 1 record" in html
    assert leaked(html, child) == []

    event = AuditEvent.objects.filter(action="linkage.review_view").latest("id")
    assert event.detail["candidate_shown"] is False
    assert event.detail["candidate"] == child.pk
    assert leaked(str(event.detail), child) == []


def test_a_reviewer_who_may_see_the_child_sees_it(
    item: ReviewItem, personas: Any, records: Any, client: Any
) -> None:
    child = records.cpo_child
    body = api_as(personas.provincial_supervisor).get(f"/api/linkage/reviews/{item.pk}/").json()
    assert body["candidate_visible"] is True
    candidate = body["candidate"]
    assert (candidate["name_latin"], candidate["date_of_birth"], candidate["b_form_number"]) == (
        "Ayesha Bibi",
        "2015-03-01",
        "35202-1234567-1",
    )
    html = web_as(client, personas.provincial_supervisor).get(f"/linkage/reviews/{item.pk}/")
    text = html.content.decode()
    for value in ("Ayesha Bibi", "عائشہ بی بی", "Muhammad Aslam", "35202-1234567-1"):
        assert value in text
    assert date_format(date(2015, 3, 1), "DATE_FORMAT") in text
    event = AuditEvent.objects.filter(action="linkage.review_view").latest("id")
    assert event.detail["candidate_shown"] is True and event.detail["candidate"] == child.pk


def test_the_reviewer_outside_still_decides(item: ReviewItem, district_reviewer: User) -> None:
    response = api_as(district_reviewer).post(
        f"/api/linkage/reviews/{item.pk}/decision/",
        {"decision": "same", "version": item.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    # Decided, the item is shown only to who may see the child.
    assert api_as(district_reviewer).get(f"/api/linkage/reviews/{item.pk}/").status_code == 404


def test_the_selector_holds_no_candidate_for_a_reviewer_outside(
    item: ReviewItem, district_reviewer: User
) -> None:
    review = selectors.review_get(user=district_reviewer, item_id=item.pk)
    assert review.candidate is None and not review.candidate_visible
    assert review.candidate_sex_display == "Female"


BASE = {
    "child_name": "Ayesha Bibi",
    "guardian_name": "Muhammad Aslam",
    "sex": "female",
    "date_of_birth": date(2015, 3, 1),
    "age_years": None,
    "record_date": date(2026, 1, 10),
    "district": "PK617",
    "b_form_number": "3520212345671",
}


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({}, "date_of_birth", Agreement.SAME_DATE),
        ({"date_of_birth": date(2015, 1, 3)}, "date_of_birth", Agreement.DAY_MONTH_SWAPPED),
        ({"date_of_birth": date(2015, 9, 1)}, "date_of_birth", Agreement.WITHIN_A_YEAR),
        ({"date_of_birth": None, "age_years": 10}, "date_of_birth", Agreement.WITHIN_A_YEAR),
        ({"date_of_birth": None, "age_years": 9}, "date_of_birth", Agreement.WITHIN_ESTIMATE),
        ({"date_of_birth": date(2012, 3, 1)}, "date_of_birth", Agreement.DIFFERS),
        ({"date_of_birth": None}, "date_of_birth", Agreement.MISSING),
        ({"b_form_number": "35202-1234567-1"}, "b_form", Agreement.SAME),
        ({"b_form_number": "3520212345672"}, "b_form", Agreement.ONE_DIGIT_OFF),
        ({"b_form_number": "3520298765432"}, "b_form", Agreement.DIFFERS),
        ({"b_form_number": ""}, "b_form", Agreement.MISSING),
        ({"child_name": "Aisha Bibi"}, "name", Agreement.AGREES),
        ({"child_name": "Ayesha"}, "name", Agreement.FIRST_NAME_AGREES),
        ({"child_name": "Zainab"}, "name", Agreement.DIFFERS),
        ({"child_name": "  "}, "name", Agreement.MISSING),
        ({"child_name": "Aslam", "guardian_name": "Ayesha Bibi"}, "name", Agreement.NAMES_SWAPPED),
        ({"guardian_name": "محمد اسلم"}, "father", Agreement.AGREES),
        ({"guardian_name": "Aslam"}, "father", Agreement.AGREES),  # Muhammad says little
        ({"guardian_name": "Riaz Ahmed"}, "father", Agreement.DIFFERS),
        ({"guardian_name": ""}, "father", Agreement.MISSING),
    ],
)
def test_compare_says_how_two_records_agree(change: dict[str, Any], field: str, code: str) -> None:
    result = evidence.compare(BASE, {**BASE, **change})
    assert set(result) == set(evidence.FIELDS)
    assert result[field] == code
    assert all(v in Agreement.values for v in result.values())


def test_compare_best_takes_the_closest_script() -> None:
    latin = {**BASE, "child_name": "Zainab", "guardian_name": "Riaz"}
    urdu = {**BASE, "child_name": "عائشہ", "guardian_name": "محمد اسلم"}
    best = evidence.compare_best({**BASE, "child_name": "Ayesha"}, [latin, urdu])
    assert (best["name"], best["father"]) == (Agreement.AGREES, Agreement.AGREES)
    assert evidence.compare_best(BASE, []) == dict.fromkeys(evidence.FIELDS, Agreement.MISSING)
    assert str(evidence.label(Agreement.DAY_MONTH_SWAPPED)) == "day and month swapped"
