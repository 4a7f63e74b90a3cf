"""Work over a national batch runs with Python's cyclic collector paused, and gives it back
whatever happens; an inner block leaves it to the outer one."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from cpmis.core.bulk import collection_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:  # pragma: no cover - the suite runs with the collector on
        gc.disable()


def test_the_collector_is_paused_inside_and_back_after() -> None:
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block left it to the outer
    assert gc.isenabled()


def test_it_is_back_after_an_error_and_as_a_decorator() -> None:
    @collection_paused()
    def fails() -> None:
        assert not gc.isenabled()
        raise ValueError("stopped")

    with pytest.raises(ValueError, match="stopped"):
        fails()
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()
    gc.enable()
