from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from cpmis.demo.generator import population_generate
from cpmis.demo.oversight import oversight_generate
from cpmis.demo.statistics import statistics_year_generate


@pytest.fixture
def year(clock: Any, db: Any) -> int:
    """A synthetic past year: cases with their timelines, complaints, justice records and the
    oversight registers. The clock is pinned (tests/conftest.py) for the tests that use it:
    the figures count tasks done or overdue "by now" and children's ages on the day."""
    last = timezone.localdate().year - 1
    population_generate(size=400, seed=7)
    statistics_year_generate(year=last, cases=700, seed=7)
    oversight_generate(seed=7, year=last)
    return last
