"""A case from registration to closure, with the clocks of its jurisdiction and the law's
safeguards, through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cpmis import access
from cpmis.accounts.models import User
from cpmis.audit.models import AuditEvent
from cpmis.cases import services as s
from cpmis.cases.deadlines import add_months
from cpmis.cases.models import Case, EventKind, Institution, Stage, Task, TaskKind
from cpmis.cases.selectors import task_list
from cpmis.legal.models import Provision
from cpmis.notifications.models import Notification
from cpmis.reference.models import District, InstitutionType
from tests.conftest import born
from tests.factories import CaseFactory, ChildFactory, CpoFactory, SupervisorFactory

PESHAWAR, LAHORE = "PK528", "PK617"

# The clocks of the law (24 hours to court, four months to a decision, quarterly reviews) are
# counted from "now": every test here runs at the same pinned instant (tests/conftest.py).
pytestmark = pytest.mark.clock


@pytest.fixture
def kp(db: Any) -> dict[str, Any]:
    """A KP district (whose law sets the clocks): a female CPO, a male CPO, a supervisor."""
    cpo = CpoFactory(username="kp.cpo", district=PESHAWAR, sex=User.Sex.FEMALE)
    male = CpoFactory(username="kp.cpo.m", district=PESHAWAR, sex=User.Sex.MALE)
    supervisor = SupervisorFactory(username="kp.sup", district=PESHAWAR)
    district = District.objects.get(pcode=PESHAWAR)
    girl = ChildFactory(
        actor=cpo, district=district, date_of_birth=born(13, 5, 1), name_latin="Zarmeena"
    )
    home = Institution.objects.create(
        name="Welfare Home Peshawar",
        type=InstitutionType.objects.get(code="welfare_home"),
        district=district,
        accepts=Institution.Accepts.GIRLS,
        capacity=1,
    )
    return {"cpo": cpo, "male": male, "supervisor": supervisor, "girl": girl, "home": home}


def ago(**kw: int) -> datetime:
    return timezone.now() - timedelta(**kw)


def open_tasks(case: Case) -> dict[str, Task]:
    return {t.kind: t for t in Task.objects.filter(case=case, done_at__isnull=True)}


def test_a_case_walks_from_registration_to_closure(kp: dict[str, Any]) -> None:
    cpo, sup = kp["cpo"], kp["supervisor"]
    case = s.case_open(
        actor=cpo,
        child=kp["girl"],
        initial_risk="high",
        concerns=["trafficked"],
        opened_at=ago(days=200),
    )
    assert case.assigned_to == cpo and case.stage == Stage.REGISTERED
    assessment = open_tasks(case)[TaskKind.ASSESSMENT]
    assert assessment.due_at == case.opened_at + timedelta(hours=24)  # high risk
    s.case_assess(actor=cpo, case=case, risk_level="high", occurred_at=ago(days=199))
    taken = ago(days=198)
    s.protection_take(actor=cpo, case=case, occurred_at=taken)
    production = open_tasks(case)[TaskKind.PRODUCTION]
    assert production.due_at == taken + timedelta(hours=24)
    assert "KP CPWA 2010 s.20" in production.basis and production.basis.startswith("Law")
    produced = taken + timedelta(hours=20)
    s.court_produce(actor=cpo, case=case, court="Juvenile Court Peshawar", occurred_at=produced)
    tasks = open_tasks(case)
    assert TaskKind.PRODUCTION not in tasks
    assert tasks[TaskKind.DECISION].due_at == add_months(produced, 4)
    assert tasks[TaskKind.DELAY_REPORT].due_at == produced + timedelta(days=60)
    s.order_record(
        actor=cpo,
        case=case,
        kind="custody",
        child_views="Wants to stay with her aunt.",
        occurred_at=produced + timedelta(hours=1),
    )
    s.placement_make(
        actor=cpo,
        case=case,
        option="institution",
        institution=kp["home"],
        lower_option_reason="The aunt's home was found unsafe.",
        occurred_at=produced + timedelta(hours=2),
    )
    kp["home"].refresh_from_db()
    assert kp["home"].occupancy == 1
    s.case_plan(
        actor=cpo,
        case=case,
        goals=[
            {
                "goal": "Return to school",
                "services": ["education"],
                "responsible": "kp.cpo",
                "by": (produced + timedelta(days=180)).date().isoformat(),
            }
        ],
        occurred_at=ago(days=190),
    )
    assert Case.objects.get(pk=case.pk).stage == Stage.IMPLEMENTATION  # already placed
    assert TaskKind.PLAN_REVIEW in open_tasks(case)
    s.simple_event(
        actor=cpo, case=case, kind=EventKind.DELAY_REPORT, occurred_at=produced + timedelta(days=61)
    )
    s.simple_event(actor=cpo, case=case, kind=EventKind.REVIEW, occurred_at=ago(days=100))
    s.order_record(actor=cpo, case=case, kind="release", final=True, occurred_at=ago(days=95))
    s.release(actor=cpo, case=case, occurred_at=ago(days=94))
    kp["home"].refresh_from_db()
    assert kp["home"].occupancy == 0
    tasks = open_tasks(case)
    assert set(tasks) == {TaskKind.FOLLOW_UP_VISIT}
    s.simple_event(actor=cpo, case=case, kind=EventKind.FOLLOW_UP_VISIT, occurred_at=ago(days=64))
    case = Case.objects.get(pk=case.pk)
    assert case.stage == Stage.FOLLOW_UP
    s.legal_aid_offer(actor=cpo, case=case, accepted=True, occurred_at=ago(days=60))
    # The plan was set after the placement (stage implementation) and never approved: the case
    # cannot close on it, and the supervisor can still approve it in follow-up.
    with pytest.raises(ValidationError, match="approves the case plan"):
        s.closure_request(actor=cpo, case=case, reason="reintegrated")
    with pytest.raises(PermissionDenied):
        s.case_plan_approve(actor=cpo, case=case)
    s.case_plan_approve(actor=kp["supervisor"], case=case)
    assert Case.objects.get(pk=case.pk).stage == Stage.FOLLOW_UP
    with pytest.raises(ValidationError, match="already approved"):
        s.case_plan_approve(actor=kp["supervisor"], case=case)
    s.closure_request(actor=cpo, case=case, reason="reintegrated")
    assert open_tasks(case)[TaskKind.CLOSURE_APPROVAL].for_supervisor
    with pytest.raises(PermissionDenied):
        s.closure_decide(actor=cpo, case=case, approve=True)
    s.closure_decide(actor=sup, case=case, approve=True)
    case = Case.objects.get(pk=case.pk)
    assert case.stage == Stage.CLOSED and case.closed_at and not open_tasks(case)
    assert AuditEvent.objects.filter(
        object_id=str(case.uuid), action="case.closure_approved"
    ).exists()
    with pytest.raises(ValidationError, match="stage"):
        s.case_assess(actor=cpo, case=case, risk_level="low")  # editing a closed case
    s.case_reopen(actor=sup, case=case, note="New information.")
    assert Case.objects.get(pk=case.pk).stage == Stage.ASSESSED


def test_a_jurisdiction_without_the_rule_uses_the_labelled_policy_default(db: Any) -> None:
    cpo = CpoFactory(username="pb.cpo", district=LAHORE)
    child = ChildFactory(
        actor=cpo, district=LAHORE, sex="male", date_of_birth=born(14, 1, 1), name_latin="Bilal"
    )
    case = CaseFactory(actor=cpo, child=child, concerns=["child_labour"])
    assert open_tasks(case)[TaskKind.ASSESSMENT].due_at == case.opened_at + timedelta(hours=168)
    s.protection_take(actor=cpo, case=case)
    production = open_tasks(case)[TaskKind.PRODUCTION]
    assert production.basis.startswith("Law") and "Punjab DNCA" in production.basis
    s.court_produce(actor=cpo, case=case, court="Lahore")
    decision = open_tasks(case)[TaskKind.DECISION]
    assert decision.basis.startswith("Policy default; report ¶52")


def test_the_girl_child_safeguard(kp: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match=r"male officer.*policy default; report ¶50"):
        s.case_open(
            actor=kp["supervisor"],
            child=kp["girl"],
            initial_risk="high",
            concerns=["trafficked"],
            assigned_to=kp["male"],
        )
    case = s.case_open(
        actor=kp["cpo"], child=kp["girl"], initial_risk="high", concerns=["trafficked"]
    )
    with pytest.raises(ValidationError, match="male officer"):
        s.case_assign(actor=kp["supervisor"], case=case, officer=kp["male"])
    s.protection_take(actor=kp["cpo"], case=case)
    s.court_produce(actor=kp["cpo"], case=case, court="Peshawar")
    s.order_record(
        actor=kp["cpo"], case=case, kind="placement", not_heard_reason="Too young to be heard."
    )
    with pytest.raises(ValidationError, match="male caregiver"):
        s.placement_make(
            actor=kp["cpo"],
            case=case,
            option="extended_family",
            caregiver_sex="male",
            lower_option_reason="Parents not traceable.",
        )


def test_orders_and_placements_follow_the_law(kp: dict[str, Any]) -> None:
    cpo = kp["cpo"]
    case = s.case_open(actor=cpo, child=kp["girl"], initial_risk="medium", concerns=["abused"])
    with pytest.raises(ValidationError, match="after being taken into protection"):
        s.court_produce(actor=cpo, case=case, court="Peshawar")
    with pytest.raises(ValidationError, match="Court order"):
        s.placement_make(
            actor=cpo,
            case=case,
            option="non_kinship",
            caregiver_sex="female",
            lower_option_reason="x",
        )
    s.protection_take(actor=cpo, case=case)
    s.court_produce(actor=cpo, case=case, court="Peshawar")
    with pytest.raises(ValidationError, match="child's views"):
        s.order_record(actor=cpo, case=case, kind="custody")
    with pytest.raises(ValidationError, match="medical report"):
        s.order_record(actor=cpo, case=case, kind="age_determination")
    s.order_record(
        actor=cpo,
        case=case,
        kind="age_determination",
        medical_report="Medical Superintendent, LRH, 12 March",
        determined_age=13,
    )
    s.order_record(actor=cpo, case=case, kind="custody", child_views="Agrees.")
    with pytest.raises(ValidationError, match="preferred options"):
        s.placement_make(actor=cpo, case=case, option="extended_family", caregiver_sex="female")
    s.placement_make(
        actor=cpo,
        case=case,
        option="institution",
        institution=kp["home"],
        lower_option_reason="No family found.",
    )
    other = ChildFactory(actor=cpo, district=kp["girl"].district, name_latin="Sana")
    second = CaseFactory(actor=cpo, child=other, initial_risk="high")
    s.protection_take(actor=cpo, case=second)
    s.court_produce(actor=cpo, case=second, court="Peshawar")
    s.order_record(actor=cpo, case=second, kind="placement", child_views="Agrees.")
    with pytest.raises(ValidationError, match="full"):
        s.placement_make(
            actor=cpo,
            case=second,
            option="institution",
            institution=kp["home"],
            lower_option_reason="No family found.",
        )


def test_closure_needs_legal_aid_offered_to_a_victim(kp: dict[str, Any]) -> None:
    cpo = kp["cpo"]
    case = s.case_open(actor=cpo, child=kp["girl"], initial_risk="low", concerns=["trafficked"])
    trafficking = Provision.objects.get(
        statute__code="ppc-1860", section="369-A", valid_to__isnull=True
    )
    s.offence_allege(actor=cpo, case=case, provision=trafficking)
    with pytest.raises(ValidationError, match=r"legal assistance.*PACHTO 2002 s\.6"):
        s.closure_request(actor=cpo, case=case, reason="no_longer_at_risk")
    s.legal_aid_offer(actor=cpo, case=case, accepted=False)
    s.closure_request(actor=cpo, case=case, reason="no_longer_at_risk")
    s.closure_decide(actor=kp["supervisor"], case=case, approve=False, note="Visit first.")
    assert Case.objects.get(pk=case.pk).stage == Stage.REGISTERED


@pytest.mark.parametrize("when", [timedelta(days=2), -timedelta(days=400)])
def test_dates_in_the_future_or_before_the_case_are_refused(
    kp: dict[str, Any], when: timedelta
) -> None:
    case = s.case_open(
        actor=kp["cpo"],
        child=kp["girl"],
        initial_risk="low",
        concerns=["abused"],
        opened_at=ago(days=10),
    )
    events = case.events.count()
    with pytest.raises(ValidationError, match="occurred_at"):
        s.case_assess(
            actor=kp["cpo"], case=case, risk_level="low", occurred_at=timezone.now() + when
        )
    assert case.events.count() == events


def test_a_stale_version_is_a_conflict_and_writes_nothing(kp: dict[str, Any]) -> None:
    case = CaseFactory(actor=kp["cpo"], child=kp["girl"])
    read = Case.objects.get(pk=case.pk).version
    s.case_assess(actor=kp["cpo"], case=case, risk_level="medium", version=read)
    with pytest.raises(s.CaseConflict) as conflict:
        s.case_assess(actor=kp["supervisor"], case=case, risk_level="low", version=read)
    assert [c.action for c in conflict.value.changes] == [f"case.{EventKind.ASSESSED}"]
    assert Case.objects.get(pk=case.pk).risk_level == "medium"


def test_tasks_overdue_first_and_escalated_to_the_supervisor(kp: dict[str, Any]) -> None:
    cpo = kp["cpo"]
    late = s.case_open(
        actor=cpo, child=kp["girl"], initial_risk="high", concerns=["abused"], opened_at=ago(days=5)
    )
    other = ChildFactory(actor=cpo, district=kp["girl"].district, name_latin="Sana")
    fresh = CaseFactory(actor=cpo, child=other)
    mine = list(task_list(user=cpo, mine_only=True))
    assert [t.case_id for t in mine] == [late.pk, fresh.pk] and mine[0].overdue
    district = list(task_list(user=kp["supervisor"]))
    assert district[0].case_id == late.pk and district[0].overdue
    assert not list(task_list(user=kp["male"]))  # another officer's cases


def test_a_transfer_moves_the_case_and_its_clocks_to_the_receiving_law(kp: dict[str, Any]) -> None:
    lahore = SupervisorFactory(username="pb.sup", district=LAHORE)
    case = s.case_open(
        actor=kp["cpo"],
        child=kp["girl"],
        initial_risk="low",
        concerns=["abused"],
        opened_at=ago(days=10),
    )
    with pytest.raises(ValidationError, match="already in this district"):
        s.transfer_request(
            actor=kp["cpo"], case=case, to_district=case.district, reason="Same district."
        )
    with pytest.raises(ValidationError, match="no CPU supervisor"):
        s.transfer_request(
            actor=kp["cpo"],
            case=case,
            to_district=District.objects.get(pcode="PK601"),  # nobody supervises it
            reason="The family moved.",
        )
    transfer = s.transfer_request(
        actor=kp["cpo"],
        case=case,
        to_district=District.objects.get(pcode=LAHORE),
        reason="The family moved to Lahore.",
    )
    with pytest.raises(ValidationError, match="already waiting"):
        s.transfer_request(
            actor=kp["cpo"],
            case=case,
            to_district=District.objects.get(pcode=LAHORE),
            reason="Again.",
        )
    assert list(access.transfers_waiting_for(lahore)) == [transfer]
    assert not access.transfers_waiting_for(kp["supervisor"]).exists()
    # until accepted the case stays with the sending district, its officer and its law
    assert Case.objects.get(pk=case.pk).district == kp["girl"].district
    assert Notification.objects.filter(user=lahore, kind="transfer_requested").count() == 1
    with pytest.raises(PermissionDenied):
        s.transfer_decide(actor=kp["supervisor"], transfer=transfer, accept=True)
    with pytest.raises(ValidationError, match="Say why"):
        s.transfer_decide(actor=lahore, transfer=transfer, accept=False)
    s.transfer_decide(actor=lahore, transfer=transfer, accept=True)
    with pytest.raises(ValidationError, match="already answered"):
        s.transfer_decide(actor=lahore, transfer=transfer, accept=True)
    assert Notification.objects.filter(user=kp["cpo"], kind="transfer_accepted").count() == 1
    assert Notification.objects.filter(user=kp["supervisor"], kind="transfer_accepted").exists()
    case = Case.objects.get(pk=case.pk)
    assert case.district.pcode == LAHORE and case.jurisdiction.iso_code == "PK-PB"
    assert case.assigned_to is None and case.child.district.pcode == LAHORE
    with pytest.raises(PermissionDenied):
        s.case_assess(actor=kp["cpo"], case=case, risk_level="low")  # no longer theirs
    pb_cpo = CpoFactory(username="pb.cpo2", district=LAHORE, sex=User.Sex.FEMALE)
    s.case_assign(actor=lahore, case=case, officer=pb_cpo)
    s.protection_take(actor=pb_cpo, case=case)
    s.court_produce(actor=pb_cpo, case=case, court="Lahore")
    decision = Task.objects.get(case=case, kind=TaskKind.DECISION)
    assert decision.basis.startswith("Policy default")  # Punjab's law sets no four months
    assert "Punjab DNCA" in Task.objects.get(case=case, kind=TaskKind.PRODUCTION).basis


def test_a_referral_is_recorded(kp: dict[str, Any]) -> None:
    case = CaseFactory(actor=kp["cpo"], child=kp["girl"])
    s.referral_make(actor=kp["cpo"], case=case, service="psychosocial", institution=kp["home"])
    assert case.events.filter(kind=EventKind.REFERRED, details__service="psychosocial").exists()
    with pytest.raises(ValidationError):
        s.referral_make(actor=kp["cpo"], case=case, service=" ")


def test_a_new_placement_frees_the_place_in_the_previous_institution(kp: dict[str, Any]) -> None:
    cpo = kp["cpo"]
    other = Institution.objects.create(
        name="Second home",
        type=InstitutionType.objects.get(code="welfare_home"),
        district=kp["home"].district,
        accepts=Institution.Accepts.ALL,
        capacity=3,
    )
    case = s.case_open(actor=cpo, child=kp["girl"], initial_risk="high", concerns=["abused"])
    s.protection_take(actor=cpo, case=case)
    s.court_produce(actor=cpo, case=case, court="Peshawar")
    s.order_record(actor=cpo, case=case, kind="placement", child_views="Agrees.")
    s.placement_make(
        actor=cpo,
        case=case,
        option="institution",
        institution=kp["home"],
        lower_option_reason="No family found.",
    )
    s.placement_make(
        actor=cpo,
        case=case,
        option="institution",
        institution=other,
        lower_option_reason="Closer to school.",
    )
    kp["home"].refresh_from_db()
    other.refresh_from_db()
    assert (kp["home"].occupancy, other.occupancy) == (0, 1)
    s.placement_make(
        actor=cpo,
        case=case,
        option="extended_family",
        caregiver_sex="female",
        lower_option_reason="Parents not traceable; the aunt can care for her.",
    )
    other.refresh_from_db()
    assert other.occupancy == 0


def test_only_a_supervisor_assigns_another_officer(kp: dict[str, Any]) -> None:
    other = CpoFactory(username="kp.cpo.f2", district=PESHAWAR)
    with pytest.raises(PermissionDenied):
        s.case_open(
            actor=kp["cpo"],
            child=kp["girl"],
            initial_risk="low",
            concerns=["abused"],
            assigned_to=other,
        )
    case = s.case_open(
        actor=kp["supervisor"],
        child=kp["girl"],
        initial_risk="low",
        concerns=["abused"],
        assigned_to=kp["cpo"],
    )
    assert case.assigned_to == kp["cpo"]


def test_places_outside_the_province_are_refused(kp: dict[str, Any]) -> None:
    case = CaseFactory(actor=kp["cpo"], child=kp["girl"])
    lahore_home = Institution.objects.create(
        name="Lahore home",
        type=InstitutionType.objects.get(code="welfare_home"),
        district=District.objects.get(pcode=LAHORE),
        capacity=3,
    )
    with pytest.raises(ValidationError, match="outside Khyber Pakhtunkhwa"):
        s.referral_make(actor=kp["cpo"], case=case, service="shelter", institution=lahore_home)
    with pytest.raises(ValidationError, match="outside Khyber Pakhtunkhwa"):
        s.protection_take(actor=kp["cpo"], case=case, temporary_institution=lahore_home)
    assert not case.events.filter(kind=EventKind.REFERRED).exists()
    # the pickers offer the district's places first, then the province's, never Lahore's
    from cpmis.cases.selectors import institutions_near

    groups, more = institutions_near(
        Case.objects.select_related("district", "jurisdiction").get(pk=case.pk), province=True
    )
    assert more == 0
    offered = [i.name for _, rows in groups for i in rows]
    assert "Welfare Home Peshawar" in offered and "Lahore home" not in offered


def test_the_transfers_inbox_is_one_query(
    kp: dict[str, Any], django_assert_num_queries: Any
) -> None:
    lahore = SupervisorFactory(username="pb.sup2", district=LAHORE)
    case = CaseFactory(actor=kp["cpo"], child=kp["girl"])
    s.transfer_request(
        actor=kp["cpo"], case=case, to_district=District.objects.get(pcode=LAHORE), reason="Moved."
    )
    access.assignments(lahore)  # the user's roles, read once per request
    with django_assert_num_queries(1):
        waiting = list(access.transfers_waiting_for(lahore))
    assert [t.case_id for t in waiting] == [case.pk]


def test_a_transfer_waits_only_for_the_receiving_district_and_only_until_answered(
    kp: dict[str, Any], django_assert_num_queries: Any
) -> None:
    lahore = SupervisorFactory(username="pb.sup3", district=LAHORE)
    # a supervisor of a third district (Punjab, like Lahore, but not Lahore)
    elsewhere = SupervisorFactory(username="pb.sup4", district="PK601")
    to_lahore = District.objects.get(pcode=LAHORE)
    cases = [
        CaseFactory(
            actor=kp["cpo"],
            child=ChildFactory(
                actor=kp["cpo"],
                district=kp["girl"].district,
                date_of_birth=born(10, 1, 1 + n),
                name_latin=f"Girl {n}",
            ),
        )
        for n in range(6)
    ]
    transfers = [
        s.transfer_request(actor=kp["cpo"], case=c, to_district=to_lahore, reason="Moved.")
        for c in cases
    ]
    assert not access.transfers_waiting_for(elsewhere).exists()
    assert not access.transfers_waiting_for(kp["supervisor"]).exists()  # the sending side
    access.assignments(lahore)  # the user's roles, read once per request
    with django_assert_num_queries(1):  # however many cases ever had a transfer
        assert {t.pk for t in access.transfers_waiting_for(lahore)} == {t.pk for t in transfers}
    # answered in any way, a transfer no longer waits
    s.transfer_decide(actor=lahore, transfer=transfers[0], accept=True)
    s.transfer_decide(actor=lahore, transfer=transfers[1], accept=False, note="No room.")
    s.transfer_withdraw(actor=kp["cpo"], case=Case.objects.get(pk=cases[2].pk))
    waiting = {t.pk for t in access.transfers_waiting_for(lahore)}
    assert waiting == {t.pk for t in transfers[3:]}
    # a case that had transfers before, sent again, waits once
    s.transfer_request(
        actor=kp["cpo"],
        case=Case.objects.get(pk=cases[1].pk),
        to_district=to_lahore,
        reason="Again.",
    )
    again = list(access.transfers_waiting_for(lahore).filter(case=cases[1]))
    assert len(again) == 1 and again[0].pk != transfers[1].pk
    assert not access.transfers_waiting_for(elsewhere).exists()


def test_case_numbers_are_readable_unique_and_kept_by_a_transfer(kp: dict[str, Any]) -> None:
    from cpmis.cases.numbering import district_abbreviation

    assert district_abbreviation("Lahore") == "LHR"
    assert district_abbreviation("Peshawar") == "PSH"
    first = CaseFactory(actor=kp["cpo"], child=kp["girl"])
    second = s.case_open(
        actor=kp["cpo"], child=kp["girl"], initial_risk="low", concerns=["neglected"]
    )
    year = timezone.localtime(first.opened_at).year
    assert first.number == f"KP-PSH-{year}-000001"
    assert second.number == f"KP-PSH-{year}-000002"
    SupervisorFactory(username="pb.sup3", district=LAHORE)
    transfer = s.transfer_request(
        actor=kp["supervisor"],
        case=first,
        to_district=District.objects.get(pcode=LAHORE),
        reason="Moved.",
    )
    lahore_sup = User.objects.get(username="pb.sup3")
    s.transfer_decide(actor=lahore_sup, transfer=transfer, accept=True)
    assert Case.objects.get(pk=first.pk).number == first.number


def test_tasks_carry_their_cases_district_and_officer(kp: dict[str, Any]) -> None:
    """The supervisor's counts read tasks by district and officer: every change of either
    recomputes them."""
    case = s.case_open(
        actor=kp["supervisor"], child=kp["girl"], initial_risk="high", concerns=["abused"]
    )
    assert {(t.district_id, t.assigned_to_id) for t in case.tasks.all()} == {
        (case.district_id, None)
    }
    s.case_assign(actor=kp["supervisor"], case=case, officer=kp["cpo"])
    s.protection_take(actor=kp["cpo"], case=case)
    assert {(t.district_id, t.assigned_to_id) for t in Task.objects.filter(case=case)} == {
        (case.district_id, kp["cpo"].pk)
    }
    lahore = SupervisorFactory(username="pb.sup4", district=LAHORE)
    transfer = s.transfer_request(
        actor=kp["cpo"], case=case, to_district=District.objects.get(pcode=LAHORE), reason="Moved."
    )
    s.transfer_decide(actor=lahore, transfer=transfer, accept=True)
    moved = Case.objects.get(pk=case.pk)
    assert {(t.district_id, t.assigned_to_id) for t in Task.objects.filter(case=case)} == {
        (moved.district_id, None)
    }
    assert access.tasks_supervised_by(lahore).filter(case=case).exists()
    assert not access.tasks_supervised_by(kp["supervisor"]).filter(case=case).exists()
    # the tasks a person reaches are those of the cases they reach
    for user in (kp["cpo"], kp["male"], kp["supervisor"], lahore):
        by_tasks = set(access.tasks_visible_to(user).values_list("id", flat=True))
        by_cases = Task.objects.filter(case__in=access.cases_visible_to(user))
        assert by_tasks == set(by_cases.values_list("id", flat=True)), user
