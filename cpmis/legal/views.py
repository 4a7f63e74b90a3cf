"""Pages of the legal catalogue: search, statutes, the compliance matrix, procedural rules."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cpmis import access
from cpmis.core.forms import Errors, run_service, serializer_errors
from cpmis.reference.models import Jurisdiction

from . import report, selectors, services
from .api import (
    MatrixQuerySerializer,
    PenaltyInputSerializer,
    ProvisionCorrectionSerializer,
    ProvisionQuerySerializer,
    RuleQuerySerializer,
    matrix_file,
)
from .models import OpscCategory, Penalty, Provision, Statute


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    query = ProvisionQuerySerializer(data={k: v for k, v in request.GET.items() if v})
    params = dict(query.validated_data) if query.is_valid() else {}
    params.pop("page", None)
    params.pop("page_size", None)
    provisions = selectors.provision_search(**params)[:200] if params else None
    return render(
        request,
        "legal/catalogue.html",
        {
            "statutes": selectors.statute_list(),
            "provisions": provisions,
            "errors": query.errors if not query.is_valid() else {},
            "params": request.GET,
        },
    )


@login_required
def statute_detail(request: HttpRequest, code: str) -> HttpResponse:
    statute = get_object_or_404(Statute.objects.select_related("jurisdiction"), code=code)
    provisions = statute.provisions.select_related("penalty", "amended_by").order_by(
        "section_key", "valid_from"
    )
    return render(
        request,
        "legal/statute.html",
        {
            "statute": statute,
            "provisions": provisions,
            "extent": selectors.statute_extent(statute),
        },
    )


@login_required
def provision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A provision, its versions and its history; editors correct it here."""
    provision = get_object_or_404(
        Provision.objects.select_related("statute__jurisdiction", "amended_by"), pk=pk
    )
    editor = access.has_capability(request.user, "legal.edit")
    errors: Errors = {}
    if request.method == "POST":
        if not editor:
            raise PermissionDenied
        data = ProvisionCorrectionSerializer(data=_form_data(request.POST, CORRECTION_FIELDS))
        penalty_data = _form_data(request.POST, services.PENALTY_FIELDS)
        if penalty_data and request.POST.get("sentence_kinds"):
            # the page's penalty fieldset is whole: an unticked box is absent, so say no, and
            # a number left empty is no number (not "keep the one stored")
            for flag in ("prison_term", "prison_life", "death"):
                penalty_data[flag] = request.POST.get(flag) == "on"
            for number in PENALTY_NUMBERS:
                if request.POST.get(number) == "":
                    penalty_data[number] = None
        penalty_input = PenaltyInputSerializer(data=penalty_data) if penalty_data else None
        if not data.is_valid():
            errors = serializer_errors(data)
        elif penalty_input is not None and not penalty_input.is_valid():
            errors = serializer_errors(penalty_input)
        else:
            _, errors = run_service(
                services.provision_edit,
                actor=request.user,
                provision=provision,
                changes=dict(data.validated_data),
                penalty=dict(penalty_input.validated_data) if penalty_input else None,
            )
            if not errors:
                return redirect("legal:provision", pk=provision.pk)
    return render(
        request,
        "legal/provision.html",
        {
            "provision": provision,
            "penalty": getattr(provision, "penalty", None),
            "versions": selectors.provision_versions(provision),
            "history": provision.history.select_related("history_user")[:50],  # type: ignore[attr-defined]
            "editor": editor,
            "errors": errors,
            "values": request.POST,
            "kinds": Provision.Kind.choices,
            "categories": OpscCategory.choices,
            "combinations": Penalty.Combination.choices,
            "paragraph_text": {n: report.text(n) for n in provision.report_paragraphs},
        },
        status=400 if errors else 200,
    )


CORRECTION_FIELDS = ("title", "kind", "report_paragraphs", "opsc_category", "notes")
PENALTY_NUMBERS = ("prison_min_months", "prison_max_months", "fine_min_rs", "fine_max_rs")


def _form_data(post: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The filled-in fields of a form; paragraphs typed as "25; 26" become a list."""
    data: dict[str, Any] = {f: post.get(f) for f in fields if post.get(f) not in (None, "")}
    if "report_paragraphs" in data:
        data["report_paragraphs"] = [
            p for p in re.split(r"[;,\s]+", data["report_paragraphs"]) if p
        ]
    for flag in ("prison_term", "prison_life", "death"):
        if flag in data:
            data[flag] = data[flag] == "on"
    return data


def _matrix_for(request: HttpRequest) -> tuple[selectors.Matrix, str]:
    query = MatrixQuerySerializer(data={k: v for k, v in request.GET.items() if v})
    where = query.validated_data.get("jurisdiction", "") if query.is_valid() else ""
    return selectors.compliance_matrix(jurisdiction=where), where


@login_required
def matrix(request: HttpRequest, export: str = "") -> HttpResponse:
    result, where = _matrix_for(request)
    if export:
        if export not in {"xlsx", "docx"}:
            raise Http404
        return matrix_file(result, export)
    return render(
        request,
        "legal/matrix.html",
        {
            "matrix": result,
            "jurisdictions": Jurisdiction.objects.all(),
            "selected": where,
            "opsc_dates": selectors.opsc_dates(),
        },
    )


@login_required
def matrix_gaps(request: HttpRequest, export: str = "") -> HttpResponse:
    """The drafting team's table of gaps: articles that no law applicable in a jurisdiction
    covers, with why; as a page, an XLSX or a DOCX."""
    result, where = _matrix_for(request)
    if export:
        if export not in {"xlsx", "docx"}:
            raise Http404
        return matrix_file(result, export, gaps=True)
    return render(
        request,
        "legal/gaps.html",
        {
            "matrix": result,
            "gaps": selectors.coverage_gaps(result),
            "jurisdictions": Jurisdiction.objects.all(),
            "selected": where,
        },
    )


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    query = RuleQuerySerializer(data={k: v for k, v in request.GET.items() if v})
    code = query.validated_data.get("jurisdiction", "") if query.is_valid() else ""
    jurisdiction = Jurisdiction.objects.filter(iso_code=code).first() if code else None
    return render(
        request,
        "legal/rules.html",
        {
            "rules": selectors.rules_for(jurisdiction),
            "jurisdiction": jurisdiction,
            "jurisdictions": Jurisdiction.objects.all(),
        },
    )
