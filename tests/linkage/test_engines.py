"""Where the linkage model runs: ``linkage_run --engine``, and Spark giving DuckDB's links."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cpmis.linkage import engines, groundtruth, model, services

SPARK = importlib.util.find_spec("pyspark") is not None
# CI installs pyspark (make setup-spark) and sets this: there a missing pyspark fails the test.
REQUIRED = bool(os.environ.get("CPMIS_REQUIRE_SPARK"))
needs_spark = pytest.mark.skipif(
    not SPARK and not REQUIRED,
    reason="!!! pyspark is not installed: Spark's equivalence with DuckDB is NOT TESTED here "
    "(`make setup-spark` installs it; CI runs this test with CPMIS_REQUIRE_SPARK=1)",
)


def _no_run(**kwargs: Any) -> Any:
    raise AssertionError("records_link must not run when the engine cannot start")


def test_an_unknown_engine_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "records_link", _no_run)
    with pytest.raises(CommandError, match="invalid choice: 'hadoop'"):
        call_command("linkage_run", "--engine", "hadoop")
    with pytest.raises(CommandError, match="Unknown engine"):
        call_command("linkage_run", engine="hadoop")
    with pytest.raises(CommandError, match="--spark-master needs --engine spark"):
        call_command("linkage_run", "--spark-master", "spark://host:7077")


def test_without_pyspark_the_command_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark fails, find_spec is None
    monkeypatch.setattr(services, "records_link", _no_run)
    with pytest.raises(CommandError, match=r"Spark is not installed: pip install 'cpmis\[spark\]'"):
        call_command("linkage_run", "--engine", "spark")


def test_without_java_the_command_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "_pyspark_found", lambda: True)
    monkeypatch.setattr(engines, "_java", lambda: None)
    monkeypatch.setattr(services, "records_link", _no_run)
    with pytest.raises(CommandError, match="Spark needs Java 17 or later"):
        call_command("linkage_run", "--engine", "spark", "--spark-master", "local[1]")


def test_an_old_java_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "_pyspark_found", lambda: True)
    monkeypatch.setattr(engines, "_java", lambda: "/usr/bin/java")
    monkeypatch.setattr(engines, "_java_major", lambda java: 11)
    with pytest.raises(
        engines.EngineUnavailable, match="Java 17 or later; /usr/bin/java is Java 11"
    ):
        engines.spark_check()


def test_the_operator_sees_one_line_and_no_traceback(tmp_path: Any) -> None:
    code = (
        "import sys; sys.modules['pyspark'] = None\n"
        "from cpmis.cli import main\n"
        "main(['manage', 'linkage_run', '--engine', 'spark'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    result = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**env, "CPMIS_MODE": "test", "CPMIS_VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Spark is not installed: pip install 'cpmis[spark]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_local_masters_give_their_cores() -> None:
    assert engines._local_cores("local[2]") == 2
    assert engines._local_cores("local") == 1
    assert engines._local_cores("local[*]") == (os.cpu_count() or 1)
    assert engines._local_cores("spark://host:7077") is None


def test_java_versions_are_read() -> None:
    java = engines._java()
    if java is None:
        pytest.skip("no Java on this machine")
    version = engines._java_major(java)
    assert version is not None and version >= 8


@needs_spark
@pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")  # pyspark's, on pandas 3
def test_spark_links_what_duckdb_links() -> None:
    """300 children: the pairs at the review threshold on Spark (local mode) are DuckDB's, at
    least 99.5 % of the pairs either finds (Jaro-Winkler differs on a few pairs in 10,000)."""
    shipped = json.loads(services.SHIPPED_MODEL.read_text())
    splink, review = shipped["splink"], float(shipped["review_threshold"])
    records = groundtruth.records_make(
        300,
        seed=11,
        districts_by_province=groundtruth.districts_by_province(),
        today=date(2026, 11, 28),
    )
    rows = [model.features(f"r{i}", record) for i, record in enumerate(records)]
    new, known = rows[1::2], rows[0::2]

    def keys(pairs: list[tuple[Any, Any, float]]) -> set[tuple[Any, Any]]:
        return {(a, b) if str(a) <= str(b) else (b, a) for a, b, _ in pairs}

    # A small batch, as a submission makes: columns empty in every row (no date of birth, no
    # B-form) must still have their types on Spark.
    few = [
        model.features(f"n{i}", {**records[i], "date_of_birth": None, "b_form_number": ""})
        for i in range(3)
    ]
    duck = keys(model.score(splink, new, known, threshold=review))
    duck_few = keys(model.score(splink, few, known[:50], threshold=review))
    with engines.opened("spark", master="local[2]") as api:
        conf = api.spark.sparkContext.getConf()
        assert conf.get("spark.buffer.pageSize") == engines.LOCAL_PAGE_SIZE
        spark = keys(model.score(splink, new, known, threshold=review, db_api=api))
        spark_few = keys(model.score(splink, few, known[:50], threshold=review, db_api=api))
    assert spark_few == duck_few
    assert len(duck) > 50
    assert len(duck & spark) >= 0.995 * len(duck | spark), duck ^ spark
