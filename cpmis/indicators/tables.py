"""A published table: what leaves cpmis after disclosure control, in one shape that every
output (pages, CSV, XLSX, DHIS2, the report's DOCX and PDF) renders.

Rows are the categories of one disaggregation; columns are the jurisdictions (or one column),
or, in a pivot, the categories of a second disaggregation.
The key ``TOTAL`` ("*") names the total row and the total column. A suppressed cell has no
value and prints as ``SUPPRESSED``; which suppressed cells were small and which were withheld
to protect them is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TOTAL = "*"
SUPPRESSED = "x"


@dataclass(frozen=True)
class Category:
    key: str
    label: str


@dataclass(frozen=True)
class Cell:
    value: int | float | None  # None when suppressed; a share is 0..1
    suppressed: bool
    text: str  # as every output prints it: "12", "0", "x", "83 %"


@dataclass
class PublishedTable:
    indicator_code: str
    indicator_name: str
    unit: str  # what is counted: "children", "cases", "complaints"…
    measure: str  # "count", "sum" or "share"
    title: str
    period_label: str  # "2025", "2025 Q1", "January 2025"
    row_dimension: str  # a disaggregation code, or "total"
    row_heading: str
    rows: list[Category]
    columns: list[Category]  # the last is the total when there are several
    cells: dict[tuple[str, str], Cell]
    note: str  # the disclosure-control method and threshold, printed with every output
    articles: tuple[int, ...] = ()
    report_section: str = ""
    source: str = ""
    definition: str = ""
    denominators: dict[tuple[str, str], Cell] = field(default_factory=dict)  # shares only
    # a pivot: the disaggregation across the columns, and its heading
    column_dimension: str = ""
    column_heading: str = ""
    # whether the rows add up to their total (False: distinct children, who may count in two
    # rows); a chart bounds a suppressed figure from it
    additive: bool = True

    def cell(self, row: str, column: str) -> Cell:
        return self.cells.get((row, column), EMPTY)

    @property
    def suppressed_count(self) -> int:
        return sum(1 for c in self.cells.values() if c.suppressed)

    def grid(self) -> list[list[str]]:
        """Header then one line per row, all as text: what CSV, XLSX, DOCX and PDF print."""
        header = [self.row_heading, *(c.label for c in self.columns)]
        body = [[r.label, *(self.cell(r.key, c.key).text for c in self.columns)] for r in self.rows]
        return [header, *body]


EMPTY = Cell(value=0, suppressed=False, text="0")
