"""The cpmis command, as an operator runs it."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

CPMIS = [sys.executable, "-m", "cpmis.cli"]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CPMIS_MODE", "DEBUG"}}
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        CPMIS + args,
        cwd=tmp_path,
        env={**base, "CPMIS_VAR_DIR": str(tmp_path / "var"), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_demo_builds_a_database_and_prints_the_accounts(tmp_path: Path) -> None:
    result = run(
        ["demo", "--no-serve", "--size", "200"], tmp_path, CPMIS_DEMO_PASSWORD="s3cret demo pw"
    )
    assert result.returncode == 0, result.stderr
    assert "s3cret demo pw" in result.stdout
    for username in (
        "cpo.lahore",
        "supervisor.lahore",
        "complaints.punjab",
        "focal.police.punjab",
        "analyst.national",
        "admin",
        "auditor",
    ):
        assert username in result.stdout
    assert "/accounts/login/" in result.stdout
    db = sqlite3.connect(tmp_path / "var" / "demo.sqlite3")
    # 200 generated, plus those registered when demo complaints were opened as cases, plus
    # those the linkage registered for department records matching nobody
    (children,) = db.execute("select count(*) from people_child").fetchone()
    (records,) = db.execute("select count(*) from exchange_departmentrecord").fetchone()
    (links,) = db.execute("select count(*) from linkage_recordlink").fetchone()
    (new_children,) = db.execute(
        "select count(distinct child_id) from linkage_recordlink where method = 'new_child'"
    ).fetchone()
    (reviews,) = db.execute("select count(*) from linkage_reviewitem").fetchone()
    assert records > 66 and links >= 0.6 * records and reviews > 0
    assert links + reviews <= records
    assert 200 <= children - new_children <= 220
    # a year for the statistics, the registers and a zero draft of the report
    (cases,) = db.execute("select count(*) from cases_case").fetchone()
    assert cases > 300
    assert db.execute("select count(*) from oversight_recommendation").fetchone()[0] > 0
    assert db.execute("select count(*) from oversight_preventionactivity").fetchone()[0] > 0
    assert db.execute("select count(*) from reporting_reportedition").fetchone() == (1,)
    (complaints,) = db.execute("select count(*) from complaints_complaint").fetchone()
    assert complaints > 30
    assert db.execute("select count(*) from reference_district").fetchone() == (160,)
    assert db.execute("select count(*) from legal_opscarticle").fetchone() == (17,)
    # every district with cases has a supervisor, and a transfer waiting for each of them
    supervised = {
        d
        for (d,) in db.execute(
            "select district_id from accounts_roleassignment where role = 'supervisor' "
            "and scope_level = 'district'"
        )
    }
    with_cases = {d for (d,) in db.execute("select distinct district_id from cases_case")}
    assert with_cases <= supervised
    waiting = {
        d for (d,) in db.execute("select to_district_id from cases_transfer where status='pending'")
    }
    assert waiting == supervised
    # every case has a readable number, no two alike
    numbers = [n for (n,) in db.execute("select number from cases_case")]
    assert len(set(numbers)) == len(numbers) == cases
    assert all(re.fullmatch(r"[A-Z]{2}-[A-Z]{3}-\d{4}-\d{6}", n) for n in numbers)


def test_demo_refuses_debug_off(tmp_path: Path) -> None:
    result = run(["demo", "--no-serve"], tmp_path, DEBUG="0")
    assert result.returncode != 0
    assert "refuses to run with DEBUG off" in result.stderr


def test_manage_runs_django_commands(tmp_path: Path) -> None:
    result = run(["manage", "check"], tmp_path, CPMIS_MODE="test")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_serve_with_two_workers_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CPMIS_MODE", "DEBUG"}}
    env = {
        **base,
        "CPMIS_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "test-only-secret-key-for-the-serve-command-0123456789",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
    }
    server = subprocess.Popen(  # noqa: S603 - fixed interpreter and arguments
        [*CPMIS, "serve", "--migrate", "--workers", "2", "--threads", "2", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answers = []
        deadline = time.monotonic() + 120
        while len(answers) < 6 and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    answers.append(r.status)
            except OSError:
                time.sleep(0.3)
        assert answers == [200] * 6
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert "2 worker processes" in output
    assert server.returncode == 0, output
