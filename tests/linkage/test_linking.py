"""Linking department records to the registry's children: automatically when the model is
sure, through a person's review between its thresholds, as a new child otherwise; every
link audited and undoable, and a person's "not this child" remembered."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from cpmis.actors import LINKAGE
from cpmis.audit.models import AuditEvent
from cpmis.exchange.models import DepartmentRecord
from cpmis.linkage import selectors, services
from cpmis.linkage.models import LinkageModel, RecordFeatures, RecordLink, ReviewItem
from cpmis.people.models import Child
from tests.conftest import LAHORE, api_as, web_as
from tests.exchange.test_submissions import row
from tests.factories import SupervisorFactory

OTHER_PUNJAB = "PK601"

# Ayesha's birthday is written here as a date (2015-03-01) and her age as a number on records
# of 2026-03-01, while records.cpo_child is born(11, 3, 1): the clock is pinned (tests/conftest.py)
# so that they stay the same girl, and no record's child turns 18, in any year.
pytestmark = pytest.mark.clock


def submit(personas: Any, *rows: dict[str, str], key: str) -> dict[str, Any]:
    response = api_as(personas.focal_point).post(
        "/api/exchange/submissions/",
        {"record_type": "police_report", "date_format": "iso", "records": list(rows)},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code in (200, 201), response.content
    return response.json()


def record(record_id: str) -> DepartmentRecord:
    return DepartmentRecord.objects.get(department_record_id=record_id)


def active_link(record_id: str) -> RecordLink | None:
    return RecordLink.objects.filter(record=record(record_id), undone_at=None).first()


# The registry's Ayesha Bibi d/o Muhammad Aslam (records.cpo_child: Lahore, born 2015-03-01).
SAME = {
    "department_record_id": "FIR-1",
    "child_name": "Ayesha Bibi",
    "guardian_name": "Mohd Aslam",
    "date_of_birth": "2015-03-01",
    "age_years": "",
}
# Written in Urdu, age only: still clearly her.
SAME_IN_URDU = {
    "department_record_id": "FIR-2",
    "child_name": "عائشہ بی بی",
    "guardian_name": "محمد اسلم",
    "age_years": "11",
}
# Another district, an estimated age two years off, father without "Muhammad": maybe her.
MAYBE = {
    "department_record_id": "FIR-3",
    "child_name": "Ayesha Bibi",
    "guardian_name": "Aslam",
    "district": OTHER_PUNJAB,
    "age_years": "13",
}
STRANGER = {
    "department_record_id": "FIR-4",
    "child_name": "Zainab",
    "guardian_name": "Riaz Ahmed",
    "date_of_birth": "2013-06-02",
    "age_years": "",
}


def install_model(link: float = 0.9, review: float = 0.5) -> LinkageModel:
    """The shipped model's parameters with a wider review band: the shipped thresholds leave
    few pairs to review, and these tests need one."""
    return services.model_rethreshold(
        actor=LINKAGE, link_threshold=link, review_threshold=review, source="tests: wider band"
    )


@pytest.fixture
def linked(personas: Any, records: Any) -> dict[str, Any]:
    install_model()
    body = submit(
        personas, row(**SAME), row(**SAME_IN_URDU), row(**MAYBE), row(**STRANGER), key="batch-0001"
    )
    return body


def test_the_shipped_model_is_installed_on_first_use(db: Any) -> None:
    assert not LinkageModel.objects.exists()
    assert selectors.model_current() is None  # a read installs nothing
    assert not LinkageModel.objects.exists()
    current = services.model_ensure()
    assert current.version == 1
    assert 0 < current.review_threshold <= current.link_threshold < 1
    assert current.trained_on > 10_000  # trained on the synthetic population, not on a person
    assert services.model_ensure().pk == current.pk


def test_a_submission_links_its_records(linked: Any, records: Any, personas: Any) -> None:
    ayesha = records.cpo_child
    for record_id in ("FIR-1", "FIR-2"):
        link = active_link(record_id)
        assert link is not None and link.child == ayesha
        assert link.method == RecordLink.Method.AUTOMATIC
        assert link.probability is not None and link.probability >= link.model.link_threshold
    # Between the thresholds: waits for a person, with her as the candidate.
    assert active_link("FIR-3") is None
    item = ReviewItem.objects.get(record=record("FIR-3"))
    assert item.status == "open" and item.candidate == ayesha
    # Nobody like her: a new child, registered from the record as written.
    stranger = active_link("FIR-4")
    assert stranger is not None and stranger.method == RecordLink.Method.NEW_CHILD
    child = stranger.child
    assert (child.name_latin, child.guardian_name_latin, child.sex) == (
        "Zainab",
        "Riaz Ahmed",
        "female",
    )
    assert child.date_of_birth == date(2013, 6, 2) and not child.date_of_birth_estimated
    assert child.district.pcode == LAHORE and child.owner is None
    # Features are derived once and kept.
    assert RecordFeatures.objects.count() == 4
    links = AuditEvent.objects.filter(action="linkage.link")
    assert links.count() == 3 and not links.exclude(actor_id=None).exists()  # cpmis linked
    assert AuditEvent.objects.filter(action="linkage.review_open").count() == 1
    run = AuditEvent.objects.get(action="linkage.run")
    assert run.actor_id is None and run.detail["requested_by"] == personas.focal_point.pk
    # Where the run's time went, phase by phase, in order.
    assert [name for name, _ in run.detail["phases"]] == [
        "pending",
        "features",
        "known",
        "scoring",
        "clustering",
        "children",
        "links",
        "audit",
        "merges",
        *(["checks"] if connection.vendor == "postgresql" else []),  # the deferred keys
    ]
    assert all(seconds >= 0 for _, seconds in run.detail["phases"])
    if connection.vendor == "postgresql":
        # The run checked its keys and left the transaction's as Django declares them: a
        # row written before the one it refers to is still checked at the commit only.
        with transaction.atomic():
            early = RecordLink.objects.create(
                record_id=DepartmentRecord.objects.latest("pk").pk + 1,
                child=child,
                method=RecordLink.Method.MANUAL,
                created_at=child.registered_at,
            )
            early.delete()
    registered = AuditEvent.objects.get(action="child.register", object_id=str(child.uuid))
    assert registered.detail["source"] == "linkage"


def test_linking_again_changes_nothing(linked: Any) -> None:
    before = (RecordLink.objects.count(), ReviewItem.objects.count(), Child.objects.count())
    run = services.records_link(actor=LINKAGE)
    assert run.records == 0
    assert (RecordLink.objects.count(), ReviewItem.objects.count(), Child.objects.count()) == before


def test_a_later_batch_links_to_the_children_already_known(linked: Any, personas: Any) -> None:
    """Incremental: the new record meets the stored features of the linked ones."""
    zainab = active_link("FIR-4").child  # type: ignore[union-attr]
    submit(
        personas,
        row(
            department_record_id="FIR-9",
            child_name="زینب",
            guardian_name="ریاض احمد",
            date_of_birth="2013-06-02",
            age_years="",
        ),
        key="batch-0002",
    )
    link = active_link("FIR-9")
    assert link is not None and link.child == zainab and link.method == "automatic"


def test_linked_records_of_an_older_format_get_their_features_and_keys_again(
    linked: Any, personas: Any
) -> None:
    """Links made before blocking keys were stored (or before the features changed) are
    found by the next run: their features and keys are derived again."""
    from cpmis.linkage import model
    from cpmis.linkage.models import BlockingKey

    ayesha_records = [record("FIR-1").pk, record("FIR-2").pk]
    RecordFeatures.objects.filter(record_id__in=ayesha_records).update(
        feature_format=model.STORED_FORMAT - 1
    )
    BlockingKey.objects.filter(record_id__in=ayesha_records).delete()
    submit(personas, row(**{**STRANGER, "department_record_id": "FIR-11"}), key="batch-0011")
    assert set(
        RecordFeatures.objects.filter(
            record_id__in=ayesha_records, feature_format=model.STORED_FORMAT
        ).values_list("record_id", flat=True)
    ) == set(ayesha_records)
    assert set(
        BlockingKey.objects.filter(record_id__in=ayesha_records).values_list("record_id", flat=True)
    ) == set(ayesha_records)


def test_records_of_one_new_child_in_one_batch_become_one_child(personas: Any) -> None:
    submit(
        personas,
        row(
            department_record_id="A-1",
            child_name="Hamza",
            guardian_name="Gul Zaman",
            date_of_birth="2014-02-03",
            age_years="",
        ),
        row(
            department_record_id="A-2",
            child_name="حمزہ",
            guardian_name="گل زمان",
            date_of_birth="2014-02-03",
            age_years="",
        ),
        key="batch-0003",
    )
    first, second = active_link("A-1"), active_link("A-2")
    assert first is not None and second is not None
    assert first.child == second.child
    assert Child.objects.count() == 1


def test_same_links_the_review_group(linked: Any, personas: Any, records: Any) -> None:
    item = ReviewItem.objects.get(record=record("FIR-3"))
    response = api_as(personas.provincial_supervisor).post(
        f"/api/linkage/reviews/{item.pk}/decision/",
        {"decision": "same", "version": item.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    link = active_link("FIR-3")
    assert link is not None and link.child == records.cpo_child and link.method == "review"
    item.refresh_from_db()
    assert item.status == "same" and item.decided_by == personas.provincial_supervisor
    # One event per decided item: its new version, the record and the candidate.
    (event,) = AuditEvent.objects.filter(action="linkage.review_decide")
    assert event.actor_id == personas.provincial_supervisor.pk
    assert event.object_id == str(item.pk)
    assert event.detail["record"] == item.record_id and event.detail["same"] is True
    assert event.detail["candidate"] == records.cpo_child.pk


def test_different_is_remembered(linked: Any, personas: Any, records: Any) -> None:
    item = ReviewItem.objects.get(record=record("FIR-3"))
    response = api_as(personas.provincial_supervisor).post(
        f"/api/linkage/reviews/{item.pk}/decision/",
        {"decision": "different", "version": item.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    link = active_link("FIR-3")
    assert link is not None and link.child != records.cpo_child
    assert link.method == "new_child"
    # A later run never proposes her again for this record.
    link.undone_at = link.created_at
    link.save()
    services.records_link(actor=LINKAGE)
    relinked = active_link("FIR-3")
    assert relinked is not None and relinked.child != records.cpo_child
    assert not ReviewItem.objects.filter(record=record("FIR-3"), status="open").exists()


def test_a_stale_or_repeated_decision_is_refused(linked: Any, personas: Any) -> None:
    item = ReviewItem.objects.get(record=record("FIR-3"))
    client = api_as(personas.provincial_supervisor)
    url = f"/api/linkage/reviews/{item.pk}/decision/"
    assert (
        client.post(
            url, {"decision": "same", "version": item.version + 1}, format="json"
        ).status_code
        == 409
    )
    assert (
        client.post(url, {"decision": "same", "version": item.version}, format="json").status_code
        == 200
    )
    assert (
        client.post(
            url, {"decision": "different", "version": item.version}, format="json"
        ).status_code
        == 409
    )
    assert RecordLink.objects.filter(record=item.record, undone_at=None).count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"decision": "maybe", "version": 1},
        {"decision": "same", "version": "x"},
        {"decision": "same", "version": 0},
        {"decision": ["same"], "version": 1},
        {"decision": "same\x00", "version": 1},
    ],
)
def test_bad_decisions_get_400(linked: Any, personas: Any, payload: dict[str, Any]) -> None:
    item = ReviewItem.objects.get(record=record("FIR-3"))
    response = api_as(personas.provincial_supervisor).post(
        f"/api/linkage/reviews/{item.pk}/decision/", payload, format="json"
    )
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.status == "open"


def test_review_is_scoped(linked: Any, personas: Any) -> None:
    item = ReviewItem.objects.get(record=record("FIR-3"))
    peshawar_supervisor = SupervisorFactory(username="kp_supervisor", district="PK528")
    provincial = personas.provincial_supervisor
    assert api_as(provincial).get(f"/api/linkage/reviews/{item.pk}/").status_code == 200
    lahore_only = personas.supervisor  # FIR-3 is from another Punjab district
    for user, status in (
        (peshawar_supervisor, 404),
        (lahore_only, 404),
        (personas.cpo, 403),
        (personas.focal_point, 403),
        (personas.analyst, 403),
    ):
        assert api_as(user).get(f"/api/linkage/reviews/{item.pk}/").status_code == status
        assert (
            api_as(user)
            .post(
                f"/api/linkage/reviews/{item.pk}/decision/",
                {"decision": "same", "version": 1},
                format="json",
            )
            .status_code
            == status
        )
        listed = api_as(user).get("/api/linkage/reviews/")
        assert listed.status_code == 403 or listed.json()["results"] == []


def test_the_review_page_shows_both_sides_and_decides(
    linked: Any, personas: Any, records: Any, client: Any
) -> None:
    item = ReviewItem.objects.get(record=record("FIR-3"))
    web = web_as(client, personas.provincial_supervisor)
    queue = web.get("/linkage/reviews/")
    assert queue.status_code == 200 and "Ayesha Bibi" in queue.content.decode()
    page = web.get(f"/linkage/reviews/{item.pk}/")
    html = page.content.decode()
    assert "Is this the same child?" in html and "FIR-3" in html and "عائشہ بی بی" in html
    assert AuditEvent.objects.filter(action="linkage.review_view", object_id=str(item.pk)).exists()
    response = web.post(
        f"/linkage/reviews/{item.pk}/decide", {"decision": "same", "version": item.version}
    )
    assert response.status_code == 302
    assert active_link("FIR-3").child == records.cpo_child  # type: ignore[union-attr]


def test_the_child_page_lists_linked_records_and_undo_relinks(
    linked: Any, personas: Any, records: Any, client: Any
) -> None:
    ayesha = records.cpo_child
    page = web_as(client, personas.cpo).get(f"/children/{ayesha.uuid}/")
    html = page.content.decode()
    assert "FIR-1" in html and "FIR-2" in html and "Undo link" not in html  # CPOs do not undo
    api = api_as(personas.cpo).get(f"/api/linkage/children/{ayesha.uuid}/records/").json()
    assert {r["record"]["department_record_id"] for r in api["results"]} == {"FIR-1", "FIR-2"}
    # Someone outside her scope learns nothing.
    assert (
        api_as(personas.other_cpo).get(f"/api/linkage/children/{ayesha.uuid}/records/").status_code
        == 404
    )

    link = active_link("FIR-2")
    assert link is not None
    supervisor = web_as(client, personas.supervisor)
    assert "Undo link" in supervisor.get(f"/children/{ayesha.uuid}/").content.decode()
    response = supervisor.post(
        f"/linkage/links/{link.pk}/undo", {"reason": "Another girl of the same name"}
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.undone_at is not None and link.undo_reason == "Another girl of the same name"
    again = active_link("FIR-2")
    assert again is not None and again.child != ayesha  # remembered: never her again
    assert AuditEvent.objects.filter(action="linkage.undo", object_id=str(link.record_id)).exists()


def test_undo_validates_and_is_scoped(linked: Any, personas: Any) -> None:
    link = active_link("FIR-1")
    assert link is not None
    url = f"/api/linkage/links/{link.pk}/undo/"
    for payload in ({}, {"reason": ""}, {"reason": "x" * 301}, {"reason": "a\x00b"}):
        assert api_as(personas.supervisor).post(url, payload, format="json").status_code == 400
    assert api_as(personas.cpo).post(url, {"reason": "no"}, format="json").status_code == 403
    peshawar = SupervisorFactory(username="kp_supervisor2", district="PK528")
    assert api_as(peshawar).post(url, {"reason": "no"}, format="json").status_code == 404
    ok = api_as(personas.supervisor).post(url, {"reason": "wrong"}, format="json")
    assert ok.status_code == 200
    # Undone: no longer an active link to undo.
    again = api_as(personas.supervisor).post(url, {"reason": "wrong"}, format="json")
    assert again.status_code == 404


def test_undo_is_for_who_sees_the_child(linked: Any, personas: Any, records: Any) -> None:
    """A record of another district linked to a Lahore girl: Lahore's supervisor (who sees
    her) may undo it; the other district's supervisor (who does not) learns nothing."""
    item = ReviewItem.objects.get(record=record("FIR-3"))
    services.review_decide(
        actor=personas.provincial_supervisor, item_id=item.pk, same=True, version=item.version
    )
    link = active_link("FIR-3")
    assert link is not None and link.child == records.cpo_child
    other_district = SupervisorFactory(username="pk601_supervisor", district=OTHER_PUNJAB)
    url = f"/api/linkage/links/{link.pk}/undo/"
    assert api_as(other_district).post(url, {"reason": "no"}, format="json").status_code == 404
    assert api_as(personas.supervisor).post(url, {"reason": "no"}, format="json").status_code == 200


def test_a_child_made_from_one_record_is_not_undone(linked: Any, personas: Any) -> None:
    link = active_link("FIR-4")
    assert link is not None and link.method == "new_child"
    response = api_as(personas.supervisor).post(
        f"/api/linkage/links/{link.pk}/undo/", {"reason": "not her"}, format="json"
    )
    assert response.status_code == 400 and "registered from this record" in str(response.json())
    assert active_link("FIR-4") == link and Child.objects.filter(pk=link.child_id).exists()


def test_the_queue_names_no_child(linked: Any, personas: Any, records: Any) -> None:
    """The queue lists records and the candidate's district only; the candidate is named on
    the item itself, audited, and only the sources and dates of her other records."""
    queue = api_as(personas.provincial_supervisor).get("/api/linkage/reviews/").json()
    listed = str(queue["results"])
    assert "candidate_district" in listed and "Muhammad Aslam" not in listed
    assert str(records.cpo_child.uuid) not in listed and "3520212345671" not in listed
    item = ReviewItem.objects.get(record=record("FIR-3"))
    detail = api_as(personas.provincial_supervisor).get(f"/api/linkage/reviews/{item.pk}/")
    body = detail.json()
    assert body["candidate"]["name_latin"] == "Ayesha Bibi"
    assert {s["record_type"] for s in body["candidate_links"]} == {"police_report"}
    assert "FIR-1" not in str(body["candidate_links"])  # sources, not what they say
    event = AuditEvent.objects.filter(action="linkage.review_view").latest("id")
    assert event.detail["records"] == [item.record_id]
    assert set(event.detail["candidate_records"]) == {record("FIR-1").pk, record("FIR-2").pk}


def test_a_decided_item_is_shown_only_to_who_sees_the_child(linked: Any, personas: Any) -> None:
    item = ReviewItem.objects.get(record=record("FIR-3"))
    services.review_decide(
        actor=personas.provincial_supervisor, item_id=item.pk, same=False, version=item.version
    )
    other_district = SupervisorFactory(username="pk601_supervisor", district=OTHER_PUNJAB)
    assert api_as(other_district).get(f"/api/linkage/reviews/{item.pk}/").status_code == 404
    provincial = api_as(personas.provincial_supervisor)
    assert provincial.get(f"/api/linkage/reviews/{item.pk}/").status_code == 200


def test_review_groups_stay_within_a_district(personas: Any, records: Any) -> None:
    """Two records of one girl from two districts wait in two groups: each district's
    reviewer decides their own."""
    install_model()
    submit(
        personas,
        row(**{**MAYBE, "department_record_id": "G-1", "district": "PK602"}),
        row(**{**MAYBE, "department_record_id": "G-2", "district": "PK603"}),
        key="batch-0009",
    )
    first = ReviewItem.objects.get(record=record("G-1"))
    second = ReviewItem.objects.get(record=record("G-2"))
    assert first.candidate == second.candidate == records.cpo_child
    assert first.group != second.group
    pk602 = SupervisorFactory(username="pk602_supervisor", district="PK602")
    response = api_as(pk602).get(f"/api/linkage/reviews/{first.pk}/")
    assert "G-2" not in str(response.json())
    services.review_decide(actor=pk602, item_id=first.pk, same=True, version=first.version)
    second.refresh_from_db()
    assert second.status == "open" and active_link("G-2") is None


def test_a_waiting_record_holds_nobody_back(personas: Any) -> None:
    submit(
        personas,
        row(
            department_record_id="W-1",
            child_name="Bilal",
            guardian_name="Tariq Mehmood",
            age_years="",
        ),
        row(
            department_record_id="W-2",
            child_name="Bilal",
            guardian_name="Tariq Mehmood",
            date_of_birth="2014-05-06",
            age_years="",
        ),
        key="batch-0005",
    )
    made = active_link("W-2")
    assert made is not None and made.method == "new_child"
    # The record without a date of birth or an age goes with the one that has it.
    assert active_link("W-1").child == made.child  # type: ignore[union-attr]


def test_a_corrected_record_is_compared_as_corrected(linked: Any, personas: Any) -> None:
    """FIR-4 (Zainab) is corrected; its stored features follow the new version."""
    submit(personas, row(**{**STRANGER, "child_name": "Zainab Noor"}), key="batch-0006")
    fir4 = record("FIR-4")
    assert fir4.version == 2
    services.records_link(actor=LINKAGE)  # nothing pending, but nothing stale either
    submit(
        personas,
        row(
            department_record_id="FIR-10",
            child_name="Zainab Noor",
            guardian_name="Riaz Ahmed",
            date_of_birth="2013-06-02",
            age_years="",
        ),
        key="batch-0007",
    )
    stored = RecordFeatures.objects.get(record=fir4)
    assert stored.record_version == 2 and stored.data["name"] == "ZNBNR"
    assert active_link("FIR-10").child == active_link("FIR-4").child  # type: ignore[union-attr]


def test_a_record_without_birth_or_age_waits(personas: Any) -> None:
    submit(
        personas,
        row(
            department_record_id="N-1",
            child_name="Bilal",
            guardian_name="Tariq Mehmood",
            age_years="",
        ),
        key="batch-0004",
    )
    assert active_link("N-1") is None and not Child.objects.exists()
    run = services.records_link(actor=LINKAGE)
    assert run.waiting == 1


def test_models_are_listed_for_administrators_only(db: Any, personas: Any) -> None:
    services.model_ensure()
    assert (
        api_as(personas.administrator).get("/api/linkage/models/").json()["results"][0]["version"]
        == 1
    )
    assert api_as(personas.supervisor).get("/api/linkage/models/").status_code == 403


def test_selectors_go_through_access(linked: Any, personas: Any) -> None:
    assert selectors.review_queue(user=personas.provincial_supervisor).count() == 1
    assert selectors.review_queue(user=personas.cpo).count() == 0
    assert selectors.review_queue(user=personas.outsider).count() == 0


def test_a_waiting_record_is_listed_and_linked_by_hand(personas: Any, records: Any) -> None:
    submit(
        personas,
        # Nobody like her, and neither a date of birth nor an age: she waits.
        row(department_record_id="H-1", child_name="Nimra", guardian_name="Kashif", age_years=""),
        key="batch-0008",
    )
    waiting = record("H-1")
    supervisor = api_as(personas.supervisor)
    listed = supervisor.get("/api/linkage/waiting/").json()["results"]
    assert [r["department_record_id"] for r in listed] == ["H-1"]
    assert api_as(personas.other_cpo).get("/api/linkage/waiting/").status_code == 403
    url = f"/api/linkage/records/{waiting.pk}/link/"
    ayesha = records.cpo_child
    for payload in ({}, {"child": "not-a-uuid"}, {"child": ["x"]}, {"child": "\x00"}):
        assert supervisor.post(url, payload, format="json").status_code == 400
    # A child the supervisor cannot see, and a record outside their districts: 404.
    hidden = {"child": str(records.peshawar_child.uuid)}
    assert supervisor.post(url, hidden, format="json").status_code == 404
    pk602 = SupervisorFactory(username="pk602_supervisor2", district="PK602")
    assert api_as(pk602).post(url, {"child": str(ayesha.uuid)}, format="json").status_code == 404
    made = supervisor.post(url, {"child": str(ayesha.uuid)}, format="json")
    assert made.status_code == 201, made.content
    link = active_link("H-1")
    assert link is not None and link.child == ayesha and link.method == "manual"
    assert link.created_by == personas.supervisor
    assert supervisor.post(url, {"child": str(ayesha.uuid)}, format="json").status_code == 409
    assert supervisor.get("/api/linkage/waiting/").json()["results"] == []
    assert AuditEvent.objects.filter(
        action="linkage.link", object_id=str(waiting.pk), actor_id=personas.supervisor.pk
    ).exists()


def test_linking_by_hand_on_the_page(personas: Any, records: Any, client: Any) -> None:
    submit(
        personas,
        row(department_record_id="H-2", child_name="Nimra", guardian_name="Kashif", age_years=""),
        key="batch-0010",
    )
    web = web_as(client, personas.supervisor)
    queue = web.get("/linkage/reviews/").content.decode()
    assert "Not linked yet (1)" in queue and "H-2" in queue
    waiting = record("H-2")
    url = f"/linkage/records/{waiting.pk}/link"
    assert web.post(url, {"child": "nonsense"}).status_code == 302
    assert active_link("H-2") is None
    response = web.post(url, {"child": str(records.lahore_child.uuid)})
    assert response.status_code == 302
    assert response["Location"] == f"/children/{records.lahore_child.uuid}/"
    link = active_link("H-2")
    assert link is not None and link.child == records.lahore_child
    page = web.get(f"/children/{records.lahore_child.uuid}/").content.decode()
    assert "H-2" in page and str(records.lahore_child.uuid) in page


def test_undo_with_the_right_child_links_to_it(linked: Any, personas: Any, records: Any) -> None:
    """The supervisor knows whose record FIR-2 is: undo and link to that child at once."""
    link = active_link("FIR-2")
    assert link is not None and link.child == records.cpo_child
    bilal = records.lahore_child
    response = api_as(personas.supervisor).post(
        f"/api/linkage/links/{link.pk}/undo/",
        {"reason": "This is Bilal's FIR", "child": str(bilal.uuid)},
        format="json",
    )
    assert response.status_code == 200, response.content
    again = active_link("FIR-2")
    assert again is not None and again.child == bilal and again.method == "manual"
    # A child out of reach is refused, and nothing changes.
    other = active_link("FIR-1")
    assert other is not None
    hidden = api_as(personas.supervisor).post(
        f"/api/linkage/links/{other.pk}/undo/",
        {"reason": "no", "child": str(records.peshawar_child.uuid)},
        format="json",
    )
    assert hidden.status_code == 404 and active_link("FIR-1") == other


def test_linking_by_hand_respects_a_different_decision(
    linked: Any, personas: Any, records: Any
) -> None:
    link = active_link("FIR-2")
    assert link is not None
    api_as(personas.supervisor).post(
        f"/api/linkage/links/{link.pk}/undo/", {"reason": "not her"}, format="json"
    )
    again = active_link("FIR-2")
    assert again is not None and again.child != records.cpo_child
    # Undo the model's relink (to a new child made from FIR-2 alone it cannot be undone), so
    # test link_manual on a record with no link: take FIR-2's new link away by hand.
    RecordLink.objects.filter(pk=again.pk).update(undone_at=again.created_at)
    refused = api_as(personas.supervisor).post(
        f"/api/linkage/records/{record('FIR-2').pk}/link/",
        {"child": str(records.cpo_child.uuid)},
        format="json",
    )
    assert refused.status_code == 400 and "not this child" in str(refused.json())


def test_through_the_queue_a_decision_is_committed_and_a_job_links_again(
    linked: Any, personas: Any, records: Any
) -> None:
    from django.test import override_settings

    from cpmis.jobs.models import Job
    from tests.jobs.conftest import DATABASE_QUEUE, run_worker

    item = ReviewItem.objects.get(record=record("FIR-3"))
    with override_settings(TASKS=DATABASE_QUEUE):
        reviewer = api_as(personas.provincial_supervisor)
        response = reviewer.post(
            f"/api/linkage/reviews/{item.pk}/decision/",
            {"decision": "different", "version": item.version},
            format="json",
        )
        assert response.status_code == 200, response.content
        job = response.json()["relink"]
        assert job["state"] == "waiting" and job["kind"] == "linkage.relink"
        assert active_link("FIR-3") is None  # decided, not yet linked again
        run_worker()
        done = Job.objects.get(pk=job["id"])
        assert done.state == "done" and done.progress["new_children"] == 1
        assert reviewer.get(job["url"]).json()["state"] == "done"
    link = active_link("FIR-3")
    assert link is not None and link.child != records.cpo_child
