"""Pages of a person's background jobs: the list, one job with its progress (the page
refreshes itself while the job runs, with or without JavaScript), its file, cancelling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from . import kinds, schedules, selectors, services
from .api import file_response
from .models import Job


def _label(job: Job) -> str:
    kind = kinds.get(job.kind)
    return str(kind.label) if kind else job.kind


def file_or_follow(request: HttpRequest, job: Job) -> HttpResponse:
    """The answer to a page that has just asked for a job: its file if it is done already
    (kept from before, or run at once), else the job's page, which follows it."""
    if job.state == Job.State.DONE and job.result_name:
        _, result = services.job_result(actor=request.user, job_id=job.pk)
        return file_response(result)
    return redirect("jobs:job", job_id=job.pk)


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = list(selectors.job_list(user=request.user)[:100])
    return render(
        request,
        "jobs/list.html",
        {
            "jobs": [(job, _label(job)) for job in jobs],
            "refresh": any(not job.finished for job in jobs),
        },
    )


@login_required
@require_GET
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.job_get(user=request.user, job_id=job_id)
    progress = job.progress or {}
    done, total = progress.get("done"), progress.get("total")
    percent = None
    if isinstance(done, int) and isinstance(total, int) and total > 0:
        percent = min(100, round(100 * done / total))
    # The stage and the names of the counts are written in English by the worker (its kind
    # marks them for translation): shown in the reader's language.
    stage = progress.get("stage")
    counts = [
        (gettext(name.replace("_", " ")), value)
        for name, value in progress.items()
        if name not in {"stage", "done", "total", "label", "kept_from"} and isinstance(value, int)
    ]
    return render(
        request,
        "jobs/job.html",
        {
            "job": job,
            "label": _label(job),
            "about": progress.get("label", ""),
            "stage": gettext(stage) if stage and isinstance(stage, str) else "",
            "done": done,
            "total": total,
            "percent": percent,
            "counts": counts,
            "refresh": not job.finished,
        },
    )


@login_required
@require_GET
def job_result(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        _, result = services.job_result(actor=request.user, job_id=job_id)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("jobs:job", job_id=job_id)
    return file_response(result)


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        job = services.job_cancel(actor=request.user, job_id=job_id)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            gettext("The job was cancelled.")
            if job.state == Job.State.CANCELLED
            else gettext("The job will stop at its next step; nothing it was making will be kept."),
        )
    return redirect(reverse("jobs:job", args=[job_id]))


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/queue.html", selectors.queue_overview(user=request.user))


@login_required
@require_POST
def run_now(request: HttpRequest, name: str) -> HttpResponse:
    """An administrator runs a scheduled job now (its kind checks who may)."""
    job = schedules.run_now(actor=request.user, name=name)
    return redirect("jobs:job", job_id=job.pk)
