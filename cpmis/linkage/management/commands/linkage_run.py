from typing import Any

from django.core.management.base import BaseCommand

from cpmis.linkage import services


class Command(BaseCommand):
    help = (
        "Link every department record that has no link and no open review (run it on a "
        "schedule; submissions link their own records as they arrive)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = services.records_link(actor=None)
        self.stdout.write(
            f"{run.records:,} records: {run.linked:,} linked ({run.new_children:,} new "
            f"children), {run.review:,} to review, {run.waiting:,} waiting; "
            f"model v{run.model_version}, {run.seconds:.1f} s"
        )
