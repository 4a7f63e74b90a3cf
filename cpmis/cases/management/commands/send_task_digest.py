from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cpmis.cases.digest import digests_send


class Command(BaseCommand):
    help = "E-mail each officer and supervisor their open tasks, overdue first (run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        self.stdout.write(f"{digests_send(base_url=base_url.rstrip('/'))} digest(s) sent.")
