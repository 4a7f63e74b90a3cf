"""Reads of the UN report. The report is national: whoever holds ``report.view`` reads every
edition; anyone else is refused."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from cpmis import access
from cpmis.actors import Actor
from cpmis.core.errors import NotFound
from cpmis.legal.report_structure import SECTIONS, Section, section

from .models import NarrativeVersion, ReportEdition, ReportSnapshot, ReviewComment

MAX_ID = 2**31 - 1


def _require_view(user: Actor) -> None:
    if not access.has_capability(user, "report.view"):
        raise PermissionDenied(gettext("You cannot read the report."))


def edition_list(*, user: Actor) -> QuerySet[ReportEdition]:
    _require_view(user)
    return ReportEdition.objects.select_related("created_by").order_by("-created_at", "-pk")


def edition_get(*, user: Actor, edition_id: Any) -> ReportEdition:
    """The edition, or 404 (a bad id is an absent one)."""
    _require_view(user)
    try:
        pk = int(edition_id)
    except (TypeError, ValueError):
        raise NotFound from None
    edition = (
        ReportEdition.objects.select_related("created_by").filter(pk=pk).first()
        if 0 < pk <= MAX_ID
        else None
    )
    if edition is None:
        raise NotFound
    return edition


def section_get(code: str) -> Section:
    found = section(code)
    if found is None:
        raise NotFound
    return found


def current_versions(edition: ReportEdition) -> dict[str, NarrativeVersion]:
    """The current (highest) version of every written section: two queries."""
    latest = (
        NarrativeVersion.objects.filter(edition=edition)
        .values("section")
        .annotate(top=Max("number"))
    )
    q = Q()
    for row in latest:
        q |= Q(section=row["section"], number=row["top"])
    if not latest:
        return {}
    return {
        v.section: v
        for v in NarrativeVersion.objects.filter(q, edition=edition).select_related("author")
    }


def section_current(*, user: Actor, edition: ReportEdition, code: str) -> NarrativeVersion | None:
    _require_view(user)
    return (
        NarrativeVersion.objects.filter(edition=edition, section=code)
        .select_related("author")
        .order_by("-number")
        .first()
    )


def section_history(
    *, user: Actor, edition: ReportEdition, code: str
) -> QuerySet[NarrativeVersion]:
    """Every version of a section, newest first."""
    _require_view(user)
    return (
        NarrativeVersion.objects.filter(edition=edition, section=code)
        .select_related("author")
        .order_by("-number")
    )


def version_get(*, user: Actor, edition: ReportEdition, code: str, number: Any) -> NarrativeVersion:
    _require_view(user)
    try:
        n = int(number)
    except (TypeError, ValueError):
        raise NotFound from None
    found = (
        NarrativeVersion.objects.filter(edition=edition, section=code, number=n)
        .select_related("author")
        .first()
        if 0 < n <= MAX_ID
        else None
    )
    if found is None:
        raise NotFound
    return found


@dataclass
class Thread:
    comment: ReviewComment
    replies: list[ReviewComment] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.comment.is_open


def comments(
    *, user: Actor, edition: ReportEdition, code: str | None = None, open_only: bool = False
) -> QuerySet[ReviewComment]:
    _require_view(user)
    qs = ReviewComment.objects.filter(edition=edition).select_related(
        "author", "resolved_by", "on_version"
    )
    if code is not None:
        qs = qs.filter(section=code)
    if open_only:
        qs = qs.filter(resolved_at=None)
    return qs.order_by("created_at", "pk")


def comment_get(*, user: Actor, edition: ReportEdition, comment_id: Any) -> ReviewComment:
    _require_view(user)
    try:
        pk = int(comment_id)
    except (TypeError, ValueError):
        raise NotFound from None
    found = (
        ReviewComment.objects.filter(edition=edition, pk=pk).select_related("author").first()
        if 0 < pk <= MAX_ID
        else None
    )
    if found is None:
        raise NotFound
    return found


def threads(items: list[ReviewComment]) -> list[Thread]:
    """Comments as threads (a comment and its replies), in the order they were written."""
    by_id: dict[int, Thread] = {}
    out: list[Thread] = []
    orphans: list[ReviewComment] = []
    for c in items:
        if c.reply_to_id is None:
            by_id[c.pk] = Thread(c)
            out.append(by_id[c.pk])
        elif c.reply_to_id in by_id:
            by_id[c.reply_to_id].replies.append(c)
        else:
            orphans.append(c)  # a reply whose question is filtered out: shown alone
    out.extend(Thread(c) for c in orphans)
    return out


@dataclass
class SectionState:
    section: Section
    current: NarrativeVersion | None
    threads: list[Thread]

    @property
    def open_threads(self) -> list[Thread]:
        return [t for t in self.threads if t.is_open]


def edition_sections(*, user: Actor, edition: ReportEdition) -> list[SectionState]:
    """Every section in the report's order with its current text and its open comments."""
    _require_view(user)
    current = current_versions(edition)
    open_comments = list(comments(user=user, edition=edition, open_only=True))
    return [
        SectionState(
            section=s,
            current=current.get(s.code),
            threads=threads([c for c in open_comments if c.section == s.code]),
        )
        for s in SECTIONS
    ]


# --- differences between two versions --------------------------------------------------------

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Diff:
    old: NarrativeVersion
    new: NarrativeVersion
    segments: list[tuple[str, str]]  # ("equal" | "insert" | "delete", text)

    @property
    def html(self) -> SafeString:
        return segments_html(self.segments)

    @property
    def changed(self) -> bool:
        return any(op != "equal" for op, _ in self.segments)


def segments_html(segments: list[tuple[str, str]]) -> SafeString:
    """The new text with deletions and insertions marked; every piece of text escaped."""
    parts = []
    for op, text in segments:
        body = escape(text).replace("\n", "<br>")
        if op == "insert":
            parts.append(f"<ins>{body}</ins>")
        elif op == "delete":
            parts.append(f"<del>{body}</del>")
        else:
            parts.append(body)
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped text only


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """A word-level difference (prose changes by words, not by lines)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if op in {"delete", "replace"}:
            out.append(("delete", "".join(a[i1:i2])))
        if op in {"insert", "replace"}:
            out.append(("insert", "".join(b[j1:j2])))
    return out


def version_diff(*, user: Actor, edition: ReportEdition, code: str, old: Any, new: Any) -> Diff:
    a = version_get(user=user, edition=edition, code=code, number=old)
    b = version_get(user=user, edition=edition, code=code, number=new)
    return Diff(old=a, new=b, segments=text_diff(a.text, b.text))


@dataclass(frozen=True)
class Process:
    """How an edition was prepared, from its own records: when it reached each status (the
    first time), the versions written and the reviewers' comments."""

    reached: dict[str, datetime]  # status -> when the edition first reached it
    versions: int
    writers: int
    comments: int
    reviewers: int
    resolved: int
    sections_commented: int


def edition_process(edition: ReportEdition) -> Process:
    """Four queries: status changes (from the audit trail), versions, comments."""
    from cpmis.audit.models import AuditEvent

    reached: dict[str, datetime] = {}
    changes = AuditEvent.objects.filter(
        action="report.edition_status",
        object_type="reporting.edition",
        object_id=str(edition.pk),
    ).order_by("occurred_at", "id")
    for when, detail in changes.values_list("occurred_at", "detail"):
        status = (detail or {}).get("to")
        if isinstance(status, str):
            reached.setdefault(status, when)
    versions = NarrativeVersion.objects.filter(edition=edition).aggregate(
        n=Count("pk"), writers=Count("author", distinct=True)
    )
    comments = ReviewComment.objects.filter(edition=edition).aggregate(
        n=Count("pk"),
        reviewers=Count("author", distinct=True),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        sections=Count("section", distinct=True),
    )
    return Process(
        reached=reached,
        versions=versions["n"],
        writers=versions["writers"],
        comments=comments["n"],
        reviewers=comments["reviewers"],
        resolved=comments["resolved"],
        sections_commented=comments["sections"],
    )


# --- versions of the generated report, and comparing two -------------------------------------


def figures_view(user: Actor) -> str:
    """Whose view of the figures a report generated for ``user`` holds: two readers with the
    same key see the same figures (``access.scope_key``); "none" without figures."""
    if not access.has_capability(user, "aggregates.view"):
        return "none"
    return access.scope_key(user, "aggregates.view")


def snapshot_list(*, user: Actor) -> QuerySet[ReportSnapshot]:
    """The versions of the report ``user`` may compare: those generated with the same view of
    the figures as theirs (figures of another scope are never shown)."""
    _require_view(user)
    return ReportSnapshot.objects.filter(scope=figures_view(user)).select_related("edition")


def snapshot_get(*, user: Actor, snapshot_id: Any) -> ReportSnapshot:
    try:
        pk = int(snapshot_id)
    except (TypeError, ValueError):
        raise NotFound from None
    found = snapshot_list(user=user).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound
    return found


@dataclass(frozen=True)
class ParagraphChange:
    kind: str  # "changed" | "added" | "removed"
    old_number: int | None
    new_number: int | None
    section: str
    segments: list[tuple[str, str]]

    @property
    def html(self) -> SafeString:
        return segments_html(self.segments)


@dataclass(frozen=True)
class FigureChange:
    table: str  # the new version's number, or the old one's for a removed table
    title: str
    row: str
    column: str
    old: str
    new: str


@dataclass
class Comparison:
    old: ReportSnapshot
    new: ReportSnapshot
    paragraphs: list[ParagraphChange] = field(default_factory=list)
    # (old first, old last, new first): paragraphs whose text did not change but whose number
    # did, as runs ("old 12–40 are now 13–41")
    renumbered: list[tuple[int, int, int]] = field(default_factory=list)
    figures: list[FigureChange] = field(default_factory=list)
    tables_added: list[str] = field(default_factory=list)
    tables_removed: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (
            self.paragraphs
            or self.renumbered
            or self.figures
            or self.tables_added
            or self.tables_removed
        )


def _renumbered(pairs: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    runs: list[tuple[int, int, int]] = []
    for old, new in pairs:
        if old == new:
            continue
        if runs:
            first, last, start = runs[-1]
            if old == last + 1 and new == start + (old - first):
                runs[-1] = (first, old, start)
                continue
        runs.append((old, old, new))
    return runs


def compare(*, old: ReportSnapshot, new: ReportSnapshot) -> Comparison:
    """What changed between two versions of the report (of one edition or of two): the text
    paragraph by paragraph (changed, added, removed, with word-level differences), the
    paragraphs that only moved to another number, and every figure of the annex that
    differs."""
    result = Comparison(old=old, new=new)
    a = [(int(n), str(s), str(t)) for n, s, t in old.paragraphs]
    b = [(int(n), str(s), str(t)) for n, s, t in new.paragraphs]
    matcher = difflib.SequenceMatcher(a=[t for *_, t in a], b=[t for *_, t in b], autojunk=False)
    moved: list[tuple[int, int]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            moved.extend(
                (a[i][0], b[j][0]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        olds, news = a[i1:i2], b[j1:j2]
        paired = min(len(olds), len(news)) if op == "replace" else 0
        for x, y in zip(olds[:paired], news[:paired], strict=True):
            result.paragraphs.append(
                ParagraphChange("changed", x[0], y[0], y[1], text_diff(x[2], y[2]))
            )
        for x in olds[paired:]:
            result.paragraphs.append(
                ParagraphChange("removed", x[0], None, x[1], [("delete", x[2])])
            )
        for y in news[paired:]:
            result.paragraphs.append(ParagraphChange("added", None, y[0], y[1], [("insert", y[2])]))
    result.renumbered = _renumbered(moved)
    before, after = old.figures or {}, new.figures or {}
    for key, table in after.items():
        if key not in before:
            result.tables_added.append(f"{table['number']}. {table['title']}")
            continue
        was = before[key].get("cells", {})
        for cell, text in table.get("cells", {}).items():
            if was.get(cell, "") != text:
                row, _, column = cell.partition("\t")
                result.figures.append(
                    FigureChange(
                        table["number"], table["title"], row, column, was.get(cell, ""), text
                    )
                )
    result.tables_removed = [
        f"{t['number']}. {t['title']}" for key, t in before.items() if key not in after
    ]
    return result
