"""Writing a batch's accepted rows, inside the batch's transaction, as they are validated.

A record already received (same department, province, record type and department record ID)
is corrected when its content changed (a new version) and left alone when not; a new one is
inserted. ``records_writer`` gives the writer for this database:

- on PostgreSQL, rows go to the server in chunks while the next ones are validated: a thread
  of the writer's own sends each chunk with COPY into a staging table, then one INSERT … ON
  CONFLICT upserts it, on the batch's own connection and transaction. The server's work
  (parsing, the unique key, the foreign keys, checked per chunk rather than all at the commit)
  runs on another core than the validation, instead of after it;
- elsewhere (SQLite takes one writer at a time, and the demo's batches are small), the ORM
  writes them in chunks when the validation is over.

Either way nothing is visible before the transaction commits, and a failure (or a cancelled
job) rolls every row back.
"""

from __future__ import annotations

import hashlib
import json
import operator
import queue
import threading
from datetime import date
from types import TracebackType
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections

from cpmis.reference.models import Department

from . import standard
from .models import DepartmentRecord, Submission
from .validation import COMMON_COLUMNS

WRITE_CHUNK = 2000  # rows per ORM statement
STREAM_CHUNK = 10_000  # rows per COPY and upsert on PostgreSQL
STREAM_AHEAD = 2  # chunks validated but not yet sent, at most (memory stays bounded)

# The common columns as a department record stores them (``record_fields`` makes them).
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

_COPY_ROW = operator.itemgetter(*_COPY_COLUMNS)  # a row's values in the COPY's order


def _json_ready(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def record_fields(clean: dict[str, Any]) -> dict[str, Any]:
    """A validated row as a record's columns; ``data_json`` is the record type's own fields as
    canonical JSON (what ``data`` stores and the content hash covers)."""
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


def content_hash(fields: dict[str, Any]) -> str:
    """What the record says, whatever order its columns came in: equal content, equal hash.
    (``fields["data_json"]`` is the record-specific data as canonical JSON.)"""
    parts = [str(fields[name]) for name in _HASHED]
    parts.append(fields["data_json"])
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class _Writer:
    """Takes a batch's accepted rows one by one (``add``), in its transaction; ``finish``
    writes what is left and returns (created, updated, unchanged). ``written`` counts the rows
    written so far (the job's progress). Used as a context manager: leaving it on an error
    stops the writing (the transaction's rollback undoes it)."""

    def __init__(
        self, submission: Submission, department: Department, rt: standard.RecordType, now: Any
    ) -> None:
        self.submission, self.department, self.rt, self.now = submission, department, rt, now
        self.written = 0
        self.counts = [0, 0, 0]  # created, updated, unchanged
        self._chunk: list[tuple[str, dict[str, Any]]] = []
        self._size = WRITE_CHUNK

    def __enter__(self) -> _Writer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if error is not None:
            self._abandon()

    def add(self, record_id: str, clean: dict[str, Any]) -> None:
        self._chunk.append((record_id, clean))
        if len(self._chunk) >= self._size:
            self._send(self._chunk)
            self._chunk = []

    def finish(self) -> tuple[int, int, int]:
        if self._chunk:
            self._send(self._chunk)
            self._chunk = []
        self._close()
        created, updated, unchanged = self.counts
        return created, updated, unchanged

    def _new_row(self, record_id: str, fields: dict[str, Any], content: str) -> dict[str, Any]:
        return {
            "department_id": self.department.pk,
            "record_type": self.rt.name,
            "department_record_id": record_id,
            "schema_major": self.rt.major,
            "content_sha256": content,
            "version": 1,
            "first_submission_id": self.submission.pk,
            "last_submission_id": self.submission.pk,
            "created_at": self.now,
            "updated_at": self.now,
            **fields,
        }

    def _send(self, chunk: list[tuple[str, dict[str, Any]]]) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        pass

    def _abandon(self) -> None:
        pass


class _OrmWriter(_Writer):
    """Any database: the ORM, a chunk at a time, the rows of a chunk read first (locked)."""

    def _send(self, chunk: list[tuple[str, dict[str, Any]]]) -> None:
        ids = [record_id for record_id, _ in chunk]
        existing = {
            (r.jurisdiction_id, r.department_record_id): r
            for r in DepartmentRecord.objects.select_for_update().filter(
                department=self.department, record_type=self.rt.name, department_record_id__in=ids
            )
        }
        new_rows: list[DepartmentRecord] = []
        changed: list[DepartmentRecord] = []
        for record_id, clean in chunk:
            fields = record_fields(clean)
            content = content_hash(fields)
            record = existing.get((fields["jurisdiction_id"], record_id))
            if record is None:
                row = self._new_row(record_id, fields, content)
                new_rows.append(
                    DepartmentRecord(**{k: v for k, v in row.items() if k != "data_json"})
                )
            elif record.content_sha256 == content:
                self.counts[2] += 1
            else:
                for name, value in fields.items():
                    if name != "data_json":
                        setattr(record, name, value)
                record.schema_major = self.rt.major
                record.content_sha256 = content
                record.version += 1
                record.last_submission = self.submission
                record.updated_at = self.now
                changed.append(record)
        DepartmentRecord.objects.bulk_create(new_rows, batch_size=WRITE_CHUNK)
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
        self.counts[0] += len(new_rows)
        self.counts[1] += len(changed)
        self.written += len(chunk)


_STOP = None  # what tells the sending thread that no chunk follows


class _StreamWriter(_Writer):
    """PostgreSQL: each chunk is made into COPY rows here (the caller's thread, between two
    rows validated) and sent by a thread of the writer's own, on the batch's connection,
    while the caller goes on validating. Only the thread uses the connection until
    ``finish`` (or the error that ends the batch) has waited for it."""

    def __init__(
        self, submission: Submission, department: Department, rt: standard.RecordType, now: Any
    ) -> None:
        super().__init__(submission, department, rt, now)
        self._size = STREAM_CHUNK
        # The batch's connection, in its transaction: the psycopg connection the thread
        # writes on, and Django's wrapper, that turns the driver's errors into Django's.
        self._django = connections[DEFAULT_DB_ALIAS]
        self._raw = self._django.connection
        self._chunks: queue.Queue[list[tuple[Any, ...]] | None] = queue.Queue(STREAM_AHEAD)
        self._failure: BaseException | None = None
        self._abandoned = threading.Event()
        table = DepartmentRecord._meta.db_table
        columns = ", ".join(_COPY_COLUMNS)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _CORRECTED_COLUMNS)
        self._copy = f"COPY exchange_stage ({columns}) FROM STDIN"
        self._upsert = (
            f"WITH written AS ("  # noqa: S608 - fixed names
            f" INSERT INTO {table} ({columns}) SELECT {columns} FROM exchange_stage"
            f" ON CONFLICT ON CONSTRAINT department_record_once DO UPDATE SET {updates},"
            f" version = {table}.version + 1"
            f" WHERE {table}.content_sha256 <> EXCLUDED.content_sha256"
            f" RETURNING (xmax = 0) AS inserted)"
            f" SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
            f" FROM written"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE exchange_stage ON COMMIT DROP AS "  # noqa: S608 - fixed names
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            # The foreign keys are checked as each chunk is written (by the thread, while the
            # next chunk is validated), not all at the commit, after everything else.
            self._keys = _deferred_foreign_keys(cursor, table)
            if self._keys:
                cursor.execute(f"SET CONSTRAINTS {', '.join(self._keys)} IMMEDIATE")
        self._thread = threading.Thread(target=self._run, name="exchange-write", daemon=True)
        self._thread.start()

    def _send(self, chunk: list[tuple[str, dict[str, Any]]]) -> None:
        constant = self._new_row("", {}, "")  # what every row of the batch shares
        rows = []
        for record_id, clean in chunk:
            fields = record_fields(clean)
            row = {
                **constant,
                **fields,
                "department_record_id": record_id,
                "content_sha256": content_hash(fields),
                "data": fields["data_json"],
            }
            rows.append(_COPY_ROW(row))
        self._put(rows)

    def _put(self, item: list[tuple[Any, ...]] | None) -> None:
        """Queue ``item`` for the thread, waiting while it is STREAM_AHEAD chunks behind;
        its failure, if it failed, is raised here instead."""
        while self._failure is None:
            try:
                self._chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                if not self._thread.is_alive() and self._failure is None:  # pragma: no cover
                    raise RuntimeError("The thread writing the batch has stopped.") from None
        raise self._failure

    def _run(self) -> None:
        try:
            while (rows := self._chunks.get()) is not _STOP:
                if self._abandoned.is_set():
                    continue
                with self._django.wrap_database_errors, self._raw.cursor() as cursor:
                    with cursor.copy(self._copy) as copy:
                        for row in rows:
                            copy.write_row(row)
                    cursor.execute(self._upsert)
                    created, updated = cursor.fetchone() or (0, 0)
                    cursor.execute("TRUNCATE exchange_stage")
                self.counts[0] += created
                self.counts[1] += updated
                self.counts[2] += len(rows) - created - updated
                self.written += len(rows)
        except BaseException as error:  # handed to the caller's thread
            self._failure = error

    def _close(self) -> None:
        self._put(_STOP)
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE exchange_stage")
            if self._keys:
                cursor.execute(f"SET CONSTRAINTS {', '.join(self._keys)} DEFERRED")

    def _abandon(self) -> None:
        """The batch failed (or was cancelled) in the caller's thread: the chunks still queued
        are dropped, the one being written ends, and the connection is the caller's again for
        the rollback."""
        self._abandoned.set()
        while self._thread.is_alive():
            try:
                self._chunks.put(_STOP, timeout=0.5)
                break
            except queue.Full:
                continue
        self._thread.join()


def _deferred_foreign_keys(cursor: Any, table: str) -> list[str]:
    """The table's foreign keys whose check waits for the commit (Django makes them
    DEFERRABLE INITIALLY DEFERRED), quoted."""
    cursor.execute(
        "SELECT quote_ident(conname) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'f' AND condeferred ORDER BY conname",
        [table],
    )
    return [name for (name,) in cursor.fetchall()]


def records_writer(
    submission: Submission, department: Department, rt: standard.RecordType, now: Any
) -> _Writer:
    """The writer of a batch's accepted rows on this database (see the module's doc)."""
    if streams():
        return _StreamWriter(submission, department, rt, now)
    return _OrmWriter(submission, department, rt, now)


def streams() -> bool:
    """Whether rows are written as they are validated (PostgreSQL), rather than after."""
    return connection.vendor == "postgresql"
