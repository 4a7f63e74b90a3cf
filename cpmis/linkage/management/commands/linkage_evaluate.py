from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpmis.linkage import evaluation, groundtruth


class Command(BaseCommand):
    help = (
        "Link synthetic ground-truth records and print precision, recall and F1 of pairs and "
        "clusters: the exact-match baseline, a generic Splink model and cpmis's own model."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--no-generic",
            action="store_true",
            help="Leave out the generic Splink model (the slowest part on a large population).",
        )

    def handle(
        self, *args: Any, children: int, seed: int, no_generic: bool, **options: Any
    ) -> None:
        if not 1 <= children <= 2_000_000:
            raise CommandError("--children must be between 1 and 2,000,000.")
        by_province = groundtruth.districts_by_province()
        records = groundtruth.records_make(
            children, seed=seed, districts_by_province=by_province, today=date(2026, 11, 28)
        )
        self.stdout.write(f"{children:,} children, {len(records):,} records (seed {seed})")
        comparison = evaluation.compare(records, generic=not no_generic)
        for line in evaluation.comparison_lines(comparison):
            self.stdout.write(line)
