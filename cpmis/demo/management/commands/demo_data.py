import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cpmis.actors import DEMO
from cpmis.demo.generator import (
    DEFAULT_PASSWORD,
    cases_generate,
    demo_accounts_create,
    population_generate,
)
from cpmis.people.models import Child


class Command(BaseCommand):
    help = "Create the demo accounts and a synthetic population (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=int, default=2000, help="number of children")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, size: int, seed: int, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Demo data is only generated in demo mode (CPMIS_MODE=demo).")
        if size < 0 or size > 5_000_000:
            raise CommandError("--size must be between 0 and 5,000,000.")
        password = os.environ.get("CPMIS_DEMO_PASSWORD") or DEFAULT_PASSWORD
        accounts = demo_accounts_create(password=password)
        if not Child.objects.exists():
            population_generate(size=size, seed=seed)
            cases = cases_generate(seed=seed)
            self.stdout.write(f"{cases} synthetic cases at every stage.")
            from cpmis.demo.complaints import complaints_generate

            complaints = complaints_generate(seed=seed)
            self.stdout.write(f"{complaints} synthetic complaints from every channel.")
            from cpmis.demo.exchange import exchange_generate

            records = exchange_generate(seed=seed)
            self.stdout.write(f"{records} synthetic police records in three department batches.")
            from cpmis.demo.oversight import oversight_generate
            from cpmis.demo.reporting import report_demo_generate
            from cpmis.demo.statistics import statistics_year_generate

            # a whole past year for the statistics and the report, and this year so far
            year = timezone.localdate().year - 1
            for y, n in ((year, max(1, size * 3 // 2)), (year + 1, max(1, size))):
                made = statistics_year_generate(year=y, cases=n, seed=seed)
                self.stdout.write(
                    f"{y}: {made['cases']} cases, {made['complaints']} complaints, "
                    f"{made['records']} police, FIA and court records for the statistics."
                )
                oversight_generate(seed=seed + y, year=y)
            self.stdout.write("Oversight registers: trainings, awareness, requests, CORs.")
            from cpmis.demo.casework import district_offices_create, transfers_waiting_create

            offices = district_offices_create(password=password)
            waiting = transfers_waiting_create(seed=seed)
            self.stdout.write(
                f"District offices: {offices['accounts']} more accounts (supervisor.<district> "
                f"and cpo.<district>, e.g. supervisor.faisalabad), {waiting} transfers waiting "
                "for a supervisor's answer."
            )
            report_demo_generate(year=year)
            self.stdout.write(f"A zero draft of the report on {year}.")
            from cpmis.linkage import services as linkage

            # A cautious province: people decide more (link at 0.9 rather than the shipped
            # model's 0.5), so the demo's review queue has work in it.
            linkage.model_rethreshold(
                actor=DEMO,
                link_threshold=0.9,
                review_threshold=linkage.REVIEW_FLOOR,
                source="demo: the shipped model with cautious thresholds",
            )
            run = linkage.records_link(actor=DEMO)
            self.stdout.write(
                f"Linkage: {run.linked} records linked ({run.new_children} new children), "
                f"{run.review} to review, {run.waiting} waiting."
            )
        self.stdout.write(f"{Child.objects.count()} synthetic children.")
        self.stdout.write(f"Demo accounts (password: {password}):")
        for user, account in accounts:
            self.stdout.write(f"  {user.username:<22} {account.description}")
