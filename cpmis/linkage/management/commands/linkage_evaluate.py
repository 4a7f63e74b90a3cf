import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpmis.linkage import evaluation, groundtruth
from cpmis.reference.models import District


class Command(BaseCommand):
    help = (
        "Link synthetic ground-truth records and print precision, recall and F1 of pairs and "
        "clusters: the exact-match baseline, a generic Splink model and cpmis's own model."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--baseline-only",
            action="store_true",
            help="Leave out the generic Splink model (the slowest part on a large population).",
        )

    def handle(
        self, *args: Any, children: int, seed: int, baseline_only: bool, **options: Any
    ) -> None:
        if not 1 <= children <= 2_000_000:
            raise CommandError("--children must be between 1 and 2,000,000.")
        by_province: dict[str, list[str]] = {}
        for pcode, iso in District.objects.values_list("pcode", "jurisdiction__iso_code"):
            by_province.setdefault(iso, []).append(pcode)
        if not by_province:
            raise CommandError("No districts: run `cpmis manage load_reference` first.")
        records = groundtruth.records_make(
            children, seed=seed, districts_by_province=by_province, today=date(2026, 11, 28)
        )
        truth = [r["truth"] for r in records]
        self.stdout.write(f"{children:,} children, {len(records):,} records (seed {seed})")
        self.stdout.write(
            f"{'method':<28} {'pair P':>7} {'pair R':>7} {'pair F1':>8} "
            f"{'clus P':>7} {'clus R':>7} {'clus F1':>8}"
        )
        rows: list[tuple[str, list[Any], str]] = []
        timer = time.perf_counter()
        rows.append(("exact name + DOB + district", evaluation.exact_match(records), ""))
        rows[-1] = (*rows[-1][:2], f"{time.perf_counter() - timer:.1f} s")
        if not baseline_only:
            timer = time.perf_counter()
            generic = evaluation.splink_generic(records)
            rows.append(("Splink, generic model", generic, f"{time.perf_counter() - timer:.1f} s"))
        timer = time.perf_counter()
        result = evaluation.cpmis_model(records)
        spent = time.perf_counter() - timer
        rows.append(("cpmis model (automatic)", result.labels, f"{spent:.1f} s"))
        rows.append(("  … and reviews decided", result.reviewed, "(as the truth says)"))
        for label, predicted, note in rows:
            pairs = evaluation.pair_scores(truth, predicted)
            clusters = evaluation.cluster_scores(truth, predicted)
            self.stdout.write(
                f"{label:<28} {pairs.precision:7.3f} {pairs.recall:7.3f} {pairs.f1:8.3f} "
                f"{clusters.precision:7.3f} {clusters.recall:7.3f} {clusters.f1:8.3f}  {note}"
            )
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
        self.stdout.write(
            f"cpmis model: link at p ≥ {result.link_threshold:.3f}, review at p ≥ "
            f"{result.review_threshold:.3f} (chosen from the model's own probabilities); "
            f"{result.review_groups:,} review items ({result.review_records:,} records, "
            f"{result.review_records / len(records):.1%}); {steps}"
        )
