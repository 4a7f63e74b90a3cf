"""Writes of the UN report: editions, their status, narrative versions and review comments.

Every service checks the actor's capability, runs in one transaction and writes its audit
event in it. Saving a narrative is optimistic: the writer names the version they started
from, and a save on top of someone else's newer version is refused with the other text
(``NarrativeConflict``), so nothing is lost.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cpmis import access
from cpmis.actors import Actor, person
from cpmis.audit import versioning
from cpmis.audit.services import audit_record
from cpmis.core.errors import Conflict, NotFound
from cpmis.core.text import check_text
from cpmis.legal.report_structure import SECTION_CODES

from .models import NarrativeVersion, ReportEdition, ReportSnapshot, ReviewComment

MAX_TEXT = 200_000  # characters of one section; the longest section of the initial report is 9k
MAX_COMMENT = 5_000
EXPORT_FORMATS = frozenset({"docx", "pdf", "xlsx"})


class NarrativeConflict(Conflict):
    """Someone saved the section since the writer opened it; ``current`` is their version."""

    def __init__(self, message: str, current: NarrativeVersion) -> None:
        super().__init__(message)
        self.current = current

    def payload(self) -> dict[str, Any]:
        return {
            "detail": str(self),
            "current": {
                "number": self.current.number,
                "text": self.current.text,
                "author": self.current.author.get_username() if self.current.author else "",
                "created_at": self.current.created_at.isoformat(),
            },
        }


def _require(actor: Actor, capability: str, message: str) -> None:
    if not access.has_capability(actor, capability):
        raise PermissionDenied(message)


def _clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    """Text as typed, less trailing spaces; no control characters
    (``core.text``: PostgreSQL refuses NUL; the others break DOCX)."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not text:
        raise ValidationError({field: [_("Write some text.")]})
    if len(text) > limit:
        raise ValidationError({field: [_("At most %(limit)s characters.") % {"limit": limit}]})
    check_text(text, field=field)
    return text


def _check_section(section: str) -> None:
    if section not in SECTION_CODES:
        raise ValidationError(
            {"section": [_("Unknown report section %(section)r.") % {"section": section}]}
        )


SYMBOL = re.compile(r"^[A-Z]{1,10}(?:/[A-Za-z0-9.()-]{1,20}){1,8}\Z", re.ASCII)


@transaction.atomic
def edition_create(
    *,
    actor: Actor,
    title: str,
    reporting_year: int,
    period_from: date,
    period_to: date,
    symbol: str = "",
) -> ReportEdition:
    _require(actor, "report.edit", _("You cannot create report editions."))
    title = _clean_text(title, field="title", limit=300).replace("\n", " ")
    symbol = (symbol or "").strip()
    if symbol and not SYMBOL.match(symbol):
        raise ValidationError(
            {
                "symbol": [
                    _(
                        "A document symbol is written like CRC/C/OPSC/PAK/2: capital letters, "
                        "then parts separated by slashes."
                    )
                ]
            }
        )
    if period_from > period_to:
        raise ValidationError({"period_to": [_("The period must end after it starts.")]})
    if not 1990 <= reporting_year <= 2100:
        raise ValidationError({"reporting_year": [_("Give a year between 1990 and 2100.")]})
    edition = ReportEdition(
        title=title,
        symbol=symbol,
        reporting_year=reporting_year,
        period_from=period_from,
        period_to=period_to,
        created_by=person(actor),
        created_at=timezone.now(),
    )
    edition.full_clean()
    edition.save()
    audit_record(
        actor=actor,
        action="report.edition_create",
        object_type="reporting.edition",
        object_id=edition.pk,
        detail={"year": reporting_year},
    )
    return edition


@transaction.atomic
def edition_status_set(
    *, actor: Actor, edition: ReportEdition, status: str, version: int | None = None
) -> ReportEdition:
    """Move an edition to another status. A final edition stays final (it is what was sent
    to the Committee): a correction is a new edition."""
    _require(actor, "report.edit", _("You cannot change the status of report editions."))
    if status not in ReportEdition.Status.values:
        raise ValidationError({"status": [_("Unknown status %(status)r.") % {"status": status}]})
    locked = versioning.lock(ReportEdition.objects.all(), edition.pk)
    if locked is None:  # deleted since the caller read it
        raise NotFound
    versioning.check(
        locked,
        version,
        object_type="reporting.edition",
        message=_("Someone changed this edition since you opened it; look again."),
    )
    if locked.is_final:
        raise ValidationError({"status": [_("The edition is final and can no longer change.")]})
    before = locked.status
    if before == status:
        return locked
    locked.status = status
    versioning.save_new_version(
        locked,
        actor=actor,
        action="report.edition_status",
        object_type="reporting.edition",
        fields=["status"],
        detail={"from": before, "to": status},
    )
    edition.status, edition.version = locked.status, locked.version
    return locked


@transaction.atomic
def narrative_save(
    *,
    actor: Actor,
    edition: ReportEdition,
    section: str,
    text: str,
    base_number: int,
    summary: str = "",
) -> NarrativeVersion:
    """Save a section's text as version ``base_number + 1``. ``base_number`` is the version
    the writer started from (0 for a section never written); if another version was saved
    since, ``NarrativeConflict`` carries it. Saving the current text again changes nothing."""
    _require(actor, "report.edit", _("You cannot write the report."))
    _check_section(section)
    text = _clean_text(text, field="text", limit=MAX_TEXT)
    summary = _clean_text(summary, field="summary", limit=200, required=False).replace("\n", " ")
    # The edition's row lock serialises writers of the edition; the unique constraint is
    # the last guard where the database has no row locks (SQLite).
    locked = ReportEdition.objects.select_for_update().get(pk=edition.pk)
    if locked.is_final:
        raise ValidationError({"text": [_("The edition is final: its text can no longer change.")]})
    current = (
        NarrativeVersion.objects.filter(edition=locked, section=section)
        .select_related("author")
        .order_by("-number")
        .first()
    )
    current_number = current.number if current else 0
    if base_number != current_number:
        if current is None:
            raise ValidationError({"base_number": [_("This section has no such version.")]})
        raise NarrativeConflict(
            _(
                "Version %(number)s was saved by %(author)s after you opened the section. "
                "Your text was not saved."
            )
            % {
                "number": current.number,
                "author": current.author.get_username() if current.author else _("the system"),
            },
            current,
        )
    if current is not None and current.text == text:
        return current
    try:
        with transaction.atomic():
            saved = NarrativeVersion.objects.create(
                edition=locked,
                section=section,
                number=current_number + 1,
                text=text,
                summary=summary,
                author=person(actor),
                created_at=timezone.now(),
            )
    except IntegrityError:
        newer = NarrativeVersion.objects.filter(edition=locked, section=section).order_by(
            "-number"
        )[0]
        raise NarrativeConflict(
            _("Someone saved this section at the same moment."), newer
        ) from None
    audit_record(
        actor=actor,
        action="report.narrative_save",
        object_type="reporting.edition",
        object_id=locked.pk,
        detail={"section": section, "number": saved.number, "characters": len(text)},
    )
    return saved


@transaction.atomic
def comment_add(
    *,
    actor: Actor,
    edition: ReportEdition,
    section: str,
    text: str,
    on_version: NarrativeVersion | None = None,
    reply_to: ReviewComment | None = None,
) -> ReviewComment:
    _require(actor, "report.comment", _("You cannot comment on the report."))
    _check_section(section)
    text = _clean_text(text, field="text", limit=MAX_COMMENT)
    if on_version is not None and (
        on_version.edition_id != edition.pk or on_version.section != section
    ):
        raise ValidationError({"on_version": [_("That version is not of this section.")]})
    if reply_to is not None:
        if reply_to.edition_id != edition.pk or reply_to.section != section:
            raise ValidationError({"reply_to": [_("That comment is not of this section.")]})
        reply_to = reply_to.reply_to or reply_to  # threads are one level deep
    comment = ReviewComment.objects.create(
        edition=edition,
        section=section,
        on_version=on_version,
        reply_to=reply_to,
        author=person(actor),
        text=text,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="report.comment_add",
        object_type="reporting.comment",
        object_id=comment.pk,
        detail={"edition": edition.pk, "section": section, "reply_to": comment.reply_to_id},
    )
    return comment


@transaction.atomic
def comment_resolve(*, actor: Actor, comment: ReviewComment) -> ReviewComment:
    """Resolve a comment and its replies: an editor may, and so may its author."""
    author = comment.author_id is not None and comment.author_id == actor.pk
    if not (
        access.has_capability(actor, "report.edit")
        or (author and access.has_capability(actor, "report.comment"))
    ):
        raise PermissionDenied(
            _("Only an editor of the report or the comment's author can resolve it.")
        )
    locked = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    if locked.resolved_at is not None:
        raise Conflict(_("This comment is already resolved."))
    now = timezone.now()
    thread = ReviewComment.objects.filter(pk=locked.pk) | ReviewComment.objects.filter(
        reply_to_id=locked.pk, resolved_at=None
    )
    resolved = thread.update(resolved_at=now, resolved_by=person(actor))
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action="report.comment_resolve",
        object_type="reporting.comment",
        object_id=locked.pk,
        detail={"edition": locked.edition_id, "section": locked.section, "resolved": resolved},
    )
    return locked


@transaction.atomic
def report_export_audit(*, actor: Actor, edition: ReportEdition, fmt: str, size: int) -> None:
    """A generated report leaves cpmis: who, which edition, which format."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError({"format": [_("Unknown format %(format)r.") % {"format": fmt}]})
    audit_record(
        actor=actor,
        action="report.export",
        object_type="reporting.edition",
        object_id=edition.pk,
        detail={"format": fmt, "status": edition.status, "bytes": size},
    )


def current_number(edition: ReportEdition, section: str) -> int:
    found = NarrativeVersion.objects.filter(edition=edition, section=section).aggregate(
        m=Max("number")
    )["m"]
    return int(found or 0)


def snapshot_record(
    *, actor: Actor, edition: ReportEdition, content: Any, scope: str
) -> ReportSnapshot:
    """Keep what a generated report says (its numbered paragraphs and its figures), as a new
    version of the edition's report unless the last one for the same view of the figures
    said exactly the same. Called when a report file is rendered."""
    _require(actor, "report.view", _("You cannot read the report."))
    paragraphs = [list(p) for p in content.numbered()]
    figures = content.figures
    digest = hashlib.sha256(
        json.dumps([paragraphs, figures], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    with transaction.atomic():
        locked = versioning.lock(ReportEdition.objects.all(), edition.pk)
        if locked is None:
            raise NotFound
        last = ReportSnapshot.objects.filter(edition=edition, scope=scope).first()
        if last is not None and last.digest == digest and last.status == locked.status:
            return last
        top = ReportSnapshot.objects.filter(edition=edition).aggregate(n=Max("number"))["n"]
        snapshot = ReportSnapshot.objects.create(
            edition=edition,
            number=(top or 0) + 1,
            created_at=timezone.now(),
            created_by=person(actor),
            scope=scope,
            digest=digest,
            status=locked.status,
            paragraphs=paragraphs,
            figures=figures,
        )
        audit_record(
            actor=actor,
            action="report.snapshot",
            object_type="reporting.edition",
            object_id=edition.pk,
            detail={"snapshot": snapshot.number, "paragraphs": len(paragraphs)},
        )
    return snapshot
