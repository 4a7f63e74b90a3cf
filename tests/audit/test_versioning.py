"""The one optimistic-versioning helper: a stale version is refused with one change per
version missed, whatever bumped it, and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import F
from django.utils import timezone

from cpmis.audit import versioning
from cpmis.audit.models import AuditEvent
from cpmis.reporting.models import ReportEdition
from tests.conftest import Personas

TYPE = "test.edition"


def edition(personas: Personas) -> ReportEdition:
    return ReportEdition.objects.create(
        title="A report",
        reporting_year=2025,
        period_from=date(2025, 1, 1),
        period_to=date(2025, 12, 31),
        created_by=personas.analyst,
        created_at=timezone.now(),
    )


def bump(record: ReportEdition, actor: object, status: str) -> None:
    record.status = status
    versioning.save_new_version(
        record,
        actor=actor,
        action="test.status",
        object_type=TYPE,
        fields=["status"],
        detail={"fields": ["status"]},
    )


@pytest.mark.django_db
def test_it_saves_the_next_version_and_audits_it(personas: Personas) -> None:
    record = edition(personas)
    bump(record, personas.analyst, "consultation")
    assert ReportEdition.objects.get(pk=record.pk).version == 2
    [event] = AuditEvent.objects.filter(object_type=TYPE)
    assert event.detail["version"] == 2 and event.object_id == str(record.pk)


@pytest.mark.django_db
def test_it_lets_the_version_read_through(personas: Personas) -> None:
    record = edition(personas)
    locked = versioning.lock(ReportEdition.objects.all(), record.pk)
    assert locked is not None
    versioning.check(locked, 1, object_type=TYPE)
    versioning.check(locked, None, object_type=TYPE)  # a caller that sends no version
    assert versioning.lock(ReportEdition.objects.none(), record.pk) is None  # out of scope


@pytest.mark.django_db
def test_it_says_each_change_since_the_version_read(personas: Personas) -> None:
    record = edition(personas)
    bump(record, personas.analyst, "consultation")
    bump(record, personas.administrator, "draft")
    # a version bumped in bulk, with no audit event (as a merge repoints rows)
    ReportEdition.objects.filter(pk=record.pk).update(version=F("version") + 1)
    locked = versioning.lock(ReportEdition.objects.all(), record.pk)
    with pytest.raises(versioning.VersionConflict) as conflict:
        versioning.check(locked, 1, object_type=TYPE)
    body = conflict.value.payload()
    assert body["version"] == 4
    assert [(c["version"], c["action"], c["by"], c["fields"]) for c in body["changes"]] == [
        (2, "test.status", personas.analyst.username, ["status"]),
        (3, "test.status", personas.administrator.username, ["status"]),
        (4, versioning.UNRECORDED, None, []),
    ]
    # from a later version read, only what came after it
    with pytest.raises(versioning.VersionConflict) as later:
        versioning.check(locked, 3, object_type=TYPE)
    assert [c.version for c in later.value.changes] == [4]


@pytest.mark.django_db
def test_it_saves_many_versions_at_once(personas: Personas) -> None:
    records = [edition(personas) for _ in range(3)]
    for r in records:
        r.status = "consultation"
    versioning.save_new_versions(
        records, actor=personas.analyst, action="test.many", object_type=TYPE, fields=["status"]
    )
    assert set(ReportEdition.objects.values_list("version", "status")) == {(2, "consultation")}
    assert AuditEvent.objects.filter(action="test.many", detail__version=2).count() == 3


@pytest.mark.django_db
def test_a_version_out_of_range_is_refused_without_a_query_of_it(personas: Personas) -> None:
    record = edition(personas)
    bump(record, personas.analyst, "consultation")
    for read in (2**70, -(2**70), 99):
        with pytest.raises(versioning.VersionConflict) as conflict:
            versioning.check(record, read, object_type=TYPE)
        assert conflict.value.payload()["version"] == 2
    with pytest.raises(versioning.VersionConflict) as before:
        versioning.check(record, -(2**70), object_type=TYPE)
    assert [c.version for c in before.value.changes] == [1, 2]
