"""The server side of ``bench/complaint_load.py``, in processes of their own: that benchmark's
process runs locust, which patches the standard library for gevent, so Django runs here.

    python -m bench._loadserver prepare --database-url URL [--fresh]
    python -m bench._loadserver serve --database-url URL --port N [--threads 8] [--workers 1]

``prepare`` opens the dedicated database as every benchmark does (migrations, reference data,
legal catalogue, demo accounts); ``serve`` serves the application as ``cpmis serve`` does,
through the same function (gunicorn: a master and ``--workers`` gthread worker processes of
``--threads`` threads; the production settings from the environment the benchmark gives it),
with ``bench/_urls.py`` as ROOT_URLCONF: the application's URLs and a minimal view.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ._support import (
    BenchDatabase,
    BenchError,
    database_create,
    database_resolve,
    django_setup,
    open_database,
    run_main,
    step,
)

URLCONF = "bench._urls"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def sqlite_path(url: str) -> Path:
    import dj_database_url

    return Path(str(dj_database_url.parse(url)["NAME"]))


def _sqlite_database(url: str) -> BenchDatabase:
    path = sqlite_path(url)
    if "bench" not in path.name:  # never the application's own file
        raise BenchError(f"The SQLite file of a benchmark must have 'bench' in its name: {path}")
    return BenchDatabase(url=url, name=str(path), conninfo={})


def prepare(url: str, *, fresh: bool) -> None:
    if not is_sqlite(url):
        db = database_resolve(url)
        if fresh:
            database_create(db, fresh=True)
        open_database(db)
        return
    # SQLite: the same steps as open_database, on a file of its own.
    db = _sqlite_database(url)
    path = Path(db.name)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    django_setup(db)
    from django.core.management import call_command

    from cpmis.demo.generator import DEFAULT_PASSWORD, demo_accounts_create
    from cpmis.legal.loader import legal_data_load
    from cpmis.reference.services import reference_data_load

    with step("migrate, reference data, legal catalogue, accounts"):
        call_command("migrate", interactive=False, verbosity=0)
        reference_data_load()
        legal_data_load()
        demo_accounts_create(password=DEFAULT_PASSWORD)


def serve(url: str, *, host: str, port: int, threads: int, workers: int = 1) -> None:
    django_setup(_sqlite_database(url) if is_sqlite(url) else database_resolve(url))
    from django.conf import settings

    # Before the application is loaded (in this process, the gunicorn master, which the workers
    # are forked from): the handler reads it per request.
    settings.ROOT_URLCONF = URLCONF
    from cpmis.cli import _serve  # exactly as `cpmis serve --workers N --threads T`

    _serve(host, port, threads, workers)


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench._loadserver", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--database-url", required=True)
    p.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    s = sub.add_parser("serve")
    s.add_argument("--database-url", required=True)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--threads", type=int, default=8)
    s.add_argument("--workers", type=int, default=1)
    return parser.parse_args(list(argv))


def run(args: argparse.Namespace) -> int:
    if args.command == "prepare":
        prepare(args.database_url, fresh=args.fresh)
    else:
        serve(
            args.database_url,
            host=args.host,
            port=args.port,
            threads=args.threads,
            workers=args.workers,
        )
    return 0


if __name__ == "__main__":
    sys.exit(run_main(arguments, run, sys.argv[1:]))
