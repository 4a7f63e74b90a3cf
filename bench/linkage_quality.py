"""Linkage quality on the synthetic ground truth: cpmis's model against two baselines.

For each population (``--children``, default 20,000 and 200,000) the generator of
``cpmis.linkage.groundtruth`` makes each child's department records with this population's
corruptions, and three methods link the same records:

- **exact match** on normalised name + date of birth + district (baseline 1);
- **a generic Splink model**: Splink's default name, date-of-birth and district comparisons,
  trained the usual way, clustered at 0.95 (baseline 2);
- **cpmis's model** (``cpmis.linkage.model``), trained on the records without their truth,
  thresholds from its own probabilities, clustered without chaining.

Pair and cluster precision, recall and F1 are printed for each. Targets (the cpmis model,
automatic links only, over the record pairs its clusters imply): precision at least 0.98 at
every size; F1 at least 0.93 with 20,000 children and 0.88 with 200,000; review groups at
most 2 % of records. The row "… and reviews decided" shows what the review
queue adds when each item is decided as the truth says.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date

from ._support import run_main

TARGETS = {20_000: 0.93, 200_000: 0.88}  # pair F1, the issue's


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench linkage_quality",
        description=(__doc__ or "").strip().splitlines()[0],
    )
    parser.add_argument(
        "--children", default="20000,200000", help="populations, comma-separated (20000,200000)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--conditions",
        default="standard;lookalike;hard",
        help="generator presets or presets with overrides, separated by ';' "
        "(standard;hard;hard,dob_missing=0.6)",
    )
    parser.add_argument(
        "--no-generic", action="store_true", help="leave out the generic Splink baseline"
    )
    args = parser.parse_args(list(argv))
    try:
        args.sizes = [int(x) for x in str(args.children).split(",") if x.strip()]
    except ValueError:
        parser.error("--children takes whole numbers separated by commas")
    if not args.sizes or not all(100 <= n <= 1_000_000 for n in args.sizes):
        parser.error("--children must be between 100 and 1,000,000")
    from cpmis.linkage import groundtruth

    try:
        args.grid = [
            (text.strip(), groundtruth.conditions_parse(text.strip()))
            for text in str(args.conditions).replace(";", "|").split("|")
            if text.strip()
        ]
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv: Sequence[str]) -> int:
    return run_main(arguments, run, argv)


def run(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("CPMIS_MODE", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpmis.settings")
    import django

    django.setup()
    from cpmis.linkage import evaluation, groundtruth, model

    districts = groundtruth.districts_by_province()
    for (label, conditions), n in ((c, n) for c in args.grid for n in args.sizes):
        records = groundtruth.records_make(
            n,
            seed=args.seed,
            districts_by_province=districts,
            today=date(2026, 11, 28),
            conditions=conditions,
        )
        print(f"\n{n:,} children, {len(records):,} records (seed {args.seed}, {label})", flush=True)
        missed, true_pairs = evaluation.blocking_missed(
            [model.features(i, r) for i, r in enumerate(records)], [r["truth"] for r in records]
        )
        print(
            f"blocking: {missed:,} of {true_pairs:,} true pairs never compared "
            f"({missed / max(true_pairs, 1):.2%}; target under 2 %)",
            flush=True,
        )
        comparison = evaluation.compare(records, generic=not args.no_generic)
        for line in evaluation.comparison_lines(comparison):
            print(line)
        by_label = {m.label: m.pairs for m in comparison.methods}
        ours = by_label["cpmis model (automatic)"]
        best_baseline = max(
            scores.f1
            for label, scores in by_label.items()
            if "cpmis" not in label and "…" not in label
        )
        target = TARGETS.get(n)
        verdict = f"pair precision ≥ 0.98: {'MET' if ours.precision >= 0.98 else 'MISSED'}; "
        if target is not None:
            met = "MET" if ours.f1 >= target else "MISSED"
            verdict += f"pair F1 ≥ {target}: {met} ({ours.f1:.3f}); "
        share = comparison.model.review_groups / max(comparison.records, 1)
        verdict += f"review groups {share:.2%} of records (≤ 2 %); "
        print(
            f"{verdict}{ours.f1 / max(best_baseline, 1e-9):.1f}× the best baseline's pair F1 "
            f"({best_baseline:.3f})",
            flush=True,
        )
    return 0
