"""A task's basis is stored in English, whatever the language of the request that derived it,
and shown in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from cpmis.cases.deadlines import shown_basis
from tests.conftest import Personas, Records

STORED = [
    "Law: KP CPWA 2010 s.20; report ¶52",
    "Policy default; report ¶50, ¶53",
    "Law: ICT CPA 2018 (section not cited in the report); report ¶51",
    "Policy: default response time by risk level (medium risk)",
    "Setting of the jurisdiction (high risk)",
    "Law: KP CPWA 2010 s.15; report ¶50; monthly visits are policy",
    "Policy: closure decided within 7 days",
]


@pytest.mark.parametrize("text", STORED)
def test_a_stored_basis_reads_the_same_in_english(text: str) -> None:
    with translation.override("en"):
        assert shown_basis(text) == text


@pytest.mark.parametrize("text", STORED)
def test_a_stored_basis_is_shown_in_urdu_with_its_citation_as_written(text: str) -> None:
    with translation.override("ur"):
        shown = shown_basis(text)
    assert shown != text
    assert "report" not in shown and "risk" not in shown and "Law" not in shown
    for kept in ("KP CPWA 2010 s.20", "¶50, ¶53", "ICT CPA 2018", "KP CPWA 2010 s.15"):
        if kept in text:
            assert kept in shown


def test_an_unknown_basis_is_shown_as_stored() -> None:
    with translation.override("ur"):
        assert shown_basis("Set by hand") == "Set by hand"
        assert shown_basis("") == ""


@pytest.mark.django_db
def test_tasks_derived_during_an_urdu_request_store_their_basis_in_english(
    personas: Personas, records: Records
) -> None:
    from cpmis.cases import services as s
    from cpmis.cases.models import Task

    with translation.override("ur"):
        case = s.case_open(
            actor=personas.cpo,
            child=records.cpo_child,
            initial_risk="high",
            concerns=["abused"],
        )
        s.case_assess(actor=personas.cpo, case=case, risk_level="high")
        s.protection_take(actor=personas.cpo, case=case)
    bases = list(Task.objects.filter(case=case).values_list("basis", flat=True))
    assert bases and all(b.isascii() or "¶" in b for b in bases), bases
    assert not any("\u0600" <= ch <= "\u06ff" for b in bases for ch in b)


@pytest.mark.django_db
def test_the_labels_cpmis_wrote_in_a_note_are_shown_in_the_readers_language() -> None:
    from cpmis.cases.templatetags.casework import event_note

    note = (
        "Child's views: wants to go home\nMedical report: fine\n"
        "Opened from complaint K7Q2 (helpline)."
    )
    with translation.override("en"):
        assert event_note(note) == note
    with translation.override("ur"):
        shown = event_note(note)
    assert "wants to go home" in shown and "fine" in shown and "K7Q2" in shown
    assert "Child's views" not in shown and "Opened from" not in shown and "helpline" not in shown
