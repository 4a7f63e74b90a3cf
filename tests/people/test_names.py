"""Names in the script they were written in: stored in the field of their script, shown in
it (marked as Urdu), never as "Unknown" or a dash; a child named with its father's name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from cpmis.people.models import Child
from cpmis.people.phonetic import split_by_script
from cpmis.people.selectors import child_search
from cpmis.people.services import URDU_IN_LATIN_FIELD, child_register, child_update
from cpmis.reference.models import District
from tests.conftest import LAHORE, Personas, Records, api_as, born

ZAINAB = "زینب"
URDU = f'<span lang="ur" dir="rtl">{ZAINAB}</span>'


def register(personas: Personas, **names: str) -> Child:
    return child_register(
        actor=personas.cpo,
        district=District.objects.get(pcode=LAHORE),
        sex="female",
        date_of_birth=born(10, 5, 4),
        **names,
    )


def row_of(page: str, child: Child) -> str:
    rows = [r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if str(child.uuid) in r]
    assert len(rows) == 1, page
    return rows[0]


# --- shown in its script ---------------------------------------------------------------------


def test_a_child_known_only_by_an_urdu_name_is_listed_by_it(
    client: Any, personas: Personas
) -> None:
    child = register(personas, name_urdu=ZAINAB)
    client.force_login(personas.cpo)
    row = row_of(client.get("/children/").content.decode(), child)
    link = re.search(r'<a href="/children/[^"]+/">(.*?)</a>', row, re.S)
    assert link is not None and link.group(1) == URDU  # the link reads the name, in Urdu
    assert "—" not in row and "Unknown" not in row and "(no name" not in row


def test_a_child_known_only_by_an_urdu_name_has_it_as_the_pages_heading(
    client: Any, personas: Personas
) -> None:
    child = register(personas, name_urdu=ZAINAB, guardian_name_urdu="محمد اسلم")
    client.force_login(personas.cpo)
    page = client.get(f"/children/{child.uuid}/").content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert heading is not None
    assert heading.group(1).startswith(URDU + " ")  # once, marked as Urdu
    assert heading.group(1).count(ZAINAB) == 1
    assert 'd/o <span lang="ur" dir="rtl">محمد اسلم</span>' in heading.group(1)
    assert "Unknown" not in heading.group(1) and "(no name" not in page


def test_the_child_page_and_the_list_say_whose_daughter_the_child_is(
    client: Any, personas: Personas, records: Records
) -> None:
    client.force_login(personas.supervisor)
    page = client.get(f"/children/{records.cpo_child.uuid}/").content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert heading is not None and "d/o Muhammad Aslam" in heading.group(1)
    row = row_of(client.get("/children/").content.decode(), records.cpo_child)
    assert "d/o Muhammad Aslam" in row
    son = row_of(client.get("/children/").content.decode(), records.lahore_child)
    assert "s/o" not in son and "d/o" not in son  # no guardian's name recorded: no line


def test_the_list_shows_codes_by_their_labels_and_labels_each_cell(
    client: Any, personas: Personas, records: Records
) -> None:
    client.force_login(personas.cpo)
    row = row_of(client.get("/children/").content.decode(), records.cpo_child)
    assert ">Female<" in row and ">female<" not in row
    cells = re.findall(r"<td([^>]*)>", row)
    assert cells and all("data-label=" in c for c in cells)


def test_the_name_tags_mark_urdu_and_never_invent_a_name() -> None:
    template = Template(
        "{% load names %}[{% child_name c %}][{% guardian_line c %}][{% typed_name t %}]"
    )
    child = Child(name_urdu=ZAINAB, sex="female", guardian_name_latin="Muhammad Aslam")
    out = template.render(Context({"c": child, "t": f"Zainab {ZAINAB}"}))
    assert out == f"[{URDU}][d/o Muhammad Aslam][Zainab · {URDU}]"
    nobody = Child(sex="unknown", guardian_name_latin="Aslam")
    out = template.render(Context({"c": nobody, "t": ""}))
    assert "Unknown" not in out and "(no name recorded)" in out
    assert "child of Aslam" in out  # neither son nor daughter: neither s/o nor d/o


# --- stored in the field of its script --------------------------------------------------------


def test_split_by_script_keeps_each_spelling_in_order() -> None:
    assert split_by_script("Ayesha Bibi") == ("Ayesha Bibi", "")
    assert split_by_script(" عائشہ  بی بی ") == ("", "عائشہ بی بی")
    assert split_by_script("Ayesha عائشہ") == ("Ayesha", "عائشہ")


def test_an_urdu_name_typed_in_the_latin_field_is_moved_to_the_urdu_field(
    personas: Personas,
) -> None:
    child = register(personas, name_latin=ZAINAB, guardian_name_latin="محمد اسلم")
    child.refresh_from_db()
    assert (child.name_latin, child.name_urdu) == ("", ZAINAB)
    assert (child.guardian_name_latin, child.guardian_name_urdu) == ("", "محمد اسلم")
    assert list(child_search(user=personas.cpo, q=ZAINAB)) == [child]


def test_both_spellings_typed_in_the_latin_field_are_each_kept_in_their_field(
    personas: Personas,
) -> None:
    child = register(personas, name_latin=f"Zainab {ZAINAB}")
    assert (child.name_latin, child.name_urdu) == ("Zainab", ZAINAB)


def test_urdu_in_the_latin_field_is_refused_when_the_urdu_field_has_a_name(
    personas: Personas,
) -> None:
    with pytest.raises(ValidationError) as refused:
        register(personas, name_latin=ZAINAB, name_urdu="زینب بی بی")
    assert refused.value.message_dict == {"name_latin": [URDU_IN_LATIN_FIELD]}
    assert not Child.objects.filter(name_urdu__startswith=ZAINAB).exists()


def test_a_change_moves_or_refuses_urdu_in_the_latin_field_the_same_way(
    personas: Personas, records: Records
) -> None:
    with pytest.raises(ValidationError) as refused:  # Ayesha Bibi has an Urdu name
        child_update(actor=personas.cpo, child=records.cpo_child, name_latin="عائشہ")
    assert refused.value.message_dict == {"name_latin": [URDU_IN_LATIN_FIELD]}
    child = child_update(
        actor=personas.supervisor, child=records.lahore_child, name_latin="محمد بلال"
    )
    child.refresh_from_db()
    assert (child.name_latin, child.name_urdu) == ("", "محمد بلال")


def test_the_registration_page_moves_an_urdu_name_to_its_field(
    client: Any, personas: Personas
) -> None:
    client.force_login(personas.cpo)
    form = {
        "name_latin": ZAINAB,
        "name_urdu": "",
        "guardian_relation": "father",
        "guardian_name_latin": "",
        "guardian_name_urdu": "",
        "sex": "female",
        "estimated_age_years": "9",
        "nationality": "PK",
        "locality": "unknown",
        "district": LAHORE,
    }
    response = client.post("/children/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    child = Child.objects.get(name_urdu=ZAINAB)
    assert child.name_latin == ""
    refused = client.post("/children/new/", {**form, "name_urdu": "زینب بی بی"})
    assert refused.status_code == 400
    assert URDU_IN_LATIN_FIELD in refused.content.decode()


def test_the_api_moves_an_urdu_name_to_its_field(personas: Personas) -> None:
    response = api_as(personas.cpo).post(
        "/api/children/",
        {"name_latin": ZAINAB, "sex": "female", "estimated_age_years": 9, "district": LAHORE},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.data["name_latin"], response.data["name_urdu"]) == ("", ZAINAB)


def test_the_list_shows_names_without_a_query_per_child(client: Any, personas: Personas) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.cpo)
    register(personas, name_urdu=ZAINAB, guardian_name_latin="Muhammad Aslam")
    client.get("/children/")  # the session is saved once, on the first page
    with CaptureQueriesContext(connection) as one:
        client.get("/children/")
    for i in range(5):
        register(personas, name_latin=f"Zainab {i}", guardian_name_urdu="محمد اسلم")
    with CaptureQueriesContext(connection) as six:
        client.get("/children/")
    assert len(six) == len(one)


def test_an_urdu_name_typed_on_an_arabic_keyboard_is_written_with_urdu_letters(
    personas: Personas,
) -> None:
    # ي (Arabic yeh) and ك (Arabic kaf) for Urdu's ی and ک; ى (alef maksura) for ی.
    child = register(personas, name_urdu="زينب", guardian_name_urdu="كاشف علىى")
    assert child.name_urdu == ZAINAB
    assert child.guardian_name_urdu == "کاشف علیی"
    moved = register(personas, name_latin="Zainab زينب")
    assert (moved.name_latin, moved.name_urdu) == ("Zainab", ZAINAB)
    child_update(actor=personas.cpo, child=child, name_urdu="زينب بيبى")
    child.refresh_from_db()
    assert child.name_urdu == "زینب بیبی"
