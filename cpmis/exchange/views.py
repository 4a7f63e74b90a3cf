"""Pages and downloads of the data standard (no personal data: any signed-in user)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import standard


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
        {"record_types": standard.record_types(), "date_formats": standard.DATE_FORMATS},
    )


@login_required
def record_type_page(request: HttpRequest, name: str) -> HttpResponse:
    rt = _record_type(name)
    fields = [dict(f, rules=standard.field_constraints(f)) for f in rt.fields]
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
