"""The ``cpmis`` command: demo, serve, manage (Django commands) and bench."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any


def _django(mode: str | None = None) -> None:
    if mode:
        os.environ["CPMIS_MODE"] = mode
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpmis.settings")
    import django

    _make_directories()
    django.setup()


def _make_directories() -> None:
    """The directories the settings name, made when the command starts: importing the settings
    (a test run, mypy, a library) writes nothing to disk."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        static_root, database = Path(settings.STATIC_ROOT), settings.DATABASES["default"]
    except ImproperlyConfigured:
        return  # Django reports it, with its hint, when the command runs
    directories = [static_root]  # whitenoise warns on every start without it
    if database["ENGINE"] == "django.db.backends.sqlite3" and str(database["NAME"]) != ":memory:":
        directories.append(Path(database["NAME"]).parent)  # SQLite will not create it
    for directory in directories:
        with contextlib.suppress(OSError):  # read-only deployments: Django says what is missing
            directory.mkdir(parents=True, exist_ok=True)


# --- the server (`cpmis serve`): gunicorn, configured here and nowhere else ---------------------

REQUEST_TIMEOUT = 60  # seconds a request may run (CPMIS_REQUEST_TIMEOUT, --timeout)
MIN_TIMEOUT = 2  # an idle gthread worker reports to its master about once a second
GRACEFUL_TIMEOUT = 30  # seconds requests in flight get when a worker is stopped gracefully
# A worker is replaced after 100,000 to 150,000 requests: that bounds a slow memory leak, and
# is seldom, because a worker that stops sends its clients' kept-alive connections to the others
# (a proxy's, a benchmark's: they stay there, one worker serving them all, until they close),
# and two stopping together leave none taking connections for up to 2 s. (At 10,000, workers
# were replaced during a complaint_load run; its 50 clients then sat on one of the two workers
# and its saturation figures fell.)
MAX_REQUESTS = 100_000
MAX_REQUESTS_JITTER = 50_000
BACKLOG = 2048  # connections the kernel queues for the workers (net.core.somaxconn caps it)
WORKER_CONNECTIONS = 1000  # open connections a worker holds at most (gunicorn's default)
# Method, path without its query string, status, bytes, milliseconds: no query string, client
# address, referrer or user agent (a search's query string or a referrer may hold a child's name).
ACCESS_LOG_FORMAT = "%(t)s %(p)s %(m)s %(U)s %(s)s %(B)s %(M)sms"


def _env_count(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        sys.exit(f"{name} must be a whole number, not {raw!r}.")


def _serve(
    host: str, port: int, threads: int, workers: int = 1, *, timeout: int | None = None
) -> None:
    """Serve the application with gunicorn: a master process that supervises ``workers``
    processes of ``threads`` threads each (the gthread worker), all accepting on one listening
    socket. Python runs one thread at a time per process, so a server uses one worker per core.

    What the master does, by gunicorn's signals:

    - a worker that dies (a crash, ``kill -9``, the OOM killer) is replaced at once; the others
      go on serving;
    - SIGHUP: new workers start and the old ones stop gracefully (their requests finish). The
      code is the master's, loaded once (``preload_app``, below), so HUP renews the processes
      (their memory, database connections), not the code: to deploy new code, restart;
    - SIGTERM: graceful stop. No new connections; requests in flight get GRACEFUL_TIMEOUT
      seconds; exit status 0;
    - SIGINT (Ctrl+C) and SIGQUIT: fast stop, requests in flight are cut off;
    - SIGTTIN / SIGTTOU: one worker more / fewer.

    Timeouts. gunicorn's ``timeout`` (``timeout`` here: --timeout, CPMIS_REQUEST_TIMEOUT, 60 s)
    kills a worker whose main loop has been silent that long; with threads, that loop keeps
    beating while a request hangs in one of them, so each worker also watches its own requests
    (``_RequestWatch``): one that runs longer than ``timeout`` makes its worker stop taking
    connections and leave, the master starts another, and the request is cut off when the
    worker exits, at most GRACEFUL_TIMEOUT + 1 s later (Python cannot stop one thread alone).

    Also: a worker is replaced after MAX_REQUESTS (+ jitter) requests, which bounds a slow
    memory leak; a worker holds at most WORKER_CONNECTIONS open connections, and beyond that
    new ones wait in the listen backlog (BACKLOG); a kept-alive connection is closed after 2
    idle seconds (gunicorn's default: a proxy that keeps upstream connections must drop idle
    ones sooner). gunicorn trusts no X-Forwarded-* header (Django's settings decide:
    CPMIS_PROXY_TLS_HEADER, CPMIS_PROXY_COUNT), and has no control socket (signals suffice,
    and two servers on one machine would share its path). Its messages go to stderr at
    LOG_LEVEL, query strings taken out as from every log record (cpmis.core.logging,
    installed when Django starts in the master); the access log is off unless CPMIS_ACCESS_LOG=1,
    then on stdout as ACCESS_LOG_FORMAT. Each worker keeps its own database connections and
    its own in-memory cache (CPMIS_CACHE_LOCATION names a shared one)."""
    if timeout is None:
        timeout = _env_count("CPMIS_REQUEST_TIMEOUT", REQUEST_TIMEOUT)
    if timeout < MIN_TIMEOUT:
        sys.exit(f"--timeout (CPMIS_REQUEST_TIMEOUT) must be at least {MIN_TIMEOUT} seconds.")
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    processes = f"{workers} worker process{'es' if workers > 1 else ''}"

    def when_ready(server: Any) -> None:  # the master, once the socket listens
        print(
            f"cpmis is listening on http://{address}/ with {processes} x {threads} threads "
            "(gunicorn; Ctrl+C stops it)",
            flush=True,
        )

    options = _server_options(
        address, threads=threads, workers=workers, timeout=timeout, when_ready=when_ready
    )
    _run_gunicorn(_load_application, options)


def _load_application() -> Any:
    """The WSGI application, loaded once, in the master (``preload_app``)."""
    from django.db import connections

    from cpmis.wsgi import application

    connections.close_all()  # the master's (--migrate): none may cross the fork
    return application


def _server_options(
    address: str, *, threads: int, workers: int, timeout: int, when_ready: Any
) -> dict[str, Any]:
    """gunicorn's settings for ``cpmis serve`` (see ``_serve``)."""
    access_log = os.environ.get("CPMIS_ACCESS_LOG", "").strip().lower() in {"1", "true", "on"}
    return {
        # One listening socket that every worker accepts from: a worker that stops (HUP,
        # max_requests, the request watch) leaves the connections waiting to the others.
        # (gunicorn's reuse_port gives each worker a socket of its own, spreading long-lived
        # connections more evenly, but resets those queued on a worker that stops.)
        "bind": [address],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "worker_connections": WORKER_CONNECTIONS,
        "backlog": BACKLOG,
        "timeout": timeout,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "max_requests": MAX_REQUESTS,
        "max_requests_jitter": MAX_REQUESTS_JITTER,
        # Preloaded: the master has run Django already (settings, --migrate; the benchmark's
        # URLs), so a worker loading the code again could never give HUP a consistent new
        # version; loading it once makes an error in it fail once, before any fork, and makes
        # a replacement worker start in milliseconds. The price, database connections opened
        # in the master, is paid in _load_application and pre_fork.
        "preload_app": True,
        "proc_name": "cpmis",
        # No peer may set the scheme (X-Forwarded-Proto …) or SCRIPT_NAME: Django's settings
        # decide (CPMIS_PROXY_TLS_HEADER). gunicorn's default trusts 127.0.0.1, so anything on
        # this machine that passes a client's headers through would make plain HTTP "secure".
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "control_socket_disable": True,
        "accesslog": "-" if access_log else None,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": os.environ.get("LOG_LEVEL", "info").lower(),
        "when_ready": when_ready,
        "pre_fork": _pre_fork,
        "post_fork": _post_fork,
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
        "child_exit": _child_exit,
        "pre_request": _pre_request,
        "post_request": _post_request,
    }


def _run_gunicorn(load: Any, options: dict[str, Any]) -> None:
    """Run gunicorn's master with ``options`` on the WSGI application ``load()`` returns, through
    gunicorn's custom-application API (no configuration file, GUNICORN_CMD_ARGS or other
    environment variable of gunicorn's is read)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return load()

    Server().run()


class _RequestWatch:
    """The requests in flight in one worker process, by thread, and the oldest one over the
    limit: gunicorn's own timeout does not see a request that hangs in a thread."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self._started: dict[int, tuple[float, str, str]] = {}
        self._lock = threading.Lock()

    def begin(self, method: str, path: str) -> None:
        with self._lock:
            self._started[threading.get_ident()] = (time.monotonic(), method, path)

    def end(self) -> None:
        with self._lock:
            self._started.pop(threading.get_ident(), None)

    def overdue(self, now: float) -> tuple[float, str, str] | None:
        """(seconds, method, path) of the longest-running request over the limit, if any."""
        with self._lock:
            running = list(self._started.values())
        late = [(now - started, method, path) for started, method, path in running]
        return max((r for r in late if r[0] > self.limit), default=None)


_watch: _RequestWatch | None = None  # this worker's; set in the worker, after the fork


def _pre_fork(server: Any, worker: Any) -> None:
    from django.db import connections

    connections.close_all()  # a respawn forks the master again: no connection may cross it


def _post_fork(server: Any, worker: Any) -> None:
    """In a new worker, before it starts: until gunicorn installs the worker's own signal
    handlers, the master's are in force, and they only queue a signal for the master's loop, which
    a worker never runs. A stop asked for in that moment (TERM, INT, QUIT: the master stopping, or
    replacing it at once) would be lost, and the master would wait its whole graceful timeout
    for the worker; with the default actions the worker, which serves nothing yet, goes at once."""
    for stop in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(stop, signal.SIG_DFL)


def _post_worker_init(worker: Any) -> None:
    global _watch
    _watch = _RequestWatch(worker.cfg.timeout)
    watchdog = threading.Thread(
        target=_watch_requests,
        args=(worker, _watch, worker.cfg.graceful_timeout),
        name="cpmis-request-watch",
        daemon=True,
    )
    watchdog.start()


def _child_exit(server: Any, worker: Any) -> None:
    """In the master, for a worker that has gone: its request counts stay in /metrics' sums,
    its live gauges go (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def _metrics_directory() -> None:
    """Before Django starts: the directory where every server process writes its request
    metrics, so that /metrics, answered by any one of them, sums them all (prometheus_client's
    multiprocess mode). The operator's PROMETHEUS_MULTIPROC_DIR if set (it must be emptied
    between starts), else a fresh one, removed when the server stops."""
    import atexit
    import shutil
    import tempfile

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    directory = tempfile.mkdtemp(prefix="cpmis-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    atexit.register(shutil.rmtree, directory, ignore_errors=True)


def _worker_exit(server: Any, worker: Any) -> None:
    """A worker leaves at once, with its exit status, once gunicorn is done with it: the master's
    exit handlers are not its own (``cpmis demo`` stops its job worker in one), and the native
    libraries the master loaded (the demo's linkage: numpy, DuckDB) may crash a forked child's
    interpreter shutdown. gunicorn also calls this in the master, for a worker already gone."""
    if os.getpid() != worker.pid:
        return
    code = getattr(sys.exc_info()[1], "code", 0)  # the SystemExit that ends the worker
    logging.shutdown()  # flushes gunicorn's log
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


def _pre_request(worker: Any, req: Any) -> None:
    if _watch is not None:
        _watch.begin(req.method, req.path)  # the path: never the query string


def _post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    if _watch is not None:
        _watch.end()


def _watch_requests(worker: Any, watch: _RequestWatch, grace: float) -> None:
    """A worker's watchdog thread: a request over the limit makes the worker stop gracefully
    (SIGTERM to itself, as gunicorn's master would send), and leave when the grace is over."""
    while True:
        time.sleep(min(1.0, watch.limit / 2))
        late = watch.overdue(time.monotonic())
        if late is None:
            continue
        seconds, method, path = late
        worker.log.error(
            "Request %s %s has run for %.0f s (the limit is %.0f s): worker %s stops taking "
            "requests, gives the others %.0f s and is replaced",
            method,
            path,
            seconds,
            watch.limit,
            os.getpid(),
            grace,
        )
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace + 1.0)
        worker.log.error("Worker %s leaves with a request still running", os.getpid())
        os._exit(1)


def cmd_demo(args: argparse.Namespace) -> None:
    if os.environ.get("DEBUG", "1").strip().lower() in {"0", "false", "no", "off"}:
        sys.exit("Demo mode refuses to run with DEBUG off: its accounts share a printed password.")
    os.environ["DEBUG"] = "1"
    var = Path(os.environ.get("CPMIS_VAR_DIR", Path.cwd() / "var"))
    var.mkdir(parents=True, exist_ok=True)
    if "DATABASE_URL" not in os.environ:
        db = var / "demo.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)  # a demo always starts afresh
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    _django("demo")
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference")
    call_command("load_legal")
    call_command("demo_data", size=args.size, seed=args.seed)
    print(f"\nSign in at http://{args.host}:{args.port}/accounts/login/")
    print(f"API documentation: http://{args.host}:{args.port}/api/docs/", flush=True)
    if not args.no_serve:
        _demo_worker()  # reports and other long work run in the background, as in production
        _serve(args.host, args.port, args.threads)


def cmd_serve(args: argparse.Namespace) -> None:
    workers = args.workers if args.workers is not None else _env_count("CPMIS_WORKERS", 1)
    timeout = (
        args.timeout
        if args.timeout is not None
        else _env_count("CPMIS_REQUEST_TIMEOUT", REQUEST_TIMEOUT)
    )
    if workers < 1 or args.threads < 1:
        sys.exit("--workers and --threads must be at least 1.")
    if timeout < MIN_TIMEOUT:
        sys.exit(f"--timeout (CPMIS_REQUEST_TIMEOUT) must be at least {MIN_TIMEOUT} seconds.")
    _metrics_directory()
    _django()
    from django.core.management import call_command

    if args.migrate:
        call_command("migrate", interactive=False)
    _serve(args.host, args.port, args.threads, workers, timeout=timeout)


def _demo_worker() -> Any:
    """The demo's background worker: a ``cpmis worker`` process beside the server, with the
    same environment, stopped when the demo stops."""
    import atexit
    import subprocess

    process = subprocess.Popen([sys.executable, "-m", "cpmis.cli", "worker"], env=os.environ.copy())

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    atexit.register(stop)
    return process


def cmd_worker(args: argparse.Namespace) -> None:
    if args.processes < 1 or args.interval <= 0:
        sys.exit("--processes must be at least 1 and --interval above 0.")
    _django()
    from cpmis.jobs.worker import run

    run(processes=args.processes, interval=args.interval)


def cmd_manage(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpmis.settings")
    from django.core.management import execute_from_command_line

    _make_directories()
    execute_from_command_line(["cpmis manage", *args.rest])


def cmd_bench(args: argparse.Namespace) -> None:
    from bench.__main__ import main as bench_main

    sys.exit(bench_main(args.rest))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="cpmis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build a demo database with synthetic data and serve it")
    demo.add_argument("--size", type=int, default=2000, help="number of synthetic children")
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--threads", type=int, default=4)
    demo.add_argument("--no-serve", action="store_true", help="build the database and exit")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser(
        "serve",
        help="serve the application (gunicorn: supervised worker processes)",
        epilog="Signals to the master process: HUP replaces the workers gracefully, TERM stops "
        "gracefully (requests in flight finish), INT (Ctrl+C) and QUIT stop at once. A worker "
        "that dies is replaced.",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=4, help="threads per worker process (4)")
    serve.add_argument(
        "--workers",
        type=int,
        help="worker processes (one per core; default CPMIS_WORKERS or 1)",
    )
    serve.add_argument(
        "--timeout",
        type=int,
        help="seconds a request may run before its worker is replaced "
        f"(default CPMIS_REQUEST_TIMEOUT or {REQUEST_TIMEOUT})",
    )
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run background job workers")
    worker.add_argument(
        "--processes",
        type=int,
        default=int(os.environ.get("CPMIS_JOB_WORKERS", "1") or 1),
        help="worker processes, restarted if one dies (default CPMIS_JOB_WORKERS or 1)",
    )
    worker.add_argument(
        "--interval", type=float, default=1.0, help="seconds between looks at an empty queue"
    )
    worker.set_defaults(func=cmd_worker)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    bench = sub.add_parser("bench", help="run a benchmark from bench/")
    bench.add_argument("rest", nargs=argparse.REMAINDER)
    bench.set_defaults(func=cmd_bench)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
