"""An idempotency key is a department's own in each province: the same key from another
province is a new batch, and two requests racing with one key get one submission between
them — "repeated" when they carry the same batch, a 409 when they do not."""

from __future__ import annotations

from typing import Any

import pytest

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.exchange import services
from cpmis.exchange.models import DepartmentRecord, Submission
from tests.conftest import PESHAWAR, api_as, make_user
from tests.exchange.test_submissions import _focal, row

URL = "/api/exchange/submissions/"
KEY = "police-2026-03-01"


def body(*records: dict[str, str], key: str = KEY) -> dict[str, Any]:
    return {"record_type": "police_report", "idempotency_key": key, "records": list(records)}


@pytest.fixture
def lost_the_race(monkeypatch: pytest.MonkeyPatch) -> None:
    """The other request had not committed when this one looked for an earlier batch: the
    look-up misses, and the insert meets the row the other one wrote (the unique constraint)."""
    monkeypatch.setattr(services, "_earlier", lambda *args, **kwargs: None)


def test_it_accepts_the_same_key_from_a_second_province(personas: Any) -> None:
    punjab, kp = api_as(personas.focal_point), api_as(_focal("focal.kp", jurisdiction="PK-KP"))
    first = punjab.post(URL, body(row()), format="json")
    assert first.status_code == 201, first.content
    second = kp.post(URL, body(row(district=PESHAWAR, child_name="X")), format="json")
    assert second.status_code == 201, second.content
    assert second.data["repeated"] is False and second.data["rows_created"] == 1
    assert second.data["uuid"] != first.data["uuid"]
    again = kp.post(URL, body(row(district=PESHAWAR, child_name="X")), format="json")
    assert again.status_code == 200 and again.data["repeated"] is True
    assert again.data["uuid"] == second.data["uuid"]
    other = kp.post(URL, body(row(district=PESHAWAR, child_name="Y")), format="json")
    assert other.status_code == 409 and other.data["submission"] == second.data["uuid"]


def test_it_answers_repeated_for_the_same_batch_in_a_race_in_a_second_province(
    personas: Any, lost_the_race: None
) -> None:
    punjab, kp = api_as(personas.focal_point), api_as(_focal("focal.kp", jurisdiction="PK-KP"))
    assert punjab.post(URL, body(row()), format="json").status_code == 201
    kp_batch = body(row(district=PESHAWAR, child_name="X"))
    winner = kp.post(URL, kp_batch, format="json")
    assert winner.status_code == 201, winner.content

    loser = kp.post(URL, kp_batch, format="json")

    assert loser.status_code == 200, loser.content
    assert loser.data["repeated"] is True and loser.data["uuid"] == winner.data["uuid"]
    assert Submission.objects.filter(idempotency_key=KEY).count() == 2  # Punjab's and KP's


def test_it_refuses_a_different_batch_with_a_409_in_a_race(
    personas: Any, lost_the_race: None
) -> None:
    api = api_as(personas.focal_point)
    winner = api.post(URL, body(row()), format="json")
    assert winner.status_code == 201, winner.content

    loser = api.post(URL, body(row(child_name="Someone else")), format="json")

    assert loser.status_code == 409, loser.content
    assert "different batch" in loser.data["detail"]
    assert loser.data["submission"] == winner.data["uuid"]
    assert Submission.objects.count() == 1
    assert DepartmentRecord.objects.get().child_name == row()["child_name"]


def test_it_refuses_a_different_batch_in_a_race_in_a_second_province(
    personas: Any, lost_the_race: None
) -> None:
    punjab, kp = api_as(personas.focal_point), api_as(_focal("focal.kp", jurisdiction="PK-KP"))
    assert punjab.post(URL, body(row()), format="json").status_code == 201
    winner = kp.post(URL, body(row(district=PESHAWAR, child_name="X")), format="json")
    assert winner.status_code == 201, winner.content

    loser = kp.post(URL, body(row(district=PESHAWAR, child_name="Y")), format="json")

    assert loser.status_code == 409, loser.content
    assert loser.data["submission"] == winner.data["uuid"]
    assert Submission.objects.count() == 2


def test_it_answers_repeated_in_a_race_for_a_national_focal_point(lost_the_race: None) -> None:
    # National submissions have no jurisdiction: the key is still unique among them.
    national = make_user(
        "focal.national",
        {"role": Role.FOCAL_POINT, "scope_level": ScopeLevel.NATIONAL, "department": "police"},
    )
    api = api_as(national)
    winner = api.post(URL, body(row()), format="json")
    assert winner.status_code == 201, winner.content
    assert Submission.objects.get().jurisdiction is None

    loser = api.post(URL, body(row()), format="json")
    assert loser.status_code == 200 and loser.data["uuid"] == winner.data["uuid"]
    assert api.post(URL, body(row(child_name="Y")), format="json").status_code == 409
    assert Submission.objects.count() == 1
