"""A worker runs at a lower CPU priority than the command that started it, so that a long job
slows the web server's pages less on a machine they share."""

from __future__ import annotations

from typing import Any

import pytest

from cpmis.jobs import worker


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(worker, "run_one", lambda **options: calls.append(("run", options)))
    return calls


def test_workers_run_ten_steps_nicer_by_default(
    started: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CPMIS_JOB_NICE", raising=False)
    worker.run(processes=1, interval=0.5)
    assert started == [("run", {"interval": 0.5, "nice": 10})]


@pytest.mark.parametrize(("setting", "step"), [("0", 0), ("19", 19), (" 5 ", 5)])
def test_the_priority_is_a_setting(
    started: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch, setting: str, step: int
) -> None:
    monkeypatch.setenv("CPMIS_JOB_NICE", setting)
    worker.run(processes=1)
    assert started == [("run", {"nice": step})]


@pytest.mark.parametrize("setting", ["-1", "20", "low"])
def test_a_priority_out_of_range_stops_the_command_with_a_reason(
    started: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setenv("CPMIS_JOB_NICE", setting)
    with pytest.raises(SystemExit, match="CPMIS_JOB_NICE must be a whole number from 0 to 19"):
        worker.run(processes=1)
    assert started == []


def test_only_the_jobs_thread_is_lowered_after_the_heartbeat_and_progress_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On Linux a thread's priority is its own and passes to the threads it starts: the
    worker lowers the thread that runs the jobs only once its heartbeat and the progress
    writer are running, so that neither waits behind the pages for a core."""
    import threading

    from django_tasks_db.management.commands import db_worker

    from cpmis.jobs import progress, supervision

    seen: list[tuple[str, Any]] = []

    def nice(step: int) -> None:
        running = {t.name for t in threading.enumerate()}
        seen.append(("nice", step, threading.current_thread().name))
        seen.append(("running", "worker-heartbeat" in running, "job-progress" in running))

    class Runner:
        def __init__(self, **options: Any) -> None:
            pass

        def configure_signals(self) -> None:
            pass

        def run(self) -> None:
            seen.append(("run", progress._writer is not None and progress._writer.alive()))

    monkeypatch.setattr(worker.os, "nice", nice)
    monkeypatch.setattr(db_worker, "Worker", Runner)
    for name in ("beat", "leave", "reap", "prune"):
        monkeypatch.setattr(supervision, name, lambda *args: None)
    monkeypatch.setattr(worker, "_beating", lambda name, stop: stop.wait())
    worker.run_one(nice=7)
    assert seen == [
        ("nice", 7, threading.main_thread().name),
        ("running", True, True),
        ("run", True),
    ]
    assert progress._writer is None  # stopped with the worker
