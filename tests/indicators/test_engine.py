"""Counting: only the sources' own column names ever reach the SQL text."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date

import pytest

from cpmis.indicators import engine
from cpmis.indicators.catalogue import catalogue
from cpmis.indicators.facts import Window

WINDOW = Window(date(2025, 1, 1), date(2026, 1, 1))
HOSTILE = 'sex" FROM x; DROP TABLE cases_case; --'


@pytest.mark.parametrize("code", ["CAS01", "JUS03"])  # a queryset source, a SQL/Python source
@pytest.mark.parametrize("name", [HOSTILE, "shoe_size"])
def test_it_refuses_a_breakdown_the_source_does_not_have(personas, code, name):
    request = engine.Request(catalogue()[code], WINDOW, ((name,), ()))
    with pytest.raises(engine.UnknownColumn, match=r"shoe_size|DROP TABLE"):
        engine.compute(personas.analyst, request)


@pytest.mark.parametrize("code", ["CAS01", "JUS03"])
def test_it_refuses_a_filter_the_source_does_not_have(personas, code):
    request = engine.Request(catalogue()[code], WINDOW, ((),), filters=((HOSTILE, "x"),))
    with pytest.raises(engine.UnknownColumn):
        engine.compute(personas.analyst, request)


def test_it_refuses_an_unknown_column_when_counting_together(personas):
    requests = [
        engine.Request(catalogue()["CAS01"], WINDOW, (("sex",), ())),
        engine.Request(catalogue()["CAS01"], WINDOW, ((HOSTILE,), ())),
    ]
    with pytest.raises(engine.UnknownColumn):
        engine.compute_together(personas.analyst, requests)


def test_the_refusal_survives_python_optimisation():
    """``python -O`` strips asserts: the check must not be one."""
    script = textwrap.dedent(
        f"""
        import django
        django.setup()
        from cpmis.indicators import engine
        from cpmis.indicators.catalogue import catalogue
        from cpmis.indicators.facts import Window
        from datetime import date
        window = Window(date(2025, 1, 1), date(2026, 1, 1))
        request = engine.Request(catalogue()["CAS01"], window, (({HOSTILE!r},),))
        try:
            engine.compute(None, request)
        except engine.UnknownColumn:
            print("refused")
        """
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cpmis.settings", "CPMIS_MODE": "test"}
    done = subprocess.run(  # noqa: S603 - a fixed script run by this interpreter
        [sys.executable, "-O", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip() == "refused", done.stderr[-2000:]
