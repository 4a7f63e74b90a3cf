"""The ``cpmis`` command: demo, serve, manage (Django commands) and bench."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
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


def _serve(host: str, port: int, threads: int, workers: int = 1) -> None:
    from waitress import serve

    from cpmis.wsgi import application

    if workers <= 1:
        print(f"cpmis is listening on http://{host}:{port}/  (Ctrl+C stops it)", flush=True)
        serve(application, host=host, port=port, threads=threads, ident="cpmis")
        return
    _serve_workers(application, host, port, threads, workers)


def _serve_workers(application: Any, host: str, port: int, threads: int, workers: int) -> None:
    """Several waitress processes serving one port (pre-fork), so that a server uses more
    than one core: Python runs one thread at a time per process. Each worker
    keeps its own database connections and its own in-memory cache (rate-limit counters are
    per worker unless CPMIS_CACHE_LOCATION names a shared cache). SIGTERM or Ctrl+C stops all
    (requests in flight are cut off: put a draining proxy in front for zero-downtime
    restarts); a worker that dies stops the others and the command exits non-zero, for the
    service manager to restart. SO_REUSEPORT does not tell this server from an old one still
    running as the same user: stop the old one first."""
    import signal
    import socket
    import traceback

    from django.db import connections
    from waitress import serve

    def listener() -> socket.socket:
        # Each worker listens on the port with SO_REUSEPORT: the kernel spreads new
        # connections over the workers evenly (one shared socket would let whichever worker
        # wakes first take most long-lived connections).
        return socket.create_server((host, port), backlog=2048, reuse_port=True)

    listener().close()  # fail here, in the parent, if the port is taken by another program
    connections.close_all()  # no connection may cross a fork
    children: list[int] = []
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    # Handlers first: a SIGTERM during the forks still reaches every worker started so far.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        if stopping:
            break
        pid = os.fork()
        if pid == 0:  # a worker
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            code = 0
            try:
                serve(application, sockets=[listener()], threads=threads, ident="cpmis")
            except BaseException:  # report it, then leave without running atexit
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children.append(pid)
    print(
        f"cpmis is listening on http://{host}:{port}/ with {workers} worker processes "
        f"(pids {', '.join(map(str, children))}; Ctrl+C stops them)",
        flush=True,
    )
    failed = False
    while children:
        try:
            pid, _status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:  # pragma: no cover - PEP 475 retries os.wait itself
            continue
        children.remove(pid)
        if not stopping:
            failed = True
            print(f"worker {pid} stopped unexpectedly; stopping the others", flush=True)
            stop(signal.SIGTERM, None)
    sys.exit(1 if failed else 0)


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
        _serve(args.host, args.port, args.threads)


def cmd_serve(args: argparse.Namespace) -> None:
    if args.workers < 1 or args.threads < 1:
        sys.exit("--workers and --threads must be at least 1.")
    _django()
    from django.core.management import call_command

    if args.migrate:
        call_command("migrate", interactive=False)
    _serve(args.host, args.port, args.threads, args.workers)


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

    serve = sub.add_parser("serve", help="serve the application (waitress)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=4, help="threads per worker process (4)")
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("CPMIS_WORKERS", "1") or 1),
        help="worker processes (one per core; default CPMIS_WORKERS or 1)",
    )
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.set_defaults(func=cmd_serve)

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
