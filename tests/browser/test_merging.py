"""A supervisor decides in a real browser that two registry children are one, and undoes it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from playwright.sync_api import expect

from cpmis.actors import LINKAGE
from cpmis.audit.models import AuditEvent
from cpmis.cases.services import case_open
from cpmis.linkage.models import RecordLink
from cpmis.people import merging
from cpmis.people.models import ChildMerge
from cpmis.people.services import child_register
from cpmis.reference.models import District
from tests.browser.test_casework import PHONE, axe_check
from tests.conftest import LAHORE, Personas, Records, born
from tests.people.test_merging import link

pytestmark = pytest.mark.browser


def fits_a_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px"
    axe_check(page)


def test_supervisor_merges_two_children_and_undoes_it(
    page: Any, live_server: Any, personas: Personas, records: Records, sign_in: Any, submit: Any
) -> None:
    base, ayesha = live_server.url, records.cpo_child
    twin = child_register(
        actor=personas.supervisor,
        district=District.objects.get(pcode=LAHORE),
        sex="female",
        date_of_birth=born(11, 3, 1),  # records.cpo_child's
        name_latin="Aisha Bibi",
        guardian_name_latin="Mohd Aslam",
    )
    twin_link = link(twin, "FIR-T1")
    twin_case = case_open(
        actor=personas.supervisor, child=twin, initial_risk="high", concerns=["abused"]
    )
    proposal = merging.merge_propose(
        actor=LINKAGE,
        child_a=twin,
        child_b=ayesha,
        probability=0.93,
        source="linkage run, model v1",
    )

    page.set_viewport_size(PHONE)
    sign_in(page, "supervisor")
    panel = page.get_by_role("region", name="Possibly the same child")
    expect(panel).to_contain_text("1 pair of registry children")
    submit(page, panel.get_by_role("link", name="Decide"))
    assert page.url == f"{base}/children/merges/"
    fits_a_phone(page)
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Aisha Bibi")
    expect(rows.first).to_contain_text("93 %")
    submit(page, rows.first.get_by_role("link"))
    assert page.url == f"{base}/children/merges/{proposal.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Are these the same child?")
    grid = page.get_by_role("table", name="The two registry children side by side")
    expect(grid).to_contain_text("عائشہ بی بی")
    expect(grid).to_contain_text("35202-1234567-1")
    fits_a_phone(page)

    # Same child: keep Ayesha, the record her officer knows.
    page.get_by_label("Keep").select_option(str(ayesha.uuid))
    page.get_by_label("Why are they the same child?").fill("Same father, same date of birth.")
    response = submit(page, page.get_by_role("button", name="Same child — merge"))
    assert response.status == 200
    assert page.url == f"{base}/children/{ayesha.uuid}/"
    expect(page.locator("ul.messages")).to_contain_text("now this child's")
    merged_from = page.get_by_role("heading", name="Merged into this child")
    expect(merged_from).to_be_visible()
    merge = ChildMerge.objects.get(pk=proposal.pk)
    assert (merge.status, merge.kept, merge.merged) == ("merged", ayesha, twin)
    twin.refresh_from_db()
    twin_link.refresh_from_db()
    twin_case.refresh_from_db()
    assert twin.merged_into == ayesha
    assert twin_link.child == ayesha and twin_case.child == ayesha
    expect(page.locator("table.list")).to_contain_text("FIR-T1")  # her records now

    # The merged child's page says where she went, and undoes it.
    submit(page, page.get_by_role("link", name="Aisha Bibi"))
    assert page.url == f"{base}/children/{twin.uuid}/"
    notice = page.get_by_role("status")
    expect(notice).to_contain_text("merged into that record")
    expect(notice.get_by_role("link", name="Ayesha Bibi")).to_have_attribute(
        "href", f"/children/{ayesha.uuid}/"
    )
    expect(page.get_by_role("link", name="Change this record")).to_have_count(0)
    fits_a_phone(page)
    page.get_by_label("Why was the merge wrong?").fill("Twins: two girls after all.")
    response = submit(page, page.get_by_role("button", name="Undo merge"))
    assert response.status == 200
    assert page.url == f"{base}/children/{twin.uuid}/"
    expect(page.locator("ul.messages")).to_contain_text("The merge was undone")
    expect(page.get_by_role("button", name="Undo merge")).to_have_count(0)
    expect(page.get_by_role("link", name="Change this record")).to_be_visible()
    expect(page.locator("table.list")).to_contain_text("FIR-T1")
    twin.refresh_from_db()
    assert twin.merged_into is None
    assert RecordLink.objects.get(pk=twin_link.pk).child == twin
    assert ChildMerge.objects.get(pk=proposal.pk).status == "unmerged"
    assert AuditEvent.objects.filter(action="child.unmerge").count() == 2

    # She is found by search again.
    page.goto(f"{base}/children/?q=aisha")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list")).to_contain_text("Aisha Bibi")


def test_supervisor_decides_two_children_are_different(
    page: Any, live_server: Any, personas: Personas, records: Records, sign_in: Any, submit: Any
) -> None:
    base, ayesha = live_server.url, records.cpo_child
    sister = child_register(
        actor=personas.supervisor,
        district=District.objects.get(pcode=LAHORE),
        sex="female",
        date_of_birth=born(11, 3, 1),  # records.cpo_child's
        name_latin="Aisha Bibi",
        guardian_name_latin="Muhammad Aslam",
    )
    proposal = merging.merge_propose(
        actor=LINKAGE,
        child_a=sister,
        child_b=ayesha,
        probability=0.91,
        source="linkage run, model v2",
    )
    page.set_viewport_size(PHONE)
    sign_in(page, "supervisor")
    page.goto(f"{base}/children/merges/{proposal.pk}/")
    fits_a_phone(page)
    page.get_by_label("Why are they different children?").fill("Twins: the mother says two girls.")
    response = submit(page, page.get_by_role("button", name="Different children"))
    assert response.status == 200
    assert page.url == f"{base}/children/merges/"  # the queue, now empty
    expect(page.locator("ul.messages")).to_contain_text("two different children")
    merge = ChildMerge.objects.get(pk=proposal.pk)
    assert merge.status == "rejected" and merge.decided_by == personas.supervisor
    sister.refresh_from_db()
    assert sister.merged_into is None
    # The system does not ask again about a pair a person decided apart.
    with pytest.raises(ValidationError):
        merging.merge_propose(actor=LINKAGE, child_a=sister, child_b=ayesha, source="linkage run")
