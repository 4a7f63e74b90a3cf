"""Optimistic versioning, written once (here, in audit, because what changed is read from the
audit trail; core imports no app): lock the row, compare the version the caller read, save
the next version, and answer a stale version (409) with what changed in between.

What changed is read from the audit trail (ADR 0003): every new version is saved here together
with its audit event, which carries the version it made. So a version bumped without a domain
event (a perpetrator added, a time corrected) is still told, and a service cannot bump a
version without leaving that record. A version that left none (rows repointed in bulk by a
merge, or saved before versions were audited) is still counted, as a bare "changed".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy

from cpmis.actors import Actor
from cpmis.core.errors import Conflict

from .models import AuditEvent
from .services import audit_record, audit_records

M = TypeVar("M", bound=models.Model)

UNRECORDED = "changed"  # the action of a version that left no audit event


@dataclass(frozen=True)
class Change:
    """One version saved since the caller's: its number, the audited action, when and by whom,
    and the fields it names (when the service said)."""

    version: int | None
    action: str
    at: datetime | None = None
    by: str = ""
    fields: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "action": self.action,
            "at": self.at.isoformat() if self.at else None,
            "by": self.by or None,
            "fields": list(self.fields),
        }


class VersionConflict(Conflict):
    """The record changed since the caller read it; ``changes`` says how, oldest first."""

    # In the language of the request that meets the conflict.
    message: Any = gettext_lazy("This record was changed by someone else since you opened it.")

    def __init__(
        self, record: Any, read: int, changes: Sequence[Change], message: str | None = None
    ) -> None:
        super().__init__(message or str(self.message))
        self.record = record
        self.read = read
        self.current: int = record.version
        self.changes = list(changes)

    def payload(self) -> dict[str, Any]:
        return {
            "detail": str(self),
            "version": self.current,
            "changes": [c.as_dict() for c in self.changes],
        }


def lock(queryset: models.QuerySet[M], pk: Any) -> M | None:
    """The row ``pk`` of ``queryset`` (a scope: absent when out of reach), locked until the end
    of the transaction. Only the row itself is locked, never the rows it joins."""
    return queryset.select_for_update(of=("self",)).filter(pk=pk).first()


def changes_since(
    record: Any, read: int, *, object_type: str, object_id: Any = None
) -> list[Change]:
    """Every version of ``record`` after ``read``, oldest first, one entry per version."""
    read = max(read, 0)  # a version before the first one is a caller's mistake
    if read >= record.version:
        return []  # so is one ahead of the record: it is told the current version
    key = str(record.pk if object_id is None else object_id)
    events = (
        AuditEvent.objects.filter(object_type=object_type, object_id=key, detail__version__gt=read)
        .filter(detail__version__lte=record.version)
        .order_by("occurred_at", "id")
        .values_list("detail", "action", "occurred_at", "actor_username")
    )
    found: dict[int, Change] = {}
    for detail, action, at, by in events:
        fields = detail.get("fields")
        found[int(detail["version"])] = Change(
            version=int(detail["version"]),
            action=action,
            at=at,
            by=by,
            fields=tuple(fields) if isinstance(fields, list) else (),
        )
    return [
        found.get(v) or Change(version=v, action=UNRECORDED)
        for v in range(read + 1, record.version + 1)
    ]


def check(
    record: Any,
    read: int | None,
    *,
    object_type: str,
    object_id: Any = None,
    conflict: type[VersionConflict] = VersionConflict,
    message: str | None = None,
) -> None:
    """Raise ``conflict`` with what changed if the caller read another version than the
    locked ``record``'s. ``read`` None: the caller does not take part (a script, a form that
    sends no version)."""
    if read is None or read == record.version:
        return
    changes = changes_since(record, read, object_type=object_type, object_id=object_id)
    raise conflict(record, read, changes, message)


def save_new_version(
    record: Any,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any = None,
    fields: Iterable[str] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Save ``record`` as its next version (only ``fields`` and the version when given) and
    audit it, the version in the event's detail. Call inside the transaction that locked it."""
    record.version += 1
    if fields is None:
        record.save()
    else:
        record.save(update_fields=[*dict.fromkeys(fields), "version"])
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=record.pk if object_id is None else object_id,
        detail={**(detail or {}), "version": record.version},
    )


def save_new_versions(
    records: Sequence[M],
    *,
    actor: Actor,
    action: str,
    object_type: str,
    fields: Iterable[str],
    detail: dict[str, Any] | None = None,
    detail_of: Callable[[M], dict[str, Any]] | None = None,
) -> None:
    """``save_new_version`` for many rows of one model at once (one update, one insert);
    ``detail_of`` adds what is particular to each row to its event."""
    if not records:
        return
    for record in records:
        record.version += 1  # type: ignore[attr-defined]
    type(records[0]).objects.bulk_update(records, [*dict.fromkeys(fields), "version"])  # type: ignore[attr-defined]
    audit_records(
        actor=actor,
        action=action,
        items=(
            (
                object_type,
                r.pk,  # type: ignore[attr-defined]
                {
                    **(detail or {}),
                    **(detail_of(r) if detail_of else {}),
                    "version": r.version,  # type: ignore[attr-defined]
                },
            )
            for r in records
        ),
    )
