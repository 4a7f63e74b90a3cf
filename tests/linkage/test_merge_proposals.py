"""Linkage and registry merges: a record that strongly matches two registry children proposes
them to a person as one child (never merges them), and a merged child is nobody's candidate."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cpmis.actors import LINKAGE
from cpmis.linkage import services
from cpmis.linkage.models import BlockingKey, ChildFeatures
from cpmis.people import merging
from cpmis.people.models import Child, ChildMerge
from cpmis.people.services import child_register
from cpmis.reference.models import District
from tests.conftest import LAHORE
from tests.exchange.test_submissions import row
from tests.linkage.test_linking import active_link, install_model, submit

# Ayesha's birthday is written here as a date (2015-03-01) and her age as a number on records
# of 2026-03-01, while records.cpo_child is born(11, 3, 1): the clock is pinned (tests/conftest.py)
# so that they stay the same girl, and no record's child turns 18, in any year.
pytestmark = pytest.mark.clock

AYESHA = {
    "department_record_id": "FIR-21",
    "child_name": "Ayesha Bibi",
    "guardian_name": "Muhammad Aslam",
    "date_of_birth": "2015-03-01",
    "b_form_number": "3520212345671",
    "age_years": "",
}


@pytest.fixture
def twice(personas: Any, records: Any) -> Child:
    """Ayesha registered a second time (another office, her name spelled Aisha)."""
    install_model()
    return child_register(
        actor=personas.supervisor,
        district=District.objects.get(pcode=LAHORE),
        sex="female",
        date_of_birth=date(2015, 3, 1),
        name_latin="Aisha Bibi",
        guardian_name_latin="Muhammad Aslam",
        b_form_number="3520212345671",
    )


def test_a_record_matching_two_registry_children_proposes_them_as_one(
    twice: Child, records: Any, personas: Any
) -> None:
    ayesha = records.cpo_child
    submit(personas, row(**AYESHA), key="merge-0001")
    link = active_link("FIR-21")
    assert link is not None and link.child_id in (ayesha.pk, twice.pk)  # one of them, not both
    proposal = ChildMerge.objects.get()
    assert {proposal.child_a_id, proposal.child_b_id} == {ayesha.pk, twice.pk}
    assert proposal.status == ChildMerge.Status.PROPOSED and proposal.proposed_by is None
    assert proposal.source.startswith("linkage run, model v")
    assert proposal.probability is not None and proposal.probability >= 0.9
    assert not Child.objects.exclude(merged_into=None).exists()  # a person decides
    # The next run proposes nothing again.
    submit(personas, row(**{**AYESHA, "department_record_id": "FIR-22"}), key="merge-0002")
    assert ChildMerge.objects.count() == 1


def test_a_merged_child_is_nobodys_candidate(twice: Child, records: Any, personas: Any) -> None:
    ayesha = records.cpo_child
    proposal = merging.merge_propose(
        actor=LINKAGE, child_a=ayesha, child_b=twice, source="tests", probability=0.99
    )
    # A run derives the registry's features and keys.
    submit(
        personas,
        row(**{**AYESHA, "department_record_id": "FIR-20", "child_name": "Zainab"}),
        key="merge-0000",
    )
    assert ChildFeatures.objects.filter(child=twice).exists()
    merging.merge_decide(
        actor=personas.supervisor,
        merge_id=proposal.pk,
        merge=True,
        keep=ayesha.uuid,
        reason="Same B-form, registered twice.",
        version=proposal.version,
    )
    submit(personas, row(**AYESHA), key="merge-0003")
    link = active_link("FIR-21")
    assert link is not None and link.child == ayesha
    assert not ChildFeatures.objects.filter(child=twice).exists()
    assert not BlockingKey.objects.filter(child=twice).exists()
    assert ChildMerge.objects.count() == 1  # nothing proposed about the merged child
    # Nor can a person link a record to it.
    other = {**AYESHA, "department_record_id": "FIR-23", "child_name": "Zainab"}
    submit(personas, row(**other), key="merge-0004")
    new = active_link("FIR-23")
    assert new is not None
    with pytest.raises(ValidationError, match="merged into another"):
        services.link_undo(actor=personas.supervisor, link_id=new.pk, reason="wrong", child=twice)
