"""Pages of the data exchange: the standard (no personal data: any signed-in user), and a
department's submissions (upload, history, report and its downloads)."""

from __future__ import annotations

import csv
import io
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cpmis import access
from cpmis.audit.services import audit_record
from cpmis.core.forms import run_service, serializer_errors
from cpmis.jobs import services as job_services
from cpmis.legal.exports import safe
from cpmis.permissions import capability_required

from . import jobs, reading, reasons, selectors, services, standard
from .api import FileBatchInput


def _record_type(name: str, major: int | None = None) -> standard.RecordType:
    rt = standard.schema(name, major)
    if rt is None:
        raise Http404
    return rt


@login_required
def standard_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "exchange/standard.html",
        {
            "record_types": standard.record_types(),
            "date_formats": standard.DATE_FORMATS,
            "date_format_labels": ", ".join(f[0] for f in standard.DATE_FORMATS.values()),
        },
    )


@login_required
def record_type_page(request: HttpRequest, name: str) -> HttpResponse:
    rt = _record_type(name)
    fields = [
        dict(
            f,
            rules=standard.field_constraints(f, html=True),
            title=standard.text(f["title"]),
            description=standard.text(f["description"]),
        )
        for f in rt.fields
    ]
    return render(
        request,
        "exchange/record_type.html",
        {
            "rt": rt,
            "fields": fields,
            "versions": standard.SUPPORTED[name],
            "date_formats": standard.DATE_FORMATS,
        },
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def schema_json(request: HttpRequest, name: str, major: int) -> HttpResponse:
    rt = _record_type(name, major)
    body = json.dumps(rt.descriptor, ensure_ascii=False, indent=2).encode("utf-8")
    return _download(body, "application/json", f"{rt.name}.v{rt.major}.json")


@login_required
def template_csv(request: HttpRequest, name: str, major: int) -> HttpResponse:
    rt = _record_type(name, major)
    return _download(
        standard.template_csv(rt), "text/csv; charset=utf-8", f"{rt.name}.v{rt.major}.csv"
    )


@login_required
def template_xlsx(request: HttpRequest, name: str, major: int) -> HttpResponse:
    rt = _record_type(name, major)
    return _download(
        standard.template_xlsx(rt),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{rt.name}.v{rt.major}.xlsx",
    )


# --- submissions ------------------------------------------------------------------------------


@login_required
@capability_required("exchange.submit")
def submit(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or XLSX batch; the answer is the submission with its report."""
    errors: dict[str, list[str]] = {}
    departments = {
        scope.department_id for scope in access.department_scopes(request.user, "exchange.submit")
    }
    types = [rt for rt in standard.record_types() if _department_id(rt) in departments]
    if request.method == "POST":
        form = FileBatchInput(data={**request.POST.dict(), "file": request.FILES.get("file")})
        if not form.is_valid():
            errors = serializer_errors(form)
        else:
            v = form.validated_data
            name = v["file"].name or ""
            batch = services.Batch(
                record_type=v["record_type"],
                schema_major=v.get("schema_version"),
                date_format=v["date_format"],
                encoding=v["encoding"],
                source="xlsx" if name.lower().endswith(".xlsx") else "csv",
                filename=name,
                content=v["file"].read(),
            )
            earlier, errors = run_service(
                services.submission_check, actor=request.user, batch=batch
            )
            target = ""
            if earlier is not None:
                messages.info(request, _("This batch was received before: nothing changed."))
                target = reverse("exchange:submission", kwargs={"uuid": earlier.uuid})
            elif not errors:
                job, errors = run_service(
                    job_services.job_submit,
                    actor=request.user,
                    kind=jobs.KIND,
                    params={"batch": batch},
                )
                received = jobs.submission_of(job) if job is not None else None
                if received is not None:
                    if received.repeated:
                        messages.info(
                            request, _("This batch was received before: nothing changed.")
                        )
                    uuid = received.submission.uuid
                    target = reverse("exchange:submission", kwargs={"uuid": uuid})
                elif job is not None:  # the job's page follows it, then links to the report
                    target = reverse("jobs:job", kwargs={"job_id": job.pk})
            if target:
                if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                    return JsonResponse({"location": target})  # upload.js goes there
                return redirect(target)
    return render(
        request,
        "exchange/submit.html",
        {
            "errors": errors,
            "types": types,
            "date_formats": standard.DATE_FORMATS,
            "encodings": reading.ENCODINGS,
            "values": request.POST,
            "max_mb": settings.CPMIS_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
        status=400 if errors else 200,
    )


def _department_id(rt: standard.RecordType) -> int | None:
    from cpmis.reference.models import Department

    return Department.objects.filter(code=rt.department).values_list("pk", flat=True).first()


@login_required
@capability_required("exchange.view")
def submission_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.submission_list(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "exchange/submissions.html", {"page": page})


@login_required
@capability_required("exchange.view")
def submission_page(request: HttpRequest, uuid: str) -> HttpResponse:
    submission = selectors.submission_get(user=request.user, submission_uuid=uuid)
    localized = reasons.localizer()
    return render(
        request,
        "exchange/submission.html",
        {
            "s": submission,
            # the report is stored in English: each reason in the reader's language
            "row_errors": [
                dict(e, reason=localized(e["reason"])) for e in submission.row_errors[:500]
            ],
            "file_errors": [reasons.localize(str(e), joined=True) for e in submission.file_errors],
        },
    )


@login_required
@capability_required("exchange.view")
def error_report(request: HttpRequest, uuid: str, kind: str) -> HttpResponse:
    """The rejected rows: ``errors.csv`` (row, column, value, reason) or ``rows.csv`` (the
    rejected rows in the template's columns, to correct and send again). Every cell is
    guarded against spreadsheet formulas."""
    submission = selectors.submission_get(user=request.user, submission_uuid=uuid)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if kind == "errors":
        # a person reads it: headings and reasons in their language (columns are field names)
        writer.writerow(
            [
                pgettext("error report heading", "row"),
                pgettext("error report heading", "column"),
                pgettext("error report heading", "value"),
                pgettext("error report heading", "reason"),
            ]
        )
        for e in submission.file_errors:
            writer.writerow(["", "", "", safe(reasons.localize(str(e), joined=True))])
        localized = reasons.localizer()
        for e in submission.row_errors:
            writer.writerow(
                [
                    e["row"],
                    safe(e["column"]),
                    safe(e["value"]),
                    safe(localized(e["reason"])),
                ]
            )
    elif kind == "rows":
        rt = standard.schema(submission.record_type, submission.schema_major)
        if rt is None:
            raise Http404
        writer.writerow(rt.field_names)
        for row in submission.rejected_rows:
            writer.writerow([safe(str(row.get(name, "") or "")) for name in rt.field_names])
    else:
        raise Http404
    audit_record(
        actor=request.user,
        action="exchange.error_report",
        object_type="exchange.submission",
        object_id=submission.uuid,
        detail={"kind": kind},
    )
    return _download(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        "text/csv; charset=utf-8",
        f"{submission.record_type}-{str(submission.uuid)[:8]}-{kind}.csv",
    )
