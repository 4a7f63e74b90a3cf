import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpmis.actors import command
from cpmis.linkage import groundtruth, model, modelfile, services


class Command(BaseCommand):
    help = (
        "Train a new version of the linkage model on the stored department records and "
        "install it; or, with --synthetic N --write FILE, train on N synthetic children and "
        "write a model file as cpmis ships it (cpmis/linkage/data/), to install with "
        "`cpmis manage linkage_model --install FILE`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--synthetic", type=int, default=0)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--write", type=Path)

    def handle(
        self, *args: Any, synthetic: int, seed: int, write: Path | None, **options: Any
    ) -> None:
        if not synthetic:
            if write:
                raise CommandError("--write goes with --synthetic.")
            try:
                installed = services.model_train(actor=command("linkage_train", "linkage.manage"))
            except services.LinkageError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"Installed linkage model v{installed.version} (link ≥ "
                f"{installed.link_threshold:.3f}, review ≥ {installed.review_threshold:.3f})."
            )
            return
        if not write or not 1000 <= synthetic <= 1_000_000:
            raise CommandError("--synthetic takes 1,000 to 1,000,000 children, with --write.")
        by_province = groundtruth.districts_by_province()
        records = groundtruth.records_make(
            synthetic, seed=seed, districts_by_province=by_province, today=date(2026, 11, 28)
        )
        rows = [model.features(i, r) for i, r in enumerate(records)]
        trained, link, review = services.model_fit(rows)
        try:
            content = modelfile.dump(
                trained,
                link_threshold=round(link, 6),
                review_threshold=round(review, 6),
                trained_on=len(rows),
                source=f"{synthetic:,} synthetic children (seed {seed})",
            )
        except modelfile.ModelFileError as exc:
            raise CommandError(f"The trained model is not fit to write: {exc}") from exc
        _write_whole(write, modelfile.dumps(content))
        self.stdout.write(f"Wrote {write}: link ≥ {link:.3f}, review ≥ {review:.3f}.")


def _write_whole(path: Path, text: str) -> None:
    """Write the file whole or not at all: a run killed halfway leaves the old file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the file from the server's user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
