"""The linkage model on Spark (local mode) against DuckDB: the same rows, the same trained model.

Run as ``python bench/linkage_spark.py [--records N]`` with an interpreter that has pyspark
(3.5 or 4.x, with Java 17) besides the project's dependencies; without pyspark it says so and
exits 0. Nothing is downloaded: the similarity UDF jar is the one Splink ships.

The trained model JSON holds SQL rendered for DuckDB (``jaro_winkler_similarity``,
``regexp_matches``, ``levenshtein``, double-quoted identifiers), and Splink passes a loaded
model's conditions to Spark as they are, so three variants are scored on Spark:

- ``raw``: the JSON as stored: fails, ``regexp_matches`` and ``jaro_winkler_similarity`` are
  unknown to Spark; worse, Spark SQL reads ``"name_l"`` as a string literal, so with only the
  functions renamed it runs and silently finds no pair (null and exact levels never match);
- ``translated``: every condition translated DuckDB -> Spark with sqlglot, and
  ``jaro_winkler_similarity`` renamed to the ``jaro_winkler`` UDF of Splink's jar;
- ``rerendered``: ``model.settings()`` rendered for Spark, with the trained m and u
  probabilities copied in (works once the settings hold no DuckDB-only SQL).

Splink's jar computes Jaro-Winkler a little differently from DuckDB on strings of unequal
length (it counts half-transpositions, DuckDB rounds them down: BSRAHMD / BSHRAHMD is 0.9095 on
Spark, 0.9286 on DuckDB), so a few pairs fall in another level on Spark.

Each is compared with ``model.score`` on DuckDB: pairs at or above the threshold, pairs both
found, the largest difference in match probability over the pairs both found, and times.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODEL_FILE = ROOT / "cpmis" / "linkage" / "data" / "model.v1.json"
THRESHOLD = 0.3
PROVINCES = {
    "PK-PB": [f"PK6{i:02d}" for i in range(36)],
    "PK-KP": [f"PK5{i:02d}" for i in range(30)],
}
Pairs = dict[tuple[Any, Any], float]


def rows_make(n_children: int) -> list[dict[str, Any]]:
    """Synthetic feature rows (no database: Django is set up for the imports only)."""
    os.environ.setdefault("CPMIS_MODE", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpmis.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import date

    from cpmis.linkage import groundtruth, model

    records = groundtruth.records_make(
        n_children, seed=1, districts_by_province=PROVINCES, today=date(2026, 11, 28)
    )
    return [model.features(i, r) for i, r in enumerate(records)]


def _spark_condition(condition: str) -> str:
    """A DuckDB comparison condition as Spark SQL."""
    import sqlglot

    if condition.strip().upper() == "ELSE":
        return condition
    # Splink's jar registers Jaro-Winkler as jaro_winkler; sqlglot would write
    # JAROWINKLER_SIMILARITY, which Spark does not have.
    renamed = re.sub(r"\bjaro_winkler_similarity\s*\(", "jaro_winkler(", condition, flags=re.I)
    return str(sqlglot.transpile(renamed, read="duckdb", write="spark")[0])


def model_translated(trained: dict[str, Any]) -> dict[str, Any]:
    """The trained model with every comparison condition translated to Spark SQL (blocking
    rules keep their ``sql_dialect: duckdb`` tag, from which Splink translates them)."""
    spark_model = json.loads(json.dumps(trained))
    spark_model["sql_dialect"] = "spark"
    for comparison in spark_model["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = _spark_condition(level["sql_condition"])
    return spark_model


def model_rerendered(trained: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The trained model rendered for ``dialect`` by ``model.for_dialect``: what
    ``model.score(..., db_api=SparkAPI(...))`` does."""
    from cpmis.linkage import model

    return model.for_dialect(trained, dialect)


def spark_start(workdir: str) -> Any:
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    spark: Any = (
        SparkSession.builder.master("local[2]")
        .appName("cpmis-linkage-bench")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.sql.warehouse.dir", os.path.join(workdir, "warehouse"))
        .config("spark.local.dir", os.path.join(workdir, "local"))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # PySpark 4 logs every failed query with its Java stack as JSON: the failures are reported.
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    return spark


def spark_frame(spark: Any, rows: list[dict[str, Any]]) -> Any:
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    from cpmis.linkage.model import FEATURE_COLUMNS

    types = {"unique_id": LongType(), "birth_year": DoubleType()}
    schema = StructType(
        [StructField(c, types.get(c, StringType()), nullable=True) for c in FEATURE_COLUMNS]
    )
    return spark.createDataFrame([tuple(r[c] for c in FEATURE_COLUMNS) for r in rows], schema)


def score_spark(spark: Any, frame: Any, settings: dict[str, Any]) -> Pairs:
    from splink import Linker, SparkAPI

    settings = dict(settings, link_type="dedupe_only")
    db_api = SparkAPI(spark_session=spark, break_lineage_method="persist")
    linker = Linker(frame, settings, db_api=db_api, set_up_basic_logging=False)
    result = linker.inference.predict(threshold_match_probability=THRESHOLD)
    selected = result.as_spark_dataframe().select("unique_id_l", "unique_id_r", "match_probability")
    return {_key(a, b): float(p) for a, b, p in selected.collect()}


def score_duckdb(trained: dict[str, Any], rows: list[dict[str, Any]]) -> Pairs:
    from cpmis.linkage import model

    return {_key(a, b): p for a, b, p in model.score(trained, rows, threshold=THRESHOLD)}


def _key(a: Any, b: Any) -> tuple[Any, Any]:
    return (a, b) if a <= b else (b, a)


def _first_line(error: BaseException) -> str:
    """The cause of a failure: Splink quotes the whole SQL, then ``Error was: ...``."""
    text = str(error).strip()
    cause = text.rpartition("Error was:")[2] if "Error was:" in text else text
    lines = cause.strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


def compare(name: str, duck: Pairs, other: Pairs, seconds: float) -> None:
    common = duck.keys() & other.keys()
    diff = max((abs(duck[k] - other[k]) for k in common), default=0.0)
    only_duck = duck.keys() - other.keys()
    only_other = other.keys() - duck.keys()
    print(
        f"  {name:<11} {len(other):>6} pairs in {seconds:6.1f} s; both found {len(common)}, "
        f"DuckDB only {len(only_duck)}, Spark only {len(only_other)}; "
        f"max |dp| over common {diff:.2e}"
    )
    for label, keys, source in (("DuckDB", only_duck, duck), ("Spark", only_other, other)):
        if keys:
            near = sorted(source[k] for k in keys)
            print(f"    {label}-only probabilities: {near[0]:.4f} .. {near[-1]:.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000, help="children to generate")
    parser.add_argument(
        "--variants",
        default="translated,raw,rerendered",
        help="Spark variants to score, comma-separated (translated, raw, rerendered)",
    )
    args = parser.parse_args(argv)

    if importlib.util.find_spec("pyspark") is None:
        print("pyspark is not installed in this interpreter: nothing to compare (skipped).")
        return 0
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        print("No Java runtime (java on PATH or JAVA_HOME): Spark cannot start (skipped).")
        return 0

    import pyspark
    import splink

    rows = rows_make(args.records)
    trained: dict[str, Any] = json.loads(MODEL_FILE.read_text())["splink"]
    print(
        f"{len(rows)} feature rows from {args.records} children; threshold {THRESHOLD}; "
        f"splink {splink.__version__}, pyspark {pyspark.__version__}"
    )

    started = time.perf_counter()
    duck = score_duckdb(trained, rows)
    duck_seconds = time.perf_counter() - started
    print(f"  {'DuckDB':<11} {len(duck):>6} pairs in {duck_seconds:6.1f} s (model.score)")

    with tempfile.TemporaryDirectory(prefix="cpmis-spark-") as workdir:
        started = time.perf_counter()
        spark = spark_start(workdir)
        frame = spark_frame(spark, rows).cache()
        frame.count()
        print(f"  Spark session and input frame: {time.perf_counter() - started:.1f} s")
        variants = {
            "translated": lambda: model_translated(trained),
            "raw": lambda: trained,
            "rerendered": lambda: model_rerendered(trained, "spark"),
        }
        try:
            for name in args.variants.split(","):
                started = time.perf_counter()
                try:
                    pairs = score_spark(spark, frame, variants[name.strip()]())
                except Exception as error:
                    print(f"  {name:<11} FAILED: {_first_line(error)}")
                    continue
                compare(name, duck, pairs, time.perf_counter() - started)
        finally:
            spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
