"""Receiving a department's batch: every row validated, the accepted rows written together
in one transaction with the submission and its audit record (on PostgreSQL while the next
rows are validated, see ``writing``; nothing is visible, and a failure writes nothing, before
the commit), the rejected rows reported (row, column, value, reason), and nothing changed by
sending the same file, or the same records, again.

A record already received (same department, record type and department record ID) is
updated when its content changed (a correction: a new version) and left alone when not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cpmis import access
from cpmis.actors import Actor, person
from cpmis.audit.services import audit_record
from cpmis.core.errors import Conflict
from cpmis.reference.models import Department

from . import reading, reasons, standard, writing
from .models import Submission
from .reasons import say
from .validation import COMMON_COLUMNS, References, RowError, RowValidator

MAX_ROWS = reading.MAX_ROWS
MAX_REPORTED = 10_000  # row errors and rejected rows kept on a submission
PROGRESS_EVERY = 5000  # rows validated between two reports of a job's progress


@dataclass
class Batch:
    """What a focal point sends: a file (CSV or XLSX) or records (JSON)."""

    record_type: str
    source: str  # Submission.Source
    date_format: str = "iso"
    encoding: str = "auto"
    schema_major: int | None = None
    filename: str = ""
    content: bytes = b""
    records: list[dict[str, Any]] = field(default_factory=list)
    idempotency_key: str = ""


@dataclass
class Outcome:
    submission: Submission
    repeated: bool = False  # the same batch was received before: nothing changed


class IdempotencyConflict(Conflict):
    def __init__(self, submission: Submission) -> None:
        super().__init__(
            _("This idempotency key was used for a different batch; use a new key for new data.")
        )
        self.submission = submission

    def payload(self) -> dict[str, Any]:
        return {"detail": str(self), "submission": str(self.submission.uuid)}


@dataclass(frozen=True)
class Scope:
    department: Department
    jurisdiction_id: int | None  # the submission's, for who sees it (None: national)
    districts: set[int] | None  # the districts its rows may be in (None: all)


def _scope(actor: Actor, rt: standard.RecordType) -> Scope:
    """The department the actor submits for (the record type's) and where."""
    from cpmis.accounts.roles import ScopeLevel
    from cpmis.reference.models import District

    department = Department.objects.filter(code=rt.department).first()
    if department is None:  # pragma: no cover - the reference data names every department
        raise ValidationError({"record_type": _("This record type's department is unknown.")})
    scopes = [
        s
        for s in access.department_scopes(actor, "exchange.submit")
        if s.department_id == department.pk
    ]
    if not scopes:
        raise PermissionDenied(
            _("Only a focal point of the %(department)s submits %(record_type)s records.")
            % {"department": department.name_en, "record_type": _(rt.title).lower()}
        )
    if any(s.level == ScopeLevel.NATIONAL for s in scopes):
        return Scope(department, None, None)
    jurisdictions = {s.jurisdiction_id for s in scopes}
    districts = set(
        District.objects.filter(
            Q(jurisdiction_id__in=[s.jurisdiction_id for s in scopes if s.district_id is None])
            | Q(pk__in=[s.district_id for s in scopes if s.district_id is not None])
        ).values_list("pk", flat=True)
    )
    return Scope(
        department, next(iter(jurisdictions)) if len(jurisdictions) == 1 else None, districts
    )


def _schema(batch: Batch) -> standard.RecordType:
    if batch.record_type not in standard.SUPPORTED:
        raise ValidationError(
            {
                "record_type": _("Unknown record type; use one of %(record_types)s.")
                % {"record_types": ", ".join(standard.SUPPORTED)}
            }
        )
    if batch.date_format not in standard.DATE_FORMATS:
        raise ValidationError(
            {
                "date_format": _("Use one of %(date_formats)s for dates.")
                % {"date_formats": ", ".join(standard.DATE_FORMATS)}
            }
        )
    rt = standard.schema(batch.record_type, batch.schema_major)
    if rt is None:
        current = standard.SUPPORTED[batch.record_type][-1]
        raise ValidationError(
            {
                "schema_version": _(
                    "Version %(version)s of %(record_type)s is not accepted any more; use "
                    "version %(current)s (its template is at %(template)s)."
                )
                % {
                    "version": batch.schema_major,
                    "record_type": batch.record_type,
                    "current": current,
                    "template": f"/exchange/standard/{batch.record_type}/v{current}.csv",
                }
            }
        )
    return rt


def _digest(batch: Batch, rt: standard.RecordType) -> str:
    """The batch's identity: its bytes (or records) and how it asks to be read."""
    h = hashlib.sha256()
    h.update(f"{rt.name}|{rt.major}|{batch.date_format}|{batch.encoding}|".encode())
    if batch.source == Submission.Source.JSON:
        h.update(
            json.dumps(batch.records, sort_keys=True, default=str).encode("utf-8", "surrogatepass")
        )
    else:
        h.update(batch.content)
    return h.hexdigest()


def _header_problems(rt: standard.RecordType, header: list[str]) -> list[str]:
    expected = rt.field_names
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    problems = []
    if not set(header) & COMMON_COLUMNS:
        problems.append(reasons.NOT_THE_HEADER)
        return problems
    for major in standard.SUPPORTED[rt.name]:
        other = standard.schema(rt.name, major)
        if other is not None and major != rt.major and set(header) == set(other.field_names):
            problems.append(say(reasons.OTHER_VERSION, version=major, record_type=rt.name))
    if missing:
        problems.append(say(reasons.MISSING_COLUMNS, columns=", ".join(missing)))
    if extra:
        problems.append(say(reasons.EXTRA_COLUMNS, columns=", ".join(extra)))
    if duplicated:
        problems.append(say(reasons.DUPLICATED_COLUMNS, columns=", ".join(duplicated)))
    return problems


def _rows(rt: standard.RecordType, batch: Batch) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """The batch's rows as (row number in the file, {column: value}), and the encoding."""
    if batch.source == Submission.Source.JSON:
        if len(batch.records) > MAX_ROWS:
            raise reading.FileProblem(say(reasons.TOO_MANY_RECORDS, count=f"{MAX_ROWS:,}"))
        rows = []
        for i, record in enumerate(batch.records, start=1):
            if not isinstance(record, dict):
                raise reading.FileProblem(say(reasons.RECORD_NOT_OBJECT, number=i))
            rows.append((i, {k: ("" if v is None else v) for k, v in record.items()}))
        keys = {k for _, r in rows for k in r}
        extra = sorted(keys - set(rt.field_names))
        if extra:
            raise reading.FileProblem(say(reasons.FIELDS_NOT_IN_STANDARD, fields=", ".join(extra)))
        return rows, ""
    if batch.source == Submission.Source.XLSX:
        table = reading.read_xlsx(batch.content)
    else:
        table = reading.read_csv(batch.content, encoding=batch.encoding, expected=rt.field_names)
    if len(table.rows) > MAX_ROWS:  # pragma: no cover - the readers stop first
        raise reading.FileProblem(say(reasons.TOO_MANY_ROWS, count=f"{MAX_ROWS:,}"))
    problems = _header_problems(rt, table.header)
    if problems:
        raise reading.FileProblem(" ".join(problems))
    out = []
    header, width = table.header, len(table.header)
    for i, cells in zip(table.numbers, table.rows, strict=True):
        if len(cells) < width:
            cells = list(cells) + [""] * (width - len(cells))
        elif len(cells) > width and any(c not in ("", None) for c in cells[width:]):
            out.append((i, {"__extra__": True, **dict(zip(header, cells, strict=False))}))
            continue
        out.append((i, dict(zip(header, cells, strict=False))))
    return out, table.encoding


def _storable(value: Any) -> Any:
    """A value as it may be kept in a report: text without NUL (PostgreSQL's jsonb refuses
    it), whatever the sender put there."""
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int):
        return value
    text = str(value).replace("\x00", "\ufffd")[:1000]
    return text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates from JSON


def submission_check(*, actor: Actor, batch: Batch) -> Submission | None:
    """What can be told of a batch before it is read: the actor may submit this record type
    (else PermissionDenied), the type and version exist (else ValidationError), and whether
    the same batch was received before (that submission, or None; IdempotencyConflict for a
    key used with other data). A batch that passes is queued as a job."""
    rt = _schema(batch)
    scope = _scope(actor, rt)
    return _earlier(actor, scope, batch, _digest(batch, rt))


def submission_receive(
    *, actor: Actor, batch: Batch, progress: Callable[..., None] | None = None
) -> Outcome:
    """Validate a batch and write its accepted rows, all at once; see the module's doc.
    ``progress`` (a job's) is told the stage and the rows read, validated and written."""
    tell = progress or (lambda *args, **counts: None)
    rt = _schema(batch)
    scope = _scope(actor, rt)
    digest = _digest(batch, rt)
    earlier = _earlier(actor, scope, batch, digest)
    if earlier is not None:
        return Outcome(earlier, repeated=True)
    tell(gettext_noop("reading the file"))  # stages are stored: shown translated

    file_errors: list[str] = []
    encoding = ""
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        rows, encoding = _rows(rt, batch)
        if not rows:
            raise reading.FileProblem(reasons.NO_ROWS)
    except reading.FileProblem as exc:
        file_errors.append(str(exc))
        rows = []
    validator = RowValidator(rt, batch.date_format, References.load(scope.districts))
    tally = _Tally(total=len(rows))

    def report() -> None:
        tell(
            validated=tally.validated,
            done=tally.validated,
            accepted=tally.accepted,
            written=tally.written,
        )

    accepted: Iterable[tuple[str, dict[str, Any]]] = _validated(
        rows, validator, batch, tally, report
    )
    if writing.streams():
        tell(
            gettext_noop("validating and writing the rows"),
            read=len(rows),
            validated=0,
            done=0,
            total=len(rows),
        )
    else:  # every row validated before the write transaction opens: one writer at a time
        tell(
            gettext_noop("validating the rows"),
            read=len(rows),
            validated=0,
            done=0,
            total=len(rows),
        )
        accepted = list(accepted)
        tell(
            gettext_noop("writing the accepted rows"),
            validated=len(rows),
            done=len(rows),
            accepted=tally.accepted,
        )
    return _write(
        actor=actor,
        batch=batch,
        rt=rt,
        scope=scope,
        digest=digest,
        encoding=encoding,
        file_errors=file_errors,
        tally=tally,
        accepted=accepted,
    )


@dataclass
class _Tally:
    """A batch's rows as they are validated and written."""

    total: int
    validated: int = 0
    accepted: int = 0
    written: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)  # as the batch sent them


def _validated(
    rows: list[tuple[int, dict[str, Any]]],
    validator: RowValidator,
    batch: Batch,
    tally: _Tally,
    report: Callable[[], None],
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The accepted rows, (department record ID, clean row), as they are validated; the
    rejected ones are kept in ``tally`` with their reasons. ``report`` is called every
    PROGRESS_EVERY rows."""
    first_row_of: dict[str, int] = {}
    for index, (number, row) in enumerate(rows):
        tally.validated = index
        if index % PROGRESS_EVERY == 0 and index:
            report()
        if row.pop("__extra__", False):
            tally.errors.append(RowError(number, "", "", reasons.EXTRA_CELLS))
            tally.rejected.append({k: _in_batch_format(v, batch) for k, v in row.items()})
            continue
        clean, problems = validator.validate(number, row)
        record_id = str(row.get("department_record_id", "")).strip()
        if clean is not None and record_id in first_row_of:
            problems = [
                RowError(
                    number,
                    "department_record_id",
                    record_id,
                    say(reasons.SAME_RECORD_ID, row=first_row_of[record_id]),
                )
            ]
            clean = None
        if clean is None:
            tally.errors.extend(problems)
            tally.rejected.append({k: _in_batch_format(v, batch) for k, v in row.items()})
            continue
        first_row_of[record_id] = number
        tally.accepted += 1
        yield record_id, clean
    tally.validated = len(rows)


def _sent_under(department: Department, jurisdiction_id: int | None) -> QuerySet[Submission]:
    """The submissions sent under one scope: a department in a province, or national (no
    jurisdiction). The unique constraint ``submission_idempotency_once`` scopes keys so."""
    return Submission.objects.filter(department=department).filter(
        Q(jurisdiction_id=jurisdiction_id)
        if jurisdiction_id is not None
        else Q(jurisdiction__isnull=True)
    )


def _keyed(
    department: Department, jurisdiction_id: int | None, key: str, digest: str
) -> Submission | None:
    """The submission sent with this idempotency key under this scope, if any. The same key
    with another batch is a conflict, never a repeat."""
    found = _sent_under(department, jurisdiction_id).filter(idempotency_key=key).first()
    if found is not None and found.content_sha256 != digest:
        raise IdempotencyConflict(found)
    return found


def _earlier(actor: Actor, scope: Scope, batch: Batch, digest: str) -> Submission | None:
    """The same batch received before from this scope: an idempotency key is the
    department's in a province; a file is the submitter's own."""
    if batch.idempotency_key:
        return _keyed(scope.department, scope.jurisdiction_id, batch.idempotency_key, digest)
    mine = _sent_under(scope.department, scope.jurisdiction_id)
    return (
        mine.filter(
            record_type=batch.record_type, content_sha256=digest, submitted_by=person(actor)
        )
        .exclude(status=Submission.Status.REJECTED)
        .first()
    )


def _in_batch_format(value: Any, batch: Batch) -> Any:
    """A rejected cell as the focal point will send it again: dates in the batch's format."""
    if isinstance(value, date):
        return value.strftime(standard.DATE_FORMATS[batch.date_format][1])
    return value


@transaction.atomic
def _write(
    *,
    actor: Actor,
    batch: Batch,
    rt: standard.RecordType,
    scope: Scope,
    digest: str,
    encoding: str,
    file_errors: list[str],
    tally: _Tally,
    accepted: Iterable[tuple[str, dict[str, Any]]],
) -> Outcome:
    """The submission, its accepted rows (written as ``accepted`` yields them: on PostgreSQL
    while the next ones are validated) and its audit record, in one transaction."""
    now = timezone.now()
    department, jurisdiction_id = scope.department, scope.jurisdiction_id
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                department=department,
                jurisdiction_id=jurisdiction_id,
                record_type=rt.name,
                schema_major=rt.major,
                source=batch.source,
                filename=batch.filename[:255],
                content_sha256=digest,
                idempotency_key=batch.idempotency_key,
                date_format=batch.date_format,
                encoding=encoding,
                submitted_by=person(actor),
                submitted_at=now,
                status=Submission.Status.REJECTED,  # until its rows are known
                rows_total=tally.total,
            )
    except IntegrityError:
        # The same key sent twice at once: the other request committed between our look-up
        # (``_earlier``) and this insert. The row it wrote, in this scope, answers this one.
        earlier = (
            _keyed(department, jurisdiction_id, batch.idempotency_key, digest)
            if batch.idempotency_key
            else None
        )
        if earlier is None:
            raise
        return Outcome(earlier, repeated=True)
    created = updated = unchanged = 0
    if not file_errors:
        with writing.records_writer(submission, department, rt, now) as writer:
            for record_id, clean in accepted:
                writer.add(record_id, clean)
                tally.written = writer.written
            created, updated, unchanged = writer.finish()
            tally.written = writer.written
    errors = tally.errors
    submission.status = (
        Submission.Status.REJECTED
        if file_errors or not tally.accepted
        else Submission.Status.PARTIAL
        if errors
        else Submission.Status.ACCEPTED
    )
    submission.rows_rejected = len({e.row for e in errors})
    submission.file_errors = [_storable(e) for e in file_errors] + (
        [say(reasons.FIRST_PROBLEMS, count=f"{MAX_REPORTED:,}")]
        if len(errors) > MAX_REPORTED
        else []
    )
    submission.row_errors = [
        {k: _storable(v) for k, v in e.__dict__.items()} for e in errors[:MAX_REPORTED]
    ]
    submission.rejected_rows = [
        {_storable(k): _storable(v) for k, v in r.items()} for r in tally.rejected[:MAX_REPORTED]
    ]
    submission.rows_created, submission.rows_updated = created, updated
    submission.rows_unchanged = unchanged
    submission.save(
        update_fields=[
            "status",
            "rows_rejected",
            "file_errors",
            "row_errors",
            "rejected_rows",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
        ]
    )
    audit_record(
        actor=actor,
        action="exchange.submission",
        object_type="exchange.submission",
        object_id=submission.uuid,
        detail={
            "department": department.code,
            "record_type": rt.name,
            "status": submission.status,
            "rows": tally.total,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "rejected": submission.rows_rejected,
        },
    )
    return Outcome(submission)
