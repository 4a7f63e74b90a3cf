"""Readiness checks for ``/readyz``: each a function of no arguments returning ``(ok, detail)``,
listed by dotted path in ``CPMIS_READINESS_CHECKS`` (other apps append their own).

Anyone may ask /readyz, so a detail is a fixed phrase or a count: never an exception's text
(it can name a host, a user or a value), never a record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypedDict

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

Check = Callable[[], tuple[bool, str]]


class Result(TypedDict):
    ok: bool
    detail: str


def database() -> tuple[bool, str]:
    """The database answers, and every migration the code has is applied to it (a process
    whose code is ahead of its schema fails on the first request that reads a new column)."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        log.warning("readiness: the database did not answer", exc_info=True)
        return False, "the database did not answer"
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        log.warning("readiness: the migrations could not be compared", exc_info=True)
        return False, "the migrations could not be compared with the database"
    if plan:
        return False, f"{len(plan)} migration(s) not applied"
    return True, "answers; every migration applied"


def run_checks(paths: Iterable[str]) -> dict[str, Result]:
    """Each check's result, named by the last part of its path (the whole path if two share
    it). A check that cannot be imported, raises or answers something else has failed."""
    results: dict[str, Result] = {}
    for path in paths:
        name = path.rsplit(".", 1)[-1]
        if name in results:
            name = path
        try:
            check: Check = import_string(path)
            ok, detail = check()
        except Exception:
            log.exception("readiness check %s failed", path)
            ok, detail = False, "the check failed (see the server's log)"
        if not isinstance(ok, bool) or not isinstance(detail, str):
            ok, detail = False, "the check gave no (ok, detail) answer"
        results[name] = {"ok": ok, "detail": detail}
    return results
