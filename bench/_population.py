"""A migrated bench database with the reference data, the demo accounts and a population.

The population comes from the demo generator (``cpmis.demo.generator``), the same one the demo
and the tests use; ``--reuse`` keeps it between runs when its size, seed and generator code
match (a fingerprint in the bench database's own table ``bench_population``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ._support import BenchDatabase, database_create, step


@dataclass(frozen=True)
class Population:
    size: int
    seed: int
    reused: bool
    generate_seconds: float  # 0 when reused


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _fingerprint(size: int, seed: int) -> str:
    """What the population depends on: size, seed and the code that makes the records."""
    import hashlib
    from pathlib import Path

    from cpmis.demo import generator, names
    from cpmis.people import search

    digest = hashlib.sha256(f"{size}/{seed}".encode())
    for module in (generator, names, search):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def _population_matches(size: int, seed: int) -> bool:
    from django.db import connection

    from cpmis.people.models import Child

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_population') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT fingerprint FROM bench_population")
        row = cursor.fetchone()
    return row is not None and row[0] == _fingerprint(size, seed) and Child.objects.count() == size


def _population_record(size: int, seed: int) -> None:
    from django.db import connection

    # The bench's own note in its own database: which population it holds.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_population (fingerprint text NOT NULL)")
        cursor.execute("DELETE FROM bench_population")
        cursor.execute(
            "INSERT INTO bench_population (fingerprint) VALUES (%s)", [_fingerprint(size, seed)]
        )


def population_prepare(db: BenchDatabase, *, size: int, seed: int, reuse: bool) -> Population:
    """Migrate, load reference data and demo accounts, and make sure ``size`` children exist."""
    from django.db import connection

    from cpmis.demo.generator import DEFAULT_PASSWORD, demo_accounts_create, population_generate
    from cpmis.reference.services import reference_data_load

    with step("migrate"):
        migrate()
    if reuse and _population_matches(size, seed):
        print(f"  reusing the population of {size:,} children (seed {seed})", flush=True)
        return Population(size=size, seed=seed, reused=True, generate_seconds=0.0)
    from cpmis.people.models import Child

    if Child.objects.exists():
        print("  the population differs from the one asked for (size, seed or generator code):")
        print("  rebuilding the database")
        connection.close()
        database_create(db, fresh=True)
        with step("migrate"):
            migrate()
    with step("reference data and demo accounts"):
        reference_data_load()
        demo_accounts_create(password=DEFAULT_PASSWORD)
    print(f"  generating {size:,} children (seed {seed}) ...", end="", flush=True)
    started = time.perf_counter()
    population_generate(size=size, seed=seed)
    seconds = time.perf_counter() - started
    _population_record(size, seed)
    print(f" {seconds:.1f} s ({size / max(seconds, 1e-9):,.0f} children/s)", flush=True)
    with step("VACUUM ANALYZE"), connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return Population(size=size, seed=seed, reused=False, generate_seconds=seconds)
