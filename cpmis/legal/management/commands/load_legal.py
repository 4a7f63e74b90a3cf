from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cpmis.legal.loader import legal_data_load


class Command(BaseCommand):
    help = "Load the legal catalogue from cpmis/legal/data (idempotent, all or nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = legal_data_load()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for label, count in report.created.items():
            removed = report.removed.get(label, 0)
            self.stdout.write(
                f"{label}: {count} created, {report.updated.get(label, 0)} updated"
                + (f", {removed} removed" if removed else "")
            )
