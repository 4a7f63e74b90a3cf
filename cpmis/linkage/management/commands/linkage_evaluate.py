from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpmis.linkage import evaluation, groundtruth
from cpmis.reference.models import District


class Command(BaseCommand):
    help = (
        "Link synthetic ground-truth records and print precision, recall and F1 of pairs and "
        "clusters for each method (the Splink models join the exact-match baseline here)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, children: int, seed: int, **options: Any) -> None:
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
        methods = {"exact name + DOB + district": evaluation.exact_match}
        for label, method in methods.items():
            predicted = method(records)
            pairs = evaluation.pair_scores(truth, predicted)
            clusters = evaluation.cluster_scores(truth, predicted)
            self.stdout.write(
                f"{label:<28} {pairs.precision:7.3f} {pairs.recall:7.3f} {pairs.f1:8.3f} "
                f"{clusters.precision:7.3f} {clusters.recall:7.3f} {clusters.f1:8.3f}"
            )
