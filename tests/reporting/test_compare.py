"""Versions of the generated report and their comparison: each rendering keeps what the
report said (unless it said the same), and two versions compare by text, numbering and
figures; a reader sees only versions made with their own view of the figures."""

from __future__ import annotations

from typing import Any

import pytest

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.audit.models import AuditEvent
from cpmis.core.errors import NotFound
from cpmis.indicators import annex
from cpmis.indicators.tables import Cell
from cpmis.reporting import document, selectors, services
from cpmis.reporting.models import ReportEdition, ReportSnapshot
from tests.conftest import Personas, api_as, make_user, web_as
from tests.reporting.conftest import published


def _snapshot(user: Any, edition: ReportEdition) -> ReportSnapshot:
    content = document.report_content(user=user, edition=edition)
    return services.snapshot_record(
        actor=user, edition=edition, content=content, scope=selectors.figures_view(user)
    )


def test_two_versions_compare_by_text_numbering_and_figures(
    personas: Personas,
    edition: ReportEdition,
    tables: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    analyst = personas.analyst
    services.narrative_save(
        actor=analyst,
        edition=edition,
        section="article-3",
        text="The Penal Code criminalises the sale of children.\n\nA second paragraph.",
        base_number=0,
    )
    first = _snapshot(analyst, edition)
    assert _snapshot(analyst, edition).pk == first.pk  # nothing changed: the same version
    # a paragraph added to article 1 (before article 3), one edited, one figure moved
    services.narrative_save(
        actor=analyst, edition=edition, section="article-1", text="A new paragraph.", base_number=0
    )
    services.narrative_save(
        actor=analyst,
        edition=edition,
        section="article-3",
        text="The Penal Code criminalises the sale of every child.\n\nA second paragraph.",
        base_number=1,
    )
    changed = published("Child victims of sale, by sex — 2025")
    changed.cells[("female", "PK-PB")] = Cell(13, False, "13")
    monkeypatch.setattr(annex, "report_tables", lambda *, user, year: [changed])
    second = _snapshot(analyst, edition)
    assert second.number == first.number + 1
    result = selectors.compare(old=first, new=second)
    kinds = {(p.kind, p.section) for p in result.paragraphs}
    assert ("changed", "article-3") in kinds
    [edited] = [p for p in result.paragraphs if p.kind == "changed" and p.section == "article-3"]
    assert "<del>sale</del>" not in str(edited.html)
    assert "<ins>every</ins>" in str(edited.html) or "<ins>every " in str(edited.html)
    assert edited.new_number is not None and edited.old_number is not None
    # the paragraphs after the new one moved by one, and the comparison says so
    assert result.renumbered and all(start == first_ + 1 for first_, _, start in result.renumbered)
    [figure] = [f for f in result.figures if f.row == "Girls" and f.column == "Punjab"]
    assert (figure.old, figure.new, figure.table) == ("12", "13", "A.1")
    assert result.tables_removed == [
        "A.2. Cases of child pornography, by province or territory, 2025"
    ]
    assert AuditEvent.objects.filter(action="report.snapshot").count() == 2


def test_the_compare_page_shows_the_changes_and_refuses_other_views(
    personas: Personas, edition: ReportEdition, tables: dict[str, Any], client: Any
) -> None:
    first = _snapshot(personas.analyst, edition)
    services.narrative_save(
        actor=personas.analyst,
        edition=edition,
        section="prevention",
        text="Campaigns reached every district.",
        base_number=0,
    )
    second = _snapshot(personas.analyst, edition)
    page = web_as(client, personas.analyst).get(f"/reports/compare/?old={first.pk}&new={second.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<ins>Campaigns reached every district.</ins>" in body
    # a reader with another view of the figures (one province) sees neither version
    provincial = make_user(
        "punjab_analyst",
        {"role": Role.ANALYST, "scope_level": ScopeLevel.JURISDICTION, "jurisdiction": "PK-PB"},
    )
    with pytest.raises(NotFound):
        selectors.snapshot_get(user=provincial, snapshot_id=first.pk)
    refused = web_as(client, provincial).get(f"/reports/compare/?old={first.pk}&new={second.pk}")
    assert refused.status_code == 400
    assert "Campaigns reached" not in refused.content.decode()
    for bad in ("x", "-1", "99999999999", ""):
        assert (
            web_as(client, personas.analyst).get(f"/reports/compare/?old={bad}&new=1").status_code
            == 400
        )


def test_rendering_a_file_keeps_a_version(
    personas: Personas, edition: ReportEdition, tables: dict[str, Any]
) -> None:
    response = api_as(personas.analyst).get(f"/api/reports/{edition.pk}/report.docx")
    assert response.status_code == 200
    [kept] = ReportSnapshot.objects.filter(edition=edition)
    assert kept.scope == selectors.figures_view(personas.analyst)
    assert kept.paragraphs[0][0] == 1 and kept.figures
