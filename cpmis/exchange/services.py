"""Receiving a department's batch: every row validated before anything is written, the
accepted rows written together in one transaction with the submission and its audit record,
the rejected rows reported (row, column, value, reason), and nothing changed by sending the
same file, or the same records, again.

A record already received (same department, record type and department record ID) is
updated when its content changed (a correction: a new version) and left alone when not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cpmis import access
from cpmis.actors import Actor, person
from cpmis.audit.services import audit_record
from cpmis.core.errors import Conflict
from cpmis.reference.models import Department

from . import reading, standard
from .models import DepartmentRecord, Submission
from .validation import COMMON_COLUMNS, References, RowError, RowValidator

MAX_ROWS = reading.MAX_ROWS
MAX_REPORTED = 10_000  # row errors and rejected rows kept on a submission
WRITE_CHUNK = 2000
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
            "This idempotency key was used for a different batch; use a new key for new data."
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
        raise ValidationError({"record_type": "This record type's department is unknown."})
    scopes = [
        s
        for s in access.department_scopes(actor, "exchange.submit")
        if s.department_id == department.pk
    ]
    if not scopes:
        raise PermissionDenied(
            f"Only a focal point of the {department.name_en} submits {rt.title.lower()} records."
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
            {"record_type": f"Unknown record type; use one of {', '.join(standard.SUPPORTED)}."}
        )
    if batch.date_format not in standard.DATE_FORMATS:
        raise ValidationError(
            {"date_format": f"Use one of {', '.join(standard.DATE_FORMATS)} for dates."}
        )
    rt = standard.schema(batch.record_type, batch.schema_major)
    if rt is None:
        current = standard.SUPPORTED[batch.record_type][-1]
        raise ValidationError(
            {
                "schema_version": f"Version {batch.schema_major} of {batch.record_type} is "
                f"not accepted any more; use version {current} (its template is at "
                f"/exchange/standard/{batch.record_type}/v{current}.csv)."
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
        problems.append(
            "The first row is not the template's header (no known column found): is the "
            "file separated by commas, semicolons or tabs, and is the header on the first row?"
        )
        return problems
    for major in standard.SUPPORTED[rt.name]:
        other = standard.schema(rt.name, major)
        if other is not None and major != rt.major and set(header) == set(other.field_names):
            problems.append(
                f"The columns are those of version {major} of {rt.name}: declare that "
                "version for this file, or use the current template."
            )
    if missing:
        problems.append(f"Missing columns: {', '.join(missing)}.")
    if extra:
        problems.append(f"Columns not in the standard: {', '.join(extra)}.")
    if duplicated:
        problems.append(f"Columns given twice: {', '.join(duplicated)}.")
    return problems


def _rows(rt: standard.RecordType, batch: Batch) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """The batch's rows as (row number in the file, {column: value}), and the encoding."""
    if batch.source == Submission.Source.JSON:
        if len(batch.records) > MAX_ROWS:
            raise reading.FileProblem(f"More than {MAX_ROWS:,} records: split the batch.")
        rows = []
        for i, record in enumerate(batch.records, start=1):
            if not isinstance(record, dict):
                raise reading.FileProblem(f"Record {i} is not an object.")
            rows.append((i, {k: ("" if v is None else v) for k, v in record.items()}))
        keys = {k for _, r in rows for k in r}
        extra = sorted(keys - set(rt.field_names))
        if extra:
            raise reading.FileProblem(f"Fields not in the standard: {', '.join(extra)}.")
        return rows, ""
    if batch.source == Submission.Source.XLSX:
        table = reading.read_xlsx(batch.content)
    else:
        table = reading.read_csv(batch.content, encoding=batch.encoding, expected=rt.field_names)
    if len(table.rows) > MAX_ROWS:  # pragma: no cover - the readers stop first
        raise reading.FileProblem(f"More than {MAX_ROWS:,} rows: split the batch.")
    problems = _header_problems(rt, table.header)
    if problems:
        raise reading.FileProblem(" ".join(problems))
    out = []
    for i, cells in zip(table.numbers, table.rows, strict=True):
        cells = list(cells) + [""] * (len(table.header) - len(cells))
        if len(cells) > len(table.header) and any(
            c not in ("", None) for c in cells[len(table.header) :]
        ):
            out.append((i, {"__extra__": True, **dict(zip(table.header, cells, strict=False))}))
            continue
        out.append((i, dict(zip(table.header, cells, strict=False))))
    return out, table.encoding


# The common columns as a department record stores them (``_record_fields`` makes them).
_PERSON_COLUMNS = (
    "record_date",
    "district_id",
    "child_name",
    "guardian_relation",
    "guardian_name",
    "sex",
    "date_of_birth",
    "age_years",
    "b_form_number",
)
_HASHED = ("jurisdiction_id", *_PERSON_COLUMNS)
_UPDATED_FIELDS = (*_PERSON_COLUMNS, "data")
# What a correction replaces (the first submission and the creation time stay).
_CORRECTED_COLUMNS = (
    "schema_major",
    *_UPDATED_FIELDS,
    "content_sha256",
    "last_submission_id",
    "updated_at",
)


def _content_hash(fields: dict[str, Any]) -> str:
    """What the record says, whatever order its columns came in: equal content, equal hash.
    (``fields["data_json"]`` is the record-specific data as canonical JSON.)"""
    parts = [str(fields[name]) for name in _HASHED]
    parts.append(fields["data_json"])
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _json_ready(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


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
    department, jurisdiction_id = scope.department, scope.jurisdiction_id
    digest = _digest(batch, rt)
    earlier = _earlier(actor, scope, batch, digest)
    if earlier is not None:
        return Outcome(earlier, repeated=True)
    tell("reading the file")

    file_errors: list[str] = []
    accepted: dict[str, tuple[int, dict[str, Any]]] = {}
    errors: list[RowError] = []
    rejected: list[dict[str, Any]] = []
    encoding = ""
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        rows, encoding = _rows(rt, batch)
        if not rows:
            raise reading.FileProblem("The batch has no rows.")
    except reading.FileProblem as exc:
        file_errors.append(str(exc))
        rows = []
    validator = RowValidator(rt, batch.date_format, References.load(scope.districts))
    first_row_of: dict[str, int] = {}
    tell("validating the rows", read=len(rows), validated=0, done=0, total=len(rows))
    for index, (number, row) in enumerate(rows):
        if index % PROGRESS_EVERY == 0 and index:
            tell(validated=index, done=index)
        if row.pop("__extra__", False):
            errors.append(RowError(number, "", "", "more cells than the header has columns"))
            rejected.append({k: _in_batch_format(v, batch) for k, v in row.items()})
            continue
        clean, problems = validator.validate(number, row)
        record_id = str(row.get("department_record_id", "")).strip()
        if clean is not None and record_id in first_row_of:
            problems = [
                RowError(
                    number,
                    "department_record_id",
                    record_id,
                    f"the same record ID as row {first_row_of[record_id]} of this batch",
                )
            ]
            clean = None
        if clean is None:
            errors.extend(problems)
            rejected.append({k: _in_batch_format(v, batch) for k, v in row.items()})
            continue
        first_row_of[record_id] = number
        accepted[record_id] = (number, clean)
    tell("writing the accepted rows", validated=len(rows), done=len(rows), accepted=len(accepted))
    return _write(
        actor=actor,
        batch=batch,
        rt=rt,
        department=department,
        jurisdiction_id=jurisdiction_id,
        digest=digest,
        encoding=encoding,
        file_errors=file_errors,
        errors=errors,
        rejected=rejected,
        accepted=accepted,
        total=len(rows),
    )


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
    department: Department,
    jurisdiction_id: int | None,
    digest: str,
    encoding: str,
    file_errors: list[str],
    errors: list[RowError],
    rejected: list[dict[str, Any]],
    accepted: dict[str, tuple[int, dict[str, Any]]],
    total: int,
) -> Outcome:
    now = timezone.now()
    status = (
        Submission.Status.REJECTED
        if file_errors or not accepted
        else Submission.Status.PARTIAL
        if errors
        else Submission.Status.ACCEPTED
    )
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
                status=status,
                rows_total=total,
                rows_rejected=len({e.row for e in errors}),
                file_errors=[_storable(e) for e in file_errors]
                + (
                    [f"Only the first {MAX_REPORTED:,} problems are listed."]
                    if len(errors) > MAX_REPORTED
                    else []
                ),
                row_errors=[
                    {k: _storable(v) for k, v in e.__dict__.items()} for e in errors[:MAX_REPORTED]
                ],
                rejected_rows=[
                    {_storable(k): _storable(v) for k, v in r.items()}
                    for r in rejected[:MAX_REPORTED]
                ],
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
    if status != Submission.Status.REJECTED:
        created, updated, unchanged = _upsert(submission, department, rt, accepted, now)
        submission.rows_created, submission.rows_updated = created, updated
        submission.rows_unchanged = unchanged
        submission.save(update_fields=["rows_created", "rows_updated", "rows_unchanged"])
    audit_record(
        actor=actor,
        action="exchange.submission",
        object_type="exchange.submission",
        object_id=submission.uuid,
        detail={
            "department": department.code,
            "record_type": rt.name,
            "status": status,
            "rows": total,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "rejected": submission.rows_rejected,
        },
    )
    return Outcome(submission)


def _record_fields(clean: dict[str, Any]) -> dict[str, Any]:
    data = {
        k: _json_ready(v)
        for k, v in clean.items()
        if k not in COMMON_COLUMNS and k != "district_id" and v is not None
    }
    return {
        "data_json": json.dumps(data, sort_keys=True, ensure_ascii=False),
        "record_date": clean["record_date"],
        "district_id": clean["district_id"],
        "jurisdiction_id": clean["jurisdiction_id"],
        "child_name": clean["child_name"],
        "guardian_relation": clean.get("guardian_relation") or "",
        "guardian_name": clean.get("guardian_name") or "",
        "sex": clean["sex"],
        "date_of_birth": clean.get("date_of_birth"),
        "age_years": clean.get("age_years"),
        "b_form_number": clean.get("b_form_number") or "",
        "data": data,
    }


_COPY_COLUMNS = (
    "department_id",
    "jurisdiction_id",
    "record_type",
    "department_record_id",
    "schema_major",
    *_UPDATED_FIELDS,
    "content_sha256",
    "version",
    "first_submission_id",
    "last_submission_id",
    "created_at",
    "updated_at",
)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _insert(rows: list[dict[str, Any]]) -> None:
    DepartmentRecord.objects.bulk_create(
        [DepartmentRecord(**{k: v for k, v in r.items() if k != "data_json"}) for r in rows],
        batch_size=WRITE_CHUNK,
    )


def _upsert(
    submission: Submission,
    department: Department,
    rt: standard.RecordType,
    accepted: dict[str, tuple[int, dict[str, Any]]],
    now: Any,
) -> tuple[int, int, int]:
    """Write the accepted rows: new ones inserted, changed ones corrected (a new version),
    unchanged ones left alone. Returns (created, updated, unchanged)."""
    if connection.vendor == "postgresql":
        return _upsert_postgresql(submission, department, rt, accepted, now)
    return _upsert_orm(submission, department, rt, accepted, now)


def _new_row(
    submission: Submission,
    department: Department,
    rt: standard.RecordType,
    record_id: str,
    fields: dict[str, Any],
    content: str,
    now: Any,
) -> dict[str, Any]:
    return {
        "department_id": department.pk,
        "record_type": rt.name,
        "department_record_id": record_id,
        "schema_major": rt.major,
        "content_sha256": content,
        "version": 1,
        "first_submission_id": submission.pk,
        "last_submission_id": submission.pk,
        "created_at": now,
        "updated_at": now,
        **fields,
    }


def _upsert_postgresql(
    submission: Submission,
    department: Department,
    rt: standard.RecordType,
    accepted: dict[str, tuple[int, dict[str, Any]]],
    now: Any,
) -> tuple[int, int, int]:
    """COPY into a staging table, then one INSERT … ON CONFLICT that inserts the new
    records and corrects those whose content changed; all in the batch's transaction."""
    table = DepartmentRecord._meta.db_table
    columns = ", ".join(_COPY_COLUMNS)
    source = [("data_json" if c == "data" else c) for c in _COPY_COLUMNS]
    lines = []
    for record_id, (_, clean) in accepted.items():
        fields = _record_fields(clean)
        row = _new_row(submission, department, rt, record_id, fields, _content_hash(fields), now)
        lines.append("\t".join([_copy_value(row[c]) for c in source]))
    text = "\n".join(lines) + "\n"
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _CORRECTED_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE exchange_stage ON COMMIT DROP AS "  # noqa: S608 - fixed names
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY exchange_stage ({columns}) FROM STDIN") as copy:
            copy.write(text.encode())
        cursor.execute(
            f"WITH written AS ("  # noqa: S608 - fixed names
            f" INSERT INTO {table} ({columns}) SELECT {columns} FROM exchange_stage"
            f" ON CONFLICT ON CONSTRAINT department_record_once DO UPDATE SET {updates},"
            f" version = {table}.version + 1"
            f" WHERE {table}.content_sha256 <> EXCLUDED.content_sha256"
            f" RETURNING (xmax = 0) AS inserted)"
            f" SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
            f" FROM written"
        )
        created, updated = cursor.fetchone()
        cursor.execute("DROP TABLE exchange_stage")
    return created, updated, len(accepted) - created - updated


def _upsert_orm(
    submission: Submission,
    department: Department,
    rt: standard.RecordType,
    accepted: dict[str, tuple[int, dict[str, Any]]],
    now: Any,
) -> tuple[int, int, int]:
    created = updated = unchanged = 0
    ids = list(accepted)
    for start in range(0, len(ids), WRITE_CHUNK):
        chunk = ids[start : start + WRITE_CHUNK]
        existing = {
            (r.jurisdiction_id, r.department_record_id): r
            for r in DepartmentRecord.objects.select_for_update().filter(
                department=department, record_type=rt.name, department_record_id__in=chunk
            )
        }
        new_rows: list[dict[str, Any]] = []
        changed: list[DepartmentRecord] = []
        for record_id in chunk:
            _, clean = accepted[record_id]
            fields = _record_fields(clean)
            content = _content_hash(fields)
            record = existing.get((fields["jurisdiction_id"], record_id))
            if record is None:
                new_rows.append(
                    _new_row(submission, department, rt, record_id, fields, content, now)
                )
            elif record.content_sha256 == content:
                unchanged += 1
            else:
                for name, value in fields.items():
                    if name != "data_json":
                        setattr(record, name, value)
                record.schema_major = rt.major
                record.content_sha256 = content
                record.version += 1
                record.last_submission = submission
                record.updated_at = now
                changed.append(record)
        _insert(new_rows)
        if changed:
            DepartmentRecord.objects.bulk_update(
                changed,
                [
                    *_UPDATED_FIELDS,
                    "schema_major",
                    "content_sha256",
                    "version",
                    "last_submission",
                    "updated_at",
                ],
                batch_size=WRITE_CHUNK,
            )
        created += len(new_rows)
        updated += len(changed)
    return created, updated, unchanged
