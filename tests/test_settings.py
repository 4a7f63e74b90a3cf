"""The settings module: the mode comes from CPMIS_MODE alone, and importing it writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLEARED = {"CPMIS_MODE", "SECRET_KEY", "DEBUG", "DATABASE_URL", "CPMIS_VAR_DIR"}
LOAD = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'cpmis.settings'; "
    "from django.conf import settings; settings.INSTALLED_APPS; "
)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in CLEARED}
    return subprocess.run(  # noqa: S603 - a fixed interpreter and code
        [sys.executable, "-c", code],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_is_not_test_mode_because_pytest_is_imported(tmp_path: Path) -> None:
    # A library that imports pytest must not lower the guard: no secret key, no start.
    result = run_python("import pytest; " + LOAD, CPMIS_VAR_DIR=str(tmp_path / "var"))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr

    result = run_python(
        "import pytest; " + LOAD + "print(settings.CPMIS_MODE, settings.CPMIS_REQUIRE_2FA)",
        CPMIS_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="x" * 50,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["production", "True"]


def test_it_is_test_mode_only_when_cpmis_mode_says_so(tmp_path: Path) -> None:
    result = run_python(
        LOAD + "print(settings.CPMIS_MODE)", CPMIS_MODE="test", CPMIS_VAR_DIR=str(tmp_path / "v")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["test"]


def test_importing_settings_creates_no_directory(tmp_path: Path) -> None:
    var = tmp_path / "var"
    result = run_python(
        LOAD + "print(settings.STATIC_ROOT, settings.DATABASES['default']['NAME'])",
        CPMIS_MODE="test",
        CPMIS_VAR_DIR=str(var),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(var / "static"), str(var / "cpmis.sqlite3")]
    assert not var.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_cpmis_command_creates_the_directories_when_it_starts(tmp_path: Path) -> None:
    var = tmp_path / "var"
    base = {k: v for k, v in os.environ.items() if k not in CLEARED}
    result = subprocess.run(
        [sys.executable, "-m", "cpmis.cli", "manage", "migrate", "--check"],
        cwd=tmp_path,
        env={**base, "CPMIS_MODE": "test", "CPMIS_VAR_DIR": str(var)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # The database is new, so migrations are unapplied (exit 1); what matters is that SQLite
    # could open a file in the directory the command made.
    assert "unable to open database file" not in result.stderr
    assert (var / "static").is_dir() and (var / "cpmis.sqlite3").exists()
