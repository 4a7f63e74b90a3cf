"""Kinds of job made for the tests of the queue, and the database backend they run on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from cpmis import access
from cpmis.jobs import kinds
from cpmis.jobs.kinds import Kind, Prepared, Result

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def db_queue() -> Iterator[None]:
    """Jobs queued in the database (as in production), not run when asked for."""
    with override_settings(TASKS=DATABASE_QUEUE):
        yield


def _prepare(actor: Any, raw: dict[str, Any]) -> Prepared:
    if not access.has_capability(actor, "case.view"):
        raise PermissionDenied("Only case workers count.")
    try:
        n = int(raw.get("n", 3))
    except (TypeError, ValueError):
        raise ValidationError({"n": ["A whole number."]}) from None
    return Prepared({"n": n, "fail": str(raw.get("fail", ""))}, str(raw.get("key", "")))


def _run(job: Any, progress: Any) -> Result | None:
    n, fail = job.params["n"], job.params["fail"]
    for i in range(n):
        progress.update("counting", done=i + 1, total=n)
        if fail == "invalid" and i == 1:
            raise ValidationError({"n": ["Row 2 is not a number."]})
        if fail == "crash" and i == 1:
            raise RuntimeError("boom: Ghulam Sarwar")  # a name that must reach no message
        progress.flush()
    return Result(f"counted to {n}".encode(), "count.txt", "text/plain")


COUNT = Kind(name="test.count", label="Counting", prepare=_prepare, run=_run)
COUNT_RETRIED = Kind(
    name="test.count-retried", label="Counting", prepare=_prepare, run=_run, retry=True
)


@pytest.fixture(autouse=True)
def test_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in (COUNT, COUNT_RETRIED):
        monkeypatch.setitem(kinds._KINDS, kind.name, kind)


def run_worker(worker: str = "w1") -> None:
    """A worker that runs what is ready, then stops: the database backend's own loop, as
    ``cpmis worker`` runs it. Inside a test's transaction the loop must not close the
    connection between tasks (as it does to drop a dead one; on PostgreSQL that would end
    the test's transaction): there it is left open."""
    from unittest import mock

    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    keep = (
        mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections")
        if connection.in_atomic_block
        else nullcontext()
    )
    with keep:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker,
            excluded_queue_names=[],
        ).run()
