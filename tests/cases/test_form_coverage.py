"""Every form a casework page can show is one the browser tests submit.

The casework pages are rendered here as each role, with a case at every stage; each ``<form>``
inside ``<main>`` must carry a ``data-form`` name listed in ``tests/browser/casework_forms.py``,
whose last browser test fails if a listed form was not submitted in Chromium. A new form thus
fails this test until a browser test drives it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cpmis.cases import services as s
from cpmis.cases.models import Institution
from cpmis.reference.models import District, InstitutionType
from tests.browser.casework_forms import COVERED
from tests.conftest import Personas, Records
from tests.factories import SupervisorFactory

FORM = re.compile(r"<form\b([^>]*)>", re.S)
NAME = re.compile(r'data-form="([^"]+)"')


def forms_in(html: str) -> list[str]:
    main = html[html.index("<main") :]
    found = []
    for attributes in FORM.findall(main):
        name = NAME.search(attributes)
        found.append(name.group(1) if name else f"(unnamed form: {attributes.strip()[:80]})")
    return found


@pytest.mark.clock  # the forms a page shows follow the clocks (a task overdue, a review due)
def test_every_form_of_the_casework_pages_is_driven_by_a_browser_test(
    client: Any, personas: Personas, records: Records
) -> None:
    seen: set[str] = set()
    kp = SupervisorFactory(username="kp.sup", district="PK528")
    Institution.objects.create(
        name="Home",
        type=InstitutionType.objects.get(code="child_protection_institution"),
        district=District.objects.get(pcode="PK617"),
        capacity=5,
    )
    case = s.case_open(
        actor=personas.cpo,
        child=records.cpo_child,
        initial_risk="high",
        concerns=["abused"],
        opened_at=timezone.now() - timedelta(days=2),
    )
    unassigned = s.case_open(
        actor=personas.supervisor,
        child=records.lahore_child,
        initial_risk="low",
        concerns=["abused"],
    )

    def look() -> None:
        for user in (personas.cpo, personas.supervisor, kp):
            client.force_login(user)
            for path in (
                "/",
                "/cases/",
                "/cases/tasks/",
                "/cases/dashboard/",
                "/cases/unassigned/",
                "/cases/transfers/",
                f"/cases/new/?child={records.cpo_child.uuid}",
                f"/cases/{case.uuid}/",
                f"/cases/{unassigned.uuid}/",
            ):
                response = client.get(path)
                if response.status_code == 200:
                    seen.update(forms_in(response.content.decode()))

    cpo, sup = personas.cpo, personas.supervisor
    look()
    s.case_assess(actor=cpo, case=case, risk_level="high")
    s.case_plan(actor=cpo, case=case, goals=[{"goal": "School"}])
    look()
    s.protection_take(actor=cpo, case=case)
    s.court_produce(actor=cpo, case=case, court="Lahore")
    look()
    s.order_record(actor=cpo, case=case, kind="release", final=True)
    s.release(actor=cpo, case=case)
    s.case_plan_approve(actor=sup, case=case)
    look()
    s.closure_request(actor=cpo, case=case, reason="reintegrated")
    look()
    s.closure_decide(actor=sup, case=case, approve=True)
    look()
    s.case_reopen(actor=sup, case=case, note="Again.")
    s.transfer_request(
        actor=sup, case=case, to_district=District.objects.get(pcode="PK528"), reason="Moved."
    )
    look()

    assert {"case:decide-closure", "case:reopen", "cases:transfer-accept"} <= seen
    assert not [n for n in seen if n.startswith("(unnamed")], seen
    assert seen - COVERED == set(), "forms no browser test submits"
