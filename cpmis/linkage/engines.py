"""Where the linkage model runs: Splink's DuckDB backend in this process (the default), or its
Spark backend, in local mode or on a Spark cluster, for national runs.

``db_api(engine, master=...)`` gives the Splink backend that ``model.score_population``,
``score`` and ``score_within`` take as ``db_api`` (one backend may serve them all in a run);
``close(api)`` ends what it started and removes what it wrote. On Spark:

- the master is ``master``, else ``CPMIS_SPARK_MASTER``, else ``local[2]``;
- the similarity functions (Jaro-Winkler and others) come from the jar Splink ships
  (``similarity_jar_location()``), passed with ``spark.jars``: Spark sends it to the executors,
  and nothing is downloaded;
- the driver's scratch space (shuffle files, the warehouse, checkpoints) is a private folder of
  the system's temporary directory, removed by ``close``; intermediate tables are written as
  Parquet under ``CPMIS_SPARK_CHECKPOINT_DIR`` when it is set (storage every node sees, e.g.
  ``hdfs://...``; removed by ``close``), and otherwise kept by Spark (``persist``: executors'
  memory, then their local disks);
- in local mode Spark's memory pages are 1 MB (``LOCAL_PAGE_SIZE``): a prediction builds
  fifty-odd small hash tables at once, each taking at least a page;
- any other Spark setting comes from Spark's own configuration (``spark-defaults.conf`` in
  ``SPARK_CONF_DIR``, or ``PYSPARK_SUBMIT_ARGS``).

Without pyspark, or without Java 17, ``EngineUnavailable`` says what to install.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

ENGINES = ("duckdb", "spark")
DEFAULT_MASTER = "local[2]"
MIN_JAVA = 17
INSTALL_HINT = "pip install 'cpmis[spark]' (or `make setup-spark`)"
logger = logging.getLogger(__name__)


class EngineUnavailable(Exception):
    """The engine asked for cannot run here (its software is missing): the message says
    what to install."""


def db_api(engine: str, *, master: str | None = None) -> Any:
    """A Splink backend for ``engine`` ("duckdb" or "spark"); see the module's docstring."""
    if engine == "duckdb":
        from . import model

        return _fresh_cache_per_linker(model.duckdb_api())
    if engine == "spark":
        master = master or os.environ.get("CPMIS_SPARK_MASTER") or DEFAULT_MASTER
        return _fresh_cache_per_linker(_spark_api(master))
    raise ValueError(f"Unknown linkage engine {engine!r}: choose one of {', '.join(ENGINES)}.")


def _fresh_cache_per_linker(api: Any) -> Any:
    """Let one backend serve the several Splink linkers of one ``model.score`` call.

    Splink keeps the tables it makes in a cache on the backend, and also finds them in the
    database by a hash of their SQL and the backend's ``_cache_uid``: a second linker on the
    same backend would take the first one's tables for its own (``__splink__df_concat_with_tf``
    of the dedupe step, without the ``source_dataset`` column that the link step needs). A
    linker registers its input tables first (aliases ``__splink__input_table_N`` or the
    caller's); Splink's own tables (term frequencies, new records) are ``__splink__df_...``.
    So when input tables are registered, the cache is emptied and the uid renewed: what was
    made before is not found again (it stays in the session until the session ends); and
    input tables of an earlier linker under the same names are replaced (Splink refuses to
    register ``new`` and ``known`` twice)."""
    from splink.internals.misc import ascii_uid

    register = api.register_multiple_tables

    def register_multiple_tables(
        input_tables: Any, input_aliases: Any = None, overwrite: bool = False
    ) -> Any:
        if not any(str(alias).startswith("__splink__df_") for alias in input_aliases or []):
            api._intermediate_table_cache.invalidate_cache()
            api._cache_uid = ascii_uid(8)
            overwrite = True  # "new" and "known" of an earlier call are replaced
        return register(input_tables, input_aliases, overwrite)

    api.register_multiple_tables = register_multiple_tables
    return api


def _inputs_in_jvm(api: Any) -> None:
    """Input tables (pandas frames) given Spark types and cached as soon as they are
    registered.

    Splink lets Spark infer the types, which fails on a column that is empty in the whole
    frame (a small batch with no B-form, no date of birth): such a column takes its type from
    ``_column_types``. And a frame made from Python rows is read through Python workers each
    time a query scans it, which Splink's blocking does once per rule: cached, it is read
    once."""
    import pandas as pd

    register = api._table_registration

    def _table_registration(input_table: Any, table_name: str) -> None:
        if isinstance(input_table, pd.DataFrame):
            schema = _schema(input_table)
            frame = api.spark.createDataFrame(api._clean_pandas_df(input_table), schema)
        else:
            register(input_table, table_name)
            frame = api.spark.table(table_name)
        frame = frame.cache()
        frame.count()
        frame.createOrReplaceTempView(table_name)

    api._table_registration = _table_registration


def _schema(frame: Any) -> Any:
    """Spark types for a pandas frame: from each column's values, else ``_column_types``,
    else string."""
    from pyspark.sql.types import StringType, StructField, StructType

    hints = _column_types()
    fields = []
    for name in frame.columns:
        found = _series_type(frame[name])
        fields.append(StructField(str(name), found or hints.get(name) or StringType(), True))
    return StructType(fields)


def _series_type(series: Any) -> Any:
    import pandas as pd
    from pyspark.sql.types import BooleanType, DoubleType, LongType

    if pd.api.types.is_bool_dtype(series.dtype):
        return BooleanType()
    if pd.api.types.is_integer_dtype(series.dtype):
        return LongType()
    if pd.api.types.is_float_dtype(series.dtype):
        return DoubleType()
    for value in series:
        found = _value_type(value)
        if found is not None:
            return found
    return None


def _value_type(value: Any) -> Any:
    """The Spark type of one Python value, or None (a missing value, an empty list)."""
    from pyspark.sql.types import ArrayType, BooleanType, DoubleType, LongType, StringType

    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return None
    if isinstance(value, bool):
        return BooleanType()
    if isinstance(value, int):
        return LongType()
    if isinstance(value, float):
        return DoubleType()
    if isinstance(value, list | tuple) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        inner = next((t for t in map(_value_type, items) if t is not None), None)
        return ArrayType(inner) if inner is not None else None
    return StringType()


@functools.cache
def _column_types() -> dict[str, Any]:
    """The Spark type of each feature column, read from the features of one complete
    record."""
    from . import model

    example = model.features(
        "x",
        {
            "child_name": "Ayesha Bibi",
            "guardian_name": "Muhammad Aslam Khan",
            "sex": "female",
            "date_of_birth": date(2015, 3, 1),
            "age_years": 11,
            "record_date": date(2026, 3, 1),
            "district": "PK617",
            "b_form_number": "3520112345671",
        },
    )
    found = {name: _value_type(value) for name, value in example.items()}
    return {name: kind for name, kind in found.items() if kind is not None}


def close(api: Any) -> None:
    """Stop the Spark session that ``db_api`` started and remove what it wrote: its checkpoint
    folder (Parquet of the records' features and pairs, on the shared storage too) and its
    scratch folder. Nothing to do for DuckDB, whose in-memory database goes with the object."""
    spark = getattr(api, "spark", None)
    scratch = getattr(api, "_cpmis_scratch", None)
    if spark is not None:
        try:
            checkpoint = spark.sparkContext.getCheckpointDir()
            if checkpoint:
                jvm = spark.sparkContext._jvm
                path = jvm.org.apache.hadoop.fs.Path(checkpoint)
                hadoop = spark.sparkContext._jsc.hadoopConfiguration()
                path.getFileSystem(hadoop).delete(path, True)
        except Exception:  # the session is gone or the storage refuses: say so, stop anyway
            logger.warning("Could not remove Spark's checkpoint folder", exc_info=True)
        spark.stop()
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def opened(engine: str, *, master: str | None = None) -> Iterator[Any]:
    """``db_api`` as a context: closed on the way out."""
    api = db_api(engine, master=master)
    try:
        yield api
    finally:
        close(api)


def spark_check() -> None:
    """Raise ``EngineUnavailable`` unless pyspark imports and Java 17 or later runs."""
    if not _pyspark_found():
        raise EngineUnavailable(f"Spark is not installed: {INSTALL_HINT}; it also needs Java 17.")
    java = _java()
    if java is None:
        raise EngineUnavailable(
            "Spark needs Java 17 or later, and there is no `java` on PATH or in JAVA_HOME "
            "(on Debian: apt-get install openjdk-17-jre-headless)."
        )
    version = _java_major(java)
    if version is not None and version < MIN_JAVA:
        raise EngineUnavailable(
            f"Spark needs Java {MIN_JAVA} or later; {java} is Java {version} (set JAVA_HOME "
            "to a newer one)."
        )


def _pyspark_found() -> bool:
    return importlib.util.find_spec("pyspark") is not None


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("java")


def _java_major(java: str) -> int | None:
    """Java's major version (``1.8`` is 8), or None when it cannot be told."""
    try:
        done = subprocess.run(  # noqa: S603 - our own argument list, no shell
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


LOCAL_PAGE_SIZE = "1m"  # Spark's memory pages in local mode (``_spark_api``)


def _local_cores(master: str) -> int | None:
    """The cores of a local master (``local``, ``local[4]``, ``local[*]``), else None."""
    found = re.fullmatch(r"local(?:\[(\d+|\*)(?:,\d+)?\])?", master.strip())
    if not found:
        return None
    cores = found.group(1) or "1"
    return (os.cpu_count() or 1) if cores == "*" else max(int(cores), 1)


def _spark_api(master: str) -> Any:
    spark_check()
    try:
        from pyspark.sql import SparkSession
        from splink import SparkAPI
        from splink.backends.spark import similarity_jar_location
    except ImportError as error:  # pyspark found but broken (e.g. py4j missing)
        raise EngineUnavailable(f"Spark cannot be imported ({error}): {INSTALL_HINT}.") from error

    scratch = tempfile.mkdtemp(prefix="cpmis-spark-")  # 0700: the records are personal data
    builder = (
        SparkSession.builder.master(master)
        .appName("cpmis-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.local.dir", os.path.join(scratch, "local"))
        .config("spark.sql.warehouse.dir", os.path.join(scratch, "warehouse"))
        .config("spark.ui.showConsoleProgress", "false")
        # Splink's blocking rules each exclude the pairs of the rules before them: Spark's
        # constraint propagation over those predicates takes longer than the queries.
        .config("spark.sql.constraintPropagation.enabled", "false")
    )
    cores = _local_cores(master)
    if cores is not None:
        # One machine: no web UI, the loopback interface, partitions by cores (Spark's 200
        # shuffle partitions are made for clusters, and each costs time on small inputs).
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.default.parallelism", str(cores))
            .config("spark.sql.shuffle.partitions", str(2 * cores))
            # Splink's prediction joins the records once for each blocking rule, and Spark
            # builds those joins' hash tables at once, each taking at least one memory page
            # (sized by the heap: 16 MB of 1 GB). Fifty-odd such pages filled the heap on 300
            # children, now and then: a minute of full collections, then a failed broadcast.
            .config("spark.buffer.pageSize", LOCAL_PAGE_SIZE)
        )
    try:
        spark: Any = builder.getOrCreate()
    except Exception as error:
        shutil.rmtree(scratch, ignore_errors=True)
        raise EngineUnavailable(f"Spark did not start with master {master!r}: {error}") from error
    spark.sparkContext.setLogLevel("ERROR")
    # PySpark 4 logs each failed query with its Java stack: Splink reports the failure itself.
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    # py4j says at INFO when each connection to the JVM closes, at exit too.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    shared = os.environ.get("CPMIS_SPARK_CHECKPOINT_DIR")
    if shared or cores is not None:
        spark.sparkContext.setCheckpointDir(shared or os.path.join(scratch, "checkpoints"))
    api: Any = SparkAPI(
        spark_session=spark, break_lineage_method="parquet" if shared else "persist"
    )
    api._cpmis_scratch = scratch
    try:
        # Splink only warns when its functions cannot be registered; queries would fail later.
        spark.sql("SELECT jaro_winkler('cpmis', 'cpmis')").collect()
    except Exception as error:
        close(api)
        raise EngineUnavailable(
            f"Splink's similarity functions are not available on Spark ({error}); the jar "
            f"{similarity_jar_location()} must reach the driver and the executors."
        ) from error
    _inputs_in_jvm(api)
    return api
