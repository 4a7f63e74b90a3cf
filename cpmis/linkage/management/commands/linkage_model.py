"""Check a linkage model file, or install it as the next model version."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpmis.actors import command
from cpmis.linkage import modelfile, services


class Command(BaseCommand):
    help = (
        "Check a linkage model file (--check FILE), or check it and install it as the next "
        "model version (--install FILE). A file edited by hand, or made for another version "
        "of cpmis, is refused and nothing is installed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", type=Path, metavar="FILE")
        action.add_argument("--install", type=Path, metavar="FILE")

    def handle(self, *args: Any, check: Path | None, install: Path | None, **options: Any) -> None:
        path = install or check
        assert path is not None
        try:
            loaded = modelfile.load(path)
        except modelfile.ModelFileError as exc:
            raise CommandError(f"{exc}{' Nothing was installed.' if install else ''}") from exc
        described = (
            f"trained on {loaded.trained_on:,} records ({loaded.source}), link ≥ "
            f"{loaded.link_threshold:.3f}, review ≥ {loaded.review_threshold:.3f}"
        )
        if install is None:
            self.stdout.write(f"{path}: a valid model file, {described}.")
            return
        installed = services.model_install(
            actor=command("linkage_model", "linkage.manage"), **loaded.install_kwargs()
        )
        self.stdout.write(f"Installed linkage model v{installed.version}: {described}.")
