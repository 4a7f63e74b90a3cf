"""Reads of the UN report. The report is national: whoever holds ``report.view`` reads every
edition; anyone else is refused."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from cpmis import access
from cpmis.actors import Actor
from cpmis.core.errors import NotFound
from cpmis.legal.report_structure import SECTIONS, Section, section

from .models import NarrativeVersion, ReportEdition, ReviewComment

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
        """The new text with deletions and insertions marked; every piece of text escaped."""
        parts = []
        for op, text in self.segments:
            body = escape(text).replace("\n", "<br>")
            if op == "insert":
                parts.append(f"<ins>{body}</ins>")
            elif op == "delete":
                parts.append(f"<del>{body}</del>")
            else:
                parts.append(body)
        return mark_safe("".join(parts))  # noqa: S308 - built from escaped text only

    @property
    def changed(self) -> bool:
        return any(op != "equal" for op, _ in self.segments)


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
