"""Dismissing a notification from the home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cpmis.core.forms import run_service

from . import services


@require_POST
@login_required
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    _, errors = run_service(services.notification_dismiss, actor=request.user, notification_id=pk)
    if errors:
        raise Http404
    return redirect("core:home")
