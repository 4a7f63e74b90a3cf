"""Reference data, browsable by every signed-in user (it names no person)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


@login_required
def reference_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reference/page.html",
        {
            "jurisdictions": selectors.jurisdiction_list().annotate(n=Count("districts")),
            "districts": selectors.district_list().order_by("jurisdiction__name_en", "name_en"),
            "departments": selectors.department_list(),
            "institution_types": selectors.institution_type_list(),
        },
    )
