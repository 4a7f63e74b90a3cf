"""Registration and triage through the services: scope, outcomes, history and audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cpmis import access
from cpmis.audit.models import AuditEvent
from cpmis.cases.models import Case, EventKind
from cpmis.complaints import selectors, services
from cpmis.complaints.models import Complaint, Status, TriageTime
from cpmis.core.errors import Conflict
from cpmis.reference.models import District
from tests.conftest import LAHORE, PESHAWAR
from tests.factories import ComplaintFactory

from .conftest import complaint_input

# Triage deadlines are counted from now, and a complaint finds a registry child by her age
# today: every test here runs at the same pinned instant (tests/conftest.py).
pytestmark = pytest.mark.clock


def test_an_office_complaint_lands_in_its_districts_queue_with_the_triage_deadline(
    personas: Any,
) -> None:
    registered = services.complaint_register(
        actor=personas.complaint_officer, data=complaint_input()
    )
    c = registered.complaint
    assert c.status == Status.RECEIVED
    assert c.triage_due_at == c.received_at + timedelta(hours=24)
    assert c in selectors.complaint_queue(user=personas.cpo)
    assert c in selectors.complaint_queue(user=personas.supervisor)
    assert c not in selectors.complaint_queue(user=personas.other_cpo)
    assert not access.complaints_visible_to(personas.analyst).exists()
    assert not access.complaints_visible_to(personas.focal_point).exists()
    assert AuditEvent.objects.filter(action="complaint.register", object_id=c.uuid).exists()
    assert c.events.get().kind == "received"


def test_the_triage_deadline_is_a_setting_per_jurisdiction(personas: Any, punjab: Any) -> None:
    assert services.triage_hours(punjab) == 24  # the default, now in the cache
    services.triage_time_set(actor=personas.administrator, jurisdiction=punjab, hours=6)
    c = ComplaintFactory(actor=personas.complaint_officer)
    assert c.triage_due_at - c.received_at == timedelta(hours=6)
    assert TriageTime.objects.get(jurisdiction=punjab).hours == 6
    with pytest.raises(PermissionDenied):
        services.triage_time_set(actor=personas.supervisor, jurisdiction=punjab, hours=1)
    with pytest.raises(ValidationError):
        services.triage_time_set(actor=personas.administrator, jurisdiction=punjab, hours=0)


def test_without_a_district_the_complaint_waits_in_the_province_queue_until_routed(
    personas: Any,
) -> None:
    c = ComplaintFactory(actor=personas.complaint_officer, district=None)
    assert c not in selectors.complaint_queue(user=personas.cpo)
    assert c in selectors.complaint_queue(user=personas.provincial_supervisor)
    assert c in selectors.complaint_queue(user=personas.complaint_officer)
    with pytest.raises(ValidationError):  # no district: no case yet
        services.complaint_open_case(
            actor=personas.provincial_supervisor,
            complaint=c,
            initial_risk="high",
            register={"name_latin": "Ayesha", "sex": "female", "estimated_age_years": 10},
        )
    services.complaint_route(
        actor=personas.complaint_officer,
        complaint=c,
        district=District.objects.get(pcode=LAHORE),
        version=c.version,
    )
    c.refresh_from_db()
    assert c in selectors.complaint_queue(user=personas.cpo)
    assert c.events.last().kind == "routed"


def test_office_staff_cannot_register_outside_their_scope_or_as_online(personas: Any) -> None:
    peshawar = District.objects.select_related("jurisdiction").get(pcode=PESHAWAR)
    with pytest.raises(PermissionDenied):
        services.complaint_register(
            actor=personas.complaint_officer,
            data=complaint_input(district=peshawar, jurisdiction=peshawar.jurisdiction),
        )
    with pytest.raises(PermissionDenied):
        services.complaint_register(actor=personas.cpo, data=complaint_input())
    with pytest.raises(ValidationError):
        services.complaint_register(
            actor=personas.complaint_officer, data=complaint_input(channel="online")
        )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"narrative": "   "}, "narrative"),
        ({"narrative": "x" * 5001}, "narrative"),
        ({"concerns": []}, "concerns"),
        ({"concerns": ["bogus"]}, "concerns"),
        ({"received_at": lambda: timezone.now() + timedelta(days=2)}, "received_at"),
        ({"reporter_phone": "call me <b>"}, "reporter_phone"),
        ({"reporter_kind": "anonymous", "reporter_name": "Someone"}, "reporter_kind"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    personas: Any, overrides: dict[str, Any], field: str
) -> None:
    # a value made when the test runs (a time in the future), not when the module is read
    overrides = {k: v() if callable(v) else v for k, v in overrides.items()}
    with pytest.raises(ValidationError) as refused:
        services.complaint_register(
            actor=personas.complaint_officer, data=complaint_input(**overrides)
        )
    assert field in refused.value.message_dict
    assert not Complaint.objects.exists()


def test_a_complaint_box_batch_is_all_or_nothing(personas: Any, punjab: Any) -> None:
    lahore = District.objects.get(pcode=LAHORE)
    good = services.Slip(narrative="Teacher beats us", concerns=["abused"])
    bad = services.Slip(narrative="", concerns=["abused"])
    with pytest.raises(ValidationError) as refused:
        services.complaint_box_batch(
            actor=personas.complaint_officer,
            jurisdiction=punjab,
            district=lahore,
            school="Govt Girls High School",
            opened_at=timezone.now(),
            slips=[good, bad],
        )
    assert "slip 2: narrative" in refused.value.message_dict
    assert not Complaint.objects.exists()
    done = services.complaint_box_batch(
        actor=personas.complaint_officer,
        jurisdiction=punjab,
        district=lahore,
        school="Govt Girls High School",
        opened_at=timezone.now(),
        slips=[good, good],
    )
    assert len(done) == 2 and len({r.code for r in done}) == 2
    assert {c.channel for c in Complaint.objects.all()} == {"complaint_box"}
    assert set(Complaint.objects.values_list("source", flat=True)) == {"Govt Girls High School"}


def test_opening_a_case_registers_the_child_prefills_the_case_and_links_the_complaint(
    personas: Any,
) -> None:
    registered = services.complaint_register(
        actor=personas.complaint_officer, data=complaint_input()
    )
    c = registered.complaint
    case = services.complaint_open_case(
        actor=personas.cpo,
        complaint=c,
        initial_risk="high",
        register={"name_latin": "Ayesha", "sex": "female", "estimated_age_years": 10},
        version=c.version,
    )
    c.refresh_from_db()
    assert c.status == Status.CASE_OPENED and c.case == case and c.triaged_by == personas.cpo
    assert case.concerns == ["child_labour"] and case.assigned_to == personas.cpo
    assert "Opened from complaint" in case.events.get(kind=EventKind.REGISTERED).note
    assert c.children.get().case == case
    assert AuditEvent.objects.filter(action="complaint.case_opened", object_id=c.uuid).exists()
    status = selectors.public_status(registered.display_code)
    assert status is not None and status.key == "case_opened"


def test_attaching_to_an_open_case_puts_the_complaint_on_its_timeline(
    personas: Any, records: Any
) -> None:
    from cpmis.cases.services import case_open

    case = case_open(
        actor=personas.cpo, child=records.cpo_child, initial_risk="medium", concerns=["abused"]
    )
    c = ComplaintFactory(actor=personas.complaint_officer)
    with pytest.raises(PermissionDenied):  # another district's officer
        services.complaint_attach(actor=personas.other_cpo, complaint=c, case=case)
    services.complaint_attach(actor=personas.cpo, complaint=c, case=case, version=c.version)
    c.refresh_from_db()
    assert c.status == Status.ATTACHED and c.case == case
    assert case.events.filter(kind=EventKind.COMPLAINT_RECEIVED).exists()


def test_a_referral_has_its_own_follow_up_and_can_be_closed_after_it(personas: Any) -> None:
    c = ComplaintFactory(actor=personas.complaint_officer)
    with pytest.raises(ValidationError):
        services.complaint_refer(
            actor=personas.cpo,
            complaint=c,
            body="police",
            follow_up_on=timezone.localdate() - timedelta(days=1),
        )
    services.complaint_refer(
        actor=personas.cpo,
        complaint=c,
        body="police",
        follow_up_on=timezone.localdate(),
        version=c.version,
    )
    c.refresh_from_db()
    assert c.status == Status.REFERRED
    assert c in selectors.complaint_queue(user=personas.cpo, view="follow_up")
    services.referral_follow_up(actor=personas.cpo, complaint=c, note="FIR registered.")
    c.refresh_from_db()
    assert c.status == Status.CLOSED and c.closure_reason == "referral_completed"


def test_closing_needs_a_reason_and_a_stale_version_is_a_conflict(personas: Any) -> None:
    c = ComplaintFactory(actor=personas.complaint_officer)
    with pytest.raises(ValidationError):
        services.complaint_close(actor=personas.cpo, complaint=c, reason="other")
    services.complaint_close(
        actor=personas.cpo, complaint=c, reason="not_child_protection", version=c.version
    )
    with pytest.raises(Conflict):
        services.complaint_close(
            actor=personas.supervisor, complaint=c, reason="duplicate", version=1
        )
    with pytest.raises(ValidationError):  # already closed
        services.complaint_refer(
            actor=personas.supervisor,
            complaint=c,
            body="police",
            follow_up_on=timezone.localdate(),
        )


def test_the_complaint_officer_routes_but_does_not_triage(personas: Any) -> None:
    c = ComplaintFactory(actor=personas.complaint_officer)
    with pytest.raises(PermissionDenied):
        services.complaint_close(
            actor=personas.complaint_officer, complaint=c, reason="not_child_protection"
        )


def test_possible_matches_find_the_child_across_scripts_and_spellings(
    personas: Any, records: Any
) -> None:
    # records.cpo_child is "Ayesha Bibi" / "عائشہ بی بی", a girl of 11 in Lahore; a colleague's
    # CPO still sees her as a possible match (name, age, district only).
    for name in ("عائشہ", "Aisha Bibi", "ayesha"):
        c = ComplaintFactory(
            actor=personas.complaint_officer,
            children=[services.ChildInput(name=name, sex="female", age_years=11)],
            narrative=f"About {name}",
        )
        children, _ = selectors.possible_matches(user=personas.supervisor, complaint=c)
        assert records.cpo_child in [m.child for m in children], name
    # a boy, or a child far from the age, is not proposed
    c = ComplaintFactory(
        actor=personas.complaint_officer,
        children=[services.ChildInput(name="Ayesha", sex="male", age_years=3)],
    )
    children, others = selectors.possible_matches(user=personas.supervisor, complaint=c)
    assert records.cpo_child not in [m.child for m in children]
    assert others == []  # the earlier complaints are about a girl of about 11
    c = ComplaintFactory(
        actor=personas.complaint_officer, children=[services.ChildInput(name="Aysha", age_years=10)]
    )
    _, others = selectors.possible_matches(user=personas.supervisor, complaint=c)
    assert len(others) == 3
    # outside the district nobody is proposed
    children, _ = selectors.possible_matches(user=personas.other_cpo, complaint=c)
    assert children == []


def test_possible_matches_are_audited(personas: Any, records: Any) -> None:
    c = ComplaintFactory(
        actor=personas.complaint_officer,
        children=[services.ChildInput(name="Ayesha", sex="female")],
    )
    selectors.possible_matches(user=personas.cpo, complaint=c)
    event = AuditEvent.objects.get(action="child.match_list")
    assert str(records.cpo_child.uuid) in event.detail["results"]


def test_an_identical_public_submission_is_kept_but_queued_once(personas: Any) -> None:
    first = services.complaint_submit_public(data=complaint_input(channel="online"))
    again = services.complaint_submit_public(data=complaint_input(channel="online"))
    assert again.complaint.duplicate_of == first.complaint
    assert list(selectors.complaint_queue(user=personas.cpo)) == [first.complaint]
    services.complaint_close(actor=personas.cpo, complaint=first.complaint, reason="resolved")
    # the repeat's code never tells how the first one went
    status = selectors.public_status(again.code)
    assert status is not None and status.key == "received"
    first_status = selectors.public_status(first.code)
    assert first_status is not None and first_status.key == "closed"
    # once the first is triaged, the same text is a new complaint again
    third = services.complaint_submit_public(data=complaint_input(channel="online"))
    assert third.complaint.duplicate_of is None
    assert Case.objects.count() == 0


def test_the_same_sentence_about_another_child_is_not_a_repeat(personas: Any) -> None:
    first = services.complaint_submit_public(
        data=complaint_input(narrative="My father beats me.", children=[])
    )
    other = services.complaint_submit_public(
        data=complaint_input(
            narrative="my father beats me",
            children=[services.ChildInput(name="Bilal", sex="male", age_years=9)],
        )
    )
    assert other.complaint.duplicate_of is None
    assert set(selectors.complaint_queue(user=personas.cpo)) == {
        first.complaint,
        other.complaint,
    }


def test_a_tracking_code_already_taken_is_replaced(personas: Any, monkeypatch: Any) -> None:
    from cpmis.complaints import tracking

    first = services.complaint_submit_public(data=complaint_input(channel="online"))
    codes = iter([first.code, first.code, tracking.new_code()])
    monkeypatch.setattr(tracking, "new_code", lambda: next(codes))
    second = services.complaint_submit_public(data=complaint_input(narrative="Another one."))
    assert second.code != first.code
    assert Complaint.objects.count() == 2
    assert AuditEvent.objects.filter(action="complaint.submit").count() == 2


def test_a_complaint_about_two_children_is_attached_for_one_and_opened_for_the_other(
    personas: Any, records: Any
) -> None:
    from cpmis.cases.services import case_open

    case = case_open(
        actor=personas.cpo, child=records.cpo_child, initial_risk="medium", concerns=["abused"]
    )
    c = ComplaintFactory(
        actor=personas.complaint_officer,
        children=[
            services.ChildInput(name="Sara", sex="female", age_years=7),
            services.ChildInput(name="Ayesha", sex="female", age_years=11),
        ],
    )
    sara, ayesha = list(c.children.all())
    with pytest.raises(ValidationError):  # two children without a case: which one?
        services.complaint_attach(actor=personas.cpo, complaint=c, case=case)
    services.complaint_attach(
        actor=personas.cpo, complaint=c, case=case, complaint_child_id=ayesha.pk
    )
    ayesha.refresh_from_db()
    assert ayesha.case == case and ayesha.child == records.cpo_child
    opened = services.complaint_open_case(
        actor=personas.cpo,
        complaint=c,
        initial_risk="high",
        register={"name_latin": "Sara", "sex": "female", "estimated_age_years": 7},
    )
    sara.refresh_from_db()
    assert sara.case == opened
    c.refresh_from_db()
    assert c.status == Status.ATTACHED and c.case == case
    with pytest.raises(ValidationError):  # nobody left without a case
        services.complaint_open_case(
            actor=personas.cpo,
            complaint=c,
            initial_risk="high",
            register={"name_latin": "Other", "sex": "female", "estimated_age_years": 7},
        )


def test_only_a_province_wide_scope_leaves_the_district_out(personas: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.complaint_register(actor=personas.supervisor, data=complaint_input(district=None))
    assert "district" in refused.value.message_dict
    services.complaint_register(
        actor=personas.provincial_supervisor, data=complaint_input(district=None)
    )


def test_a_public_submission_keeps_no_address(personas: Any, client: Any) -> None:
    client.post(
        "/complaint/",
        {
            "jurisdiction": "PK-PB",
            "district": LAHORE,
            "concerns": "abused",
            "narrative": "Someone hurts a child.",
            "reporter_kind": "anonymous",
        },
        REMOTE_ADDR="203.0.113.7",
    )
    event = AuditEvent.objects.get(action="complaint.submit")
    assert event.ip_address is None
