from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from cpmis.legal.loader import DATA_DIR, legal_data_load


@pytest.fixture
def catalogue(db: Any) -> None:
    """The shipped catalogue (loaded once for the session; again after a flush)."""
    from cpmis.legal.models import Statute

    if not Statute.objects.exists():
        legal_data_load()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the shipped files, to break on purpose."""
    for f in DATA_DIR.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def edit_csv(path: Path, change: Any) -> None:
    """Apply ``change(rows)`` to a CSV file in place (it may append or alter rows)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
