"""The report's DOCX and PDF as background jobs: rendered once per version of the edition
(its status version and its sections' versions) and per view of the figures, then kept and
served again; "fresh" renders again with today's figures."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from cpmis import access
from cpmis.actors import Actor
from cpmis.jobs.kinds import Kind, Prepared, Result, active_owner, register

from . import annex_workbook, document, selectors, services
from .models import NarrativeVersion, ReportEdition

FORMATS = {
    "docx": ("DOCX", document.DOCX_MIME),
    "pdf": ("PDF", document.PDF_MIME),
    "xlsx": ("XLSX", annex_workbook.XLSX_MIME),
}
# Stages are stored in English and shown translated on the job's page.
RENDERING = {
    "docx": gettext_noop("Rendering the DOCX"),
    "pdf": gettext_noop("Rendering the PDF"),
    "xlsx": gettext_noop("Writing the annex workbook"),
}
COUNTS = (gettext_noop("sections"),)  # the count shown beside the stage


def result_key(actor: Actor, edition: ReportEdition, fmt: str) -> str:
    """Two readers whose key is the same would get the same file: the same edition version,
    the same sections' versions, the same format, and the same figures (where the reader
    sees them: ``access.scope_key``)."""
    latest = NarrativeVersion.objects.filter(edition=edition).aggregate(top=Max("pk"))["top"]
    figures = selectors.figures_view(actor)
    return f"report:{edition.pk}:v{edition.version}:n{latest or 0}:{fmt}:{figures}"


def _prepare(fmt: str) -> Any:
    def prepare(actor: Actor, raw: dict[str, Any]) -> Prepared:
        if not access.has_capability(actor, "report.view"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(gettext("You cannot read the report."))
        if "edition" not in raw:
            raise ValidationError({"edition": [gettext("Which edition: give its id.")]})
        edition = selectors.edition_get(user=actor, edition_id=raw["edition"])
        return Prepared(
            {"edition": edition.pk},
            result_key(actor, edition, fmt),
            label=f"{edition.title}, {FORMATS[fmt][0]}",
        )

    return prepare


def _run(fmt: str) -> Any:
    def run(job: Any, progress: Any) -> Result:
        owner = active_owner(
            job, gettext("The account that asked for this report is no longer active.")
        )
        # As the owner, now: a reader who lost the right meanwhile gets no report.
        edition = selectors.edition_get(user=owner, edition_id=job.params.get("edition"))
        progress.update(gettext_noop("Counting the figures and assembling the sections"))
        # The report to the Committee is written in English, whoever asks for it and in
        # whichever language they read cpmis: its tables' titles, labels and notes too.
        with translation.override("en"):
            if fmt == "xlsx":
                progress.update(RENDERING[fmt])
                data = annex_workbook.annex_xlsx(user=owner, edition=edition)
            else:
                content = document.report_content(user=owner, edition=edition)
                progress.update(RENDERING[fmt], sections=len(content.contents))
                render = document.render_docx if fmt == "docx" else document.render_pdf
                data = render(content)
                # kept as a version of the report, to compare with others
                services.snapshot_record(
                    actor=owner,
                    edition=edition,
                    content=content,
                    scope=selectors.figures_view(owner),
                )
        # The export is audited when the file is downloaded (``_downloaded``), not here.
        return Result(data, document.filename(edition, fmt), FORMATS[fmt][1])

    return run


def _downloaded(actor: Actor, job: Any) -> None:
    edition = ReportEdition.objects.filter(pk=job.params.get("edition")).first()
    if edition is not None:
        fmt = job.kind.removeprefix("report.")
        services.report_export_audit(actor=actor, edition=edition, fmt=fmt, size=job.result_size)


def register_kinds() -> None:
    for fmt, (label, _) in FORMATS.items():
        register(
            Kind(
                name=f"report.{fmt}",
                label=format_lazy(
                    gettext_lazy("The report to the Committee ({format})"), format=label
                ),
                prepare=_prepare(fmt),
                run=_run(fmt),
                # Reading and rendering write nothing but the result: safe to run again.
                retry=True,
                on_download=_downloaded,
            )
        )
