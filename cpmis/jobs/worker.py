"""``cpmis worker``: processes that take jobs from the queue and run them.

Each process runs the database backend's worker loop (``django_tasks_db``: it claims a task
with a row lock, so two workers never take the same one) and, beside it, a thread that writes
the process's heartbeat and, on each beat, takes up the jobs of workers that stopped
(``supervision.reap``) and deletes results past their keeping time. Run as many processes as
there are cores to spare, on as many machines as reach the database. With ``--processes N``
the command supervises N of them: one that dies is started again; SIGTERM or Ctrl+C stops
them all, each finishing the job it is running first (a second signal stops at once).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

log = logging.getLogger(__name__)


def _beating(worker: str, stop: threading.Event) -> None:
    from django.db import close_old_connections, connection

    from . import schedules, supervision

    every = supervision.beat_seconds()
    last_prune = 0.0
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                supervision.beat(worker)
                supervision.reap()
                schedules.due()
                if time.monotonic() - last_prune > 3600:
                    supervision.prune()
                    last_prune = time.monotonic()
            except Exception:  # a database that blinked: the next beat tries again
                log.exception("worker %s: heartbeat failed", worker)
            stop.wait(every)
    finally:
        connection.close()


def run_one(
    *, interval: float = 1.0, queues: str = "default", max_tasks: int | None = None
) -> None:
    """One worker process, until it is told to stop."""
    from django_tasks_db.management.commands.db_worker import Worker

    from . import supervision

    worker = supervision.worker_name()
    supervision.beat(worker)
    stop = threading.Event()
    beating = threading.Thread(target=_beating, args=(worker, stop), daemon=True)
    beating.start()
    runner = Worker(
        queue_names=queues.split(","),
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=True,
        max_tasks=max_tasks,
        worker_id=worker,
        excluded_queue_names=[],
    )
    runner.configure_signals()
    print(f"cpmis worker {worker} is taking jobs (Ctrl+C stops it)", flush=True)
    try:
        runner.run()
    finally:
        stop.set()
        beating.join(timeout=10)
        with contextlib.suppress(Exception):
            supervision.leave(worker)


DEFAULT_NICE = 10


def nice_increment() -> int:
    """How much lower than the command's own CPU priority the workers run
    (``CPMIS_JOB_NICE``, 0 to 19): on a machine shared with the web server, a long job
    (a million-row batch keeps a core busy, and its database server another) slows the pages
    less. 0 keeps the priority."""
    raw = os.environ.get("CPMIS_JOB_NICE", "").strip()
    if not raw:
        return DEFAULT_NICE
    value = int(raw) if raw.isdecimal() else -1  # "-1", "low": refused below
    if not 0 <= value <= 19:
        raise SystemExit(f"CPMIS_JOB_NICE must be a whole number from 0 to 19, not {raw!r}.")
    return value


def run(processes: int = 1, **options: Any) -> None:
    """``processes`` worker processes, restarted when one dies, at the CPU priority
    ``nice_increment`` says (their children, forked, keep it)."""
    os.nice(nice_increment())
    if processes <= 1:
        run_one(**options)
        return
    from django.db import connections

    connections.close_all()  # no connection may cross a fork
    children: dict[int, int] = {}
    stopping = False

    def spawn(slot: int) -> None:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides
            code = 0
            try:
                run_one(**options)
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else 0
            except BaseException:
                log.exception("worker process failed")
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = slot

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM if not stopping else signal.SIGKILL)
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for slot in range(processes):
        spawn(slot)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:  # pragma: no cover - PEP 475 retries os.wait itself
            continue
        slot = children.pop(pid, -1)
        if slot >= 0 and not stopping:
            log.warning("worker process %s stopped (status %s); starting another", pid, status)
            time.sleep(1)  # a worker that dies at once must not spin
            spawn(slot)
