"""Import of a police batch from CSV into PostgreSQL, validated, against COPY of the same file.

A synthetic CSV of ``--rows`` police FIR records in the standard's columns (names in Latin and
Urdu script, ages, sections from the catalogue, districts of Punjab) is made once, then:

- **import**: ``exchange.services.submission_receive`` as a focal point's upload runs it:
  decoding, header check, every row validated (types, patterns, districts, offence sections,
  dates in the declared format), then the accepted rows written in one transaction;
- **COPY**: PostgreSQL's ``COPY … FROM STDIN (FORMAT csv)`` of the same bytes into a plain
  table of text columns, with no validation: the limit.

Rows per second of both and their ratio are printed. Target: at least 20,000 rows/s and
within 10× of COPY. The department records are deleted afterwards (the database is shared
with the other benchmarks).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import time
from collections.abc import Sequence

from ._support import BenchError, database_resolve, open_database, run_main, step, table

TARGET_ROWS_PER_SECOND = 20_000
TARGET_RATIO = 10.0
LATIN = ["Ayesha Bibi", "Muhammad Bilal", "Zainab", "Hamza Iqbal", "Fatima Noor", "Usman Ali"]
URDU = ["عائشہ بی بی", "محمد بلال", "زینب", "حمزہ اقبال", "فاطمہ نور", "عثمان علی"]
SECTIONS = ["PPC s.369-A", "PPC s.377-B", "PPC s.369-A; PPC s.377-B", "PPC s.292-B"]


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench exchange_import",
        description=(__doc__ or "").strip().splitlines()[0],
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="records (1,000,000)")
    parser.add_argument("--database-url", help="PostgreSQL server (as for child_search)")
    args = parser.parse_args(list(argv))
    if not 1 <= args.rows <= 5_000_000:
        parser.error("--rows must be between 1 and 5,000,000")
    return args


def main(argv: Sequence[str]) -> int:
    return run_main(arguments, run, argv)


def batch_csv(rows: int, header: list[str], districts: list[str], run_id: str) -> bytes:
    rng = random.Random(2026)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for i in range(rows):
        urdu = rng.random() < 0.33
        name = rng.choice(URDU if urdu else LATIN)
        writer.writerow(
            [
                f"{run_id}-{i}",
                f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}",
                rng.choice(districts),
                name,
                rng.choice(["s/o", "d/o"]),
                "محمد اسلم" if urdu else "Muhammad Aslam",
                rng.choice(["female", "male"]),
                "" if rng.random() < 0.4 else f"20{rng.randint(10, 20)}-0{rng.randint(1, 9)}-15",
                "",
                "",
                f"{i % 999}/26",
                "Model Town",
                rng.choice(SECTIONS),
                str(rng.randint(0, 4)),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def copy_seconds(content: bytes, columns: Sequence[str]) -> tuple[int, float]:
    """Rows and seconds of COPY of ``content`` into a plain table of text columns: the
    limit an import is compared with."""
    from django.db import connection

    definition = ", ".join(f'"{name}" text' for name in columns)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_plain")
        cursor.execute(f"CREATE TABLE bench_copy_plain ({definition})")
        started = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_copy_plain FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(content)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy_plain")
        (rows,) = cursor.fetchone()
        cursor.execute("DROP TABLE bench_copy_plain")
    return rows, seconds


def run(args: argparse.Namespace) -> int:
    db = database_resolve(args.database_url)
    print(f"exchange_import: {args.rows:,} police records, database {db.describe()}")
    open_database(db)

    from cpmis.accounts.models import User
    from cpmis.exchange import services, standard
    from cpmis.exchange.models import DepartmentRecord, Submission
    from cpmis.reference.models import District

    rt = standard.schema("police_report")
    assert rt is not None
    focal = User.objects.get(username="focal.police.punjab")
    districts = list(
        District.objects.filter(jurisdiction__iso_code="PK-PB").values_list("pcode", flat=True)
    )
    run_id = f"B{int(time.time())}"
    with step(f"a CSV of {args.rows:,} rows"):
        content = batch_csv(args.rows, rt.field_names, districts, run_id)
    print(f"  {len(content) / 1_000_000:.0f} MB")

    started = time.perf_counter()
    outcome = services.submission_receive(
        actor=focal,
        batch=services.Batch(
            record_type="police_report", source="csv", content=content, filename="bench.csv"
        ),
    )
    imported = time.perf_counter() - started
    s = outcome.submission
    if s.status == Submission.Status.REJECTED:
        raise BenchError(f"The batch was rejected: {s.file_errors or s.row_errors[:3]}", code=1)

    copied_rows, copied = copy_seconds(content, rt.field_names)

    with step("clean up"):
        DepartmentRecord.objects.filter(last_submission=s).delete()
        Submission.objects.filter(pk=s.pk).delete()

    rate, copy_rate = args.rows / imported, copied_rows / copied
    print(
        table(
            ["path", "rows", "seconds", "rows/s", "vs COPY"],
            [
                [
                    "import (validated, written)",
                    f"{s.rows_created:,} + {s.rows_rejected:,} rejected",
                    f"{imported:.1f}",
                    f"{rate:,.0f}",
                    f"{copy_rate / rate:.1f}x slower",
                ],
                [
                    "COPY into a plain table",
                    f"{copied_rows:,}",
                    f"{copied:.2f}",
                    f"{copy_rate:,.0f}",
                    "1.0x",
                ],
            ],
        )
    )
    print("\nTargets:")
    print(
        f"  {'MET' if rate >= TARGET_ROWS_PER_SECOND else 'MISSED':<6} at least "
        f"{TARGET_ROWS_PER_SECOND:,} rows/s: {rate:,.0f}"
    )
    ratio = copy_rate / rate
    verdict = "MET" if ratio <= TARGET_RATIO else "MISSED"
    print(f"  {verdict:<6} within {TARGET_RATIO:.0f}x of COPY: {ratio:.1f}x")
    return 0
