"""The annex workbook and the DHIS2 dataValueSet as background jobs: every indicator of a
year counted (seconds to minutes at national scale) by a worker, for the reader as they see
the figures; the download, not the counting, is audited as an export."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from cpmis import access
from cpmis.actors import Actor
from cpmis.jobs.kinds import Kind, Prepared, Result, active_owner, register, system_or

from . import annex, dhis2, exports, services, tabulate
from .selectors import CAPABILITY

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The names of the counts a job's page shows beside its stage (translated there).
COUNTS = (gettext_noop("tables"), gettext_noop("values"))


def _require(actor: Actor) -> None:
    if not access.has_capability(actor, CAPABILITY):
        raise PermissionDenied(_("You cannot see the figures."))


def _owner(job: Any) -> Any:
    return active_owner(job, _("The account that asked for these figures is no longer active."))


def _prepare_annex(actor: Actor, raw: dict[str, Any]) -> Prepared:
    _require(actor)
    period = tabulate.period_parse(str(raw.get("year", "")))
    if period.quarter or period.month:
        raise ValidationError({"year": [_("The annex covers a whole year.")]})
    # The workbook's headings and notes are written in the language of the person who asks.
    language = translation.get_language() or settings.LANGUAGE_CODE
    return Prepared(
        {"year": period.year, "language": language},
        label=_("Statistical annex %(year)s") % {"year": period.year},
    )


def _in_language(job: Any) -> Any:
    """The asker's language while the worker writes the workbook (English for a job asked
    for before the pages were translated)."""
    language = job.params.get("language")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    return translation.override(language)


def _run_annex(job: Any, progress: Any) -> Result:
    owner, year = _owner(job), int(job.params["year"])
    # stages are stored in English and shown translated (``gettext_noop``)
    progress.update(gettext_noop("counting every indicator"))
    with _in_language(job):
        tables = annex.report_tables(user=owner, year=year)
        progress.update(gettext_noop("writing the workbook"), tables=len(tables))
        return Result(exports.table_xlsx(tables), f"cpmis-annex-{year}.xlsx", XLSX)


def _prepare_dhis2(actor: Actor, raw: dict[str, Any]) -> Prepared:
    _require(actor)
    period = tabulate.period_parse(str(raw.get("period", "")))
    return Prepared(
        {"period": period.code},
        label=_("DHIS2 data values, %(period)s") % {"period": period.code},
    )


def _run_dhis2(job: Any, progress: Any) -> Result:
    owner = _owner(job)
    period = tabulate.period_parse(job.params["period"])
    progress.update(gettext_noop("counting the mapped indicators"))
    try:
        payload = annex.dhis2_payload(user=owner, period=period)
    except dhis2.MappingError as exc:
        raise ValidationError(
            [gettext_noop("The DHIS2 mapping has problems: fix it first."), *exc.problems]
        ) from exc
    data = json.dumps(payload, indent=1).encode()
    progress.update(gettext_noop("done"), values=len(payload.get("dataValues", [])))
    return Result(data, f"cpmis-dhis2-{period.dhis2}.json", "application/json")


def _downloaded(what: str, fmt: str, key: str) -> Any:
    def audit(actor: Actor, job: Any) -> None:
        services.export_audit(actor=actor, what=what, fmt=fmt, detail={key: job.params[key]})

    return audit


# The refresh job's stage and counts, stored in English and shown translated on its page.
REFRESH_WORDS = (
    gettext_noop("refreshing"),
    gettext_noop("refreshed"),
    gettext_noop("dropped"),
    gettext_noop("current"),
    gettext_noop("forgotten"),
)


def _run_refresh(job: Any, progress: Any) -> None:
    from . import engine, materialised

    done = engine.refresh_kept(progress=progress)
    progress.update("done", **done, forgotten=materialised.forget_unread())


def register_kinds() -> None:
    register(
        Kind(
            name="indicators.refresh",
            label=gettext_lazy("Count again the kept figures whose records changed"),
            prepare=system_or("settings.edit"),
            run=_run_refresh,
            retry=True,  # counting again is harmless
        )
    )
    register(
        Kind(
            name="indicators.annex",
            label=gettext_lazy("The statistical annex (XLSX)"),
            prepare=_prepare_annex,
            run=_run_annex,
            retry=True,  # reads only
            on_download=_downloaded("annex", "xlsx", "year"),
        )
    )
    register(
        Kind(
            name="indicators.dhis2",
            label=gettext_lazy("DHIS2 data values (JSON)"),
            prepare=_prepare_dhis2,
            run=_run_dhis2,
            retry=True,  # reads only
            on_download=_downloaded("dhis2", "json", "period"),
        )
    )
