"""`cpmis serve` under gunicorn, as an operator and a service manager see it: a worker that
dies is replaced, SIGTERM stops the server cleanly, a request that hangs costs its worker."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cpmis.cli import _post_fork, _RequestWatch

CPMIS = [sys.executable, "-m", "cpmis.cli"]
SECRET_KEY = "test-only-secret-key-for-the-serve-command-0123456789-abcdefghij"
PROC = Path("/proc")

needs_proc = pytest.mark.skipif(
    not (PROC / str(os.getpid()) / "task").is_dir(), reason="reads a process's children in /proc"
)


@pytest.fixture(autouse=True)
def _reference_data() -> None:
    """Not the suite's: these tests start servers on databases of their own."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CPMIS_MODE", "DEBUG"}}
    return {
        **base,
        "CPMIS_MODE": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "CPMIS_VAR_DIR": str(tmp_path / "var"),
        **extra,
    }


def children(pid: int) -> set[int]:
    """The processes ``pid`` started, from every one of its threads' lists."""
    found: set[int] = set()
    for task in (PROC / str(pid) / "task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:  # the thread has just ended
            continue
    return found


def wait_for(what: str, check: Callable[[], bool], *, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:g} s: {what}\n{log.read_text()}")
        time.sleep(0.1)


def get(port: int, path: str, **headers: str) -> tuple[int, str]:
    """Status and body of one request (no redirect followed); 0 if nothing answered."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    except OSError:
        return 0, ""
    finally:
        connection.close()


@contextmanager
def running(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[Any]]:
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            command, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


@needs_proc
def test_it_replaces_a_killed_worker_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "serve.log"
    command = [*CPMIS, "serve", "--migrate", "--workers", "2", "--threads", "2", "--port"]
    with running([*command, str(port)], server_env(tmp_path), log) as server:
        wait_for(
            "two workers, /healthz answering",
            lambda: len(children(server.pid)) == 2 and get(port, "/healthz")[0] == 200,
            seconds=60,  # the migrations come first
            log=log,
        )
        first = children(server.pid)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        wait_for(
            "a new worker in place of the killed one",
            lambda: (now := children(server.pid)) != first and len(now) == 2 and victim not in now,
            seconds=15,
            log=log,
        )
        assert [get(port, "/healthz")[0] for _ in range(4)] == [200] * 4

        # gunicorn trusts no forwarded header: a client on this machine claiming https is served
        # as what it is, plain HTTP, and redirected (production redirects plain HTTP).
        status, _ = get(port, "/accounts/login/", **{"X-Forwarded-Proto": "https"})
        assert status == 301

        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running after SIGTERM\n{log.read_text()}") from None
    output = log.read_text()
    assert code == 0, output
    assert f"cpmis is listening on http://127.0.0.1:{port}/ with 2 worker processes" in output


def test_metrics_sum_every_worker_process(tmp_path: Path) -> None:
    """/metrics is answered by one worker; the request counts are every worker's."""
    port, log, token = free_port(), tmp_path / "metrics.log", "t" * 40
    env = server_env(tmp_path, CPMIS_SSL_REDIRECT="0", CPMIS_METRICS_TOKEN=token)
    command = [*CPMIS, "serve", "--migrate", "--workers", "2", "--threads", "1", "--port"]
    with running([*command, str(port)], env, log) as server:
        wait_for(
            "two workers, /healthz answering",
            lambda: len(children(server.pid)) == 2 and get(port, "/healthz")[0] == 200,
            seconds=60,
            log=log,
        )
        for _ in range(30):  # each on a new connection: both workers take some
            assert get(port, "/healthz")[0] == 200
        counts = set()
        for _ in range(6):
            status, body = get(port, "/metrics", Authorization=f"Bearer {token}")
            assert status == 200, body[:300]
            line = next(
                line
                for line in body.splitlines()
                if line.startswith("django_http_responses_total_by_status_view_method_total{")
                and 'view="healthz"' in line
            )
            counts.add(float(line.rsplit(" ", 1)[1]))
        assert counts == {31.0}, counts  # whichever worker answered, the sum of both
        assert "cpmis_workers_alive" in body
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)


# A WSGI application with a request that hangs, served with the options of `cpmis serve`.
SLOW_SERVER = """
import os, sys, time
from cpmis import cli

def application(environ, start_response):
    if environ["PATH_INFO"] == "/hang":
        time.sleep(120)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]

options = cli._server_options(
    "127.0.0.1:" + sys.argv[1], threads=2, workers=1, timeout=2, when_ready=lambda server: None
)
options["graceful_timeout"] = 1
cli._run_gunicorn(lambda: application, options)
"""


def test_a_request_over_the_timeout_costs_its_worker_which_is_replaced(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "slow.log"
    env = server_env(tmp_path, CPMIS_MODE="test", DJANGO_SETTINGS_MODULE="cpmis.settings")
    with running([sys.executable, "-c", SLOW_SERVER, str(port)], env, log) as server:
        wait_for("the first worker", lambda: get(port, "/")[0] == 200, seconds=30, log=log)
        first = get(port, "/")[1]
        outcome: list[BaseException | int] = []

        def hang() -> None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/hang?child=Ayesha", timeout=60
                ) as response:
                    outcome.append(response.status)
            except OSError as error:
                outcome.append(error)

        client = threading.Thread(target=hang)
        client.start()
        wait_for(
            "another worker answering",
            lambda: get(port, "/")[1] not in {"", first},
            seconds=20,
            log=log,
        )
        client.join(timeout=20)
        assert server.poll() is None  # the master stays
    assert not client.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], OSError), outcome  # cut off, not served
    assert not isinstance(outcome[0], TimeoutError), outcome
    output = log.read_text()
    assert "Request GET /hang has run for" in output
    assert "Ayesha" not in output  # the path is logged, never the query string


# The same, with an exit handler registered in the master (as `cpmis demo` registers one).
EXIT_HANDLER_SERVER = """
import atexit, os, sys
from cpmis import cli

atexit.register(lambda: open(sys.argv[2], "a").write(str(os.getpid()) + "\\n"))

def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]

options = cli._server_options(
    "127.0.0.1:" + sys.argv[1], threads=1, workers=2, timeout=30, when_ready=lambda server: None
)
cli._run_gunicorn(lambda: application, options)
"""


def test_a_worker_leaves_without_running_the_masters_exit_handlers(tmp_path: Path) -> None:
    port, log, ran = free_port(), tmp_path / "exit.log", tmp_path / "exit-handlers"
    env = server_env(tmp_path, CPMIS_MODE="test", DJANGO_SETTINGS_MODULE="cpmis.settings")
    command = [sys.executable, "-c", EXIT_HANDLER_SERVER, str(port), str(ran)]
    with running(command, env, log) as server:
        answered: set[str] = set()  # the workers' pids; each request on a new connection

        def both_answered() -> bool:
            answered.add(get(port, "/")[1])
            return len(answered - {""}) == 2

        wait_for("both workers", both_answered, seconds=30, log=log)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0, log.read_text()
    assert ran.read_text().split() == [str(server.pid)], log.read_text()


def test_a_worker_stopped_before_it_serves_goes_at_once() -> None:
    # Between the fork and the worker's own handlers, the master's would swallow the stop.
    before = {
        stop: signal.getsignal(stop) for stop in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)
    }
    try:
        for stop in before:
            signal.signal(stop, lambda *_: None)
        _post_fork(None, None)
        assert all(signal.getsignal(stop) == signal.SIG_DFL for stop in before)
    finally:
        for stop, handler in before.items():
            signal.signal(stop, handler)


def test_the_request_watch_names_the_oldest_request_over_the_limit() -> None:
    watch = _RequestWatch(limit=60)
    started = time.monotonic()
    watch.begin("POST", "/complaint/")
    assert watch.overdue(started + 30) is None
    late = watch.overdue(started + 90)
    assert late is not None and late[1:] == ("POST", "/complaint/") and late[0] > 60
    watch.end()
    assert watch.overdue(started + 90) is None


def test_it_refuses_a_timeout_too_short_for_the_workers_heartbeat(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [*CPMIS, "serve", "--timeout", "1"],
        env=server_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "--timeout (CPMIS_REQUEST_TIMEOUT) must be at least 2 seconds" in result.stderr
