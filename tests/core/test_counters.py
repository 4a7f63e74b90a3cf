"""The counter cache in the database (cpmis.core.counters) that the public pages' rate limits
count in: Django's cache API on integers, each count atomic, shared by every process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.cache import cache, caches
from django.core.cache.backends.base import InvalidCacheKey
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cpmis.core.counters import DatabaseCounterCache
from cpmis.core.models import CacheCounter

pytestmark = pytest.mark.clock


def counters(**options: Any) -> DatabaseCounterCache:
    return DatabaseCounterCache("", {"OPTIONS": options})


def count(store: DatabaseCounterCache, key: str) -> int:
    """One request counted, as django-ratelimit counts it."""
    if store.add(key, 1, 60):
        return 1
    return store.incr(key)


def test_the_rate_limits_count_in_the_database_cache() -> None:
    from django.conf import settings

    assert settings.RATELIMIT_USE_CACHE == "ratelimit"
    assert isinstance(caches["ratelimit"], DatabaseCounterCache)
    assert not isinstance(caches["default"], DatabaseCounterCache)  # the default is left as is


def test_add_starts_a_count_once_and_incr_adds_to_it() -> None:
    store = counters()
    assert store.add("k", 1, 60) is True
    assert store.add("k", 1, 60) is False  # a live key is left alone
    assert store.incr("k") == 2
    assert store.incr("k", 5) == 7
    assert store.decr("k", 2) == 5
    assert store.get("k") == 5
    assert CacheCounter.objects.get().value == 5


def test_each_count_is_one_statement() -> None:
    store = counters()
    store.add("k", 1, 60)
    with CaptureQueriesContext(connection) as queries:
        store.add("k", 1, 60)
        store.incr("k")
    assert len(queries) == 2


def test_incr_of_a_missing_or_expired_key_is_a_value_error(
    clock: time_machine.Traveller,
) -> None:
    store = counters()
    with pytest.raises(ValueError):
        store.incr("missing")
    store.add("k", 1, 60)
    clock.shift(timedelta(seconds=61))
    with pytest.raises(ValueError):
        store.incr("k")
    assert store.get("k", "gone") == "gone"
    assert store.has_key("k") is False


def test_add_replaces_an_expired_key(clock: time_machine.Traveller) -> None:
    store = counters()
    store.add("k", 1, 60)
    store.incr("k", 9)
    clock.shift(timedelta(seconds=60))  # expired at exactly its time
    assert store.add("k", 1, 60) is True
    assert store.get("k") == 1
    assert CacheCounter.objects.count() == 1


def test_set_get_touch_delete_has_key_and_clear(clock: time_machine.Traveller) -> None:
    store = counters()
    store.set("a", 3, 10)
    store.set("a", 4, 10)  # replaces
    store.set("forever", 1, None)
    assert store.get("a") == 4 and store.has_key("a") and "forever" in store
    assert store.touch("a", 100) is True and store.touch("missing") is False
    clock.shift(timedelta(seconds=50))
    assert store.get("a") == 4  # touched: alive past its first 10 seconds
    clock.shift(timedelta(days=3650))
    assert store.get("a") is None and store.get("forever") == 1
    assert store.delete("forever") is True and store.delete("forever") is False
    store.set("b", 1, 0)  # a timeout of 0 expires at once, as in Django's cache API
    assert store.get("b") is None
    store.set("c", 1)
    store.clear()
    assert not CacheCounter.objects.exists()


def test_versions_and_prefixes_make_separate_keys() -> None:
    store = counters()
    store.add("k", 1, 60, version=1)
    store.add("k", 10, 60, version=2)
    assert store.incr("k", version=2) == 11 and store.get("k", version=1) == 1


def test_only_integers_and_short_keys_are_stored() -> None:
    store = counters()
    for value in ("1", 1.5, True, None):
        with pytest.raises(TypeError):
            store.set("k", value)
        with pytest.raises(TypeError):
            store.add("k", value)
    with pytest.raises(InvalidCacheKey):
        store.add("x" * 251, 1)
    with pytest.raises(InvalidCacheKey):
        store.add("a key with spaces", 1)
    assert not CacheCounter.objects.exists()


def test_expired_rows_are_deleted_by_a_later_write(clock: time_machine.Traveller) -> None:
    store = counters(CULL_INTERVAL=0)
    for key in ("a", "b", "c"):
        store.add(key, 1, 60)
    clock.shift(timedelta(seconds=61))
    store.add("d", 1, 60)
    assert list(CacheCounter.objects.values_list("key", flat=True)) == [store.make_key("d")]


def test_expired_rows_are_deleted_at_most_once_an_interval(
    clock: time_machine.Traveller,
) -> None:
    store = counters()  # the default: once a minute (of the monotonic clock) per process
    store.add("a", 1, 1)
    clock.shift(timedelta(seconds=2))
    store.add("b", 1, 1)  # within the interval of the first write's cull: none
    assert CacheCounter.objects.count() == 2


def test_the_public_form_limit_is_kept_in_the_database(settings: Any) -> None:
    # What one server process counted, another (its own memory, its own cache objects) sees:
    # the default cache is emptied and the counter cache rebuilt between the requests.
    settings.CPMIS_PUBLIC_RATE_LIMIT = "2/h"
    for _ in range(2):
        assert Client().post("/complaint/", {}).status_code == 400  # counted, then refused
        cache.clear()
        del caches["ratelimit"]
    assert Client().post("/complaint/", {}).status_code == 429
    assert CacheCounter.objects.count() == 2  # this address, and everyone together
    assert Client(REMOTE_ADDR="10.9.8.7").post("/complaint/", {}).status_code == 400


# --- concurrency --------------------------------------------------------------------------------

THREADS, EACH = 8, 25


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads share SQLite's test file")
@pytest.mark.django_db(transaction=True)
def test_concurrent_counts_on_postgresql_give_each_request_its_own_number() -> None:
    start = threading.Barrier(THREADS)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        store = counters()
        try:
            start.wait()
            mine = [count(store, "shared") for _ in range(EACH)]
            results.extend(mine)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == list(range(1, THREADS * EACH + 1))
    assert counters().get("shared") == THREADS * EACH


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads share SQLite's test file")
@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_on_postgresql_start_a_count_once() -> None:
    start = threading.Barrier(THREADS)
    added: list[bool] = []

    def worker() -> None:
        try:
            start.wait()
            added.append(counters().add("new", 1, 60))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(added) == [False] * (THREADS - 1) + [True]


PROCESS = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "cpmis.settings"
import django
django.setup()
from django.db import connection
from cpmis.core.models import CacheCounter
from tests.core.test_counters import count, counters
if sys.argv[1] == "create":
    with connection.schema_editor() as editor:
        editor.create_model(CacheCounter)
else:
    store = counters()
    print(*(count(store, "shared") for _ in range(int(sys.argv[1]))))
"""


def test_two_processes_count_in_one_sqlite_file_without_losing_a_count(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CPMIS_MODE": "test",
        "CPMIS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'counters.sqlite3'}",
    }
    root = Path(__file__).resolve().parents[2]
    run = [sys.executable, "-c", PROCESS]
    subprocess.run([*run, "create"], env=env, cwd=root, check=True, timeout=60)  # noqa: S603
    each = 300
    processes = [
        subprocess.Popen(  # noqa: S603 - this interpreter, fixed code
            [*run, str(each)], env=env, cwd=root, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0]
    numbers = [int(n) for out in outputs for n in out.split()]
    assert sorted(numbers) == list(range(1, 2 * each + 1))
