"""The benchmark runner: ``python -m bench`` lists the benchmarks, ``python -m bench NAME ...``
runs one (``cpmis bench NAME ...`` is the same). The exit code is 0 when the benchmark ran,
whether or not its targets were met (it prints that); non-zero only on errors."""

from __future__ import annotations

import importlib
import sys

# Name -> module (in this package) with ``main(argv: list[str]) -> int``.
BENCHMARKS: dict[str, str] = {
    "child_search": "bench.child_search",
    "compliance_matrix": "bench.compliance_matrix",
    "case_dashboards": "bench.case_dashboards",
    "case_homes": "bench.case_homes",
    "complaint_load": "bench.complaint_load",
    "exchange_import": "bench.exchange_import",
    "exchange_job": "bench.exchange_job",
    "linkage_quality": "bench.linkage_quality",
    "linkage_cost": "bench.linkage_cost",
    "linkage_spark": "bench.linkage_spark",
    "indicators_annex": "bench.indicators_annex",
    "indicator_pages": "bench.indicator_pages",
    "page_languages": "bench.page_languages",
    "field_offline": "bench.field_offline",
}


def _summary(module_name: str) -> str:
    module = importlib.import_module(module_name)
    doc = (module.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def benchmarks_list() -> None:
    print("Benchmarks (run one with `cpmis bench NAME` or `python -m bench NAME --help`):")
    for name, module_name in BENCHMARKS.items():
        print(f"  {name:<16} {_summary(module_name)}")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--":
        args = args[1:]
    if not args or args[0] in {"-l", "--list", "list"}:
        benchmarks_list()
        return 0
    if args[0] in {"-h", "--help"}:
        print(__doc__)
        benchmarks_list()
        return 0
    name, rest = args[0], args[1:]
    module_name = BENCHMARKS.get(name)
    if module_name is None:
        print(f"Unknown benchmark {name!r}.", file=sys.stderr)
        benchmarks_list()
        return 2
    module = importlib.import_module(module_name)
    code: int = module.main(rest)
    return code


if __name__ == "__main__":
    sys.exit(main())
