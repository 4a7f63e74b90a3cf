"""Reads of the legal catalogue. The law is public: every signed-in user may read it.

The compliance matrix knows where each law applies: federal law applies in every province and
territory unless ``StatuteExtent`` (data/extent.csv) records an exception. What the report
(cpmis/reporting) and the exports read:

* ``compliance_matrix(jurisdiction="") -> Matrix``: ``Matrix.rows`` (one ``MatrixRow`` per
  Article 1–12: ``.article``, ``.cells``), ``Matrix.columns`` (None for federal law, then
  each jurisdiction), ``.column_labels``, ``.column_codes``, ``.gaps()`` (the number of real
  gaps), ``.covered_by_federal_law()``.
* ``MatrixCell``: ``.own`` (the column's own law: in the federal column, federal law),
  ``.federal`` (the federal links that apply in the column's jurisdiction; empty in the
  federal column), ``.excluded`` (federal links an exception keeps out), ``.links`` (own, then
  federal), ``.gap`` (no applicable law covers the article), ``.covered_by_federal_law``,
  ``.unconfirmed`` / ``.unconfirmed_extents`` (federal links shown as applying although the
  report does not say the law extends there), ``.exclusions``, ``.extent(link)``.
* ``coverage_gaps(matrix) -> list[CoverageGap]``: the drafting team's table of gaps, each with
  ``.article``, ``.jurisdiction`` (None: federal), ``.jurisdiction_label``, ``.missing`` and
  ``.why`` (in the active language).
* ``statute_extent(statute) -> list[Reach]``: where one statute applies, and on what record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from cpmis.reference.models import Jurisdiction

from .models import (
    ComplianceLink,
    OpscArticle,
    OpscDate,
    ProceduralRule,
    Provision,
    Statute,
    StatuteExtent,
)
from .text import query_terms


def statute_list(*, q: str = "", jurisdiction: str = "") -> QuerySet[Statute]:
    qs = Statute.objects.select_related("jurisdiction")
    if jurisdiction == "federal":
        qs = qs.filter(jurisdiction__isnull=True)
    elif jurisdiction:
        qs = qs.filter(jurisdiction__iso_code=jurisdiction)
    for term in query_terms(q):
        qs = qs.filter(
            Q(title__icontains=term) | Q(short_title__icontains=term) | Q(code__icontains=term)
        )
    return qs


def in_force_on(day: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )


def provision_search(
    *,
    q: str = "",
    statute: str = "",
    kind: str = "",
    category: str = "",
    jurisdiction: str = "",
    on: date | None = None,
) -> QuerySet[Provision]:
    """Provisions by number ("377 b", "369A") or words; versions in force on ``on`` (today)."""
    qs = Provision.objects.select_related("statute__jurisdiction", "penalty", "amended_by")
    qs = qs.filter(in_force_on(on or timezone.localdate()))
    for term in query_terms(q):
        qs = qs.filter(Q(search_text__contains=term) | Q(section_key=term))
    if statute:
        qs = qs.filter(statute__code=statute)
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(opsc_category=category)
    if jurisdiction == "federal":
        qs = qs.filter(statute__jurisdiction__isnull=True)
    elif jurisdiction:
        qs = qs.filter(statute__jurisdiction__iso_code=jurisdiction)
    return qs.order_by("statute__short_title", "section_key")


def provision_versions(provision: Provision) -> QuerySet[Provision]:
    return Provision.objects.filter(
        statute_id=provision.statute_id, section_key=provision.section_key
    ).order_by("valid_from")


def opsc_dates() -> list[OpscDate]:
    """Pakistan's signature, ratification and entry into force of the OPSC, in date order."""
    return list(OpscDate.objects.order_by("date"))


# --- the compliance matrix -----------------------------------------------------------------


@dataclass
class MatrixCell:
    """One article in one column: the column's own law, and in a province's or territory's
    column, the federal law that applies there. A cell is a gap only when no law applicable in
    its jurisdiction covers the article."""

    jurisdiction: Jurisdiction | None = None  # None: the federal column
    own: list[ComplianceLink] = field(default_factory=list)
    federal: list[ComplianceLink] = field(default_factory=list)
    excluded: list[ComplianceLink] = field(default_factory=list)
    # the recorded extent row that decided each federal statute here (absent: the default)
    extents: dict[int, StatuteExtent] = field(default_factory=dict)

    @property
    def links(self) -> list[ComplianceLink]:
        """Every link that covers the article here: own law first, then federal law."""
        return [*self.own, *self.federal]

    @property
    def gap(self) -> bool:
        return not self.own and not self.federal

    @property
    def covered_by_federal_law(self) -> bool:
        """Covered, but only by federal law (the jurisdiction's own law cites nothing)."""
        return not self.own and bool(self.federal)

    def extent(self, link: ComplianceLink) -> StatuteExtent | None:
        return self.extents.get(link.statute_id)

    def _unconfirmed(self, link: ComplianceLink) -> bool:
        extent = self.extent(link)
        return extent is not None and extent.unconfirmed

    @property
    def confirmed(self) -> list[ComplianceLink]:
        """Federal links that apply here on the report's word or by the default rule."""
        return [link for link in self.federal if not self._unconfirmed(link)]

    @property
    def unconfirmed(self) -> list[ComplianceLink]:
        """Federal links shown as applying here although the report does not say whether the
        law extends to this jurisdiction (extent reason ``not_stated``): to be reviewed."""
        return [link for link in self.federal if self._unconfirmed(link)]

    @property
    def unconfirmed_extents(self) -> list[StatuteExtent]:
        """The distinct extent rows behind ``unconfirmed`` (their notes say what is missing)."""
        found: dict[int, StatuteExtent] = {}
        for link in self.unconfirmed:
            e = self.extents[link.statute_id]
            found.setdefault(e.pk, e)
        return list(found.values())

    @property
    def exclusions(self) -> list[StatuteExtent]:
        """The distinct extent rows that keep federal law out of this cell."""
        found: dict[int, StatuteExtent] = {}
        for link in self.excluded:
            e = self.extents[link.statute_id]
            found.setdefault(e.pk, e)
        return list(found.values())


@dataclass
class MatrixRow:
    article: OpscArticle
    cells: list[MatrixCell]


@dataclass
class Matrix:
    columns: list[Jurisdiction | None]  # None is federal law
    rows: list[MatrixRow]

    @property
    def column_labels(self) -> list[str]:
        return [gettext("Federal") if c is None else c.short_name for c in self.columns]

    @property
    def column_codes(self) -> list[str]:
        return ["federal" if c is None else c.iso_code for c in self.columns]

    def gaps(self) -> int:
        """How many cells no applicable law covers."""
        return sum(cell.gap for row in self.rows for cell in row.cells)

    def covered_by_federal_law(self) -> int:
        """How many province or territory cells only federal law covers."""
        return sum(cell.covered_by_federal_law for row in self.rows for cell in row.cells)


class ExtentIndex:
    """Where federal statutes apply: the row for the statute in the jurisdiction, else the row
    for every federal statute there, else the default (it applies)."""

    def __init__(self, rows: list[StatuteExtent]) -> None:
        self._rows = {(r.statute_id, r.jurisdiction_id): r for r in rows}

    @classmethod
    def load(cls) -> ExtentIndex:
        return cls(list(StatuteExtent.objects.select_related("statute", "jurisdiction")))

    def row(self, statute_id: int, jurisdiction_id: int) -> StatuteExtent | None:
        return self._rows.get((statute_id, jurisdiction_id)) or self._rows.get(
            (None, jurisdiction_id)
        )

    def applies(self, statute_id: int, jurisdiction_id: int) -> bool:
        row = self.row(statute_id, jurisdiction_id)
        return row is None or row.applies


def compliance_matrix(*, jurisdiction: str = "") -> Matrix:
    """Articles 1–12 × (federal + each jurisdiction, or + the one asked for); four queries.

    A province's or territory's cell holds its own links and the federal links whose statute
    applies there (``StatuteExtent``); federal links kept out by an exception are listed as
    ``excluded``, and do not cover the article."""
    jurisdictions = list(Jurisdiction.objects.order_by("name_en"))
    if jurisdiction and jurisdiction != "federal":
        jurisdictions = [j for j in jurisdictions if j.iso_code == jurisdiction]
    columns: list[Jurisdiction | None] = [None, *jurisdictions]
    if jurisdiction == "federal":
        columns = [None]
    index = {(None if c is None else c.pk): i for i, c in enumerate(columns)}
    extents = ExtentIndex.load()
    links = ComplianceLink.objects.select_related(
        "statute", "provision__statute", "jurisdiction"
    ).order_by("statute__short_title", "provision__section_key")
    articles = OpscArticle.objects.filter(number__lte=12).prefetch_related(
        Prefetch("links", queryset=links, to_attr="all_links")
    )
    rows = []
    for article in articles:
        cells = [MatrixCell(jurisdiction=c) for c in columns]
        for link in article.all_links:  # type: ignore[attr-defined]
            position = index.get(link.jurisdiction_id)
            if position is not None:
                cells[position].own.append(link)
            if link.jurisdiction_id is not None:
                continue
            for cell in cells:  # federal law, as it reaches each province and territory
                if cell.jurisdiction is None:
                    continue
                row = extents.row(link.statute_id, cell.jurisdiction.pk)
                if row is not None:
                    cell.extents[link.statute_id] = row
                (cell.federal if row is None or row.applies else cell.excluded).append(link)
        rows.append(MatrixRow(article=article, cells=cells))
    return Matrix(columns=columns, rows=rows)


def _citation(link: ComplianceLink) -> str:
    return link.provision.citation if link.provision else link.statute.short_title


def _distinct(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


@dataclass(frozen=True)
class CoverageGap:
    """An article that no law applicable in a jurisdiction covers: a row of the drafting
    team's table of gaps."""

    article: OpscArticle
    jurisdiction: Jurisdiction | None  # None: federal law
    excluded: list[ComplianceLink]
    exclusions: list[StatuteExtent]

    @property
    def jurisdiction_label(self) -> str:
        return gettext("Federal law") if self.jurisdiction is None else self.jurisdiction.name

    @property
    def jurisdiction_code(self) -> str:
        return "federal" if self.jurisdiction is None else self.jurisdiction.iso_code

    @property
    def missing_law(self) -> str:
        return gettext("A law implementing Article %(number)s (%(title)s).") % {
            "number": self.article.number,
            "title": self.article.title,
        }

    @property
    def missing(self) -> str:
        """What is missing: a law implementing the article, and the article's obligation (in
        the words of the data, English)."""
        return f"{self.missing_law} {self.article.obligation}".strip()

    @property
    def why(self) -> str:
        if self.jurisdiction is None:
            return gettext("No federal law cited in the report covers this article.")
        where = self.jurisdiction.name
        if not self.excluded:
            return gettext(
                "Neither federal law nor a law of %(jurisdiction)s cited in the report covers "
                "this article."
            ) % {"jurisdiction": where}
        reasons = "; ".join(
            gettext("%(reason)s (report %(paragraphs)s)")
            % {"reason": e.get_reason_display(), "paragraphs": e.paragraphs_label}
            for e in self.exclusions
        )
        return gettext(
            "The federal law that covers it (%(laws)s) does not apply in %(jurisdiction)s: "
            "%(reasons)s; no law of %(jurisdiction)s cited in the report covers it."
        ) % {
            "laws": ", ".join(_distinct([_citation(link) for link in self.excluded])),
            "jurisdiction": where,
            "reasons": reasons,
        }


def coverage_gaps(matrix: Matrix) -> list[CoverageGap]:
    """The gaps of ``matrix``, article by article in the matrix's column order: for each, the
    article, the jurisdiction, what is missing and why (``CoverageGap.missing``, ``.why``)."""
    return [
        CoverageGap(
            article=row.article,
            jurisdiction=cell.jurisdiction,
            excluded=list(cell.excluded),
            exclusions=cell.exclusions,
        )
        for row in matrix.rows
        for cell in row.cells
        if cell.gap
    ]


@dataclass(frozen=True)
class Reach:
    """Whether a statute applies in one jurisdiction, and on what record."""

    jurisdiction: Jurisdiction
    applies: bool
    extent: StatuteExtent | None  # None: the default rule (federal law applies everywhere)

    @property
    def reason(self) -> str:
        if self.extent is not None:
            return self.extent.get_reason_display()
        return gettext(
            "Federal law applies in every province and territory (no exception recorded)"
        )


def statute_extent(statute: Statute) -> list[Reach]:
    """Where ``statute`` applies, jurisdiction by jurisdiction: a federal statute everywhere
    but where an extent row excludes it; a province's law in that province only."""
    jurisdictions = list(Jurisdiction.objects.order_by("name_en"))
    if statute.jurisdiction_id is not None:
        return [
            Reach(jurisdiction=j, applies=j.pk == statute.jurisdiction_id, extent=None)
            for j in jurisdictions
            if j.pk == statute.jurisdiction_id
        ]
    extents = ExtentIndex.load()
    return [
        Reach(
            jurisdiction=j,
            applies=extents.applies(statute.pk, j.pk),
            extent=extents.row(statute.pk, j.pk),
        )
        for j in jurisdictions
    ]


# --- procedural rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedRule:
    """The rule that governs a jurisdiction: its own law, else federal law, else policy."""

    code: str
    rule: ProceduralRule

    @property
    def is_law(self) -> bool:
        return self.rule.basis == ProceduralRule.Basis.LAW

    @property
    def citation(self) -> str:
        return self.rule.citation

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rule, name)


def rule_for(code: str, jurisdiction: Jurisdiction | None) -> AppliedRule:
    candidates = {
        (r.scope, r.jurisdiction_id): r
        for r in ProceduralRule.objects.select_related("statute").filter(code=code)
    }
    for key in (
        (ProceduralRule.Scope.JURISDICTION, jurisdiction.pk if jurisdiction else None),
        (ProceduralRule.Scope.FEDERAL, None),
        (ProceduralRule.Scope.DEFAULT, None),
    ):
        if key in candidates:
            return AppliedRule(code=code, rule=candidates[key])
    raise LookupError(f"No rule and no policy default for {code!r}.")


def rules_for(jurisdiction: Jurisdiction | None) -> list[AppliedRule]:
    """Every rule as it applies in ``jurisdiction`` (one query)."""
    rules = list(ProceduralRule.objects.select_related("statute", "jurisdiction"))
    by_code: dict[str, dict[tuple[str, int | None], ProceduralRule]] = {}
    for r in rules:
        by_code.setdefault(r.code, {})[(r.scope, r.jurisdiction_id)] = r
    applied = []
    for code, candidates in sorted(by_code.items()):
        for key in (
            (ProceduralRule.Scope.JURISDICTION, jurisdiction.pk if jurisdiction else None),
            (ProceduralRule.Scope.FEDERAL, None),
            (ProceduralRule.Scope.DEFAULT, None),
        ):
            if key in candidates:
                applied.append(AppliedRule(code=code, rule=candidates[key]))
                break
    return applied
