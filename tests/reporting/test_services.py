"""Writes of the report: capability checks, versions and their conflicts, final editions,
review comments, and the audit trail of each."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cpmis.audit.models import AuditEvent
from cpmis.core.errors import Conflict
from cpmis.reporting import selectors, services
from cpmis.reporting.models import NarrativeVersion, ReportEdition
from tests.conftest import Personas


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_it_creates_an_edition_and_audits_it(personas: Personas) -> None:
    edition = services.edition_create(
        actor=personas.analyst,
        title="Second periodic report",
        reporting_year=2025,
        period_from=date(2025, 1, 1),
        period_to=date(2025, 12, 31),
    )
    assert edition.status == ReportEdition.Status.DRAFT and edition.created_by == personas.analyst
    [event] = events("report.edition_create")
    assert event.object_id == str(edition.pk) and event.actor_username == "analyst"


@pytest.mark.parametrize("who", ["supervisor", "cpo", "outsider"])
def test_only_an_editor_creates_editions(personas: Personas, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.edition_create(
            actor=getattr(personas, who),
            title="x",
            reporting_year=2025,
            period_from=date(2025, 1, 1),
            period_to=date(2025, 12, 31),
        )


def test_it_refuses_a_period_that_ends_before_it_starts(personas: Personas) -> None:
    with pytest.raises(ValidationError):
        services.edition_create(
            actor=personas.analyst,
            title="x",
            reporting_year=2025,
            period_from=date(2025, 12, 31),
            period_to=date(2025, 1, 1),
        )


def test_versions_count_up_per_section(personas: Personas, edition: ReportEdition) -> None:
    a = personas.analyst
    v1 = services.narrative_save(
        actor=a, edition=edition, section="introduction", text="One.", base_number=0
    )
    v2 = services.narrative_save(
        actor=a, edition=edition, section="introduction", text="Two.", base_number=1
    )
    other = services.narrative_save(
        actor=a, edition=edition, section="process", text="Other.", base_number=0
    )
    assert (v1.number, v2.number, other.number) == (1, 2, 1)
    current = selectors.section_current(user=a, edition=edition, code="introduction")
    assert current is not None and current.text == "Two."
    assert [e.detail["number"] for e in events("report.narrative_save")] == [1, 2, 1]


def test_a_save_on_a_stale_version_is_a_conflict_carrying_the_other_text(
    personas: Personas, edition: ReportEdition
) -> None:
    a = personas.analyst
    services.narrative_save(actor=a, edition=edition, section="prevention", text="A", base_number=0)
    services.narrative_save(actor=a, edition=edition, section="prevention", text="B", base_number=1)
    with pytest.raises(services.NarrativeConflict) as caught:
        services.narrative_save(
            actor=a, edition=edition, section="prevention", text="mine", base_number=1
        )
    assert isinstance(caught.value, Conflict)
    assert caught.value.current.number == 2 and caught.value.current.text == "B"
    assert caught.value.payload()["current"]["text"] == "B"
    assert NarrativeVersion.objects.filter(edition=edition, section="prevention").count() == 2


def test_saving_the_same_text_makes_no_new_version(
    personas: Personas, edition: ReportEdition
) -> None:
    a = personas.analyst
    v1 = services.narrative_save(
        actor=a, edition=edition, section="process", text="Same", base_number=0
    )
    again = services.narrative_save(
        actor=a, edition=edition, section="process", text="Same\n", base_number=1
    )
    assert again.pk == v1.pk


def test_it_refuses_unknown_sections_and_control_characters(
    personas: Personas, edition: ReportEdition
) -> None:
    a = personas.analyst
    with pytest.raises(ValidationError):
        services.narrative_save(
            actor=a, edition=edition, section="article-99", text="x", base_number=0
        )
    with pytest.raises(ValidationError):
        services.narrative_save(
            actor=a, edition=edition, section="process", text="a\x00b", base_number=0
        )
    with pytest.raises(ValidationError):
        services.narrative_save(
            actor=a, edition=edition, section="process", text="  ", base_number=0
        )


def test_a_supervisor_cannot_write_the_report(personas: Personas, edition: ReportEdition) -> None:
    with pytest.raises(PermissionDenied):
        services.narrative_save(
            actor=personas.supervisor, edition=edition, section="process", text="x", base_number=0
        )


def test_a_final_edition_is_read_only(personas: Personas, edition: ReportEdition) -> None:
    a = personas.analyst
    services.narrative_save(actor=a, edition=edition, section="process", text="x", base_number=0)
    services.edition_status_set(actor=a, edition=edition, status="zero_draft")
    services.edition_status_set(actor=a, edition=edition, status="final")
    assert [e.detail for e in events("report.edition_status")] == [
        {"from": "draft", "to": "zero_draft", "version": 2},
        {"from": "zero_draft", "to": "final", "version": 3},
    ]
    with pytest.raises(ValidationError):
        services.narrative_save(
            actor=a, edition=edition, section="process", text="y", base_number=1
        )
    with pytest.raises(ValidationError):
        services.edition_status_set(actor=a, edition=edition, status="draft")


def test_a_stale_status_change_is_a_conflict(personas: Personas, edition: ReportEdition) -> None:
    services.edition_status_set(actor=personas.analyst, edition=edition, status="consultation")
    with pytest.raises(Conflict):
        services.edition_status_set(
            actor=personas.analyst, edition=edition, status="final", version=1
        )


def test_comments_and_their_resolution(personas: Personas, edition: ReportEdition) -> None:
    a, s = personas.analyst, personas.supervisor
    v1 = services.narrative_save(
        actor=a, edition=edition, section="process", text="x", base_number=0
    )
    by_supervisor = services.comment_add(
        actor=s, edition=edition, section="process", text="Cite ¶15.", on_version=v1
    )
    reply = services.comment_add(
        actor=a, edition=edition, section="process", text="Done.", reply_to=by_supervisor
    )
    by_analyst = services.comment_add(actor=a, edition=edition, section="process", text="Mine")
    with pytest.raises(PermissionDenied):  # a supervisor resolves only their own comments
        services.comment_resolve(actor=s, comment=by_analyst)
    with pytest.raises(PermissionDenied):
        services.comment_add(actor=personas.cpo, edition=edition, section="process", text="x")
    services.comment_resolve(actor=s, comment=by_supervisor)  # the author
    reply.refresh_from_db()
    assert reply.resolved_at is not None, "resolving a comment resolves its replies"
    with pytest.raises(Conflict):
        services.comment_resolve(actor=a, comment=by_supervisor)
    services.comment_resolve(actor=a, comment=by_analyst)  # an editor
    assert len(events("report.comment_add")) == 3
    assert len(events("report.comment_resolve")) == 2


def test_a_comment_refers_to_a_version_of_its_own_section(
    personas: Personas, edition: ReportEdition
) -> None:
    a = personas.analyst
    v1 = services.narrative_save(
        actor=a, edition=edition, section="process", text="x", base_number=0
    )
    with pytest.raises(ValidationError):
        services.comment_add(
            actor=a, edition=edition, section="introduction", text="x", on_version=v1
        )


def test_the_diff_is_word_by_word_and_escaped(personas: Personas, edition: ReportEdition) -> None:
    a = personas.analyst
    services.narrative_save(
        actor=a, edition=edition, section="process", text="The <b>old</b> text.", base_number=0
    )
    services.narrative_save(
        actor=a, edition=edition, section="process", text="The <b>new</b> text.", base_number=1
    )
    diff = selectors.version_diff(user=a, edition=edition, code="process", old=1, new=2)
    assert ("delete", "old") in diff.segments and ("insert", "new") in diff.segments
    assert "<b>" not in diff.html and "&lt;b&gt;" in diff.html
    assert "<del>old</del><ins>new</ins>" in diff.html


def test_readers_need_the_capability(personas: Personas, edition: ReportEdition) -> None:
    assert selectors.edition_list(user=personas.supervisor).count() == 1
    with pytest.raises(PermissionDenied):
        selectors.edition_list(user=personas.cpo)


def test_the_demo_zero_draft(db: None) -> None:
    from cpmis.demo.reporting import SLOGAN, report_demo_generate
    from cpmis.legal.report_structure import SECTION_CODES

    edition_id = report_demo_generate(year=2025)
    assert report_demo_generate(year=2025) == edition_id, "made once"
    edition = ReportEdition.objects.get(pk=edition_id)
    assert edition.status == "zero_draft" and edition.period_to == date(2025, 12, 31)
    current = selectors.current_versions(edition)
    assert set(current) == SECTION_CODES
    assert current["process"].number == 2 and SLOGAN in current["prevention"].text
    assert edition.comments.filter(resolved_at=None).exists()
    assert edition.comments.exclude(resolved_at=None).exists()
