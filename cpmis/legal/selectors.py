"""Reads of the legal catalogue. The law is public: every signed-in user may read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from cpmis.reference.models import Jurisdiction

from .models import ComplianceLink, OpscArticle, OpscDate, ProceduralRule, Provision, Statute
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
    links: list[ComplianceLink] = field(default_factory=list)

    @property
    def gap(self) -> bool:
        return not self.links


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
        return sum(cell.gap for row in self.rows for cell in row.cells)


def compliance_matrix(*, jurisdiction: str = "") -> Matrix:
    """Articles 1–12 × (federal + each jurisdiction, or + the one asked for); two queries."""
    jurisdictions = list(Jurisdiction.objects.order_by("name_en"))
    if jurisdiction and jurisdiction != "federal":
        jurisdictions = [j for j in jurisdictions if j.iso_code == jurisdiction]
    columns: list[Jurisdiction | None] = [None, *jurisdictions]
    if jurisdiction == "federal":
        columns = [None]
    index = {(None if c is None else c.pk): i for i, c in enumerate(columns)}
    links = ComplianceLink.objects.select_related(
        "statute", "provision__statute", "jurisdiction"
    ).order_by("statute__short_title", "provision__section_key")
    articles = OpscArticle.objects.filter(number__lte=12).prefetch_related(
        Prefetch("links", queryset=links, to_attr="all_links")
    )
    rows = []
    for article in articles:
        cells = [MatrixCell() for _ in columns]
        for link in article.all_links:  # type: ignore[attr-defined]
            position = index.get(link.jurisdiction_id)
            if position is not None:
                cells[position].links.append(link)
        rows.append(MatrixRow(article=article, cells=cells))
    return Matrix(columns=columns, rows=rows)


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
