"""How a running job says how far it has got, and learns that it was cancelled.

A kind calls ``update`` with its stage and counts as it goes. In a worker on PostgreSQL a
thread of the job's own (with its own database connection) writes them twice a second, so the
page follows a job even through one long transaction of its kind (writing a batch's rows,
linking them), whose own writes nobody sees until it commits; the same thread reads whether
the owner cancelled, and the next ``update`` stops the job. Elsewhere (SQLite lets one writer
in at a time; a job run inside a request) ``update`` writes itself, at most every ``every``
seconds and whenever the stage changes.

A kind does its long reading and computing first and writes what it produces at the end in
one transaction, so that a job stopped or killed mid-way leaves nothing half-written.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.utils import timezone

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """The job's owner cancelled it: the job stops and writes nothing."""


def next_due(due: float, now: float, beat: float) -> float:
    """When the progress thread writes next: ``beat`` after the last planned write, not
    after it ended (a write that waited for the interpreter or the database pushes no later
    one back); at once when that time has passed, and the cadence goes on from then."""
    return max(due + beat, now)


class Progress:
    def __init__(self, job_id: int, *, every: float = 1.0, beat: float = 0.5) -> None:
        self.job_id = job_id
        self.every = every  # written by ``update`` itself, at most this often
        # Written by the worker's thread this often: a page is promised news every 2 s, and a
        # write can wait a second and a half for a linkage run's interpreter.
        self.beat = beat
        self.state: dict[str, Any] = {}
        self._written = 0.0
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._stop = threading.Event()
        self._beating: threading.Thread | None = None

    def update(self, stage: str | None = None, **counts: Any) -> None:
        """Merge ``stage`` and ``counts`` (``done``, ``total``, rows read…) into the job's
        progress. Raises ``Cancelled`` if the owner cancelled the job meanwhile."""
        with self._lock:
            changed = stage is not None and stage != self.state.get("stage")
            if stage is not None:
                self.state["stage"] = stage
            self.state.update(counts)
        if self._beating is not None:
            if self._cancelled.is_set():
                raise Cancelled
            return
        if changed or time.monotonic() - self._written >= self.every:
            self.flush()

    def flush(self) -> None:
        """Write the progress now (on this thread's connection) and check for a cancel."""
        self._written = time.monotonic()
        if self._write():
            raise Cancelled

    def _write(self) -> bool:
        from .models import Job

        with self._lock:
            state = dict(self.state)
        Job.objects.filter(pk=self.job_id).update(progress=state, progress_at=timezone.now())
        return Job.objects.filter(pk=self.job_id, cancel_requested=True).exists()

    # --- the thread that writes for a job in a worker (PostgreSQL) ---------------------------

    def start(self) -> None:
        self._beating = threading.Thread(target=self._beat, daemon=True, name="job-progress")
        self._beating.start()

    def stop(self) -> None:
        if self._beating is None:
            return
        self._stop.set()
        self._beating.join(timeout=10)
        self._beating = None

    def _beat(self) -> None:
        from django.db import connection

        due = time.monotonic()
        try:
            while True:  # at once, then every ``beat`` seconds
                try:
                    if self._write():
                        self._cancelled.set()
                except Exception:  # the database blinked: the next beat tries again
                    log.warning("job %s: progress not written", self.job_id, exc_info=True)
                now = time.monotonic()
                due = next_due(due, now, self.beat)
                if self._stop.wait(due - now):
                    break
        finally:
            connection.close()
