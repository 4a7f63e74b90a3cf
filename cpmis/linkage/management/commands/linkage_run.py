from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpmis.actors import command
from cpmis.linkage import engines, services


class Command(BaseCommand):
    help = (
        "Link every department record that has no link and no open review (run it on a "
        "schedule; submissions link their own records as they arrive). The model runs on "
        "DuckDB in this process, or with --engine spark on Spark (local mode, or a cluster "
        "given by --spark-master) for national runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--engine",
            choices=engines.ENGINES,
            default="duckdb",
            help="where the model scores pairs: duckdb (default) or spark (needs "
            "pip install 'cpmis[spark]' and Java 17)",
        )
        parser.add_argument(
            "--spark-master",
            default=None,
            help="Spark master URL, e.g. spark://host:7077 (default: CPMIS_SPARK_MASTER, "
            f"else {engines.DEFAULT_MASTER})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        engine, master = options["engine"], options["spark_master"]
        if engine not in engines.ENGINES:
            raise CommandError(f"Unknown engine {engine!r}: choose {', '.join(engines.ENGINES)}.")
        if master and engine != "spark":
            raise CommandError("--spark-master needs --engine spark.")
        if engine == "duckdb":
            run = services.records_link(actor=command("linkage_run", "linkage.manage"))
        else:
            try:
                api = engines.db_api(engine, master=master)
            except engines.EngineUnavailable as error:
                raise CommandError(str(error)) from error
            try:
                run = services.records_link(
                    actor=command("linkage_run", "linkage.manage"), db_api=api
                )
            finally:
                engines.close(api)
        self.stdout.write(
            f"{run.records:,} records: {run.linked:,} linked ({run.new_children:,} new "
            f"children), {run.review:,} to review, {run.waiting:,} waiting; "
            f"model v{run.model_version} on {engine}, {run.seconds:.1f} s"
        )
