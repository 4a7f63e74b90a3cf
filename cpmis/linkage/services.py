"""Writes of linkage: installing a model, linking records, deciding reviews, undoing links.

Linking runs as the system, after a submission's records are committed (or from ``cpmis
manage linkage_run``): it takes every department record with no active link and no open
review, compares it with the records already linked (their features are stored, so they are
not derived again) and the registry's children, and then, in one transaction:

- links it to an existing child when the model is sure (``link_threshold``);
- opens a review item when the best candidate is between the thresholds; the records the
  model put together with it wait in the same review group and are decided together;
- otherwise registers a new child from the group's most complete record.

A record with neither a date of birth nor an age cannot become a new child (the registry
needs one): it waits, counted as ``waiting``, until a person links it by hand.

Every link, review and undo is audited. A person's decision that a record is *not* a child
is remembered (the review item says "different"), and no later run links them again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from cpmis import access
from cpmis.actors import LINKAGE, Actor, person
from cpmis.audit import versioning
from cpmis.audit.services import audit_record, audit_records
from cpmis.core.bulk import collection_paused, integers_insert, objects_insert, rows_insert
from cpmis.core.errors import Conflict, NotFound
from cpmis.exchange.models import DepartmentRecord
from cpmis.jobs import services as jobs
from cpmis.jobs.models import Job
from cpmis.people.models import Child, GuardianRelation
from cpmis.people.phonetic import is_urdu
from cpmis.people.search import search_key
from cpmis.people.services import age_on, child_validate, estimated_dob
from cpmis.reference.models import District

from . import clustering, evidence, keystore, model, modelfile, selectors
from .models import (
    BlockingKey,
    ChildFeatures,
    LinkageModel,
    NameFrequency,
    RecordFeatures,
    RecordLink,
    ReviewItem,
)

SHIPPED_MODEL = Path(__file__).parent / "data" / "model.v5.json"
REVIEW_FLOOR = 0.3  # a pair at least this likely deserves a person's look
LINK_FLOOR = 0.5  # never link automatically what the model thinks more likely different
LINK_INLINE_MAX = 5000  # a submission this small is linked as it arrives
CHUNK = 5000  # ids per query
LOCK_KEY = 0x6370_6D69  # "cpmi": the advisory lock of linkage writers
DECISION_LOCK_TIMEOUT = 20  # seconds a person's decision waits for a running linkage
logger = logging.getLogger(__name__)


class LinkageError(Exception):
    pass


class DecisionConflict(Conflict):
    """The item or link changed since the person read it."""


class StaleDecision(DecisionConflict, versioning.VersionConflict):
    """The review item has a newer version than the person read (``audit.versioning``)."""

    message = gettext_lazy("Someone decided this item since you opened it; look again.")


REVIEW_ITEM_TYPE = "linkage.review_item"  # the audit object type of a review item's versions


def thresholds_choose(probabilities: Iterable[float]) -> tuple[float, float]:
    """The link threshold that maximises the pair F1 the model itself expects: a pair of
    probability p is a match with probability p, so above a threshold t the expected true
    links are the sum of p, and all the matches the sum of p over every scored pair. No
    truth is looked at, and there is no rate to tune. The review threshold is
    ``REVIEW_FLOOR`` (below the link threshold)."""
    ordered = sorted(probabilities, reverse=True)
    matches = sum(ordered)
    expected_true = 0.0
    best, link = 0.0, 1.0
    for k, p in enumerate(ordered, 1):
        expected_true += p
        f1 = 2 * expected_true / (k + matches)
        if f1 > best:
            best, link = f1, p
    link = max(link, LINK_FLOOR)
    return link, min(REVIEW_FLOOR, link)


def _sha(splink: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(splink, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def model_install(
    *,
    actor: Actor,
    splink: dict[str, Any],
    trained_on: int,
    source: str,
    link_threshold: float,
    review_threshold: float,
) -> LinkageModel:
    """Save a trained model as the next version (the current one from now on)."""
    if not access.has_capability(actor, "linkage.manage"):
        raise PermissionDenied("You cannot install linkage models.")
    if not 0 < review_threshold <= link_threshold < 1:
        raise ValidationError("Thresholds must satisfy 0 < review <= link < 1.")
    _lock()
    last = LinkageModel.objects.select_for_update().order_by("-version").first()
    installed = LinkageModel.objects.create(
        version=(last.version + 1) if last else 1,
        splink=splink,
        feature_format=model.FEATURE_FORMAT,
        link_threshold=link_threshold,
        review_threshold=review_threshold,
        trained_on=trained_on,
        source=source[:200],
        sha256=_sha(splink),
        trained_at=timezone.now(),
        trained_by=person(actor),
    )
    audit_record(
        actor=actor,
        action="linkage.model_install",
        object_type="linkage.model",
        object_id=installed.version,
        detail={"sha256": installed.sha256, "link": link_threshold, "review": review_threshold},
    )
    return installed


def model_rethreshold(
    *, actor: Actor, link_threshold: float, review_threshold: float, source: str
) -> LinkageModel:
    """The current model's parameters as a new version with other thresholds (a province
    that wants people to decide more, say)."""
    current = model_ensure()
    return model_install(
        actor=actor,
        splink=current.splink,
        trained_on=current.trained_on,
        source=source,
        link_threshold=link_threshold,
        review_threshold=review_threshold,
    )


def model_ensure() -> LinkageModel:
    """The newest model, installing the shipped one (trained on the synthetic population)
    first when none has been installed here yet, as the system (audited without a person):
    a write, for the services that link or decide. A read asks ``selectors.model_current``,
    which never installs."""
    current = selectors.model_current()
    if current is not None:
        return current
    shipped = modelfile.load(SHIPPED_MODEL).as_dict()
    return model_install(
        actor=LINKAGE,
        splink=shipped["splink"],
        trained_on=shipped["trained_on"],
        source=shipped["source"],
        link_threshold=shipped["link_threshold"],
        review_threshold=shipped["review_threshold"],
    )


def model_fit(rows: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], float, float]:
    """Estimate a model on feature rows and choose its thresholds from its own scores of
    them: (Splink JSON, link threshold, review threshold)."""
    trained = model.train(rows)
    link, review = thresholds_choose(p for _, _, p in model.score(trained, rows, threshold=0.01))
    return trained, link, review


def model_train(*, actor: Actor, rows: Sequence[dict[str, Any]] | None = None) -> LinkageModel:
    """Estimate a new version on the stored features of every department record (or on
    ``rows``), choose its thresholds, install it. Records are not relinked."""
    if not access.has_capability(actor, "linkage.manage"):
        raise PermissionDenied("You cannot train linkage models.")
    if rows is None:
        rows = [
            {**data, "unique_id": f"r{pk}"}
            for pk, data in RecordFeatures.objects.filter(
                feature_format=model.STORED_FORMAT
            ).values_list("record_id", "data")
        ]
        source = f"{len(rows):,} department records"
    else:
        source = f"{len(rows):,} given records"
    if len(rows) < 1000:
        raise LinkageError("A model needs at least 1,000 records to estimate from.")
    trained, link, review = model_fit(rows)
    return model_install(
        actor=actor,
        splink=trained,
        trained_on=len(rows),
        source=source,
        link_threshold=link,
        review_threshold=review,
    )


# --- linking -------------------------------------------------------------------------------


def _child_rows(children: Iterable[Child]) -> list[tuple[str, int, dict[str, Any]]]:
    """A registry child compared as a record: one row per script its name is written in."""
    out = []
    for child in children:
        registered = child.registered_at.date()
        common = {
            "sex": child.sex,
            "date_of_birth": None if child.date_of_birth_estimated else child.date_of_birth,
            "age_years": age_on(child.date_of_birth, registered)
            if child.date_of_birth_estimated
            else None,
            "record_date": registered,
            "district": child.district.pcode,
            "b_form_number": child.b_form_number,
        }
        for script, name, guardian in (
            ("l", child.name_latin, child.guardian_name_latin),
            ("u", child.name_urdu, child.guardian_name_urdu),
        ):
            if name:
                uid = f"c{child.pk}{script}"
                row = model.features(uid, {**common, "child_name": name, "guardian_name": guardian})
                out.append((uid, child.pk, row))
    return out


@dataclass(slots=True)
class PendingRecord:
    """A department record as a linking run reads it: the columns it compares and those it
    registers a child from, not the record's content, as plain values (a national batch has
    a million; making model instances of them took a sixteenth of the run)."""

    pk: int
    version: int
    child_name: str
    guardian_relation: str
    guardian_name: str
    sex: str
    date_of_birth: date | None
    age_years: int | None
    record_date: date
    b_form_number: str
    district_id: int
    district: District


PENDING_COLUMNS = [f.name for f in fields(PendingRecord)][:-1]  # the district is looked up
# A record as a run links it: read whole (a corrected record's), or as a run reads it.
Linkable = DepartmentRecord | PendingRecord


def _pending(records: Iterable[int] | None) -> list[PendingRecord]:
    """The records a run takes (all pending, or those of ``records`` still pending), in id
    order, each with its district from the few there are."""
    districts = {d.pk: d for d in District.objects.all()}
    pending_qs = DepartmentRecord.objects.filter(selectors.pending_filter())
    if records is None:
        batches = [pending_qs.order_by("pk")]
    else:
        ids = sorted(set(records))
        batches = [
            pending_qs.filter(pk__in=ids[start : start + CHUNK]).order_by("pk")
            for start in range(0, len(ids), CHUNK)
        ]
    return [
        PendingRecord(*row, districts[row[-1]])  # type: ignore[call-arg]  # one per column
        for batch in batches
        for row in batch.values_list(*PENDING_COLUMNS)
    ]


@dataclass
class LinkRun:
    records: int = 0
    linked: int = 0
    new_children: int = 0
    review: int = 0
    waiting: int = 0
    merges_proposed: int = 0  # pairs of registry children proposed to a person as one
    seconds: float = 0.0
    model_version: int = 0
    prior: float = 0.0  # the chance two records of this population are one child
    deferred: bool = False  # another run was at work: nothing done
    # [phase, seconds] in the order they ran (kept in the run's audit event: where a long
    # run's time went, for whoever runs the system).
    phases: list[list[Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "phases": [list(phase) for phase in self.phases]}

    def lap(self, phase: str, since: float) -> float:
        """Count the seconds from ``since`` to now as ``phase``; returns now."""
        now = time.perf_counter()
        self.phases.append([phase, round(now - since, 3)])
        return now


def _features_store(
    records: Sequence[Linkable], probes: set[int] | None = None
) -> dict[int, dict[str, Any]]:
    """Derive and store the features of records that have none (or stale ones), with their
    blocking keys. The probe keys of every record go into ``probes``: the keys under which
    a linking run looks up the records' partners (derived with the stored ones, not twice)."""
    have: dict[int, tuple[int, int, dict[str, Any]]] = {}
    ids = [r.pk for r in records]
    for start in range(0, len(ids), CHUNK):  # SQLite caps the parameters of one query
        have.update(
            (pk, (version, fmt, data))
            for pk, version, fmt, data in RecordFeatures.objects.filter(
                record_id__in=ids[start : start + CHUNK]
            ).values_list("record_id", "record_version", "feature_format", "data")
        )

    def current(record: Linkable) -> dict[str, Any] | None:
        known = have.get(record.pk)
        if known and known[0] == record.version and known[1] == model.STORED_FORMAT:
            return known[2]
        return None

    stale = [r.pk for r in records if r.pk in have and current(r) is None]
    for start in range(0, len(stale), CHUNK):
        chunk = stale[start : start + CHUNK]
        _frequencies_add(
            RecordFeatures.objects.filter(record_id__in=chunk).values_list("data", flat=True), -1
        )
        RecordFeatures.objects.filter(record_id__in=chunk).delete()
        BlockingKey.objects.filter(record_id__in=chunk).delete()
    out: dict[int, dict[str, Any]] = {}
    fresh: list[tuple[int, int, dict[str, Any]]] = []  # record, its version, features

    def derived_keys() -> Iterator[tuple[int, int]]:
        """Each record's features derived (or read), and the stored keys of those derived
        yielded as they come: ten to twenty a record, never all held at once."""
        for record in records:
            data = current(record)
            if data is not None:
                out[record.pk] = data
                if probes is not None:
                    probes.update(model.blocking_keys(data, probe=True))
                continue
            data = model.features(None, evidence.record_common(record))
            data.pop("unique_id")
            out[record.pk] = data
            fresh.append((record.pk, record.version, data))
            stored, probe = model.blocking_key_sets(data)
            if probes is not None:
                probes.update(probe)
            for key in stored:
                yield key, record.pk

    # Written as plain rows, not model instances; a national batch's with the key indexes
    # set aside (``keystore``).
    with keystore.bulk_writing(sum(current(r) is None for r in records)):
        integers_insert(BlockingKey, ("key", "record"), derived_keys())
    rows_insert(
        RecordFeatures,
        ("record", "feature_format", "record_version", "data"),
        # orjson: a tenth of the json module's time, for a million rows.
        (
            (pk, model.STORED_FORMAT, version, orjson.dumps(data).decode())
            for pk, version, data in fresh
        ),
    )
    _frequencies_add((data for _, _, data in fresh), +1)
    return out


def _frequencies_add(rows: Iterable[dict[str, Any]], sign: int) -> None:
    """Count (or uncount) the name keys of feature rows in ``NameFrequency``; the key ""
    holds each column's total."""
    from collections import Counter

    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        for column in model.FREQUENCY_COLUMNS:
            if row.get(column):
                counts[(column, row[column][:120])] += sign
                counts[(column, "")] += sign
    if not counts:
        return
    if connection.vendor == "postgresql":
        # Tens of thousands of keys a national batch: staged by COPY, then one UPDATE of
        # those known and one INSERT of the rest (the run holds the linkage lock).
        table = connection.ops.quote_name(NameFrequency._meta.db_table)
        # In a transaction of its own where the caller has none: the table lives until the
        # commit.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE linkage_frequency"
                " (col varchar(16), key varchar(120), delta integer) ON COMMIT DROP"
            )
            with cursor.cursor.copy("COPY linkage_frequency FROM STDIN") as copy:
                for (column, key), delta in counts.items():
                    copy.write_row((column, key, delta))
            cursor.execute(
                f"UPDATE {table} f SET count = GREATEST(f.count + s.delta, 0)"  # noqa: S608
                ' FROM linkage_frequency s WHERE f."column" = s.col AND f.key = s.key'
            )
            cursor.execute(
                f'INSERT INTO {table} ("column", key, count)'  # noqa: S608
                " SELECT s.col, s.key, s.delta FROM linkage_frequency s WHERE s.delta > 0"
                f" AND NOT EXISTS (SELECT 1 FROM {table} f"
                ' WHERE f."column" = s.col AND f.key = s.key)'
            )
            cursor.execute("DROP TABLE linkage_frequency")
        return
    existing: dict[tuple[str, str], NameFrequency] = {}
    for column in model.FREQUENCY_COLUMNS:
        keys = [k for c, k in counts if c == column]
        for start in range(0, len(keys), CHUNK):
            existing.update(
                ((column, f.key), f)
                for f in NameFrequency.objects.filter(
                    column=column, key__in=keys[start : start + CHUNK]
                )
            )
    changed, fresh = [], []
    for (column, key), delta in counts.items():
        if (column, key) in existing:
            item = existing[(column, key)]
            item.count = max(item.count + delta, 0)
            changed.append(item)
        elif delta > 0:
            fresh.append(NameFrequency(column=column, key=key, count=delta))
    NameFrequency.objects.bulk_update(changed, ["count"], batch_size=2000)
    NameFrequency.objects.bulk_create(fresh, batch_size=2000)


def _frequencies(rows: Iterable[dict[str, Any]]) -> model.Counts:
    """The population's counts of each name key of ``rows`` (from ``NameFrequency``)."""
    wanted: dict[str, set[str]] = {column: {""} for column in model.FREQUENCY_COLUMNS}
    for row in rows:
        for column, key in model.frequency_keys(row):
            wanted[column].add(key[:120])
    out: model.Counts = {}
    for column, keys in wanted.items():
        counts: dict[str, int] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), CHUNK):
            counts.update(
                NameFrequency.objects.filter(
                    column=column, key__in=ordered[start : start + CHUNK]
                ).values_list("key", "count")
            )
        total = counts.pop("", 0)
        out[column] = (counts, total)
    return out


def _lock(*, wait: bool = True, timeout: int | None = None) -> bool:
    """One linkage writer at a time, whatever model version it uses: a transaction-scoped
    advisory lock on PostgreSQL (SQLite lets one writer in anyway). Without ``wait``, False
    when another holds it; with a ``timeout`` (seconds), a person's decision that waits too
    long is refused as busy instead of hanging."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait and timeout is not None:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{timeout}s"])
            try:
                with transaction.atomic():
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            except OperationalError as exc:
                raise DecisionConflict(
                    gettext(
                        "Linkage is busy (a large batch is being linked); try again in a minute."
                    )
                ) from exc
            finally:
                cursor.execute("SELECT set_config('lock_timeout', '0', true)")
            return True
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        row = cursor.fetchone()
        return bool(row and row[0])


def decision_lock() -> None:
    """The lock as a person's decision takes it; a registry merge takes it too
    (``cpmis.people.hooks``)."""
    _lock(timeout=DECISION_LOCK_TIMEOUT)


def _registrable(record: Linkable) -> bool:
    return record.date_of_birth is not None or record.age_years is not None


def _new_child(record: Linkable, *, today: date, now: datetime) -> Child | None:
    """A registry child made from the record as written; None if the registry's rules refuse
    it (age is judged on the record's date: the department saw a child then). ``today`` and
    ``now``: the run's, read once for its tens of thousands of children."""
    if record.date_of_birth is not None:
        dob, estimated = record.date_of_birth, False
    elif record.age_years is not None:
        dob, estimated = estimated_dob(record.age_years, record.record_date), True
    else:
        return None
    urdu = is_urdu(record.child_name)
    guardian_urdu = is_urdu(record.guardian_name)
    child = Child(
        name_latin="" if urdu else record.child_name,
        name_urdu=record.child_name if urdu else "",
        guardian_relation=GuardianRelation.FATHER
        if record.guardian_relation in ("s/o", "d/o")
        else GuardianRelation.GUARDIAN
        if record.guardian_relation == "guardian"
        else GuardianRelation.UNKNOWN,
        guardian_name_latin="" if guardian_urdu else record.guardian_name,
        guardian_name_urdu=record.guardian_name if guardian_urdu else "",
        sex=record.sex,
        date_of_birth=dob,
        date_of_birth_estimated=estimated,
        b_form_number=record.b_form_number,
        district_id=record.district_id,
        registered_at=now,
        updated_at=now,
    )
    try:
        child_validate(child, today=today, registered_on=record.record_date)
    except ValidationError:
        return None
    child.name_search = search_key(child.name_latin, child.name_urdu)
    return child


def _completeness(record: Linkable) -> tuple[int, ...]:
    return (
        record.date_of_birth is not None,
        bool(record.b_form_number),
        record.age_years is not None,
        not is_urdu(record.child_name),
        -record.pk,
    )


def _children_features_refresh() -> None:
    """Derive again the features (and keys, and name counts) of registry children that are
    new or changed since (or of another feature format): one anti-join on each run."""
    fresh_rows = ChildFeatures.objects.filter(
        child_id=OuterRef("pk"),
        child_updated_at=OuterRef("updated_at"),
        feature_format=model.STORED_FORMAT,
    )
    _merged_features_drop()
    stale = list(
        Child.objects.filter(merged_into=None)
        .filter(~Exists(fresh_rows))
        .select_related("district")
        .order_by("pk")
    )
    with keystore.bulk_writing(len(stale)):
        for start in range(0, len(stale), CHUNK):
            _child_features_store(stale[start : start + CHUNK])


def _child_features_store(children: list[Child]) -> None:
    """Derive again the features, keys and name counts of these children."""
    _children_features_delete([c.pk for c in children])
    made: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for _uid, child_pk, row in _child_rows(children):
        made[child_pk].append(row)
    by_pk = {c.pk: c for c in children}
    ChildFeatures.objects.bulk_create(
        [
            ChildFeatures(
                child_id=pk,
                feature_format=model.STORED_FORMAT,
                child_updated_at=by_pk[pk].updated_at,
                rows=rows,
            )
            for pk, rows in made.items()
        ],
        batch_size=2000,
    )
    # As plain rows (COPY on PostgreSQL): the children a national batch registered are
    # derived here on the next run, by the hundred thousand.
    integers_insert(
        BlockingKey,
        ("key", "child"),
        (
            (key, pk)
            for pk, rows in made.items()
            for key in set().union(*(model.blocking_keys(row) for row in rows))
        ),
    )
    _frequencies_add((row for rows in made.values() for row in rows), +1)


def _merged_features_drop() -> None:
    """A child merged into another is no one's candidate any more: its features and keys go
    (an undone merge changes the child, whose features are then derived again)."""
    ids = list(
        ChildFeatures.objects.filter(child__merged_into__isnull=False).values_list(
            "child_id", flat=True
        )
    )
    for start in range(0, len(ids), CHUNK):
        _children_features_delete(ids[start : start + CHUNK])


def _children_features_delete(ids: list[int]) -> None:
    """Remove what was derived from these children (features, keys), uncounting their
    names."""
    _frequencies_add(
        (
            row
            for rows in ChildFeatures.objects.filter(child_id__in=ids).values_list(
                "rows", flat=True
            )
            for row in rows
        ),
        -1,
    )
    ChildFeatures.objects.filter(child_id__in=ids).delete()
    BlockingKey.objects.filter(child_id__in=ids).delete()


def _linked_features_refresh() -> None:
    """Derive the features and keys of linked records that have none of this format (links
    made before keys were stored, or before the format changed): otherwise no key would
    bring a new record to them. One anti-join on each run; nothing to do once done."""
    current = RecordFeatures.objects.filter(
        record_id=OuterRef("record_id"), feature_format=model.STORED_FORMAT
    )
    ids = list(
        RecordLink.objects.filter(undone_at=None)
        .filter(~Exists(current))
        .values_list("record_id", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        records = DepartmentRecord.objects.filter(pk__in=ids[start : start + CHUNK])
        _features_store(list(records.select_related("district")))


def _keyed(probes: set[int]) -> list[tuple[int | None, int | None]]:
    """The (record, child) of the stored blocking keys among ``probes``: at least those of
    children and of linked records. On PostgreSQL the probes (a national batch has millions)
    go to the server by COPY and meet the key index in one join; elsewhere they are asked for
    in chunks."""
    if connection.vendor != "postgresql":
        ordered = sorted(probes)
        found: list[tuple[int | None, int | None]] = []
        for start in range(0, len(ordered), CHUNK):
            found += BlockingKey.objects.filter(key__in=ordered[start : start + CHUNK]).values_list(
                "record_id", "child_id"
            )
        return found
    table = connection.ops.quote_name(BlockingKey._meta.db_table)
    links = connection.ops.quote_name(RecordLink._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        # Inside the run's transaction: an error rolls the table back with the rest.
        cursor.execute("CREATE TEMP TABLE linkage_probe (key bigint) ON COMMIT DROP")
        with cursor.cursor.copy("COPY linkage_probe (key) FROM STDIN") as copy:
            copy.write("".join(f"{key}\n" for key in probes))
        cursor.execute("ANALYZE linkage_probe")
        # Only the keys of children and of linked records: those of the records being
        # linked (stored a moment ago) would come back by the million, to be dropped.
        cursor.execute(
            f"SELECT DISTINCT k.record_id, k.child_id FROM {table} k "  # noqa: S608
            "JOIN linkage_probe p ON p.key = k.key "
            "WHERE k.child_id IS NOT NULL OR EXISTS "
            f"(SELECT 1 FROM {links} l WHERE l.record_id = k.record_id AND l.undone_at IS NULL)"
        )
        found = list(cursor.fetchall())
        cursor.execute("DROP TABLE linkage_probe")
        return found


def _known_rows(
    new_rows: Sequence[dict[str, Any]], probes: set[int]
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """What is already linked and could be compared with the new rows: the records with an
    active link and the registry's children that share a blocking key with one of them
    (read through the key index, not the whole population), with their stored features
    (derived again where a record was corrected since, or the format changed). ``probes``:
    the new rows' probe keys (``_features_store``)."""
    _children_features_refresh()
    _linked_features_refresh()
    record_ids: set[int] = set()
    child_ids: set[int] = set()
    for record_id, child_id in _keyed(probes):
        if record_id is not None:
            record_ids.add(record_id)
        elif child_id is not None:
            child_ids.add(child_id)
    # The new records meet their own keys (stored a moment ago): they are not known yet.
    record_ids.difference_update(int(row["unique_id"][1:]) for row in new_rows)
    known_child: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    ordered = sorted(record_ids)
    stale: list[int] = []
    for start in range(0, len(ordered), CHUNK):
        for pk, child_pk, data, fmt, version, current in (
            RecordFeatures.objects.filter(record_id__in=ordered[start : start + CHUNK])
            .filter(
                Exists(RecordLink.objects.filter(record_id=OuterRef("record_id"), undone_at=None))
            )
            .annotate(
                child_pk=RecordLink.objects.filter(
                    record_id=OuterRef("record_id"), undone_at=None
                ).values("child_id")[:1]
            )
            .values_list(
                "record_id",
                "child_pk",
                "data",
                "feature_format",
                "record_version",
                "record__version",
            )
        ):
            if fmt != model.STORED_FORMAT or version != current:
                stale.append(pk)
                continue
            known_child[f"r{pk}"] = child_pk
            rows.append({**data, "unique_id": f"r{pk}"})
    if stale:
        # Corrected since they were linked: derived again (their keys too), then compared.
        links = dict(
            RecordLink.objects.filter(record_id__in=stale, undone_at=None).values_list(
                "record_id", "child_id"
            )
        )
        records = DepartmentRecord.objects.filter(pk__in=stale).select_related("district")
        for pk, data in _features_store(list(records)).items():
            known_child[f"r{pk}"] = links[pk]
            rows.append({**data, "unique_id": f"r{pk}"})
    ordered = sorted(child_ids)
    for start in range(0, len(ordered), CHUNK):
        for pk, child_rows in ChildFeatures.objects.filter(
            child_id__in=ordered[start : start + CHUNK], child__merged_into=None
        ).values_list("child_id", "rows"):
            for row in child_rows:
                known_child[row["unique_id"]] = pk
                rows.append(row)
    return known_child, rows


def _population(new: int) -> int:
    """Records in the population being linked: those linked, the registry's children (as
    the model compares them: one row per script), and the new ones."""
    linked = RecordLink.objects.filter(undone_at=None).count()
    children = ChildFeatures.objects.count()
    return linked + children + new


def _cluster_probability(
    pairs: Iterable[tuple[Any, Any, float]], label: dict[Any, Any]
) -> dict[Any, float]:
    """Each record's strongest pair inside the cluster it ended in."""
    best: dict[Any, float] = {}
    for a, b, p in pairs:
        if a in label and label.get(a) == label.get(b):
            for uid in (a, b):
                if p > best.get(uid, 0.0):
                    best[uid] = p
    return best


@transaction.atomic
@collection_paused()  # a national batch's rows would make each full collection a long pause
def records_link(
    *,
    actor: Actor,
    records: Iterable[int] | None = None,
    system: bool = True,
    wait: bool = True,
    context: dict[str, Any] | None = None,
    db_api: Any = None,
) -> LinkRun:
    """Link pending department records (all, or those of ``records``) as described above.

    ``system`` runs are started by cpmis itself (after a submission, by the scheduled
    command); otherwise the actor must hold ``linkage.manage``. Without ``wait``, a run that
    finds another one at work returns at once, ``deferred`` (the scheduled run will do it).
    ``db_api`` is the Splink backend that scores (``engines.db_api``); DuckDB by default."""
    started = time.perf_counter()
    if not system and not access.has_capability(actor, "linkage.manage"):
        raise PermissionDenied("You cannot run linkage.")
    if not _lock(wait=wait):
        return LinkRun(deferred=True)
    current = model_ensure()
    pending = _pending(records)
    run = LinkRun(records=len(pending), model_version=current.version)
    if not pending:
        return run
    lap = run.lap("pending", started)
    probes: set[int] = set()
    new_features = _features_store(pending, probes)
    by_id = {r.pk: r for r in pending}
    new_rows = [{**data, "unique_id": f"r{pk}"} for pk, data in new_features.items()]
    lap = run.lap("features", lap)
    known_child, known_rows = _known_rows(new_rows, probes)
    del probes
    population = _population(len(new_rows))
    lap = run.lap("known", lap)
    compared = [*new_rows, *known_rows]
    counts = _frequencies(compared)
    scoring = model.score_population(
        current.splink,
        new_rows,
        known_rows,
        threshold=current.review_threshold,
        partners=model.expected_partners(current.splink, current.trained_on, population),
        population=population,
        counts=counts,
        estimate=population >= current.trained_on,
        db_api=db_api,
    )
    pairs = scoring.pairs
    lap = run.lap("scoring", lap)
    features = {row["unique_id"]: row for row in new_rows}
    features.update({row["unique_id"]: row for row in known_rows})
    run.prior = scoring.prior
    forbidden: set[tuple[str, int]] = set()
    pending_ids = list(by_id)
    for start in range(0, len(pending_ids), CHUNK):
        forbidden.update(
            (f"r{record_id}", child_id)
            for record_id, child_id in ReviewItem.objects.filter(
                status=ReviewItem.Status.DIFFERENT,
                record_id__in=pending_ids[start : start + CHUNK],
            ).values_list("record_id", "candidate_id")
        )
    outcome = clustering.cluster_cohesive(
        pairs,
        features,
        [row["unique_id"] for row in new_rows],
        known_child,
        link=current.link_threshold,
        review=current.review_threshold,
        score_within=lambda cohorts: model.score_within(
            current.splink,
            features,
            cohorts,
            prior=scoring.prior,
            term_frequencies=scoring.term_frequencies,
            db_api=db_api,
        ),
        forbidden=forbidden,
        registrable=lambda uids: any(_registrable(by_id[int(u[1:])]) for u in uids),
        apart=clustering.siblings_apart(*counts["given"], model.b_form_variants(compared)),
    )
    labels: dict[Any, Any] = {uid: ("child", child) for uid, child in known_child.items()}
    labels.update(outcome.labels())
    best = _cluster_probability(pairs, labels)
    lap = run.lap("clustering", lap)
    now = timezone.now()
    today = timezone.localdate(now)
    # Links and review items are written as plain rows (COPY on PostgreSQL): a run over a
    # national batch makes them by the hundred thousand.
    links: list[tuple[int, int, str, float | None]] = []  # record, child, method, probability
    reviews: list[tuple[int, int, float, uuid.UUID]] = []  # record, candidate, probability, group
    new_children: list[tuple[Child, int]] = []
    group_child: dict[int, int] = {}

    def link_group(index: int, child_id: int, method: str) -> None:
        for uid in outcome.groups[index]:
            links.append((int(uid[1:]), child_id, method, best.get(uid)))

    for index, child_id in outcome.existing.items():
        link_group(index, int(child_id), RecordLink.Method.AUTOMATIC)
        run.linked += len(outcome.groups[index])
    made: list[tuple[int, Child, int]] = []  # (group, child, the record it was made from)
    for index in outcome.new:
        members = [by_id[int(uid[1:])] for uid in outcome.groups[index]]
        source = max(members, key=_completeness)
        child = _new_child(source, today=today, now=now)
        if child is None:
            run.waiting += len(members)
            continue
        made.append((index, child, source.pk))
    objects_insert([child for _, child, _ in made])  # with their ids
    for index, child, record_id in made:
        new_children.append((child, record_id))
        group_child[index] = child.pk
        link_group(index, child.pk, RecordLink.Method.NEW_CHILD)
        run.new_children += 1
        run.linked += len(outcome.groups[index])
    run.waiting += sum(len(outcome.groups[index]) for index in outcome.waiting)
    for index, (kind, target, probability) in outcome.review.items():
        candidate = int(target) if kind == "child" else group_child.get(int(target))
        if candidate is None:  # its candidate group could not become a child
            run.waiting += len(outcome.groups[index])
            continue
        # Records of one district wait together: a reviewer decides only their districts'.
        by_district: dict[int, uuid.UUID] = {}
        for uid in outcome.groups[index]:
            district = by_id[int(uid[1:])].district_id
            group = by_district.setdefault(district, uuid.uuid4())
            reviews.append((int(uid[1:]), candidate, probability, group))
        run.review += len(outcome.groups[index])
    lap = run.lap("children", lap)
    rows_insert(
        RecordLink,
        ("record", "child", "method", "probability", "model", "created_at", "undo_reason"),
        ((*link, current.pk, now, "") for link in links),
    )
    rows_insert(
        ReviewItem,
        ("record", "candidate", "probability", "group", "model", "status", "created_at", "version"),
        ((*item, current.pk, ReviewItem.Status.OPEN, now, 1) for item in reviews),
    )
    lap = run.lap("links", lap)
    detail = {"model": current.version, **(context or {})}
    audit_records(
        actor=actor,
        action="child.register",
        items=(
            ("people.child", child.uuid, {"source": "linkage", "record": record, **detail})
            for child, record in new_children
        ),
    )
    audit_records(
        actor=actor,
        action="linkage.link",
        items=(
            ("exchange.record", record, {"child": child, "method": method})
            for record, child, method, _ in links
        ),
    )
    audit_records(
        actor=actor,
        action="linkage.review_open",
        items=(
            ("exchange.record", record, {"candidate": candidate})
            for record, candidate, _, _ in reviews
        ),
    )
    lap = run.lap("audit", lap)
    run.merges_proposed = _merges_propose(outcome.merges, current)
    lap = run.lap("merges", lap)
    if connection.vendor == "postgresql":
        # The foreign keys of what the run wrote, checked now rather than at the commit (a
        # national batch's links and children: millions of checks), so that the run's time
        # counts them and a broken one fails the run, not its commit.
        # Deferred again after: a caller's transaction goes on as Django declares its keys
        # (all deferrable, initially deferred).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        run.lap("checks", lap)
    run.seconds = round(time.perf_counter() - started, 3)
    audit_record(
        actor=actor,
        action="linkage.run",
        object_type="linkage.model",
        object_id=current.version,
        detail={**run.as_dict(), **(context or {})},
    )
    return run


def _merges_propose(merges: dict[tuple[Any, Any], float], current: LinkageModel) -> int:
    """Propose to a person the registry children that a run found joined by a strong pair
    (``clustering.Outcome.merges``). Never merged here; a pair already proposed, decided
    apart by a person, or that the registry's own rules refuse is left (quietly: the run is
    not the place to argue)."""
    from cpmis.people.merging import merge_propose

    proposed = 0
    if not merges:
        return proposed
    children = Child.objects.in_bulk([int(c) for pair in merges for c in pair])
    for (a, b), probability in sorted(merges.items(), key=lambda item: -item[1]):
        if int(a) not in children or int(b) not in children:
            continue
        try:
            merge_propose(
                actor=LINKAGE,
                child_a=children[int(a)],
                child_b=children[int(b)],
                probability=round(float(probability), 6),
                source=f"linkage run, model v{current.version}",
            )
        except ValidationError:
            continue
        proposed += 1
    return proposed


# --- decisions of people -------------------------------------------------------------------


@transaction.atomic
def review_decide(*, actor: Actor, item_id: int, same: bool, version: int) -> Job | None:
    """Decide a review group: the same child (its records are linked to the candidate) or a
    different one (remembered; a job links the records again without that candidate, which
    usually registers a new child). Every record of the group must be in the actor's
    districts (groups are made per district)."""
    visible = access.review_items_visible_to(actor)
    item = visible.filter(pk=item_id).first()
    if item is None:
        raise NotFound
    _lock(timeout=DECISION_LOCK_TIMEOUT)
    group = list(
        ReviewItem.objects.select_for_update(of=("self",))
        .filter(group=item.group, status=ReviewItem.Status.OPEN)
        .order_by("pk")
    )
    mine = {m.pk for m in group}
    if not group or item.pk not in mine:
        raise DecisionConflict(gettext("This review item has already been decided."))
    if visible.filter(pk__in=mine).count() != len(mine):
        raise PermissionDenied(gettext("Part of this group is outside your districts."))
    current = next(m for m in group if m.pk == item.pk)
    versioning.check(current, version, object_type=REVIEW_ITEM_TYPE, conflict=StaleDecision)
    now = timezone.now()
    status = ReviewItem.Status.SAME if same else ReviewItem.Status.DIFFERENT
    for member in group:
        member.status = status
        member.decided_at = now
        member.decided_by = person(actor)
    versioning.save_new_versions(
        group,
        actor=actor,
        action="linkage.review_decide",
        object_type=REVIEW_ITEM_TYPE,
        fields=["status", "decided_at", "decided_by"],
        detail={"same": same, "fields": ["status"]},
        detail_of=lambda m: {"record": m.record_id, "candidate": m.candidate_id},
    )
    if same:
        RecordLink.objects.bulk_create(
            [
                RecordLink(
                    record_id=m.record_id,
                    child_id=m.candidate_id,
                    method=RecordLink.Method.REVIEW,
                    probability=m.probability,
                    model_id=m.model_id,
                    created_at=now,
                    created_by=person(actor),
                )
                for m in group
            ]
        )
        audit_records(
            actor=actor,
            action="linkage.link",
            items=(
                ("exchange.record", m.record_id, {"child": m.candidate_id, "method": "review"})
                for m in group
            ),
        )
        return None
    return _relink_later(actor, [m.record_id for m in group])


def _relink_later(actor: Actor, records: list[int]) -> Job:
    """The records a decision sends back to the model, linked again by a job queued in the
    decision's transaction: the reviewer does not wait for the model (nor for a run at
    work), and the job runs only if the decision is committed."""
    return jobs.job_submit(actor=actor, kind="linkage.relink", params={"records": records})


@transaction.atomic
def link_undo(
    *, actor: Actor, link_id: int, reason: str, child: Child | None = None
) -> Job | RecordLink:
    """Undo a link: the record is no longer this child's, which is remembered. With
    ``child`` (one the actor may see), the record is linked to that child instead; without,
    a job links it again by the model, without the child it was taken from. A child registered
    from this record alone cannot be "not" it: that link is not undone."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the link is wrong.")})
    if len(reason) > 300:
        raise ValidationError({"reason": gettext("At most %(max)s characters.") % {"max": 300}})
    if access.links_undoable_by(actor).filter(pk=link_id).first() is None:
        raise NotFound
    if child is not None and not access.children_visible_to(actor).filter(pk=child.pk).exists():
        raise NotFound
    _lock(timeout=DECISION_LOCK_TIMEOUT)
    link = RecordLink.objects.select_for_update(of=("self",)).get(pk=link_id)
    if link.undone_at is not None:
        raise DecisionConflict(gettext("This link has already been undone."))
    others = RecordLink.objects.filter(child_id=link.child_id, undone_at=None).exclude(pk=link.pk)
    if link.method == RecordLink.Method.NEW_CHILD and not others.exists():
        raise ValidationError(
            {
                "reason": gettext(
                    "This child was registered from this record alone, so the record cannot be "
                    "someone else's. If two registry children are one, propose merging them."
                )
            }
        )

    now = timezone.now()
    link.undone_at, link.undone_by, link.undo_reason = now, person(actor), reason
    link.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    # The person's decision, kept as a decided review item: never this child again.
    ReviewItem.objects.create(
        record_id=link.record_id,
        candidate_id=link.child_id,
        probability=link.probability or 0.0,
        model=link.model or model_ensure(),
        group=uuid.uuid4(),
        status=ReviewItem.Status.DIFFERENT,
        created_at=now,
        decided_at=now,
        decided_by=person(actor),
    )
    audit_record(
        actor=actor,
        action="linkage.undo",
        object_type="exchange.record",
        object_id=link.record_id,
        detail={"child": link.child_id, "method": link.method},
    )
    if child is not None:
        return link_manual(actor=actor, record_id=link.record_id, child=child)
    return _relink_later(actor, [link.record_id])


def submission_link(*, actor: Actor, submission: Any, whole: bool = False) -> LinkRun | None:
    """Link the new records of a committed submission. In a background job (``whole``):
    all of them, waiting for any run at work. Otherwise only if it is small enough to do
    while the focal point waits and no other run is at work. What is not linked here (and
    anything after a failure) is left to the scheduled run. cpmis links, not the focal
    point: the audit names the system, with the submission and who sent it."""
    records = DepartmentRecord.objects.filter(last_submission=submission).values_list(
        "pk", flat=True
    )
    ids = list(records if whole else records[: LINK_INLINE_MAX + 1])
    if not ids or (not whole and len(ids) > LINK_INLINE_MAX):
        return None
    context = {"submission": str(submission.uuid), "requested_by": getattr(actor, "pk", None)}
    try:
        run = records_link(actor=LINKAGE, records=ids, wait=whole, context=context)
    except Exception:  # the submission stands; the scheduled run links its records later
        logger.exception("Linking the records of submission %s failed", submission.uuid)
        return None
    return None if run.deferred else run


def on_submission_received(
    sender: Any, *, actor: Actor, submission: Any, whole: bool = False, **kwargs: Any
) -> LinkRun | None:
    """Receiver of ``cpmis.exchange.signals.submission_received``: exchange announces a new
    submission, linkage links it (exchange imports no linkage)."""
    return submission_link(actor=actor, submission=submission, whole=whole)


@transaction.atomic
def link_manual(*, actor: Actor, record_id: int, child: Child) -> RecordLink:
    """A person links a record that has no link to a child they may see: a record that
    waits (no date of birth, no age), or one whose link they undid knowing the right child.
    A child the record was decided not to be is refused."""
    record = (
        access.records_linkable_by(actor).filter(pk=record_id).select_related("district").first()
    )
    if record is None or not access.children_visible_to(actor).filter(pk=child.pk).exists():
        raise NotFound
    _lock(timeout=DECISION_LOCK_TIMEOUT)
    if Child.objects.filter(pk=child.pk).exclude(merged_into=None).exists():
        raise ValidationError(
            {
                "child": gettext(
                    "This child was merged into another one: link the record to that child."
                )
            }
        )
    if RecordLink.objects.filter(record=record, undone_at=None).exists():
        raise DecisionConflict(gettext("This record is already linked; undo that link first."))
    decided = ReviewItem.objects.filter(
        record=record, candidate=child, status=ReviewItem.Status.DIFFERENT
    )
    if decided.exists():
        raise ValidationError(
            {"child": gettext("It was decided that this record is not this child.")}
        )
    now = timezone.now()
    withdrawn = list(
        ReviewItem.objects.filter(record=record, status=ReviewItem.Status.OPEN).values_list(
            "pk", flat=True
        )
    )
    ReviewItem.objects.filter(pk__in=withdrawn).update(
        status=ReviewItem.Status.WITHDRAWN, decided_at=now, decided_by=person(actor)
    )
    link = RecordLink.objects.create(
        record=record,
        child=child,
        method=RecordLink.Method.MANUAL,
        created_at=now,
        created_by=person(actor),
    )
    audit_record(
        actor=actor,
        action="linkage.link",
        object_type="exchange.record",
        object_id=record.pk,
        detail={"child": child.pk, "method": "manual", "withdrawn_reviews": withdrawn},
    )
    return link
