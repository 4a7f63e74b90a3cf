"""Pages of the legal catalogue: search, statutes, the compliance matrix, procedural rules."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cpmis.reference.models import Jurisdiction

from . import selectors
from .api import MatrixQuerySerializer, ProvisionQuerySerializer, matrix_file
from .models import Statute


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
    return render(request, "legal/statute.html", {"statute": statute, "provisions": provisions})


@login_required
def matrix(request: HttpRequest, export: str = "") -> HttpResponse:
    query = MatrixQuerySerializer(data={k: v for k, v in request.GET.items() if v})
    where = query.validated_data.get("jurisdiction", "") if query.is_valid() else ""
    result = selectors.compliance_matrix(jurisdiction=where)
    if export:
        if export not in {"xlsx", "docx"}:
            raise Http404
        return matrix_file(result, export)
    return render(
        request,
        "legal/matrix.html",
        {"matrix": result, "jurisdictions": Jurisdiction.objects.all(), "selected": where},
    )


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("jurisdiction", "")[:6]
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
