"""Linkage cost on these cores: a whole population end to end, and one batch incrementally.

1. **End to end**: ``--children`` (200,000: about 420,000 records) synthetic children linked
   from nothing: features, training, scoring, clustering. Run in a child process, so its
   peak memory (ru_maxrss) is the linkage's own (with the records it is given). Beside it,
   the exact-match baseline on the same records. Target: under 130 s and 3 GB.
2. **Incremental**: ``--batch`` (10,000) new records linked against ``--known`` (1,000,000)
   records already linked (their features stored, as ``RecordFeatures`` keeps them): the
   batch's features, scoring against the known records and within the batch, and
   clustering. Beside it, the exact-match baseline linking the same batch. Target: under
   30 s. The share of new records put with the right known child is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from ._support import BenchError, run_main, table

TARGET_SECONDS, TARGET_GB, TARGET_INCREMENTAL = 130.0, 3.0, 30.0
TODAY = date(2026, 11, 28)


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench linkage_cost",
        description=(__doc__ or "").strip().splitlines()[0],
    )
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--known", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--part", choices=["all", "full", "incremental"], default="all")
    parser.add_argument("--child-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(list(argv))
    if not 100 <= args.children <= 1_000_000:
        parser.error("--children must be between 100 and 1,000,000")
    if not 1_000 <= args.known <= 3_000_000 or not 10 <= args.batch <= args.known:
        parser.error("--known must be 1,000 to 3,000,000 and --batch 10 to --known")
    return args


def main(argv: Sequence[str]) -> int:
    return run_main(arguments, run, argv)


def _django() -> None:
    os.environ.setdefault("CPMIS_MODE", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpmis.settings")
    import django

    django.setup()


def _records(children: int, seed: int) -> list[dict[str, Any]]:
    from cpmis.linkage import groundtruth

    return groundtruth.records_make(
        children, seed=seed, districts_by_province=groundtruth.districts_by_province(), today=TODAY
    )


def full_in_child(children: int) -> dict[str, Any]:
    """Runs in the child process: link a population from nothing; report times and memory."""
    _django()
    from cpmis.linkage import evaluation

    records = _records(children, seed=2026)
    truth = [r["truth"] for r in records]
    started = time.perf_counter()
    exact = evaluation.exact_match(records)
    exact_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = evaluation.cpmis_model(records)
    seconds = time.perf_counter() - started
    return {
        "records": len(records),
        "seconds": seconds,
        "steps": result.seconds,
        "exact_seconds": exact_seconds,
        "cluster_f1": evaluation.cluster_scores(truth, result.labels).f1,
        "exact_cluster_f1": evaluation.cluster_scores(truth, exact).f1,
        "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
    }


def full(args: argparse.Namespace) -> None:
    command = [sys.executable, "-m", "bench", "linkage_cost", "--child-process", "--part", "full"]
    command += ["--children", str(args.children)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BenchError(f"the linkage process failed:\n{done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in figures["steps"].items())
    print(f"\nEnd to end: {args.children:,} children, {figures['records']:,} records")
    print(
        table(
            ["method", "seconds", "peak memory", "cluster F1"],
            [
                [
                    "exact match (baseline)",
                    f"{figures['exact_seconds']:.1f}",
                    "",
                    f"{figures['exact_cluster_f1']:.3f}",
                ],
                [
                    "cpmis model",
                    f"{figures['seconds']:.1f}",
                    f"{figures['peak_gb']:.2f} GB",
                    f"{figures['cluster_f1']:.3f}",
                ],
            ],
        )
    )
    print(f"steps: {steps}")
    met = figures["seconds"] < TARGET_SECONDS and figures["peak_gb"] < TARGET_GB
    print(
        f"target under {TARGET_SECONDS:.0f} s and {TARGET_GB:.0f} GB: "
        f"{'MET' if met else 'MISSED'} ({figures['seconds']:.1f} s, {figures['peak_gb']:.2f} GB; "
        f"memory counts the records given too)",
        flush=True,
    )


def incremental(args: argparse.Namespace) -> None:
    _django()
    from cpmis.linkage import clustering, model
    from cpmis.people.search import normalize_name

    shipped = _shipped()
    # Children enough for known + batch records (about 2.1 records a child).
    children = int((args.known + args.batch) / 2.1) + 1
    print(f"\nIncremental: making {children:,} children's records …", flush=True)
    records = _records(children, seed=99)
    rng = random.Random(5)
    order = list(range(len(records)))
    rng.shuffle(order)
    batch_ids = set(order[: args.batch])
    known_ids = order[args.batch : args.batch + args.known]
    print(
        f"deriving the stored features of {len(known_ids):,} known records (not timed) …",
        flush=True,
    )
    known_rows = [model.features(f"k{i}", records[i]) for i in known_ids]
    # The population's name counts (NameFrequency, kept up to date as records are stored).
    given_known, named_known = model.frequencies(known_rows)["given"]
    known = {f"k{i}": records[i]["truth"] for i in known_ids}
    truth_known = set(known.values())
    # The stored blocking keys (BlockingKey, indexed in the database; here a dict).
    key_index: dict[int, list[int]] = {}
    for position, row in enumerate(known_rows):
        for blocking_key in model.blocking_keys(row):
            key_index.setdefault(blocking_key, []).append(position)

    started = time.perf_counter()
    new_rows = [model.features(f"n{i}", records[i]) for i in sorted(batch_ids)]
    given_new, named_new = model.frequencies(new_rows)["given"]
    wanted = sorted(
        {
            p
            for row in new_rows
            for k in model.blocking_keys(row, probe=True)
            for p in key_index.get(k, ())
        }
    )
    candidates = [known_rows[p] for p in wanted]
    population = len(known_rows) + len(new_rows)
    scoring = model.score_population(
        shipped["splink"],
        new_rows,
        candidates,
        threshold=shipped["review_threshold"],
        partners=model.expected_partners(shipped["splink"], shipped["trained_on"], population),
        population=population,
        estimate=population >= shipped["trained_on"],
    )
    feats = {row["unique_id"]: row for row in new_rows}
    feats.update((row["unique_id"], row) for row in candidates)
    outcome = clustering.cluster_cohesive(
        scoring.pairs,
        feats,
        [row["unique_id"] for row in new_rows],
        {row["unique_id"]: known[row["unique_id"]] for row in candidates},
        link=shipped["link_threshold"],
        review=shipped["review_threshold"],
        score_within=lambda cohorts: model.score_within(
            shipped["splink"], feats, cohorts, prior=scoring.prior
        ),
        apart=clustering.siblings_apart(
            Counter(given_known) + Counter(given_new),
            named_known + named_new,
            model.b_form_variants(feats.values()),
        ),
    )
    seconds = time.perf_counter() - started

    started = time.perf_counter()
    index: dict[tuple[Any, ...], Any] = {}
    for i in known_ids:
        r = records[i]
        if r["date_of_birth"] is not None:
            index[(normalize_name(r["child_name"]), r["date_of_birth"], r["district"])] = r["truth"]
    exact_hits = 0
    for i in batch_ids:
        r = records[i]
        key = (normalize_name(r["child_name"]), r["date_of_birth"], r["district"])
        if r["date_of_birth"] is not None and index.get(key) == r["truth"]:
            exact_hits += 1
    exact_seconds = time.perf_counter() - started

    right = wrong = 0
    for group, child in outcome.existing.items():
        for uid in outcome.groups[group]:
            if records[int(uid[1:])]["truth"] == child:
                right += 1
            else:
                wrong += 1
    linkable = sum(1 for i in batch_ids if records[i]["truth"] in truth_known)
    print(
        table(
            ["method", "seconds", "linked to the right known child", "wrong"],
            [
                [
                    "exact match (baseline)",
                    f"{exact_seconds:.1f}",
                    f"{exact_hits:,} of {linkable:,}",
                    "0",
                ],
                ["cpmis model", f"{seconds:.1f}", f"{right:,} of {linkable:,}", f"{wrong:,}"],
            ],
        )
    )
    print(
        f"{len(outcome.review):,} review groups, {len(outcome.new):,} new children; "
        f"{len(candidates):,} of {len(known_rows):,} known records read through the blocking "
        f"keys; prior {scoring.prior:.3g} ({scoring.partners:.2f} other records per record)"
    )
    print(
        f"target under {TARGET_INCREMENTAL:.0f} s: "
        f"{'MET' if seconds < TARGET_INCREMENTAL else 'MISSED'} ({seconds:.1f} s)",
        flush=True,
    )


def _shipped() -> dict[str, Any]:
    from pathlib import Path

    from cpmis.linkage import services

    data: dict[str, Any] = json.loads(Path(services.SHIPPED_MODEL).read_text(encoding="utf-8"))
    return data


def run(args: argparse.Namespace) -> int:
    if args.child_process:
        print(json.dumps(full_in_child(args.children)))
        return 0
    if args.part in ("all", "full"):
        full(args)
    if args.part in ("all", "incremental"):
        incremental(args)
    return 0
