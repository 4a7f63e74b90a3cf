"""Where the law applies: federal law covers every province and territory unless the data
records an exception, and a cell of the compliance matrix is a gap only when no applicable law
covers the article (the loader, the selectors, the page, the exports and the API)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from docx import Document
from openpyxl import load_workbook

from cpmis.legal import exports, selectors
from cpmis.legal.loader import legal_data_load
from cpmis.legal.models import ComplianceLink, Statute, StatuteExtent
from tests.conftest import Personas, api_as
from tests.legal.conftest import edit_csv

# Articles 10 to 12 have no entry in the shipped matrix, in any jurisdiction.
UNCOVERED = {10, 11, 12}
COLUMNS = ["federal", "PK-JK", "PK-BA", "PK-GB", "PK-IS", "PK-KP", "PK-PB", "PK-SD"]


def cell(matrix: selectors.Matrix, article: int, code: str) -> selectors.MatrixCell:
    row = next(r for r in matrix.rows if r.article.number == article)
    return row.cells[matrix.column_codes.index(code)]


def citations(links: list[ComplianceLink]) -> set[str]:
    return {
        link.provision.citation if link.provision else link.statute.short_title for link in links
    }


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def with_extent(data_copy: Path, change: Any) -> None:
    edit_csv(data_copy / "extent.csv", change)
    legal_data_load(directory=data_copy)


def gb_not_extended_but_the_ppc(rows: list[dict[str, str]]) -> None:
    """Federal law not extended to Gilgit-Baltistan, except the PPC (a row for the statute
    itself comes before the row for every statute)."""
    everything = next(r for r in rows if r["statute"] == "*" and r["jurisdiction"] == "PK-GB")
    everything.update(applies="no", reason="not_extended", notes="A test of an exception.")
    rows.append(
        {
            "statute": "ppc-1860",
            "jurisdiction": "PK-GB",
            "applies": "yes",
            "reason": "national",
            "report_paragraphs": "39;40",
            "notes": "",
        }
    )


# --- the loader ------------------------------------------------------------------------------


def shipped_row(rows: list[dict[str, str]]) -> dict[str, str]:
    return next(r for r in rows if r["statute"] == "ppc-1860")


def add(row: dict[str, str]) -> Any:
    base = {"applies": "no", "reason": "devolved", "report_paragraphs": "5", "notes": ""}
    return lambda rows: rows.append({**base, **row})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            add({"statute": "punjab-dnca-2004", "jurisdiction": "PK-SD"}),
            "statute: Punjab DNCA 2004 is the law of one province or territory",
        ),
        (add({"statute": "no-such-act", "jurisdiction": "PK-SD"}), "Unknown statute 'no-such-act'"),
        (add({"statute": "", "jurisdiction": "PK-SD"}), "statute: Give a statute code, or *"),
        (add({"statute": "eca-1991", "jurisdiction": "federal"}), "Name a province or territory"),
        (add({"statute": "eca-1991", "jurisdiction": "PK-XX"}), "Unknown jurisdiction 'PK-XX'"),
        (
            add({"statute": "eca-1991", "jurisdiction": "PK-SD", "applies": "maybe"}),
            "applies: 'maybe': say yes or no",
        ),
        (
            add({"statute": "eca-1991", "jurisdiction": "PK-SD", "applies": ""}),
            "applies: '': say yes or no",
        ),
        (
            add({"statute": "eca-1991", "jurisdiction": "PK-SD", "applies": "yes"}),
            "applies: The reason says the law does not apply: say no.",
        ),
        (
            add({"statute": "eca-1991", "jurisdiction": "PK-SD", "reason": "national"}),
            "applies: The reason says the law applies: say yes.",
        ),
        (
            add({"statute": "eca-1991", "jurisdiction": "PK-SD", "reason": "repealed"}),
            "reason: 'repealed' is not one of",
        ),
        (
            add({"statute": "eca-1991", "jurisdiction": "PK-SD", "report_paragraphs": ""}),
            "report_paragraphs: Cite at least one paragraph",
        ),
        (
            add({"statute": "eca-1991", "jurisdiction": "PK-SD", "report_paragraphs": "5;198"}),
            "¶198 does not exist",
        ),
        (
            add(
                {
                    "statute": "eca-1991",
                    "jurisdiction": "PK-PB",
                    "applies": "yes",
                    "reason": "federal_territory",
                }
            ),
            "reason: Punjab is not a federal territory.",
        ),
        (
            add(
                {
                    "statute": "eca-1991",
                    "jurisdiction": "PK-SD",
                    "applies": "yes",
                    "reason": "not_stated",
                }
            ),
            "notes: Say what the report does and does not say",
        ),
        (lambda rows: rows.append(dict(shipped_row(rows))), "ppc-1860 in PK-PB is given twice"),
    ],
)
def test_bad_extent_rows_are_refused_and_nothing_is_written(
    db: Any, data_copy: Path, change: Any, message: str
) -> None:
    legal_data_load()
    before = (StatuteExtent.objects.count(), StatuteExtent.history.count())  # type: ignore[attr-defined]
    edit_csv(data_copy / "extent.csv", change)
    with pytest.raises(ValidationError) as error:
        legal_data_load(directory=data_copy)
    assert message in str(error.value), str(error.value)
    assert "extent.csv line" in str(error.value)
    assert (StatuteExtent.objects.count(), StatuteExtent.history.count()) == before  # type: ignore[attr-defined]


def test_every_shipped_extent_row_cites_the_report_and_says_what_it_leaves_out(
    catalogue: Any,
) -> None:
    rows = list(StatuteExtent.objects.select_related("statute", "jurisdiction"))
    assert rows, "extent.csv loaded"
    for row in rows:
        assert row.report_paragraphs, row
        assert row.statute is None or row.statute.jurisdiction_id is None, row
        if row.reason == StatuteExtent.Reason.NOT_STATED:
            assert row.applies and "does not say" in row.notes, row
    # AJK and Gilgit-Baltistan: the report is silent, so the default stands, flagged
    for code in ("PK-JK", "PK-GB"):
        row = StatuteExtent.objects.get(statute=None, jurisdiction__iso_code=code)
        assert row.applies and row.reason == StatuteExtent.Reason.NOT_STATED


def test_a_row_taken_out_of_the_file_is_removed_and_loading_again_changes_nothing(
    catalogue: Any, data_copy: Path
) -> None:
    edit_csv(data_copy / "extent.csv", lambda rows: rows.remove(shipped_row(rows)))
    report = legal_data_load(directory=data_copy)
    assert report.removed == {"extent": 1}
    assert not StatuteExtent.objects.filter(
        statute__code="ppc-1860", jurisdiction__iso_code="PK-PB"
    ).exists()
    again = legal_data_load(directory=data_copy)
    assert not again.removed and sum(again.created.values()) == sum(again.updated.values()) == 0


# --- the matrix ------------------------------------------------------------------------------


def test_a_province_is_covered_by_federal_law_that_applies_there(catalogue: Any) -> None:
    matrix = selectors.compliance_matrix()
    # Article 7 (seizure and confiscation): only the Cr.P.C. and other federal law (¶46-49)
    punjab = cell(matrix, 7, "PK-PB")
    assert not punjab.gap and punjab.covered_by_federal_law and not punjab.own
    assert {"Cr.P.C. s.51", "Cr.P.C. s.523", "Customs Act 1969 s.157"} <= citations(punjab.federal)
    assert punjab.federal == cell(matrix, 7, "federal").own
    assert exports.cell_text(punjab).startswith("Federal law: Cr.P.C. s.51")
    assert "GAP" not in exports.cell_text(punjab)
    # a province with its own law keeps it first, and federal law follows
    kp = cell(matrix, 8, "PK-KP")
    assert not kp.covered_by_federal_law and "KP CPWA 2010 s.19" in citations(kp.own)
    assert citations(kp.federal) == {"PACHTO 2002 s.6"}
    lines = exports.cell_text(kp).splitlines()
    assert lines[0].startswith("KP CPWA 2010") and lines[-1] == "Federal law: PACHTO 2002 s.6"
    # the federal column is federal law itself, never "federal law that applies here"
    federal = cell(matrix, 8, "federal")
    assert federal.federal == [] and citations(federal.own) == {"PACHTO 2002 s.6"}
    assert exports.cell_text(federal) == "PACHTO 2002 s.6 (¶51)"


def test_gaps_are_only_articles_no_applicable_law_covers(catalogue: Any) -> None:
    matrix = selectors.compliance_matrix()
    assert matrix.column_codes == COLUMNS
    found = {(g.article.number, g.jurisdiction_code) for g in selectors.coverage_gaps(matrix)}
    assert found == {(a, c) for a in UNCOVERED for c in COLUMNS}
    assert matrix.gaps() == len(found) == 3 * len(COLUMNS)
    for row in matrix.rows:
        for c in row.cells:
            assert c.gap == (not c.own and not c.federal)
            if c.gap:
                assert exports.cell_text(c) == "GAP — no provision cited"
    gap = next(
        g
        for g in selectors.coverage_gaps(matrix)
        if g.article.number == 10 and g.jurisdiction_code == "PK-PB"
    )
    assert gap.jurisdiction_label == "Punjab"
    assert gap.missing.startswith("A law implementing Article 10 (International cooperation).")
    assert gap.why == (
        "Neither federal law nor a law of Punjab cited in the report covers this article."
    )


def test_where_the_report_is_silent_federal_law_is_shown_as_unconfirmed(catalogue: Any) -> None:
    matrix = selectors.compliance_matrix()
    ajk = cell(matrix, 7, "PK-JK")
    assert not ajk.gap and ajk.unconfirmed == ajk.federal and not ajk.confirmed
    assert [e.jurisdiction.iso_code for e in ajk.unconfirmed_extents] == ["PK-JK"]
    assert exports.cell_text(ajk).startswith(
        "Federal law (the report does not say whether it extends here): Cr.P.C. s.51"
    )
    # in KP, only the Factories Act, 1934 is in doubt (¶37 names the KP Factories Act, 2013)
    kp = cell(matrix, 3, "PK-KP")
    assert citations(kp.unconfirmed) == {"Factories Act 1934"}
    assert "PPC s.369-A" in citations(kp.confirmed)


def test_an_exception_takes_federal_coverage_away(db: Any, data_copy: Path) -> None:
    with_extent(data_copy, gb_not_extended_but_the_ppc)
    matrix = selectors.compliance_matrix()
    # Article 7 rests on the Cr.P.C., the Customs Act and the Juvenile Smoking Act only
    gb = cell(matrix, 7, "PK-GB")
    assert gb.gap and not gb.federal
    assert "Cr.P.C. s.51" in citations(gb.excluded)
    assert [e.reason for e in gb.exclusions] == ["not_extended"]
    text = exports.cell_text(gb)
    assert text.startswith("GAP — no provision cited\nFederal law that does not apply here: ")
    assert "(Not extended to the territory, ¶64, ¶71)" in text
    gap = next(
        g
        for g in selectors.coverage_gaps(matrix)
        if g.article.number == 7 and g.jurisdiction_code == "PK-GB"
    )
    assert gap.why.startswith("The federal law that covers it (Cr.P.C. s.51, ")
    assert "does not apply in Gilgit-Baltistan: Not extended to the territory" in gap.why
    # the PPC's own row comes first: Article 3 stays covered in GB by the PPC alone
    art3 = cell(matrix, 3, "PK-GB")
    assert not art3.gap and {link.statute.code for link in art3.federal} == {"ppc-1860"}
    assert "PACHTO 2002 s.3(i)" in citations(art3.excluded)
    # elsewhere nothing changed
    assert not cell(matrix, 7, "PK-JK").gap
    gb_gaps = {
        g.article.number for g in selectors.coverage_gaps(matrix) if g.jurisdiction_code == "PK-GB"
    }
    assert gb_gaps == {5, 6, 7, 8, 9} | UNCOVERED  # 1-4 rest on the PPC too


def test_the_statute_extent_says_where_a_statute_applies(db: Any, data_copy: Path) -> None:
    with_extent(data_copy, gb_not_extended_but_the_ppc)
    crpc = {
        r.jurisdiction.iso_code: r
        for r in selectors.statute_extent(Statute.objects.get(code="crpc-1898"))
    }
    assert set(crpc) == set(COLUMNS[1:])
    assert not crpc["PK-GB"].applies and crpc["PK-GB"].reason == "Not extended to the territory"
    assert crpc["PK-PB"].applies and crpc["PK-PB"].extent is None
    assert crpc["PK-JK"].applies and crpc["PK-JK"].extent.reason == "not_stated"  # type: ignore[union-attr]
    ppc = {
        r.jurisdiction.iso_code: r
        for r in selectors.statute_extent(Statute.objects.get(code="ppc-1860"))
    }
    assert ppc["PK-GB"].applies
    kp_law = selectors.statute_extent(Statute.objects.get(code="kp-cpwa-2010"))
    assert [(r.jurisdiction.iso_code, r.applies) for r in kp_law] == [("PK-KP", True)]


def test_the_matrix_is_read_in_a_fixed_number_of_queries(
    catalogue: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(4):
        matrix = selectors.compliance_matrix()
        gaps = selectors.coverage_gaps(matrix)
        for row in matrix.rows:
            for c in row.cells:
                exports.cell_text(c)
        [g.why for g in gaps]


# --- page, exports, API ----------------------------------------------------------------------


def test_the_page_shows_federal_coverage_apart_from_own_law_and_counts_real_gaps(
    client: Any, personas: Personas, catalogue: Any
) -> None:
    client.force_login(personas.analyst)
    page = client.get("/legal/matrix/").content.decode()
    assert "24 gaps: articles that no applicable law covers." in text_of(page)
    row7 = page[page.index("7. Seizure") : page.index("</tr>", page.index("7. Seizure"))]
    cells = re.findall(r"<td class=\"([^\"]*)\">", row7)
    assert cells == ["", *["federal-only"] * 7]  # the federal column is federal law's own
    assert row7.count("Covered by federal law") == 7 and "gap-label" not in row7
    row8 = page[page.index("8. Protection") : page.index("</tr>", page.index("8. Protection"))]
    assert "Federal law that applies here" in row8  # KP, Punjab… have their own law too
    assert "The report does not say whether this law extends here" in row8  # AJK, GB
    kp = client.get("/legal/matrix/", {"jurisdiction": "PK-KP"}).content.decode()
    assert "6 gaps: articles that no applicable law covers." in text_of(kp)


def test_the_table_of_gaps_as_a_page_and_files(
    client: Any, personas: Personas, catalogue: Any
) -> None:
    client.force_login(personas.analyst)
    page = client.get("/legal/matrix/gaps/", {"jurisdiction": "PK-PB"})
    body = text_of(page.content.decode())
    assert page.status_code == 200 and "6 gaps" in body
    assert (
        "Neither federal law nor a law of Punjab cited in the report covers this article." in body
    )
    assert "PK-PB</td>" not in page.content.decode()  # labels, not codes
    xlsx = client.get("/legal/matrix/gaps.xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[2]] == [
        "Article",
        "Title",
        "Jurisdiction",
        "What is missing",
        "Why",
    ]
    assert sheet.max_row == 2 + 24
    assert {sheet.cell(row=r, column=1).value for r in range(3, 27)} == UNCOVERED
    docx = client.get("/legal/matrix/gaps.docx", {"jurisdiction": "PK-SD"})
    table = Document(io.BytesIO(docx.content)).tables[0]
    assert len(table.rows) == 1 + 6 and table.rows[1].cells[2].text in {"Federal law", "Sindh"}
    assert client.get("/legal/matrix/gaps.pdf").status_code == 404


def test_the_matrix_files_and_the_api_say_the_same(
    client: Any, personas: Personas, catalogue: Any
) -> None:
    body = api_as(personas.analyst).get("/api/legal/compliance-matrix/").json()
    punjab7 = body["rows"][6]["cells"]["PK-PB"]
    assert punjab7["gap"] is False and punjab7["provisions"] == []
    assert punjab7["covered_by_federal_law"] is True
    assert any(f["citation"] == "Cr.P.C. s.51" and f["extent"] is None for f in punjab7["federal"])
    ajk7 = body["rows"][6]["cells"]["PK-JK"]
    assert {f["extent"]["reason"] for f in ajk7["federal"]} == {"not_stated"}
    assert body["gaps"] == len(body["gap_table"]) == 24
    assert body["column_labels"][0] == "Federal"
    gap = body["gap_table"][0]
    assert gap["article"] == 10 and gap["jurisdiction"] == "federal"
    assert gap["why"] == "No federal law cited in the report covers this article."

    client.force_login(personas.analyst)
    book = load_workbook(io.BytesIO(client.get("/legal/matrix.xlsx").content))
    matrix_sheet, gap_sheet = book.worksheets
    assert gap_sheet.title == "Gaps" and gap_sheet.max_row == 2 + body["gaps"]
    punjab = matrix_sheet.cell(row=2, column=1 + COLUMNS.index("PK-PB") + 2)
    assert punjab.value == "Punjab"
    seizure = matrix_sheet.cell(row=2 + 7, column=punjab.column)
    assert seizure.value == punjab7["text"] and seizure.value.startswith("Federal law: Cr.P.C.")
    assert seizure.fill.fgColor.rgb.endswith(exports.FEDERAL_FILL)
    assert "24 cells are gaps" in matrix_sheet["A1"].value

    document = Document(io.BytesIO(client.get("/legal/matrix.docx").content))
    matrix_table, gap_table = document.tables
    assert matrix_table.rows[7].cells[2 + COLUMNS.index("PK-PB")].text == punjab7["text"]
    assert len(gap_table.rows) == 1 + body["gaps"]
    assert any(p.text.startswith("Gaps in the compliance matrix") for p in document.paragraphs)


def test_an_exception_shows_on_the_page_the_files_and_the_api(
    client: Any, personas: Personas, data_copy: Path
) -> None:
    with_extent(data_copy, gb_not_extended_but_the_ppc)
    body = api_as(personas.analyst).get("/api/legal/compliance-matrix/").json()
    gb7 = body["rows"][6]["cells"]["PK-GB"]
    assert gb7["gap"] is True and gb7["federal"] == []
    assert {e["extent"]["reason_label"] for e in gb7["excluded"]} == {
        "Not extended to the territory"
    }
    assert body["gaps"] == 24 + 5
    client.force_login(personas.analyst)
    page = text_of(client.get("/legal/matrix/", {"jurisdiction": "PK-GB"}).content.decode())
    assert "Federal law that does not apply here: Cr.P.C. s.51" in page
    assert "(Not extended to the territory, ¶64, ¶71)" in page
    statute = text_of(client.get("/legal/statutes/crpc-1898/").content.decode())
    assert (
        "Gilgit-Baltistan No Not extended to the territory A test of an exception. ¶64, ¶71"
        in statute
    )


def test_the_statute_page_says_where_it_applies(
    client: Any, personas: Personas, catalogue: Any
) -> None:
    client.force_login(personas.cpo)
    ppc = text_of(client.get("/legal/statutes/ppc-1860/").content.decode())
    assert "Where it applies" in ppc
    assert "Punjab Yes Federal law in force in the whole country" in ppc
    assert "Azad Jammu and Kashmir Yes The report does not say; presumed to apply" in ppc
    assert "Islamabad Capital Territory Yes Parliament legislates for the territory" in ppc
    pachto = text_of(client.get("/legal/statutes/pachto-2002/").content.decode())
    assert (
        "Sindh Yes Federal law applies in every province and territory (no exception recorded)"
        in pachto
    )
    kp = text_of(client.get("/legal/statutes/kp-cpwa-2010/").content.decode())
    assert "The law of Khyber Pakhtunkhwa: it applies there only." in kp
