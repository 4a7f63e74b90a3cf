from typing import Any

from django.core.management.base import BaseCommand

from cpmis.reference.services import reference_data_load


class Command(BaseCommand):
    help = "Load jurisdictions, districts, departments and institution types (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = reference_data_load()
        for label, count in result.created.items():
            self.stdout.write(f"{label}: {count} created, {result.updated[label]} updated")
