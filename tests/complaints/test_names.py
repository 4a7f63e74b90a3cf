"""A child's name as the reporter typed it (Latin or Urdu script) reaches the registry in the
field of its script; the complaint's pages show labels, not codes."""

from __future__ import annotations

import html
import re
from typing import Any

from django.test import Client

from cpmis.complaints import services
from cpmis.complaints.models import ComplaintChild
from cpmis.people.models import Child
from cpmis.people.phonetic import is_urdu
from cpmis.reference.models import District
from tests.conftest import LAHORE, Personas, api_as, web_as

from .conftest import complaint_input

AYESHA = "عائشہ"


def complaint_about(personas: Personas, name: str, **overrides: Any) -> Any:
    data = complaint_input(
        children=[services.ChildInput(name=name, sex="female", age_years=10)], **overrides
    )
    return services.complaint_register(actor=personas.complaint_officer, data=data).complaint


def open_case_form(page: str) -> dict[str, str]:
    """The fields of the page's "open a case for a new child" form, as the browser sends them."""
    form = re.search(r'<form[^>]*id="open-case-form".*?</form>', page, re.S)
    assert form is not None, page
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form.group(0)):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="checkbox"' not in tag:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields


def test_a_name_in_urdu_on_a_complaint_prefills_the_urdu_field_and_is_registered_in_it(
    personas: Personas,
) -> None:
    complaint = complaint_about(personas, AYESHA)
    cpo = web_as(Client(), personas.cpo)
    form = open_case_form(cpo.get(f"/complaints/{complaint.uuid}/").content.decode())
    assert form["register_name_urdu"] == AYESHA
    assert form["register_name_latin"] == ""
    response = cpo.post(
        f"/complaints/{complaint.uuid}/act/open-case/",
        {**form, "register_sex": "female", "initial_risk": "high", "concerns": "child_labour"},
    )
    assert response.status_code == 302 and "/cases/" in response["Location"]
    child = ComplaintChild.objects.get(complaint=complaint).child
    assert child is not None
    assert (child.name_latin, child.name_urdu) == ("", AYESHA)


def test_a_name_in_latin_script_prefills_the_latin_field(personas: Personas) -> None:
    complaint = complaint_about(personas, "Ayesha")
    page = web_as(Client(), personas.cpo).get(f"/complaints/{complaint.uuid}/").content.decode()
    form = open_case_form(page)
    assert (form["register_name_latin"], form["register_name_urdu"]) == ("Ayesha", "")


def test_an_urdu_name_sent_in_the_latin_field_at_triage_is_registered_in_urdu(
    personas: Personas,
) -> None:
    complaint = complaint_about(personas, AYESHA)
    response = api_as(personas.cpo).post(
        f"/api/complaints/{complaint.uuid}/open-case/",
        {
            "version": complaint.version,
            "initial_risk": "high",
            "register": {
                "name_latin": AYESHA,
                "guardian_name_latin": "محمد اسلم",
                "sex": "female",
                "estimated_age_years": 10,
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    child = Child.objects.get(name_urdu=AYESHA)
    assert child.name_latin == "" and child.guardian_name_urdu == "محمد اسلم"


def test_the_complaint_pages_show_labels_not_codes(personas: Personas) -> None:
    complaint = complaint_about(personas, f"Ayesha {AYESHA}", district=None)
    services.complaint_route(
        actor=personas.complaint_officer,
        complaint=complaint,
        district=District.objects.get(pcode=LAHORE),
        version=complaint.version,
    )
    cpo = web_as(Client(), personas.cpo)
    page = cpo.get(f"/complaints/{complaint.uuid}/").content.decode()
    assert "Concerns: Child labour or bonded labour" in page
    assert "→ Lahore" in page and "→ PK617" not in page
    children = re.search(r"<h2>Children</h2>.*?</table>", page, re.S)
    assert children is not None
    assert f'Ayesha · <span lang="ur" dir="rtl">{AYESHA}</span>' in children.group(0)
    assert all("data-label=" in td for td in re.findall(r"<td[^>]*>", children.group(0)))
    queue = cpo.get("/complaints/").content.decode()
    assert "Child labour or bonded labour" in queue and ">child_labour<" not in queue


def test_the_demo_registers_complaint_children_by_name_in_its_script() -> None:
    from cpmis.demo.complaints import complaints_generate
    from cpmis.demo.generator import demo_accounts_create

    demo_accounts_create(password="demo password 123")
    complaints_generate(seed=1)
    about = list(ComplaintChild.objects.filter(child__isnull=False).select_related("child"))
    assert about
    assert any(is_urdu(a.name) for a in about) or any(not a.name for a in about)
    for a in about:
        assert a.child is not None
        assert a.child.name_latin != "Unknown" and not is_urdu(a.child.name_latin)
        assert a.child.name_latin or a.child.name_urdu
        if a.name:
            assert a.name in (a.child.name_latin, a.child.name_urdu)
