"""How a running job says how far it has got, and learns that it was cancelled.

A kind calls ``update`` with its stage and counts as it goes. In a worker on PostgreSQL a
thread with its own database connection writes them every second, so the page follows a job
even through one long transaction of its kind (writing a batch's rows, linking them), whose
own writes nobody sees until it commits; the same thread reads whether the owner cancelled,
and the next ``update`` stops the job. A worker process starts that thread once
(``writer_start``), before it lowers the priority of the thread that runs the jobs
(``worker.run_one``): the progress is then written on time even while the job's work waits
for a core behind the web server and the database. A job run outside such a worker gets a
thread of its own. On SQLite (which lets one writer in at a time) and in a job run inside a
request, ``update`` writes itself, at most every ``every`` seconds and whenever the stage
changes.

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


class Progress:
    def __init__(self, job_id: int, *, every: float = 1.0) -> None:
        self.job_id = job_id
        self.every = every
        self.state: dict[str, Any] = {}
        self._written = 0.0
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._stop = threading.Event()
        self._beating: threading.Thread | Writer | None = None

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
        writer = _writer
        if writer is not None and writer.alive():
            writer.add(self)
            self._beating = writer
            return
        self._beating = threading.Thread(target=self._beat, daemon=True, name="job-progress")
        self._beating.start()

    def stop(self) -> None:
        """No progress is written for this job once this returns."""
        beating, self._beating = self._beating, None
        if isinstance(beating, Writer):
            beating.remove(self)
        elif beating is not None:
            self._stop.set()
            beating.join(timeout=10)

    def beat(self) -> None:
        """Write the progress once, on the calling thread's connection, and note a cancel."""
        try:
            if self._write():
                self._cancelled.set()
        except Exception:  # the database blinked: the next beat tries again
            log.warning("job %s: progress not written", self.job_id, exc_info=True)

    def _beat(self) -> None:
        from django.db import connection

        try:
            while True:  # at once, then every ``every`` seconds
                self.beat()
                if self._stop.wait(self.every):
                    break
        finally:
            connection.close()


class Writer:
    """The thread that writes the progress of the jobs running in this process, every
    ``every`` seconds, on a database connection of its own."""

    def __init__(self, every: float = 1.0) -> None:
        self.every = every
        self._jobs: list[Progress] = []
        self._lock = threading.Lock()  # held while writing: ``remove`` waits for a write
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="job-progress")

    def start(self) -> None:
        self._thread.start()

    def alive(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    def add(self, progress: Progress) -> None:
        with self._lock:
            self._jobs.append(progress)
        self._wake.set()  # written at once, as a job's own thread would

    def remove(self, progress: Progress) -> None:
        with self._lock:
            if progress in self._jobs:
                self._jobs.remove(progress)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        from django.db import connection

        try:
            while not self._stop.is_set():
                # A connection that failed is replaced before the next write.
                connection.close_if_unusable_or_obsolete()
                with self._lock:
                    for progress in self._jobs:
                        progress.beat()
                self._wake.wait(self.every)
                self._wake.clear()
        finally:
            connection.close()


_writer: Writer | None = None


def writer_start(every: float = 1.0) -> Writer:
    """Start this process's progress writer (on the calling thread's CPU priority, which its
    thread keeps); the jobs started after it use it."""
    global _writer
    if _writer is not None and _writer.alive():
        return _writer
    _writer = Writer(every)
    _writer.start()
    return _writer


def writer_stop() -> None:
    global _writer
    if _writer is not None:
        _writer.stop()
        _writer = None
