"""Two registry children found to be one: proposed, decided by a person who may see both,
merged with every reference kept, and undone exactly (docs/adr/0012)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ForeignKey
from django.utils import timezone

from cpmis import access
from cpmis.actors import LINKAGE
from cpmis.audit.models import AuditEvent
from cpmis.cases.models import Case
from cpmis.cases.services import case_open
from cpmis.complaints.models import ComplaintChild
from cpmis.complaints.services import ChildInput, complaint_register
from cpmis.core.errors import Conflict, NotFound
from cpmis.exchange.models import DepartmentRecord, Submission
from cpmis.linkage import services as linkage
from cpmis.linkage.models import RecordLink, ReviewItem
from cpmis.people import merging
from cpmis.people.models import Child, ChildMerge
from cpmis.people.services import child_register, child_update
from cpmis.reference.models import Department, District
from tests.complaints.conftest import complaint_input
from tests.conftest import LAHORE, PESHAWAR, Personas, Records, api_as, born, make_user

OTHER_PUNJAB = "PK601"
SYSTEM = "linkage run, model v1"


def _submission(district: District) -> Submission:
    return Submission.objects.create(
        department=Department.objects.get(code="police"),
        jurisdiction=district.jurisdiction,
        record_type="police_report",
        schema_major=1,
        source=Submission.Source.JSON,
        content_sha256="0" * 64,
        date_format="iso",
        submitted_at=timezone.now(),
        status=Submission.Status.ACCEPTED,
    )


def department_record(record_id: str, district: str = LAHORE) -> DepartmentRecord:
    place = District.objects.get(pcode=district)
    submission = _submission(place)
    now = timezone.now()
    return DepartmentRecord.objects.create(
        department=submission.department,
        jurisdiction=place.jurisdiction,
        record_type="police_report",
        department_record_id=record_id,
        schema_major=1,
        record_date=date(2026, 3, 1),
        district=place,
        child_name="Ayesha",
        guardian_relation="d/o",
        guardian_name="Aslam",
        sex="female",
        age_years=11,
        content_sha256="0" * 64,
        first_submission=submission,
        last_submission=submission,
        created_at=now,
        updated_at=now,
    )


def link(child: Child, record_id: str) -> RecordLink:
    return RecordLink.objects.create(
        record=department_record(record_id),
        child=child,
        method=RecordLink.Method.AUTOMATIC,
        probability=0.97,
        created_at=timezone.now(),
    )


def review(child: Child, record_id: str, status: str = "open") -> ReviewItem:
    return ReviewItem.objects.create(
        record=department_record(record_id),
        candidate=child,
        probability=0.6,
        model=linkage.model_ensure(),
        group=uuid.uuid4(),
        status=status,
        created_at=timezone.now(),
    )


def complaint_about(personas: Personas, child: Child) -> ComplaintChild:
    registered = complaint_register(
        actor=personas.supervisor,
        data=complaint_input(children=[ChildInput(name="Ayesha", sex="female", age_years=11)]),
    )
    about = registered.complaint.children.get()
    ComplaintChild.objects.filter(pk=about.pk).update(child=child)
    return ComplaintChild.objects.get(pk=about.pk)


@dataclass
class Pair:
    kept: Child  # records.cpo_child: Ayesha Bibi of Lahore
    twin: Child  # the same girl registered again by the supervisor
    proposal: ChildMerge
    twin_links: list[RecordLink]
    twin_undone: RecordLink
    twin_open: ReviewItem
    twin_decided: ReviewItem
    twin_case: Case
    twin_complaint: ComplaintChild


def register_twin(personas: Personas, **overrides: Any) -> Child:
    values: dict[str, Any] = {
        "actor": personas.supervisor,
        "district": District.objects.get(pcode=LAHORE),
        "sex": "female",
        "date_of_birth": born(11, 3, 1),  # records.cpo_child's
        "name_latin": "Aisha Bibi",
        "guardian_name_latin": "Mohd Aslam",
    }
    values.update(overrides)
    return child_register(**values)


@pytest.fixture
def pair(personas: Personas, records: Records) -> Pair:
    ayesha = records.cpo_child
    twin = register_twin(personas)
    link(ayesha, "FIR-A1")
    twin_links = [link(twin, "FIR-T1"), link(twin, "FIR-T2")]
    twin_undone = link(twin, "FIR-T3")
    RecordLink.objects.filter(pk=twin_undone.pk).update(undone_at=timezone.now())
    twin_open = review(twin, "FIR-T4")
    twin_decided = review(twin, "FIR-T5", status="different")
    twin_case = case_open(
        actor=personas.supervisor, child=twin, initial_risk="high", concerns=["abused"]
    )
    twin_complaint = complaint_about(personas, twin)
    proposal = merging.merge_propose(
        actor=LINKAGE, child_a=twin, child_b=ayesha, probability=0.93, source=SYSTEM
    )
    return Pair(
        ayesha,
        twin,
        proposal,
        twin_links,
        twin_undone,
        twin_open,
        twin_decided,
        twin_case,
        twin_complaint,
    )


def decide(pair: Pair, user: Any, **overrides: Any) -> ChildMerge:
    values: dict[str, Any] = {
        "actor": user,
        "merge_id": pair.proposal.pk,
        "merge": True,
        "keep": pair.kept.uuid,
        "reason": "Same B-form and father; registered twice.",
        "version": pair.proposal.version,
    }
    values.update(overrides)
    return merging.merge_decide(**values)


def undo(merge: ChildMerge, user: Any, **overrides: Any) -> ChildMerge:
    values: dict[str, Any] = {
        "actor": user,
        "merge_id": merge.pk,
        "reason": "Twins: two girls after all.",
        "version": merge.version,
    }
    values.update(overrides)
    return merging.merge_undo(**values)


def child_of(row: Any, field: str = "child") -> int:
    row.refresh_from_db()
    return getattr(row, f"{field}_id")


# --- proposing ----------------------------------------------------------------------------


def test_a_proposal_by_the_system_merges_nothing(pair: Pair) -> None:
    proposal = pair.proposal
    assert proposal.status == ChildMerge.Status.PROPOSED
    assert proposal.proposed_by is None and proposal.source == SYSTEM
    # The pair is stored in the order of the ids, whichever order it was given in.
    assert (proposal.child_a, proposal.child_b) == (pair.kept, pair.twin)
    for child in (pair.kept, pair.twin):
        child.refresh_from_db()
        assert child.merged_into is None
    assert all(child_of(row) == pair.twin.pk for row in pair.twin_links)
    assert child_of(pair.twin_case) == pair.twin.pk
    # The evidence says what agrees, never the values.
    assert proposal.evidence == {
        "name": "agree",
        "guardian_name": "agree",
        "date_of_birth": "agree",
        "district": "agree",
        "sex": "agree",
    }
    event = AuditEvent.objects.get(action="child.merge_propose", object_id=str(proposal.pk))
    assert event.actor_id is None and event.detail["source"] == SYSTEM
    assert not AuditEvent.objects.filter(action="child.merge").exists()


def test_the_system_must_name_itself(personas: Personas, records: Records) -> None:
    twin = register_twin(personas)
    with pytest.raises(ValidationError, match="source"):
        merging.merge_propose(actor=LINKAGE, child_a=twin, child_b=records.cpo_child)


def test_evidence_holds_agreement_only(personas: Personas, records: Records) -> None:
    twin = register_twin(personas)
    for evidence in ({"name": "Ayesha"}, {"religion": "agree"}, ["name"]):
        with pytest.raises(ValidationError, match="evidence"):
            merging.merge_propose(
                actor=LINKAGE,
                child_a=twin,
                child_b=records.cpo_child,
                source=SYSTEM,
                evidence=evidence,  # type: ignore[arg-type]
            )
    given = {"name": "agree", "b_form": "disagree"}
    proposal = merging.merge_propose(
        actor=LINKAGE, child_a=twin, child_b=records.cpo_child, source=SYSTEM, evidence=given
    )
    assert proposal.evidence == given


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sex": "male", "name_latin": "Ali"}, "recorded as"),
        ({"date_of_birth": born(13, 2, 1)}, "more than a year apart"),
    ],
)
def test_impossible_pairs_are_refused(
    personas: Personas, records: Records, overrides: dict[str, Any], message: str
) -> None:
    other = register_twin(personas, **overrides)
    for actor, source in ((LINKAGE, SYSTEM), (personas.supervisor, "")):
        with pytest.raises(ValidationError, match=message):
            merging.merge_propose(
                actor=actor, child_a=records.cpo_child, child_b=other, source=source
            )
    assert not ChildMerge.objects.exists()


def test_an_estimated_date_of_birth_is_not_held_against_a_pair(
    personas: Personas, records: Records
) -> None:
    guess = register_twin(personas, date_of_birth=None, estimated_age_years=14)
    proposal = merging.merge_propose(
        actor=personas.supervisor, child_a=records.cpo_child, child_b=guess
    )
    assert proposal.evidence["date_of_birth"] == "disagree"
    assert proposal.proposed_by == personas.supervisor


def test_a_child_with_itself_and_a_second_open_proposal_are_refused(pair: Pair) -> None:
    with pytest.raises(ValidationError, match="itself"):
        merging.merge_propose(actor=LINKAGE, child_a=pair.kept, child_b=pair.kept, source=SYSTEM)
    with pytest.raises(ValidationError, match="already proposed"):
        merging.merge_propose(actor=LINKAGE, child_a=pair.kept, child_b=pair.twin, source=SYSTEM)
    assert ChildMerge.objects.count() == 1


def test_a_merged_child_cannot_be_proposed(pair: Pair, personas: Personas) -> None:
    decide(pair, personas.supervisor)
    third = register_twin(personas, name_latin="Ayesha B.")
    with pytest.raises(ValidationError, match="already been merged"):
        merging.merge_propose(actor=LINKAGE, child_a=pair.twin, child_b=third, source=SYSTEM)


def test_a_person_proposing_needs_the_capability_and_both_children(
    personas: Personas, records: Records
) -> None:
    twin = register_twin(personas)
    with pytest.raises(PermissionDenied):
        merging.merge_propose(actor=personas.cpo, child_a=records.cpo_child, child_b=twin)
    peshawar_girl = register_twin(
        personas, actor=personas.other_cpo, district=District.objects.get(pcode=PESHAWAR)
    )
    with pytest.raises(NotFound):
        merging.merge_propose(
            actor=personas.supervisor, child_a=records.cpo_child, child_b=peshawar_girl
        )


def test_the_system_does_not_propose_again_what_a_person_decided_apart(
    pair: Pair, personas: Personas
) -> None:
    decide(pair, personas.supervisor, merge=False, keep=None)
    with pytest.raises(ValidationError, match="only a person"):
        merging.merge_propose(actor=LINKAGE, child_a=pair.kept, child_b=pair.twin, source=SYSTEM)
    again = merging.merge_propose(actor=personas.supervisor, child_a=pair.kept, child_b=pair.twin)
    assert again.status == ChildMerge.Status.PROPOSED


# --- deciding -----------------------------------------------------------------------------


def test_merging_moves_links_cases_complaints_and_open_reviews(
    pair: Pair, personas: Personas
) -> None:
    case_version = Case.objects.get(pk=pair.twin_case.pk).version
    merge = decide(pair, personas.supervisor)
    kept, twin = pair.kept, pair.twin
    assert merge.status == ChildMerge.Status.MERGED
    assert (merge.kept, merge.merged, merge.decided_by) == (kept, twin, personas.supervisor)
    twin.refresh_from_db()
    assert twin.merged_into == kept  # kept, never deleted
    assert all(child_of(row) == kept.pk for row in pair.twin_links)
    assert child_of(pair.twin_case) == kept.pk
    assert child_of(pair.twin_complaint) == kept.pk
    assert child_of(pair.twin_open, "candidate") == kept.pk
    # History stays with the child it was decided for.
    assert child_of(pair.twin_undone) == twin.pk
    assert child_of(pair.twin_decided, "candidate") == twin.pk
    # A case opened before is told to look again.
    assert pair.twin_case.version == case_version + 1
    assert merge.moved == {
        "linkage.RecordLink.child": sorted(r.pk for r in pair.twin_links),
        "linkage.ReviewItem.candidate": [pair.twin_open.pk],
        "cases.Case.child": [pair.twin_case.pk],
        "complaints.ComplaintChild.child": [pair.twin_complaint.pk],
    }


def test_a_merge_writes_an_event_on_both_children_and_keeps_the_old_ones(
    pair: Pair, personas: Personas
) -> None:
    before = set(
        AuditEvent.objects.filter(
            object_type="people.child", object_id=str(pair.twin.uuid)
        ).values_list("pk", "action")
    )
    merge = decide(pair, personas.supervisor)
    on_twin = AuditEvent.objects.get(action="child.merge", object_id=str(pair.twin.uuid))
    on_kept = AuditEvent.objects.get(action="child.merge", object_id=str(pair.kept.uuid))
    assert on_twin.detail["into"] == str(pair.kept.uuid)
    assert on_kept.detail["from"] == str(pair.twin.uuid)
    assert on_twin.actor_id == on_kept.actor_id == personas.supervisor.pk
    assert on_twin.detail["merge"] == merge.pk and on_twin.detail["moved"] == merge.moved
    after = set(
        AuditEvent.objects.filter(
            object_type="people.child", object_id=str(pair.twin.uuid)
        ).values_list("pk", "action")
    )
    assert before < after  # nothing rewritten, one event added
    assert "child.register" in {action for _, action in before}


def test_the_survivor_can_be_either_child(pair: Pair, personas: Personas) -> None:
    merge = decide(pair, personas.supervisor, keep=pair.twin.pk)
    assert merge.kept == pair.twin
    pair.kept.refresh_from_db()
    assert pair.kept.merged_into == pair.twin


def test_different_children_are_remembered_and_nothing_moves(
    pair: Pair, personas: Personas
) -> None:
    merge = decide(pair, personas.supervisor, merge=False, keep=None, reason="Twins.")
    assert merge.status == ChildMerge.Status.REJECTED and merge.reason == "Twins."
    assert all(child_of(row) == pair.twin.pk for row in pair.twin_links)
    assert AuditEvent.objects.filter(action="child.merge_reject").count() == 1
    with pytest.raises(Conflict):
        decide(pair, personas.supervisor, version=merge.version)


def test_a_stale_version_is_a_conflict(pair: Pair, personas: Personas) -> None:
    with pytest.raises(Conflict):
        decide(pair, personas.supervisor, version=pair.proposal.version + 1)
    response = api_as(personas.supervisor).post(
        f"/api/merges/{pair.proposal.pk}/decide/",
        {"decision": "merge", "keep": str(pair.kept.uuid), "reason": "same", "version": 7},
        format="json",
    )
    assert response.status_code == 409, response.content
    merge = decide(pair, personas.supervisor)
    response = api_as(personas.supervisor).post(
        f"/api/merges/{merge.pk}/undo/", {"reason": "wrong", "version": 1}, format="json"
    )
    assert response.status_code == 409, response.content
    # The 409 says what happened since version 1, from the audit trail, as for a case.
    body = response.json()
    assert body["version"] == merge.version == 2
    assert [(c["version"], c["action"], c["by"]) for c in body["changes"]] == [
        (2, "child.merge_accept", personas.supervisor.username)
    ]


def test_a_reason_and_a_child_of_the_pair_are_required(pair: Pair, personas: Personas) -> None:
    with pytest.raises(ValidationError, match="Say why"):
        decide(pair, personas.supervisor, reason="  ")
    stranger = register_twin(personas, name_latin="Someone")
    for keep in (stranger.uuid, stranger.pk, "nonsense", None):
        with pytest.raises(ValidationError, match="kept"):
            decide(pair, personas.supervisor, keep=keep)
    assert ChildMerge.objects.get(pk=pair.proposal.pk).status == ChildMerge.Status.PROPOSED


def test_a_record_changed_since_the_proposal_is_checked_again(
    pair: Pair, personas: Personas
) -> None:
    child_update(actor=personas.supervisor, child=pair.twin, sex="male", name_latin="Ali")
    with pytest.raises(ValidationError, match="recorded as"):
        decide(pair, personas.supervisor)
    pair.twin.refresh_from_db()
    assert pair.twin.merged_into is None


def test_other_proposals_of_the_merged_child_are_withdrawn(pair: Pair, personas: Personas) -> None:
    third = register_twin(personas, name_latin="Ayesha")
    other = merging.merge_propose(actor=LINKAGE, child_a=pair.twin, child_b=third, source=SYSTEM)
    keeps = merging.merge_propose(actor=LINKAGE, child_a=pair.kept, child_b=third, source=SYSTEM)
    decide(pair, personas.supervisor)
    other.refresh_from_db()
    keeps.refresh_from_db()
    assert other.status == ChildMerge.Status.WITHDRAWN
    assert keeps.status == ChildMerge.Status.PROPOSED  # the survivor's stay open


# --- undoing ------------------------------------------------------------------------------


def test_undo_moves_back_exactly_what_was_moved(pair: Pair, personas: Personas) -> None:
    merge = decide(pair, personas.supervisor)
    # Since the merge: a new link and a new case on the survivor, and one moved link undone.
    later_link = link(pair.kept, "FIR-L1")
    later_case = case_open(
        actor=personas.supervisor, child=pair.kept, initial_risk="low", concerns=["abused"]
    )
    moved_then_undone = pair.twin_links[1]
    RecordLink.objects.filter(pk=moved_then_undone.pk).update(undone_at=timezone.now())

    undone = undo(merge, personas.supervisor)
    assert undone.status == ChildMerge.Status.UNMERGED
    assert undone.undone_by == personas.supervisor
    pair.twin.refresh_from_db()
    assert pair.twin.merged_into is None
    assert child_of(pair.twin_links[0]) == pair.twin.pk
    assert child_of(pair.twin_case) == pair.twin.pk
    assert child_of(pair.twin_complaint) == pair.twin.pk
    assert child_of(pair.twin_open, "candidate") == pair.twin.pk
    # What came to the survivor since, or was decided since, stays with it.
    assert child_of(later_link) == pair.kept.pk
    assert child_of(later_case) == pair.kept.pk
    assert child_of(moved_then_undone) == pair.kept.pk
    events = AuditEvent.objects.filter(action="child.unmerge")
    assert {e.object_id for e in events} == {str(pair.kept.uuid), str(pair.twin.uuid)}
    detail = events.first().detail  # type: ignore[union-attr]
    assert detail["left_with_survivor"] == {"linkage.RecordLink.child": [moved_then_undone.pk]}
    with pytest.raises(Conflict):
        undo(undone, personas.supervisor)


def test_a_merge_whose_survivor_was_merged_since_is_undone_in_order(
    pair: Pair, personas: Personas
) -> None:
    first = decide(pair, personas.supervisor)
    third = register_twin(personas, name_latin="Ayesha")
    second = merging.merge_propose(actor=LINKAGE, child_a=pair.kept, child_b=third, source=SYSTEM)
    second = merging.merge_decide(
        actor=personas.supervisor,
        merge_id=second.pk,
        merge=True,
        keep=third.uuid,
        reason="Again.",
        version=second.version,
    )
    with pytest.raises(ValidationError, match="undo that merge first"):
        undo(first, personas.supervisor)
    undo(second, personas.supervisor)
    undo(first, personas.supervisor)
    assert all(child_of(row) == pair.twin.pk for row in pair.twin_links)


# --- scope --------------------------------------------------------------------------------


def test_only_who_may_see_both_children_decides(
    personas: Personas, records: Records, client: Any
) -> None:
    other_district = register_twin(
        personas,
        actor=personas.provincial_supervisor,
        district=District.objects.get(pcode=OTHER_PUNJAB),
    )
    proposal = merging.merge_propose(
        actor=LINKAGE, child_a=records.cpo_child, child_b=other_district, source=SYSTEM
    )
    lahore = personas.supervisor  # sees Ayesha, not the girl of the other district
    assert not access.merges_visible_to(lahore).filter(pk=proposal.pk).exists()
    kp = make_user(
        "kp.sup", {"role": "supervisor", "scope_level": "district", "district": PESHAWAR}
    )
    body = {"decision": "merge", "keep": str(records.cpo_child.uuid), "reason": "x", "version": 1}
    for user in (lahore, kp):
        with pytest.raises(NotFound):
            merging.merge_decide(
                actor=user,
                merge_id=proposal.pk,
                merge=True,
                keep=records.cpo_child.uuid,
                reason="same",
                version=1,
            )
        api = api_as(user)
        assert api.get(f"/api/merges/{proposal.pk}/").status_code == 404
        decided = api.post(f"/api/merges/{proposal.pk}/decide/", body, format="json")
        assert decided.status_code == 404
        assert api.get("/api/merges/").json()["results"] == []
        client.force_login(user)
        assert client.get(f"/children/merges/{proposal.pk}/").status_code == 404
        page = client.post(f"/children/merges/{proposal.pk}/decide", {**body, "decision": "merge"})
        assert page.status_code == 404
    # Roles without the capability are refused outright.
    for user in (personas.cpo, personas.analyst, personas.administrator, personas.outsider):
        assert api_as(user).get("/api/merges/").status_code == 403
        assert api_as(user).get(f"/api/merges/{proposal.pk}/").status_code == 403
    # The provincial supervisor sees both and decides.
    response = api_as(personas.provincial_supervisor).post(
        f"/api/merges/{proposal.pk}/decide/", body, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "merged"
    with pytest.raises(NotFound):
        undo(ChildMerge.objects.get(pk=proposal.pk), lahore)


def test_the_undo_form_is_only_for_who_may_undo(
    pair: Pair, personas: Personas, client: Any
) -> None:
    merge = decide(pair, personas.supervisor)
    client.force_login(personas.cpo)  # Ayesha's officer: sees her, not her merged twin
    assert client.get(f"/children/{pair.twin.uuid}/").status_code == 404
    page = client.post(
        f"/children/merges/{merge.pk}/undo", {"reason": "x", "version": merge.version}
    )
    assert page.status_code == 403
    body = {"reason": "x", "version": merge.version}
    response = api_as(personas.cpo).post(f"/api/merges/{merge.pk}/undo/", body, format="json")
    assert response.status_code == 403


# --- lists, search and pages --------------------------------------------------------------


def test_a_merged_child_leaves_lists_and_search_but_its_page_answers(
    pair: Pair, personas: Personas, client: Any
) -> None:
    api = api_as(personas.supervisor)

    def listed(**query: str) -> set[str]:
        return {row["uuid"] for row in api.get("/api/children/", query).json()["results"]}

    assert str(pair.twin.uuid) in listed() and str(pair.twin.uuid) in listed(q="aisha")
    merge = decide(pair, personas.supervisor)
    assert str(pair.twin.uuid) not in listed()
    assert listed(q="aisha") == set()
    assert str(pair.kept.uuid) in listed(q="ayesha")
    detail = api.get(f"/api/children/{pair.twin.uuid}/").json()
    assert (detail["merged"], detail["merged_into"]) == (True, str(pair.kept.uuid))
    assert not access.children_changeable_by(personas.supervisor).filter(pk=pair.twin.pk).exists()

    client.force_login(personas.supervisor)
    page = client.get(f"/children/{pair.twin.uuid}/").content.decode()
    assert "merged into that record" in page
    assert f'href="/children/{pair.kept.uuid}/"' in page
    assert f'action="/children/merges/{merge.pk}/undo"' in page
    assert "Change this record" not in page
    listing = client.get("/children/", {"q": "aisha"}).content.decode()
    assert "Aisha" not in listing
    survivor = client.get(f"/children/{pair.kept.uuid}/").content.decode()
    assert "Merged into this child" in survivor and "Aisha Bibi" in survivor


def test_the_reviewer_pages(pair: Pair, personas: Personas, client: Any) -> None:
    client.force_login(personas.supervisor)
    home = client.get("/").content.decode()
    assert 'href="/children/merges/"' in home
    queue = client.get("/children/merges/").content.decode()
    assert f'href="/children/merges/{pair.proposal.pk}/"' in queue
    assert "Aisha Bibi" in queue and "Ayesha Bibi" in queue
    page = client.get(f"/children/merges/{pair.proposal.pk}/").content.decode()
    for text in ("Same child — merge", "Different children", "عائشہ بی بی", "35202-1234567-1"):
        assert text in page
    # Both reads are audited.
    reads = AuditEvent.objects.filter(action="child.read", detail__purpose="merge")
    assert {e.object_id for e in reads} == {str(pair.kept.uuid), str(pair.twin.uuid)}
    # Without a reason: back to the page with the error; nothing merged.
    response = client.post(
        f"/children/merges/{pair.proposal.pk}/decide",
        {"decision": "merge", "keep": str(pair.kept.uuid), "version": 1},
    )
    assert response.status_code == 302
    assert "Say why" in client.get(response["Location"]).content.decode()
    response = client.post(
        f"/children/merges/{pair.proposal.pk}/decide",
        {"decision": "merge", "keep": str(pair.kept.uuid), "version": 1, "reason": "Same"},
    )
    assert response["Location"] == f"/children/{pair.kept.uuid}/"
    # Stale: the page says so.
    response = client.post(
        f"/children/merges/{pair.proposal.pk}/decide",
        {"decision": "different", "version": 1, "reason": "Twins"},
    )
    assert "Reload the page" in client.get(response["Location"]).content.decode()


def test_the_api_lists_reads_proposes_decides_and_undoes(
    personas: Personas, records: Records
) -> None:
    twin = register_twin(personas)
    api = api_as(personas.supervisor)
    response = api.post(
        "/api/merges/",
        {"child_a": str(records.cpo_child.uuid), "child_b": str(twin.uuid)},
        format="json",
    )
    assert response.status_code == 201, response.content
    merge_id = response.json()["id"]
    assert response.json()["proposed_by"] == "supervisor"
    again = api.post(
        "/api/merges/",
        {"child_a": str(twin.uuid), "child_b": str(records.cpo_child.uuid)},
        format="json",
    )
    assert again.status_code == 400
    assert [m["id"] for m in api.get("/api/merges/").json()["results"]] == [merge_id]
    detail = api.get(f"/api/merges/{merge_id}/").json()
    assert [c["uuid"] for c in detail["children"]] == [
        str(records.cpo_child.uuid),
        str(twin.uuid),
    ]
    assert detail["can_decide"] is True
    assert detail["children"][0]["b_form_number"] == "35202-1234567-1"
    decided = api.post(
        f"/api/merges/{merge_id}/decide/",
        {"decision": "merge", "keep": str(twin.uuid), "reason": "same", "version": 1},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["kept"] == str(twin.uuid)
    assert decided.json()["merged"] == str(records.cpo_child.uuid)
    undone = api.post(
        f"/api/merges/{merge_id}/undo/", {"reason": "no", "version": 2}, format="json"
    )
    assert undone.status_code == 200, undone.content
    assert undone.json()["status"] == "unmerged"


@pytest.mark.parametrize(
    "nasty", ["\x00", "a\x00b", 10**30, -1, 1.5, [], {}, None, True, "", "😀" * 400]
)
def test_hostile_input_is_refused_never_a_500(pair: Pair, personas: Personas, nasty: Any) -> None:
    api = api_as(personas.supervisor)
    good = {"decision": "merge", "keep": str(pair.kept.uuid), "reason": "same", "version": 1}
    for field in good:
        response = api.post(
            f"/api/merges/{pair.proposal.pk}/decide/", {**good, field: nasty}, format="json"
        )
        # A number is a valid reason ("-1"): then the merge is done and the rest conflict.
        assert response.status_code in (200, 400, 409), (field, response.content)
    for field in ("child_a", "child_b"):
        body = {"child_a": str(pair.kept.uuid), "child_b": str(pair.twin.uuid), field: nasty}
        assert api.post("/api/merges/", body, format="json").status_code in (400, 404)
    for field in ("reason", "version"):
        body = {"reason": "x", "version": 1, field: nasty}
        response = api.post(f"/api/merges/{pair.proposal.pk}/undo/", body, format="json")
        assert response.status_code in (200, 400, 409), (field, response.content)
    assert api.get("/api/merges/999999999999999999999/").status_code == 404


# --- every reference to a child has a decision ----------------------------------------------


def test_every_foreign_key_to_a_child_is_moved_or_left_on_purpose() -> None:
    from django.apps import apps

    found = {
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, ForeignKey) and field.related_model is Child
    }
    decided = {ref.label for ref in merging.MOVED} | set(merging.LEFT)
    assert found - decided == set(), "decide in cpmis/people/merging.py (MOVED or LEFT)"
    assert {ref.label for ref in merging.MOVED} <= found
