"""The public complaint form and status page under concurrent load, against a minimal view.

The application runs as ``cpmis serve`` runs it (gunicorn, ``--workers`` 2 x ``--threads`` 4,
the production settings: DEBUG off, a secret key made for the run) in processes of its own on a
free loopback port, on the benchmark's own database: PostgreSQL as for the other benchmarks, or a
SQLite file when no server is given. locust, as a library in this process, runs 50 clients
that never wait, for a bounded time per scenario: a minimal Django view on the same server (the
baseline), the public complaint form (``POST /complaint/``), and the status page (``POST
/complaint/status/`` with the tracking codes the form gave, half of them mistyped). Target: the
form sustains at least 100 submissions per second with p95 under 250 ms; the ratios to the
baseline are printed.
"""

from __future__ import annotations

# Imported first: locust patches the standard library for gevent (sockets, ssl, threads, time),
# which must happen before anything else imports those modules.
from locust import FastHttpUser, constant, constant_throughput, task

# isort: split
import argparse
import csv
import html
import itertools
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from http.cookiejar import Cookie, DefaultCookiePolicy
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
import psutil
from locust.contrib.fasthttp import FastHttpSession, ResponseContextManager
from locust.env import Environment

from ._loadserver import is_sqlite, sqlite_path
from ._support import (
    URL_ENV,
    BenchDatabase,
    BenchError,
    database_resolve,
    fail,
    percentile,
    run_main,
    table,
)

TARGET_RPS = 100.0  # successful submissions per second
PACED_RATE = 105.0  # offered in the paced scenario: a little above the target
TARGET_P95_MS = 250.0

MINIMAL_PATH = "/bench/minimal/"  # bench/_urls.py (not imported here: it needs Django)
MINIMAL_BODY = b"ok"
FORM_PATH = "/complaint/"
STATUS_PATH = "/complaint/status/"
STATUS_RE = re.compile(r'data-status="([^"]*)"')  # the answer of the status page
NOT_FOUND = "not-found"
CODE_RE = re.compile(r'data-tracking-code="([^"]+)"')
COMPLAINT_TABLE = "complaints_complaint"

PROVINCE = "PK-PB"  # Punjab, by ISO code in the reference data
DISTRICT = "Lahore"  # its pcode is read from the reference data
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32, as tracking codes
# The per-address limits of the public pages: every client here is 127.0.0.1.
UNLIMITED = "1000000/m"
NAMES = ["Ayesha", "Fatima", "Zainab", "Maryam", "Hira", "Sana", "Iqra", "Noor"]

NAME_MINIMAL = f"GET {MINIMAL_PATH}"
NAME_FORM = f"POST {FORM_PATH}"
NAME_KNOWN = f"POST {STATUS_PATH} (code from the form)"
NAME_UNKNOWN = f"POST {STATUS_PATH} (mistyped code)"
RETRY_PAUSE = 0.5  # seconds a client waits before fetching a form again after a failure
SERVER_START_TIMEOUT = 60.0
CLIENTS_START_TIMEOUT = 60.0
BUSY_ELSEWHERE = 25.0  # % of a CPU used by others during the baseline: a shared machine


# --- what the clients share ---------------------------------------------------------------------


@dataclass
class Record:
    times: list[float] = field(default_factory=list)  # ms of every request in the window
    failures: Counter[str] = field(default_factory=Counter)  # reason -> count


@dataclass
class LoadState:
    measuring: bool = False
    records: dict[str, Record] = field(default_factory=dict)
    fields: list[tuple[str, str]] = field(default_factory=list)  # the fixed form fields
    codes: list[str] = field(default_factory=list)  # tracking codes the form answered with
    submitted: int = 0  # successful submissions, in the window or not (the database check)
    status_path: str = STATUS_PATH  # where the status clients take their CSRF token
    ready: int = 0  # clients of the scenario that have opened their page
    sessions: list[FastHttpSession] = field(default_factory=list)  # to close after a scenario

    def reset(self) -> None:
        self.records = {}


STATE = LoadState()
_serial = itertools.count(1)


def on_request(
    *, name: str, response_time: float, exception: BaseException | None = None, **_: Any
) -> None:
    """locust's request event: every request in the measuring window, with why it failed."""
    if not STATE.measuring:
        return
    record = STATE.records.setdefault(name, Record())
    record.times.append(response_time)
    if exception is not None:
        record.failures[str(exception)] += 1


# --- pages and forms ----------------------------------------------------------------------------

_FORM = re.compile(r"<form\b.*?</form>", re.IGNORECASE | re.DOTALL)
_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# The public pages' error box (role="alert"), or Django's error lists.
_ERRORS = re.compile(
    r"<div\b[^>]*role=\"alert\"[^>]*>(.*?)</div>|<ul class=\"errorlist[^\"]*\"[^>]*>(.*?)</ul>",
    re.DOTALL,
)
_TAG = re.compile(r"<[^>]+>")
_NOT_TEXT = re.compile(r"<(style|script|head)\b.*?</\1>", re.IGNORECASE | re.DOTALL)


class LoopbackCookies(DefaultCookiePolicy):
    """Send the server's Secure cookies over plain HTTP: in production the application sets
    its cookies (CSRF, session) Secure, as it is served behind TLS; here it is served on
    loopback without TLS, and a client that kept them to itself would only measure refusals."""

    def return_ok_secure(self, cookie: Cookie, request: urllib.request.Request) -> bool:
        return True


def client_prepare(client: FastHttpSession) -> FastHttpSession:
    client.cookiejar.set_policy(LoopbackCookies())
    STATE.sessions.append(client)
    return client


def clients_close() -> None:
    """Close every client's connections: a stopped client keeps them open otherwise, and they
    would count against each gunicorn worker's limit of open connections (worker_connections,
    1,000: beyond it, new connections wait in the listen backlog) until the server drops them
    after 2 idle seconds (its keep-alive)."""
    for client in STATE.sessions:
        client.client.close()
    STATE.sessions.clear()


def hidden_inputs(page: str, field_name: str) -> list[tuple[str, str]]:
    """The hidden inputs of the form that has ``field_name`` (of the whole page if none has)."""
    forms = [f for f in _FORM.findall(page) if f'name="{field_name}"' in f]
    out = []
    for tag in _INPUT.findall(forms[0] if forms else page):
        attrs = {
            m.group(1).lower(): html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR.finditer(tag)
        }
        if attrs.get("type", "").lower() == "hidden" and attrs.get("name"):
            out.append((attrs["name"], attrs.get("value", "")))
    return out


def page_summary(page: str) -> str:
    """What a page says went wrong: its form errors, or the start of its text."""
    errors = [
        " ".join(html.unescape(_TAG.sub(" ", a or b)).split()) for a, b in _ERRORS.findall(page)
    ]
    if errors:
        return "the page says: " + "; ".join(errors)
    text = " ".join(html.unescape(_TAG.sub(" ", _NOT_TEXT.sub(" ", page))).split())
    return text[:300]


def _body(response: ResponseContextManager) -> str:
    return (response.content or b"").decode("utf-8", "replace")


def _reason(response: ResponseContextManager) -> str:
    error = response.request_meta.get("exception")
    if not response.status_code:
        return f"no answer ({type(error).__name__})" if error else "no answer"
    return f"HTTP {response.status_code}"


def form_fetch(
    client: FastHttpSession, path: str, field_name: str
) -> tuple[list[tuple[str, str]], str]:
    """GET a form page: the hidden inputs of its form (with the CSRF token; the cookie goes to
    the client's jar), or none and the reason."""
    with client.get(path, name=f"GET {path}", catch_response=True) as response:
        if response.status_code != 200:
            response.failure(_reason(response))
            return [], f"{_reason(response)}: {page_summary(_body(response))}"
        hidden = hidden_inputs(_body(response), field_name)
        if not any(name == "csrfmiddlewaretoken" for name, _ in hidden):
            response.failure("no CSRF token in the page")
            return [], f"no form with a field {field_name!r} and a CSRF token"
        response.success()
        return hidden, ""


def complaint_fields() -> list[tuple[str, str]]:
    """A distinct synthetic complaint: the fixed fields and a narrative of its own."""
    serial = next(_serial)
    number = random.randrange(10**9)
    return [
        *STATE.fields,
        (
            "narrative",
            f"Synthetic benchmark complaint {serial}-{number}: a girl in the next street is "
            "beaten at home and has not been to school for three weeks.",
        ),
        ("child_name", random.choice(NAMES)),
        ("child_age", "12"),
        ("child_sex", "female"),
        ("website", ""),  # the honeypot, empty as a person leaves it
    ]


def _merge(hidden: list[tuple[str, str]], ours: list[tuple[str, str]]) -> str:
    """The form's own hidden inputs (CSRF token, language), then ours (which win)."""
    names = {name for name, _ in ours}
    return urlencode([(n, v) for n, v in hidden if n not in names] + ours)


def _post_headers(client: FastHttpSession, path: str) -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"{client.base_url}{path}",
    }


@dataclass(frozen=True)
class Submission:
    ok: bool
    code: str
    reason: str  # why not, with what the page said


def complaint_submit(client: FastHttpSession, hidden: list[tuple[str, str]]) -> Submission:
    """POST the public form; a success is a 200 whose page shows a tracking code."""
    body = _merge(hidden, complaint_fields())
    headers = _post_headers(client, FORM_PATH)
    with client.post(
        FORM_PATH, data=body, headers=headers, name=NAME_FORM, catch_response=True
    ) as r:
        page = _body(r)
        match = CODE_RE.search(page) if r.status_code == 200 else None
        if match is None:
            reason = _reason(r) if r.status_code != 200 else "HTTP 200 without a tracking code"
            r.failure(reason)
            return Submission(False, "", f"{reason}: {page_summary(page)}")
        r.success()
    code = html.unescape(match.group(1))
    STATE.submitted += 1
    if len(STATE.codes) < 100_000:
        STATE.codes.append(code)
    return Submission(True, code, "")


def mistyped(code: str, rng: random.Random) -> str:
    """The code with one symbol changed (the check symbol catches every such mistake)."""
    positions = [i for i, ch in enumerate(code) if ch.upper() in CODE_ALPHABET]
    if not positions:
        return code + "0"
    i = rng.choice(positions)
    other = rng.choice([ch for ch in CODE_ALPHABET if ch != code[i].upper()])
    return code[:i] + other + code[i + 1 :]


def status_lookup(
    client: FastHttpSession, hidden: list[tuple[str, str]], code: str, *, known: bool
) -> tuple[bool, str]:
    """POST the status page: a 200 either way, which finds a code the form gave and does not
    find a mistyped one (``data-status`` of the answer: the status, or "not-found")."""
    body = _merge(hidden, [("code", code)])
    headers = _post_headers(client, STATUS_PATH)
    name = NAME_KNOWN if known else NAME_UNKNOWN
    with client.post(STATUS_PATH, data=body, headers=headers, name=name, catch_response=True) as r:
        page = _body(r)
        if r.status_code != 200:
            reason = _reason(r)
        else:
            match = STATUS_RE.search(page)
            if match is None:
                reason = "HTTP 200 without a status"
            elif known and match.group(1) == NOT_FOUND:
                reason = "HTTP 200, a code the form gave not found"
            elif not known and match.group(1) != NOT_FOUND:
                reason = "HTTP 200, a mistyped code found"
            else:
                r.success()
                return True, ""
        r.failure(reason)
        return False, f"{reason}: {page_summary(page)}"


# --- the clients --------------------------------------------------------------------------------


class _Client(FastHttpUser):
    abstract = True
    wait_time = constant(0)  # no think time: as many requests as the server answers

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_prepare(self.client)

    def on_start(self) -> None:
        self.open()
        STATE.ready += 1

    def open(self) -> None:
        """Open the page the client works with (before the measured window)."""


class MinimalClient(_Client):
    @task
    def minimal(self) -> None:
        with self.client.get(MINIMAL_PATH, name=NAME_MINIMAL, catch_response=True) as r:
            if r.status_code == 200 and r.content == MINIMAL_BODY:
                r.success()
            else:
                r.failure(_reason(r))


class FormClient(_Client):
    """Opens the form once (CSRF cookie and token), then submits complaint after complaint."""

    hidden: list[tuple[str, str]]

    def open(self) -> None:
        self.hidden, _ = form_fetch(self.client, FORM_PATH, "narrative")

    @task
    def submit(self) -> None:
        if not self.hidden:
            self.open()
            if not self.hidden:
                gevent.sleep(RETRY_PAUSE)
                return
        result = complaint_submit(self.client, self.hidden)
        if not result.ok and "HTTP 403" in result.reason:
            self.hidden = []  # a refused token: open the form again


class PacedFormClient(FormClient):
    """The same submissions at a fixed offered rate (an open load: clients do not wait for
    the server to catch up before the next one is due): does the form sustain that rate, and
    at which latency? ``run`` sets the rate per client from ``--rate``."""

    wait_time = constant_throughput(2.0)


class StatusClient(_Client):
    """Opens the status page once, then looks up codes: every other one mistyped."""

    hidden: list[tuple[str, str]]
    rng: random.Random
    lookups: int

    def open(self) -> None:
        if not hasattr(self, "rng"):
            self.rng = random.Random()
            self.lookups = 0
        if STATE.status_path == STATUS_PATH:
            self.hidden, _ = form_fetch(self.client, STATUS_PATH, "code")
        else:  # the status page has no form of its own: the token of the complaint form
            hidden, _ = form_fetch(self.client, FORM_PATH, "narrative")
            self.hidden = [(n, v) for n, v in hidden if n == "csrfmiddlewaretoken"]

    @task
    def lookup(self) -> None:
        if not self.hidden:
            self.open()
            if not self.hidden:
                gevent.sleep(RETRY_PAUSE)
                return
        self.lookups += 1
        code = self.rng.choice(STATE.codes)
        known = self.lookups % 2 == 0
        ok, reason = status_lookup(
            self.client, self.hidden, code if known else mistyped(code, self.rng), known=known
        )
        if not ok and "HTTP 403" in reason:
            self.hidden = []


# --- the database -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Store:
    url: str  # DATABASE_URL of the dedicated database
    label: str
    postgres: BenchDatabase | None  # None: SQLite

    def complaints(self) -> int | None:
        """Rows of the complaints table, or None when there is no such table (yet)."""
        if self.postgres is None:
            import sqlite3

            try:
                with closing(sqlite3.connect(sqlite_path(self.url))) as conn:
                    exists = conn.execute(
                        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        [COMPLAINT_TABLE],
                    ).fetchone()
                    if not exists:
                        return None
                    return int(
                        conn.execute("SELECT COUNT(*) FROM complaints_complaint").fetchone()[0]
                    )
            except sqlite3.Error:
                return None
        import psycopg
        from psycopg.conninfo import make_conninfo

        try:
            info = make_conninfo("", dbname=self.postgres.name, **self.postgres.conninfo)
            with psycopg.connect(info) as conn:
                row = conn.execute("SELECT to_regclass(%s)", [COMPLAINT_TABLE]).fetchone()
                if row is None or row[0] is None:
                    return None
                count = conn.execute("SELECT COUNT(*) FROM complaints_complaint").fetchone()
                return int(count[0]) if count else None
        except psycopg.Error:
            return None


def _var_dir() -> Path:
    return Path(os.environ.get("CPMIS_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")


def store_resolve(cli_url: str | None, *, sqlite: bool) -> Store:
    """PostgreSQL as the other benchmarks (``--database-url`` or the environment), else SQLite."""
    url = (
        ""
        if sqlite
        else (cli_url or next((os.environ[k] for k in URL_ENV if os.environ.get(k)), ""))
    )
    if url and not is_sqlite(url):
        db = database_resolve(url)
        return Store(db.url, f"PostgreSQL database {db.describe()}", db)
    if url:
        path = sqlite_path(url)
        if "bench" not in path.name:  # never the application's own file
            path = path.with_name(f"{path.stem}_bench{path.suffix or '.sqlite3'}")
    else:
        path = _var_dir() / "complaint_load_bench.sqlite3"
    path = path.resolve()
    return Store(f"sqlite:///{path}", f"SQLite file {path}", None)


# --- the server ---------------------------------------------------------------------------------


def _server_env(*, conn_max_age: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "CPMIS_MODE": "production",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),  # made for this run
            "CPMIS_SSL_REDIRECT": "0",  # locust speaks plain HTTP to 127.0.0.1
            "ALLOWED_HOSTS": "127.0.0.1",
            "CPMIS_PUBLIC_RATE_LIMIT": UNLIMITED,
            "CPMIS_PUBLIC_GLOBAL_RATE_LIMIT": UNLIMITED,
            "CPMIS_STATUS_RATE_LIMIT": UNLIMITED,
            "DATABASE_CONN_MAX_AGE": str(conn_max_age),
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def database_prepare(store: Store, env: dict[str, str], *, fresh: bool) -> None:
    command = [sys.executable, "-m", "bench._loadserver", "prepare", "--database-url", store.url]
    sys.stdout.flush()
    done = subprocess.run(  # noqa: S603 (this interpreter, a module of this package)
        [*command, *(["--fresh"] if fresh else [])], env=env, check=False
    )
    if done.returncode != 0:
        raise BenchError("Preparing the database failed (see above).", code=1)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(f"    | {line}" for line in text[-lines:])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        code = server.process.poll()
        if code is not None:
            raise BenchError(
                f"The server exited with code {code} before answering; its log:\n"
                f"{_tail(server.log_path)}",
                code=1,
            )
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise BenchError(
                f"The server did not answer /healthz within {SERVER_START_TIMEOUT:.0f} s; its "
                f"log:\n{_tail(server.log_path)}",
                code=1,
            )
        time.sleep(0.2)


@contextmanager
def server_running(
    store: Store, env: dict[str, str], *, threads: int, workers: int = 1
) -> Iterator[Server]:
    """The application under gunicorn in a subprocess, answering /healthz; always stopped."""
    port = _free_port()
    handle, name = tempfile.mkstemp(prefix="cpmis-complaint-load-", suffix=".log")
    log = os.fdopen(handle, "wb")
    command = [
        sys.executable,
        "-m",
        "bench._loadserver",
        "serve",
        "--database-url",
        store.url,
        "--port",
        str(port),
        "--threads",
        str(threads),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(  # noqa: S603 (this interpreter, a module of this package)
        command, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    server = Server(process, f"http://127.0.0.1:{port}", Path(name))
    try:
        _wait_healthy(server)
        yield server
    except BaseException:
        fail(f"the server's log is kept: {server.log_path}")
        raise
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


# --- the load -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    records: dict[str, Record]
    seconds: float
    cpu_machine: float  # busy share of the machine, in % of one CPU (2 CPUs busy = 200)
    cpu_locust: float  # this process (the load generator)
    cpu_server: float  # the application server (not the database's processes)
    locust_errors: int  # exceptions in the clients' code

    @property
    def cpu_other(self) -> float:
        """The database server's processes, and anything else running on the machine."""
        return max(self.cpu_machine - self.cpu_locust - self.cpu_server, 0.0)


@dataclass(frozen=True)
class Row:
    label: str
    times: list[float]
    failures: Counter[str]
    seconds: float

    @property
    def requests(self) -> int:
        return len(self.times)

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def ok_rps(self) -> float:
        return (self.requests - self.failed) / self.seconds

    @property
    def p50(self) -> float:
        return percentile(self.times, 50)

    @property
    def p95(self) -> float:
        return percentile(self.times, 95)

    @classmethod
    def of(cls, label: str, window: Window, names: Sequence[str]) -> Row:
        times: list[float] = []
        failures: Counter[str] = Counter()
        for name in names:
            record = window.records.get(name, Record())
            times += record.times
            failures += record.failures
        return cls(label, times, failures, window.seconds)


def _cpu_busy() -> float:
    t = psutil.cpu_times()
    return float(t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0))


def _process_cpu(process: psutil.Process) -> float:
    """CPU seconds of the server: the process, its worker processes (``--workers``), and the
    workers it has replaced (after gunicorn's max_requests), counted in its children's times
    once it has reaped them."""
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        reaped = getattr(t, "children_user", 0.0) + getattr(t, "children_system", 0.0)
        total += float(t.user + t.system + reaped)
    return total


def load(
    user_class: type[_Client], server: Server, *, users: int, seconds: float, warmup: float
) -> Window:
    """``users`` clients of ``user_class`` for ``warmup`` + ``seconds``; the last are measured."""
    env = Environment(user_classes=[user_class], host=server.base_url, stop_timeout=30)
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    server_process = psutil.Process(server.process.pid)
    STATE.ready = 0
    try:
        runner.start(users, spawn_rate=users)
        deadline = time.monotonic() + CLIENTS_START_TIMEOUT
        while STATE.ready < users:  # every client has opened its page (not measured)
            if time.monotonic() > deadline:
                raise BenchError(
                    f"Only {STATE.ready} of {users} clients opened their page within "
                    f"{CLIENTS_START_TIMEOUT:.0f} s.",
                    code=1,
                )
            gevent.sleep(0.05)
        gevent.sleep(warmup)
        STATE.reset()
        started = (time.perf_counter(), _cpu_busy(), time.process_time())
        server_started = _process_cpu(server_process)
        STATE.measuring = True
        gevent.sleep(seconds)
        STATE.measuring = False
        elapsed = time.perf_counter() - started[0]
        machine = (_cpu_busy() - started[1]) / elapsed * 100
        own = (time.process_time() - started[2]) / elapsed * 100
        served = (_process_cpu(server_process) - server_started) / elapsed * 100
        records = STATE.records
        STATE.reset()
        # Gracefully: every client finishes the request it is in (its answer is read), so the
        # complaints stored match the successes counted.
        runner.stop()
        errors = sum(int(e["count"]) for e in runner.exceptions.values())
    finally:
        STATE.measuring = False
        runner.quit()
        clients_close()
    return Window(records, elapsed, machine, own, served, errors)


# --- checks before loading ------------------------------------------------------------------------


def _check_session(server: Server) -> FastHttpSession:
    env = Environment()
    return client_prepare(
        FastHttpSession(server.base_url, request_event=env.events.request, user=None)
    )


def baseline_check(server: Server) -> None:
    client = _check_session(server)
    try:
        with client.get(MINIMAL_PATH, catch_response=True) as r:
            ok = r.status_code == 200 and r.content == MINIMAL_BODY
            r.success()
    finally:
        clients_close()
    if not ok:
        raise BenchError(f"GET {MINIMAL_PATH} answered {_reason(r)}: {page_summary(_body(r))}", 1)


def form_check(server: Server) -> str:
    """One submission and two lookups through the same code as the clients: the tracking code
    (BenchError if any answer is not what the clients count as a success)."""
    try:
        return _form_check(_check_session(server))
    finally:
        clients_close()


def _form_check(client: FastHttpSession) -> str:
    hint = " (--baseline-only measures the baseline alone)"
    hidden, why = form_fetch(client, FORM_PATH, "narrative")
    if not hidden:
        raise BenchError(f"GET {FORM_PATH}: {why}{hint}", code=1)
    result = complaint_submit(client, hidden)
    if not result.ok:
        raise BenchError(f"POST {FORM_PATH}: {result.reason}{hint}", code=1)
    status_hidden, why = form_fetch(client, STATUS_PATH, "code")
    if not status_hidden:
        print(f"  GET {STATUS_PATH}: {why}; the status clients use the form's CSRF token")
        STATE.status_path = FORM_PATH
        status_hidden = [(n, v) for n, v in hidden if n == "csrfmiddlewaretoken"]
    rng = random.Random(0)
    for code, known in ((result.code, True), (mistyped(result.code, rng), False)):
        ok, why = status_lookup(client, status_hidden, code, known=known)
        if not ok:
            raise BenchError(f"POST {STATUS_PATH} with {code!r}: {why}{hint}", code=1)
    return result.code


def reference_fields() -> list[tuple[str, str]]:
    """The fixed fields of every complaint: Punjab and Lahore, from the shipped reference data."""
    data = files("cpmis.reference") / "data"
    with (data / "jurisdictions.csv").open(encoding="utf-8") as f:
        province = next((r for r in csv.DictReader(f) if r["iso_code"] == PROVINCE), None)
    with (data / "districts.csv").open(encoding="utf-8") as f:
        district = next(
            (
                r
                for r in csv.DictReader(f)
                if province and r["jurisdiction_pcode"] == province["pcode"]
                if r["name_en"] == DISTRICT
            ),
            None,
        )
    if province is None or district is None:
        raise BenchError(f"No {DISTRICT} in {PROVINCE} in the reference data.", code=1)
    return [
        ("language", "en"),
        ("jurisdiction", PROVINCE),
        ("district", district["pcode"]),
        ("concerns", "abused"),
    ]


# --- report -------------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return "-" if value != value else f"{value:.1f}"  # NaN: no requests


def _ratio(value: float, base: float) -> str:
    if not base or value != value or base != base:
        return "-"
    return f"{value / base:.2f}x"


def results_table(baseline: Row, rows: Sequence[tuple[Row, bool]]) -> str:
    out = []
    for row, main in rows:
        out.append(
            [
                row.label if main else f"  {row.label}",
                f"{row.requests:,}",
                f"{row.failed:,}",
                f"{row.rps:.1f}",
                _ms(row.p50),
                _ms(row.p95),
                _ratio(row.rps, baseline.rps) if main else "",
                _ratio(row.p95, baseline.p95) if main else "",
            ]
        )
    headers = ["scenario", "requests", "failed", "req/s", "p50 ms", "p95 ms", "req/s ratio"]
    return table([*headers, "p95 ratio"], out)


def cpu_table(windows: Sequence[tuple[str, Window]]) -> str:
    rows = [
        [
            label,
            f"{w.cpu_machine:.0f} %",
            f"{w.cpu_locust:.0f} %",
            f"{w.cpu_server:.0f} %",
            f"{w.cpu_other:.0f} %",
        ]
        for label, w in windows
    ]
    cpus = os.cpu_count() or 0
    headers = [f"CPU ({cpus} CPUs = {cpus * 100} %)", "machine", "locust", "app server"]
    return table([*headers, "database and other"], rows)


def failures_lines(rows: Sequence[Row]) -> list[str]:
    lines = []
    for row in rows:
        if row.failures:
            reasons = ", ".join(f"{n:,} x {why}" for why, n in row.failures.most_common(5))
            lines.append(f"  {row.label}: {reasons}")
    return lines


def _load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


# --- main ---------------------------------------------------------------------------------------


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench complaint_load",
        description=(__doc__ or "").strip().splitlines()[0],
    )
    parser.add_argument(
        "--seconds", type=float, default=15.0, help="measured seconds per scenario (15)"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first (2)")
    parser.add_argument("--smoke", action="store_true", help="3 s per scenario, 1 s warm-up")
    parser.add_argument("--users", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gunicorn worker process (4)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="server worker processes, one per core (2)"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=PACED_RATE,
        help=f"submissions per second offered in the paced scenario ({PACED_RATE:g})",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=int(os.environ.get("DATABASE_CONN_MAX_AGE") or 60),
        help="DATABASE_CONN_MAX_AGE of the server (default: the environment's, else 60 as "
        "`cpmis serve` has it: connections kept for a minute)",
    )
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server (as for child_search); without one (or with --sqlite) a SQLite "
        "file in var/",
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite even if a URL is set")
    parser.add_argument("--fresh", action="store_true", help="recreate the database first")
    parser.add_argument(
        "--baseline-only", action="store_true", help="only the minimal view (no complaint form)"
    )
    args = parser.parse_args(list(argv))
    if args.smoke:
        args.seconds, args.warmup = 3.0, 1.0
    if (
        args.seconds <= 0
        or args.warmup < 0
        or args.users < 1
        or args.threads < 1
        or args.workers < 1
        or args.rate <= 0
    ):
        parser.error(
            "--seconds, --users, --threads, --workers and --rate must be positive, "
            "--warmup not negative"
        )
    return args


def main(argv: Sequence[str]) -> int:
    return run_main(arguments, run, argv)


def run(args: argparse.Namespace) -> int:
    store = store_resolve(args.database_url, sqlite=args.sqlite)
    print(
        f"complaint_load: {args.users} clients, {args.seconds:g} s per scenario "
        f"(+{args.warmup:g} s warm-up), gunicorn with {args.workers} workers x "
        f"{args.threads} threads, DATABASE_CONN_MAX_AGE={args.conn_max_age}, {store.label}",
        flush=True,
    )
    started = time.perf_counter()
    STATE.fields = reference_fields()
    env = _server_env(conn_max_age=args.conn_max_age)
    database_prepare(store, env, fresh=args.fresh)

    windows: list[tuple[str, Window]] = []
    stored_new: int | None = None  # complaints the form scenario added to the table
    stored_ok = 0  # its successful submissions
    PacedFormClient.wait_time = constant_throughput(args.rate / args.users)
    with server_running(store, env, threads=args.threads, workers=args.workers) as server:
        print(f"  server {server.base_url} (pid {server.process.pid}) answers /healthz")
        baseline_check(server)
        if not args.baseline_only:
            form_check(server)
            print("  one submission and two status lookups answered as expected")
        print(f"  load average before: {_load_average()}", flush=True)

        scenarios: list[tuple[str, type[_Client]]] = [("baseline", MinimalClient)]
        if not args.baseline_only:
            scenarios += [
                ("form", FormClient),
                ("form-paced", PacedFormClient),
                ("status", StatusClient),
            ]
        for label, user_class in scenarios:
            if label == "status" and not STATE.codes:
                raise BenchError("The form gave no tracking code to look up.", code=1)
            before = STATE.submitted
            count_before = store.complaints() if label.startswith("form") else None
            print(f"  {label}: {args.users} clients ...", end="", flush=True)
            t = time.perf_counter()
            window = load(
                user_class, server, users=args.users, seconds=args.seconds, warmup=args.warmup
            )
            windows.append((label, window))
            print(f" {time.perf_counter() - t:.1f} s", flush=True)
            if label.startswith("form"):
                gevent.sleep(0.5)  # the last answers were read; their transactions are done
                count_after = store.complaints()
                if count_before is not None and count_after is not None:
                    stored_new = (stored_new or 0) + count_after - count_before
                stored_ok += STATE.submitted - before
        print(f"  load average after: {_load_average()}", flush=True)
        server_alive = server.process.poll() is None

    by_label = dict(windows)
    baseline = Row.of(f"baseline {NAME_MINIMAL}", by_label["baseline"], [NAME_MINIMAL])
    rows: list[tuple[Row, bool]] = [(baseline, True)]
    form: Row | None = None
    if "form" in by_label:
        rows.append((Row.of(f"form {NAME_FORM}", by_label["form"], [NAME_FORM]), True))
    if "form-paced" in by_label:
        form = Row.of(f"form at {args.rate:g}/s offered", by_label["form-paced"], [NAME_FORM])
        rows.append((form, True))
    if "status" in by_label:
        w = by_label["status"]
        rows.append((Row.of(f"status POST {STATUS_PATH}", w, [NAME_KNOWN, NAME_UNKNOWN]), True))
        rows.append((Row.of("code from the form", w, [NAME_KNOWN]), False))
        rows.append((Row.of("mistyped code", w, [NAME_UNKNOWN]), False))

    print(
        f"\nResults ({args.users} concurrent clients, {args.workers} server processes x "
        f"{args.threads} threads; no think time but in the paced scenario; {args.seconds:g} s "
        "measured per scenario; ratios to the baseline):"
    )
    print(results_table(baseline, rows))
    print()
    print(cpu_table(windows))
    busy = by_label["baseline"].cpu_other
    if busy > BUSY_ELSEWHERE:
        print(
            f"  Other processes took {busy:.0f} % of a CPU during the baseline (which does not "
            "touch the database): the machine was shared, the figures are noisy."
        )
    problems = failures_lines([r for r, _ in rows])
    if problems:
        print("\nFailures:")
        print("\n".join(problems))
    errors = sum(w.locust_errors for _, w in windows)
    if errors:
        print(f"\n{errors} exceptions in the clients' own code (a bug in this benchmark).")
    if not server_alive:
        print("\nThe server died during the run.")
    if problems or errors or not server_alive:
        print(f"  server log ({server.log_path}):\n{_tail(server.log_path)}")
    else:
        server.log_path.unlink(missing_ok=True)

    if form is not None:
        if stored_new is None:
            print(
                f"\nStored complaints: unknown (no table {COMPLAINT_TABLE}); "
                f"{stored_ok:,} successful submissions."
            )
        else:
            verdict = "one per success" if stored_new == stored_ok else "MISMATCH"
            print(
                f"\nStored complaints: {stored_new:,} new rows in {COMPLAINT_TABLE} for "
                f"{stored_ok:,} successful submissions ({verdict})."
            )
        rps_ok = form.ok_rps >= TARGET_RPS
        p95_ok = form.p95 < TARGET_P95_MS
        print(
            f"\nTarget (the form, {args.users} clients offering {args.rate:g} submissions a "
            "second on this machine):"
        )
        print(
            f"  {'MET' if rps_ok else 'MISSED':<6} at least {TARGET_RPS:.0f} successful "
            f"submissions per second: {form.ok_rps:.1f}"
        )
        print(
            f"  {'MET' if p95_ok else 'MISSED':<6} p95 under {TARGET_P95_MS:.0f} ms: {form.p95:.1f}"
        )
        print(f"Target {'met' if rps_ok and p95_ok else 'missed'}.")
    else:
        print("\nTarget: not measured (the baseline only).")
    print(f"\nTotal {time.perf_counter() - started:.0f} s.")
    return 0
