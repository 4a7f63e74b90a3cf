"""Real worker processes on a database file: one killed with ``kill -9`` in the middle of a
job loses nothing, and another worker takes the job up within the stale limit and finishes
it; a worker stopped with SIGTERM leaves cleanly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A worker process with one more kind of job: it waits, reporting progress, until a flag
# file exists. Everything else is cpmis's own worker.
SCRIPT = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpmis.settings")
import django
django.setup()
from cpmis import actors
from cpmis.jobs import kinds, services, worker
from cpmis.jobs.kinds import Kind, Prepared, Result

def run(job, progress):
    flag = job.params["flag"]
    i = 0
    while not os.path.exists(flag):
        i += 1
        progress.update("waiting for the flag", done=i)
        progress.flush()
        time.sleep(0.1)
    return Result(b"flag seen", "flag.txt", "text/plain")

kinds.register(
    Kind("test.flag", "Waiting", lambda actor, raw: Prepared(dict(raw)), run, retry=True)
)
if sys.argv[1] == "submit":
    job = services.job_submit(
        actor=actors.command("test"), kind="test.flag", params={"flag": sys.argv[2]}
    )
    print(job.pk)
else:
    worker.run_one(interval=0.2)
"""


@pytest.fixture
def place(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    database = tmp_path / "jobs.sqlite3"
    env = {
        **os.environ,
        "CPMIS_MODE": "demo",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "CPMIS_JOB_STALE_SECONDS": "3",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "-m", "cpmis.cli", "manage", "migrate", "-v0"],
        env=env,
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (tmp_path / "work.py").write_text(SCRIPT, encoding="utf-8")
    yield env, tmp_path


def wait_for(what: str, check: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_a_job_survives_its_worker_being_killed(place: tuple[dict[str, str], Path]) -> None:
    env, where = place
    flag = where / "flag"
    submitted = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "work.py", "submit", str(flag)],
        env=env,
        cwd=where,
        check=True,
        capture_output=True,
        text=True,
    )
    job_id = int(submitted.stdout.strip().splitlines()[-1])
    database = sqlite3.connect(where / "jobs.sqlite3", timeout=30)

    def job() -> tuple[str, str, int, str]:
        row = database.execute(
            "SELECT state, worker, attempts, progress FROM jobs_job WHERE id = ?", (job_id,)
        ).fetchone()
        return row  # type: ignore[no-any-return]

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "work.py", "work"],
            env=env,
            cwd=where,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    first = start()
    second: subprocess.Popen[bytes] | None = None
    try:
        wait_for("the first worker runs the job", lambda: job()[0] == "running", 30)
        wait_for("the job reports progress", lambda: "waiting for the flag" in job()[3], 10)
        killed_worker = job()[1]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)

        second = start()
        flag.write_text("go", encoding="utf-8")
        wait_for("another worker finishes the job", lambda: job()[0] == "done", 45)
        _, worker, attempts, _ = job()
        assert worker != killed_worker and attempts == 2
        result = database.execute("SELECT result FROM jobs_job WHERE id = ?", (job_id,)).fetchone()[
            0
        ]
        assert bytes(result) == b"flag seen"
        # The queue's own record of the first run is failed, not left running.
        statuses = [
            s for (s,) in database.execute("SELECT status FROM django_tasks_database_dbtaskresult")
        ]
        assert sorted(statuses) == ["FAILED", "SUCCESSFUL"]

        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=20) == 0
        beats = [w for (w,) in database.execute("SELECT worker FROM jobs_workerbeat")]
        assert killed_worker in beats and len(beats) == 1  # the clean one said goodbye
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
        database.close()
