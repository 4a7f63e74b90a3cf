"""The annex workbook and the DHIS2 dataValueSet as background jobs: every indicator of a
year counted (seconds to minutes at national scale) by a worker, for the reader as they see
the figures; the download, not the counting, is audited as an export."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from cpmis import access
from cpmis.actors import Actor
from cpmis.jobs.kinds import Kind, Prepared, Result, active_owner, register

from . import annex, dhis2, exports, services, tabulate
from .selectors import CAPABILITY

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(actor: Actor) -> None:
    if not access.has_capability(actor, CAPABILITY):
        raise PermissionDenied("You cannot see the figures.")


def _owner(job: Any) -> Any:
    return active_owner(job, "The account that asked for these figures is no longer active.")


def _prepare_annex(actor: Actor, raw: dict[str, Any]) -> Prepared:
    _require(actor)
    period = tabulate.period_parse(str(raw.get("year", "")))
    if period.quarter or period.month:
        raise ValidationError({"year": ["The annex covers a whole year."]})
    return Prepared({"year": period.year}, label=f"Statistical annex {period.year}")


def _run_annex(job: Any, progress: Any) -> Result:
    owner, year = _owner(job), int(job.params["year"])
    progress.update("counting every indicator")
    tables = annex.report_tables(user=owner, year=year)
    progress.update("writing the workbook", tables=len(tables))
    return Result(exports.table_xlsx(tables), f"cpmis-annex-{year}.xlsx", XLSX)


def _prepare_dhis2(actor: Actor, raw: dict[str, Any]) -> Prepared:
    _require(actor)
    period = tabulate.period_parse(str(raw.get("period", "")))
    return Prepared({"period": period.code}, label=f"DHIS2 data values, {period.code}")


def _run_dhis2(job: Any, progress: Any) -> Result:
    owner = _owner(job)
    period = tabulate.period_parse(job.params["period"])
    progress.update("counting the mapped indicators")
    try:
        payload = annex.dhis2_payload(user=owner, period=period)
    except dhis2.MappingError as exc:
        raise ValidationError(
            ["The DHIS2 mapping has problems: fix it first.", *exc.problems]
        ) from exc
    data = json.dumps(payload, indent=1).encode()
    progress.update("done", values=len(payload.get("dataValues", [])))
    return Result(data, f"cpmis-dhis2-{period.dhis2}.json", "application/json")


def _downloaded(what: str, fmt: str, key: str) -> Any:
    def audit(actor: Actor, job: Any) -> None:
        services.export_audit(actor=actor, what=what, fmt=fmt, detail={key: job.params[key]})

    return audit


def register_kinds() -> None:
    register(
        Kind(
            name="indicators.annex",
            label="The statistical annex (XLSX)",
            prepare=_prepare_annex,
            run=_run_annex,
            retry=True,  # reads only
            on_download=_downloaded("annex", "xlsx", "year"),
        )
    )
    register(
        Kind(
            name="indicators.dhis2",
            label="DHIS2 data values (JSON)",
            prepare=_prepare_dhis2,
            run=_run_dhis2,
            retry=True,  # reads only
            on_download=_downloaded("dhis2", "json", "period"),
        )
    )
