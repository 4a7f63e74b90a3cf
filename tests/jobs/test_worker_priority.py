"""A worker runs at a lower CPU priority than the command that started it, so that a long job
slows the web server's pages less on a machine they share."""

from __future__ import annotations

from typing import Any

import pytest

from cpmis.jobs import worker


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(worker.os, "nice", lambda step: calls.append(("nice", step)))
    monkeypatch.setattr(worker, "run_one", lambda **options: calls.append(("run", options)))
    return calls


def test_workers_run_ten_steps_nicer_by_default(
    started: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CPMIS_JOB_NICE", raising=False)
    worker.run(processes=1, interval=0.5)
    assert started == [("nice", 10), ("run", {"interval": 0.5})]  # before any job is taken


@pytest.mark.parametrize(("setting", "step"), [("0", 0), ("19", 19), (" 5 ", 5)])
def test_the_priority_is_a_setting(
    started: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch, setting: str, step: int
) -> None:
    monkeypatch.setenv("CPMIS_JOB_NICE", setting)
    worker.run(processes=1)
    assert started[0] == ("nice", step)


@pytest.mark.parametrize("setting", ["-1", "20", "low"])
def test_a_priority_out_of_range_stops_the_command_with_a_reason(
    started: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setenv("CPMIS_JOB_NICE", setting)
    with pytest.raises(SystemExit, match="CPMIS_JOB_NICE must be a whole number from 0 to 19"):
        worker.run(processes=1)
    assert started == []
