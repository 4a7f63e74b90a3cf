"""Loaded by pytest (``-p tests.pytest_plugin`` in pyproject.toml) before pytest-django reads
the settings: the suite runs in test mode because it says so, not because pytest is imported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# An explicit CPMIS_MODE in the environment still wins (e.g. a run against production settings).
os.environ.setdefault("CPMIS_MODE", "test")


def pytest_configure(config: pytest.Config) -> None:
    # Importing the settings creates no directory; the test client's whitenoise warns on every
    # request without the static root, so the session makes it, as `cpmis serve` does.
    from django.conf import settings

    if settings.configured:
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
