"""The OPSC compliance matrix for all jurisdictions (API and page), against the same matrix as
one raw SQL query.

With the full shipped catalogue on PostgreSQL, ``GET /api/legal/compliance-matrix/`` (token)
and ``GET /legal/matrix/`` (signed-in page) are timed in process with the production settings,
and so is one hand-written SQL statement that returns every cell of the matrix: each column's
own law, and in a province's or territory's column the federal law that applies there (the
statute's extent row, else the row for every federal statute, else it applies). The raw rows
are checked against the selector's cells first. Target: both answer in well under a second
(p95 under 250 ms); the ratio to the raw query is printed.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from ._support import (
    BenchError,
    database_resolve,
    open_database,
    percentile,
    run_main,
    table,
    timed,
)

TARGET_P95_MS = 250.0
RAW_SQL = """
WITH matrix_column AS (
    SELECT CAST(NULL AS bigint) AS id
    UNION ALL SELECT id FROM reference_jurisdiction
)
SELECT a.number, c.id AS column_id, l.jurisdiction_id, s.code, p.section, l.report_paragraphs
FROM legal_opscarticle a
CROSS JOIN matrix_column c
LEFT JOIN legal_compliancelink l ON l.article_id = a.id AND (
    l.jurisdiction_id = c.id
    OR (l.jurisdiction_id IS NULL AND (c.id IS NULL OR COALESCE((
        SELECT e.applies FROM legal_statuteextent e
        WHERE e.jurisdiction_id = c.id AND (e.statute_id = l.statute_id OR e.statute_id IS NULL)
        ORDER BY e.statute_id NULLS LAST LIMIT 1
    ), TRUE)))
)
LEFT JOIN legal_statute s ON s.id = l.statute_id
LEFT JOIN legal_provision p ON p.id = l.provision_id
WHERE a.number <= 12
ORDER BY a.number, c.id NULLS FIRST, s.short_title, p.section_key
"""


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench compliance_matrix",
        description=(__doc__ or "").strip().splitlines()[0],
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests (200)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--database-url", help="PostgreSQL server (as for child_search)")
    args = parser.parse_args(list(argv))
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be positive, --warmup not negative")
    return args


def main(argv: Sequence[str]) -> int:
    return run_main(arguments, run, argv)


def run(args: argparse.Namespace) -> int:
    db = database_resolve(args.database_url)
    print(f"compliance_matrix: {args.requests} requests each, database {db.describe()}")
    open_database(db)

    from django.db import connection
    from django.test import Client

    from cpmis.accounts.models import User
    from cpmis.accounts.tokens import token_issue
    from cpmis.legal.models import ComplianceLink, Provision, Statute

    print(
        f"  catalogue: {Statute.objects.count()} statutes, {Provision.objects.count()} "
        f"provisions, {ComplianceLink.objects.count()} matrix entries"
    )
    analyst = User.objects.get(username="analyst.national")  # aggregates only: no second factor
    api = Client(HTTP_AUTHORIZATION=f"Token {token_issue(analyst)[1]}")
    page = Client()
    page.force_login(analyst)

    def api_call() -> None:
        response = api.get("/api/legal/compliance-matrix/")
        if response.status_code != 200:
            raise BenchError(f"API answered {response.status_code}", code=1)

    def page_call() -> None:
        response = page.get("/legal/matrix/")
        if response.status_code != 200:
            raise BenchError(f"page answered {response.status_code}", code=1)

    def raw_call() -> None:
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL)
            cursor.fetchall()

    from cpmis.legal.selectors import compliance_matrix

    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL)
        raw = {(n, column, code, section) for n, column, _, code, section, _ in cursor.fetchall()}
    matrix = compliance_matrix()
    cells = {
        (row.article.number, None if c.jurisdiction is None else c.jurisdiction.pk, None, None)
        for row in matrix.rows
        for c in row.cells
        if c.gap
    } | {
        (
            row.article.number,
            None if c.jurisdiction is None else c.jurisdiction.pk,
            link.statute.code,
            link.provision.section if link.provision else None,
        )
        for row in matrix.rows
        for c in row.cells
        for link in c.links
    }
    if raw != cells:
        raise BenchError(
            f"the raw query and the matrix disagree on {len(raw ^ cells)} entries", code=1
        )
    print(
        f"  matrix: {matrix.gaps()} gaps, {matrix.covered_by_federal_law()} cells covered by "
        f"federal law only; every entry equal to the raw query's"
    )

    runs = {
        "API": timed(api_call, args.requests, args.warmup),
        "page": timed(page_call, args.requests, args.warmup),
        "raw SQL": timed(raw_call, args.requests, args.warmup),
    }
    raw50, raw95 = percentile(runs["raw SQL"], 50), percentile(runs["raw SQL"], 95)
    rows = []
    for label, values in runs.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        rows.append(
            [label, f"{p50:.2f}", f"{p95:.2f}", f"{p50 / raw50:.1f}x", f"{p95 / raw95:.1f}x"]
        )
    print("\nMilliseconds per request (all jurisdictions, the full catalogue):")
    print(table(["path", "p50 ms", "p95 ms", "p50 / raw", "p95 / raw"], rows))
    print("\nTargets:")
    for label in ("API", "page"):
        p95 = percentile(runs[label], 95)
        verdict = "MET" if p95 < TARGET_P95_MS else "MISSED"
        print(f"  {verdict:<6} {label} p95 {p95:.1f} ms < {TARGET_P95_MS:.0f} ms")
    return 0
