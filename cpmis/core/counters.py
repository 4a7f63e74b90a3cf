"""A Django cache of integer counters kept in the database (``CACHES["ratelimit"]``), so that the
rate limits of the public pages are one limit for every worker process on every machine.

django-ratelimit counts with ``add(key, 1, timeout)`` (the first request of a window) and,
when that finds the key, ``incr(key)``; without counting it calls ``get``. Each of these is
one SQL statement here, atomic on SQLite and PostgreSQL alike, and no lock is held past it:

* ``add``: ``INSERT … ON CONFLICT (key) DO UPDATE … WHERE expires <= now``: a missing key is
  inserted, an expired one replaced, a live one left alone (the statement then changes no row);
* ``incr``: ``UPDATE … SET value = value + n WHERE key = … AND expires > now RETURNING value``:
  no row (the key is missing or expired) is a ValueError, as Django's cache API has it.

PostgreSQL makes a second writer of a row wait for the first and re-read the row (READ
COMMITTED), so N concurrent increments add N; SQLite writes one statement at a time. Values
are integers only: this is a counter store, not a general cache. Expired rows are deleted by
the first write after ``OPTIONS["CULL_INTERVAL"]`` seconds (default 60) in each process.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.cache.backends.base import (
    DEFAULT_TIMEOUT,
    BaseCache,
    InvalidCacheKey,
    memcache_key_warnings,
)
from django.db import connections, router
from django.db.models import QuerySet
from django.utils.timezone import now

from .models import CacheCounter

# timeout=None: a row that never expires (as Django's own database cache stores it).
NEVER = datetime.max.replace(microsecond=0, tzinfo=UTC)
KEY_MAX_LENGTH = CacheCounter._meta.get_field("key").max_length or 250


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"The counter cache stores integers only, not {type(value).__name__}.")
    return value


class DatabaseCounterCache(BaseCache):
    """Integer counters in ``cpmis.core.models.CacheCounter`` (see the module's docstring)."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.cull_interval = float(params.get("OPTIONS", {}).get("CULL_INTERVAL", 60))
        self._next_cull = 0.0

    # --- the statements django-ratelimit relies on ------------------------------------------

    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        value = _integer(value)
        at = now()
        db = self._db()
        connection = connections[db]
        table, k, v, e = self._names(db)
        sql = (
            f"INSERT INTO {table} ({k}, {v}, {e}) VALUES (%s, %s, %s) "  # noqa: S608 (quoted names)
            f"ON CONFLICT ({k}) DO UPDATE SET {v} = excluded.{v}, {e} = excluded.{e} "
            f"WHERE {table}.{e} <= %s"
        )
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, value, adapt(self._expiry(timeout, at)), adapt(at)])
            added = cursor.rowcount == 1
        self._cull(db, at)
        return added

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        delta = _integer(delta)
        db = self._db()
        connection = connections[db]
        table, k, v, e = self._names(db)
        sql = f"UPDATE {table} SET {v} = {v} + %s WHERE {k} = %s AND {e} > %s RETURNING {v}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [delta, key, connection.ops.adapt_datetimefield_value(now())])
            rows = cursor.fetchall()  # to the end, so that SQLite finishes the statement
        if not rows:
            raise ValueError("The key is not in the counter cache (missing or expired).")
        return int(rows[0][0])

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        value = self._live(key).values_list("value", flat=True).first()
        return default if value is None else value

    # --- the rest of the cache API ------------------------------------------------------------

    def set(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        at = now()
        db = self._db()
        CacheCounter.objects.using(db).bulk_create(
            [CacheCounter(key=key, value=_integer(value), expires=self._expiry(timeout, at))],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["value", "expires"],
        )
        self._cull(db, at)

    def touch(
        self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._live(key).update(expires=self._expiry(timeout, now())) == 1

    def delete(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        db = self._db()
        return CacheCounter.objects.using(db).filter(key=key).delete()[0] > 0

    def has_key(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._live(key).exists()

    def clear(self) -> None:
        CacheCounter.objects.using(self._db()).all().delete()

    def validate_key(self, key: Any) -> None:
        # A key longer than the column would fail on PostgreSQL and be kept whole by SQLite:
        # refused on both, as the memcached backends refuse it.
        for warning in memcache_key_warnings(key):
            raise InvalidCacheKey(warning)
        if len(key) > KEY_MAX_LENGTH:
            raise InvalidCacheKey(f"Cache key longer than {KEY_MAX_LENGTH} characters.")

    # --- helpers ------------------------------------------------------------------------------

    def _db(self) -> str:
        # Reads too go to the database that is written: a replica's count would lag behind.
        return router.db_for_write(CacheCounter)

    def _live(self, key: str) -> QuerySet[CacheCounter]:
        return CacheCounter.objects.using(self._db()).filter(key=key, expires__gt=now())

    def _expiry(self, timeout: float | None, at: datetime) -> datetime:
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        if timeout is None:
            return NEVER
        # Django's convention: a timeout of 0 or less means "expire at once".
        return at + timedelta(seconds=timeout if timeout > 0 else -1)

    def _names(self, db: str) -> tuple[str, str, str, str]:
        quote = connections[db].ops.quote_name
        return (
            quote(CacheCounter._meta.db_table),
            quote("key"),
            quote("value"),
            quote("expires"),
        )

    def _cull(self, db: str, at: datetime) -> None:
        """Delete expired rows, at most once per ``cull_interval`` in this process."""
        clock = time.monotonic()
        if clock < self._next_cull:
            return
        self._next_cull = clock + self.cull_interval
        CacheCounter.objects.using(db).filter(expires__lte=at).delete()
