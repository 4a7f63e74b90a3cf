"""Screens of the UN report: the editions, an edition section by section, the section
editor (a conflict shows the other person's text and keeps yours), the history with its
differences, review comments and the generated report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cpmis import access
from cpmis.core.dates import typed_dates_to_iso
from cpmis.core.errors import Conflict, NotFound
from cpmis.core.forms import Errors, run_service, serializer_errors
from cpmis.jobs import services as job_services
from cpmis.jobs.views import file_or_follow
from cpmis.permissions import capability_required

from . import selectors, services
from .api import CommentInput, EditionInput, NarrativeInput, StatusInput
from .models import NarrativeVersion, ReportEdition, ReviewComment


def _edition(request: HttpRequest, edition_id: int) -> ReportEdition:
    return selectors.edition_get(user=request.user, edition_id=edition_id)


# The fields of the forms whose errors come back as messages, as the messages name them.
FIELDS = {
    "status": pgettext_lazy("a field of a form about the report", "status"),
    "version": pgettext_lazy("a field of a form about the report", "version"),
    "text": pgettext_lazy("a field of a form about the report", "text"),
    "on_version": pgettext_lazy("a field of a form about the report", "on version"),
    "reply_to": pgettext_lazy("a field of a form about the report", "reply to"),
    "section": pgettext_lazy("a field of a form about the report", "section"),
    "summary": pgettext_lazy("a field of a form about the report", "summary"),
    "base_number": pgettext_lazy("a field of a form about the report", "base_number"),
}


def _labelled(errors: Errors) -> Errors:
    """The errors with each field as the page names it (the form's own errors keep theirs)."""
    whole = ("__all__", "non_field_errors")
    return {(k if k in whole else str(FIELDS.get(k, k))): ms for k, ms in errors.items()}


def _flash(request: HttpRequest, errors: Errors) -> None:
    for field, ms in errors.items():
        for m in ms:
            name = FIELDS.get(field, field.replace("_", " "))
            messages.error(request, m if field == "__all__" else f"{name}: {m}")


@login_required
@capability_required("report.view")
def edition_list(request: HttpRequest) -> HttpResponse:
    errors: Errors = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        if not access.has_capability(request.user, "report.edit"):
            raise Http404
        values = {
            k: request.POST.get(k, "")
            for k in ("title", "symbol", "reporting_year", "period_from", "period_to")
        }
        data = dict(values)  # the page shows the dates as they were typed
        date_errors = typed_dates_to_iso(data, ("period_from", "period_to"))
        form = EditionInput(data=data)
        if not form.is_valid() or date_errors:
            errors = {**serializer_errors(form), **date_errors}
        else:
            edition, errors = run_service(
                services.edition_create, actor=request.user, **form.validated_data
            )
            if edition is not None:
                messages.success(request, gettext("The edition was created."))
                return redirect("reporting:edition", edition_id=edition.pk)
    return render(
        request,
        "reporting/list.html",
        {
            "editions": selectors.edition_list(user=request.user)[:200],
            "can_edit": access.has_capability(request.user, "report.edit"),
            "errors": errors,
            "values": values,
        },
        status=400 if errors else 200,
    )


@login_required
@capability_required("report.view")
@require_GET
def edition_page(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _edition(request, edition_id)
    return render(
        request,
        "reporting/edition.html",
        {
            "edition": edition,
            "sections": selectors.edition_sections(user=request.user, edition=edition),
            "can_edit": access.has_capability(request.user, "report.edit"),
            "can_comment": access.has_capability(request.user, "report.comment"),
            "statuses": ReportEdition.Status.choices,
            "snapshots": _with_previous(
                list(selectors.snapshot_list(user=request.user).filter(edition=edition)[:51])
            ),
        },
    )


def _with_previous(newest_first: list[Any]) -> list[tuple[Any, Any]]:
    """(version, the version before it) pairs, newest first; at most 50."""
    return [
        (v, newest_first[i + 1] if i + 1 < len(newest_first) else None)
        for i, v in enumerate(newest_first[:50])
    ]


@login_required
@capability_required("report.view")
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Two versions of the generated report (of one edition or of two) side by side: what
    changed in the text, which paragraphs were renumbered, which figures differ."""
    choices = list(selectors.snapshot_list(user=request.user)[:200])
    comparison = None
    errors: list[str] = []
    old, new = request.GET.get("old", ""), request.GET.get("new", "")
    if old or new:
        try:
            comparison = selectors.compare(
                old=selectors.snapshot_get(user=request.user, snapshot_id=old),
                new=selectors.snapshot_get(user=request.user, snapshot_id=new),
            )
        except NotFound:
            errors.append(
                gettext("Choose two versions of the report from the lists: one was not found.")
            )
    return render(
        request,
        "reporting/compare.html",
        {"choices": choices, "comparison": comparison, "errors": errors, "old": old, "new": new},
        status=400 if errors else 200,
    )


@login_required
@capability_required("report.edit")
@require_POST
def edition_status(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _edition(request, edition_id)
    form = StatusInput(data={k: request.POST.get(k) for k in ("status", "version")})
    if not form.is_valid():
        _flash(request, serializer_errors(form))
    else:
        try:
            _, errors = run_service(
                services.edition_status_set,
                actor=request.user,
                edition=edition,
                **form.validated_data,
            )
        except Conflict as exc:
            errors = {"__all__": [f"{exc}"]}
        if errors:
            _flash(request, errors)
        else:
            messages.success(
                request,
                gettext("The edition is now: %(status)s.")
                % {"status": edition.get_status_display()},
            )
    return redirect("reporting:edition", edition_id=edition.pk)


@login_required
@capability_required("report.edit")
def section_edit(request: HttpRequest, edition_id: int, section: str) -> HttpResponse:
    edition = _edition(request, edition_id)
    s = selectors.section_get(section)
    current = selectors.section_current(user=request.user, edition=edition, code=s.code)
    context: dict[str, Any] = {
        "edition": edition,
        "section": s,
        "current": current,
        "text": current.text if current else "",
        "base_number": current.number if current else 0,
        "summary": "",
        "errors": {},
        "conflict": None,
    }
    if request.method != "POST":
        return render(request, "reporting/section_edit.html", context)
    form = NarrativeInput(
        data={k: request.POST.get(k, "") for k in ("text", "base_number", "summary")}
    )
    context["text"] = request.POST.get("text", "")[: services.MAX_TEXT]
    context["summary"] = request.POST.get("summary", "")[:200]
    if not form.is_valid():
        context["errors"] = _labelled(serializer_errors(form))
        return render(request, "reporting/section_edit.html", context, status=400)
    try:
        saved, errors = run_service(
            services.narrative_save,
            actor=request.user,
            edition=edition,
            section=s.code,
            **form.validated_data,
        )
    except services.NarrativeConflict as exc:
        # Keep the writer's text in the box; show theirs; the next save goes on top of it.
        context.update(conflict=exc.current, base_number=exc.current.number)
        return render(request, "reporting/section_edit.html", context, status=409)
    if errors:
        context["errors"] = _labelled(errors)
        return render(request, "reporting/section_edit.html", context, status=400)
    assert saved is not None
    messages.success(request, gettext("Saved as version %(number)s.") % {"number": saved.number})
    return redirect(reverse("reporting:edition", args=[edition.pk]) + f"#{s.code}")


@login_required
@capability_required("report.view")
@require_GET
def section_history(request: HttpRequest, edition_id: int, section: str) -> HttpResponse:
    edition = _edition(request, edition_id)
    s = selectors.section_get(section)
    versions = list(selectors.section_history(user=request.user, edition=edition, code=s.code))
    diff = None
    old, new = request.GET.get("old"), request.GET.get("new")
    if old or new:
        diff = selectors.version_diff(
            user=request.user, edition=edition, code=s.code, old=old, new=new
        )
    elif len(versions) >= 2:
        diff = selectors.version_diff(
            user=request.user,
            edition=edition,
            code=s.code,
            old=versions[1].number,
            new=versions[0].number,
        )
    return render(
        request,
        "reporting/history.html",
        {
            "edition": edition,
            "section": s,
            "versions": versions,
            "diff": diff,
            "threads": selectors.threads(
                list(selectors.comments(user=request.user, edition=edition, code=s.code))
            ),
            "can_edit": access.has_capability(request.user, "report.edit"),
            "can_comment": access.has_capability(request.user, "report.comment"),
        },
    )


@login_required
@capability_required("report.comment")
@require_POST
def comment_add(request: HttpRequest, edition_id: int, section: str) -> HttpResponse:
    edition = _edition(request, edition_id)
    s = selectors.section_get(section)
    back = reverse("reporting:edition", args=[edition.pk]) + f"#{s.code}"
    if request.POST.get("next") == "history":
        back = reverse("reporting:history", args=[edition.pk, s.code])
    form = CommentInput(
        data={
            k: v for k, v in request.POST.items() if k in ("text", "on_version", "reply_to") and v
        }
    )
    if not form.is_valid():
        _flash(request, serializer_errors(form))
        return redirect(back)
    targets: dict[str, Any] = {}
    number = form.validated_data.get("on_version")
    if number:
        targets["on_version"] = NarrativeVersion.objects.filter(
            edition=edition, section=s.code, number=number
        ).first()
    if form.validated_data.get("reply_to"):
        targets["reply_to"] = ReviewComment.objects.filter(
            edition=edition, section=s.code, pk=form.validated_data["reply_to"]
        ).first()
        if targets["reply_to"] is None:
            raise Http404
    _, errors = run_service(
        services.comment_add,
        actor=request.user,
        edition=edition,
        section=s.code,
        text=form.validated_data["text"],
        **targets,
    )
    if errors:
        _flash(request, errors)
    else:
        messages.success(request, gettext("Your comment was added."))
    return redirect(back)


@login_required
@capability_required("report.comment")
@require_POST
def comment_resolve(request: HttpRequest, edition_id: int, comment_id: int) -> HttpResponse:
    edition = _edition(request, edition_id)
    comment = selectors.comment_get(user=request.user, edition=edition, comment_id=comment_id)
    try:
        _, errors = run_service(services.comment_resolve, actor=request.user, comment=comment)
    except Conflict as exc:
        errors = {"__all__": [str(exc)]}
    if errors:
        _flash(request, errors)
    else:
        messages.success(request, gettext("The comment was resolved."))
    return redirect(reverse("reporting:edition", args=[edition.pk]) + f"#{comment.section}")


def _report(
    request: HttpRequest, edition_id: int, fmt: str, *, fresh: bool = False
) -> HttpResponse:
    """The report file: served at once when it is kept for this version of the edition and
    this reader's view of the figures; else prepared in the background, and the reader is
    taken to the job's page, which shows its progress and then the file."""
    edition = _edition(request, edition_id)
    job = job_services.job_submit(
        actor=request.user, kind=f"report.{fmt}", params={"edition": edition.pk}, fresh=fresh
    )
    if fresh:
        return redirect("jobs:job", job_id=job.pk)
    return file_or_follow(request, job)


@login_required
@capability_required("report.view")
@require_GET
def report_docx(request: HttpRequest, edition_id: int) -> HttpResponse:
    return _report(request, edition_id, "docx")


@login_required
@capability_required("report.view")
@require_GET
def report_pdf(request: HttpRequest, edition_id: int) -> HttpResponse:
    return _report(request, edition_id, "pdf")


@login_required
@capability_required("report.view")
@require_GET
def report_annex(request: HttpRequest, edition_id: int) -> HttpResponse:
    return _report(request, edition_id, "xlsx")


@login_required
@capability_required("report.view")
@require_POST
def report_prepare(request: HttpRequest, edition_id: int) -> HttpResponse:
    """Render the report again with today's figures (a kept file is not reused)."""
    fmt = request.POST.get("format", "")
    if fmt not in ("docx", "pdf", "xlsx"):
        messages.error(request, gettext("Choose DOCX, PDF or the annex workbook (XLSX)."))
        return redirect("reporting:edition", edition_id=edition_id)
    return _report(request, edition_id, fmt, fresh=True)
