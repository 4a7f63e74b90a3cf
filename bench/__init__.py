"""Benchmarks of cpmis, run with ``cpmis bench NAME`` or ``python -m bench NAME``.

Each benchmark is a module of this package with a ``main(argv) -> int`` and a one-line
docstring; ``python -m bench`` lists them. Benchmarks print their figures and whether each
target is met; they never run in the test suite (tests do not time anything).
"""
