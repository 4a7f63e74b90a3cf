"""Screens of the oversight registers: activities, legal assistance requests and the
Committee's recommendations with their institutions. Forms are validated with the API's
serializers and saved by the same services; their dates are typed day first (core/dates.py)
and handed to the serializers as ISO."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from rest_framework import serializers

from cpmis.core.dates import format_date_input, typed_dates_to_iso
from cpmis.core.errors import Conflict
from cpmis.core.forms import Errors, run_service, serializer_errors
from cpmis.legal.models import OpscCategory
from cpmis.legal.report_structure import SECTIONS
from cpmis.permissions import capability_required
from cpmis.reference.models import District, Jurisdiction

from . import selectors, services
from .api import (
    ActivityChange,
    ActivityInput,
    ActivityQuery,
    AssignmentInput,
    LegalRequestChange,
    LegalRequestInput,
    LegalRequestQuery,
    RecommendationChange,
    RecommendationInput,
    RecommendationQuery,
    ReportInput,
    query,
)
from .models import (
    OPSC_ARTICLES,
    ActivityKind,
    ImplementationStatus,
    LegalAssistanceRequest,
    ParticipantSex,
    PreventionActivity,
    Profession,
    Topic,
)

VIEW, EDIT = "oversight.view", "oversight.edit"


def _page(request: HttpRequest, rows: Any, size: int = 50) -> Any:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _listed(post: QueryDict, name: str, cast: Callable[[str], Any] = str) -> list[Any]:
    """A list typed as "93; 94" (or given as several values of one field)."""
    values = post.getlist(name)
    items = [p for v in values for p in re.split(r"[;,\s]+", v) if p]
    try:
        return [cast(p) for p in items]
    except ValueError:
        return items  # the serializer says which is not a number


def _form_data(
    post: QueryDict, fields: tuple[str, ...], nullable: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The form's fields for a serializer: a blank field is left out (the serializer then
    says it is required), except a nullable one, which is cleared."""
    data: dict[str, Any] = {}
    for field in fields:
        value = post.get(field, "")
        if value.strip():
            data[field] = value
        elif field in nullable:
            data[field] = None
        elif field in post:
            data[field] = ""
    return data


def _validated(form: serializers.Serializer, date_errors: Errors) -> tuple[dict[str, Any], Errors]:
    """The serializer's data, or its errors; a date that could not be read says what to type
    (dd/mm/yyyy) instead of the serializer's ISO message."""
    if form.is_valid() and not date_errors:
        return dict(form.validated_data), {}
    return {}, {**serializer_errors(form), **date_errors}


def _save(service: Callable[..., Any], **kwargs: Any) -> tuple[Any, Errors]:
    try:
        return run_service(service, **kwargs)
    except Conflict as exc:
        message = gettext("%(problem)s Reload the page and make your change again.") % {
            "problem": exc
        }
        return None, {"__all__": [message]}


def _grid_rows(post: QueryDict) -> tuple[list[dict[str, Any]], Errors]:
    rows, wrong = [], []
    for profession in Profession:
        for sex in ParticipantSex:
            raw = post.get(f"p-{profession.value}-{sex.value}", "").strip()
            if not raw:
                continue
            if not (raw.isascii() and raw.isdigit()) or int(raw) > services.MAX_COUNT:
                wrong.append(f"{profession.label} ({sex.label.lower()})")
                continue
            rows.append({"profession": profession.value, "sex": sex.value, "count": int(raw)})
    if wrong:
        return rows, {
            "participants": [
                gettext("Give whole numbers from 0 to %(max)s: %(groups)s.")
                % {"max": f"{services.MAX_COUNT:,}", "groups": ", ".join(wrong)}
            ]
        }
    return rows, {}


def _grid(activity: PreventionActivity | None, post: QueryDict | None) -> list[dict[str, Any]]:
    """The participants grid: a row per profession, a cell per sex, with its value."""
    counts: dict[tuple[str, str], Any] = {}
    if activity is not None:
        counts = {(p.profession, p.sex): p.count for p in activity.participants.all()}
    out = []
    for profession in Profession:
        cells = []
        for sex in ParticipantSex:
            name = f"p-{profession.value}-{sex.value}"
            value = post.get(name, "") if post is not None else counts.get((profession, sex), "")
            # The sex in lower case, as its value is ("Police, female").
            label = gettext("%(profession)s, %(sex)s") % {
                "profession": profession.label,
                "sex": sex.label.lower(),
            }
            cells.append({"name": name, "value": value, "label": label})
        out.append({"label": str(profession.label), "cells": cells})
    return out


# --- index -----------------------------------------------------------------------------------


@login_required
@capability_required(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    summary = selectors.summary(user=request.user)
    statuses = [(s.label, summary.by_status[s.value], s.value) for s in ImplementationStatus]
    return render(
        request,
        "oversight/index.html",
        {"summary": summary, "statuses": statuses, "editor": selectors.can_edit(request.user)},
    )


# --- activities ------------------------------------------------------------------------------

ACTIVITY_FORM = (
    "kind",
    "title",
    "description",
    "held_on",
    "ended_on",
    "jurisdiction",
    "district",
    "organiser",
    "organiser_name",
    "topic",
    "materials_distributed",
)
ACTIVITY_NULLABLE = ("ended_on", "jurisdiction", "district", "organiser")


@login_required
@capability_required(VIEW)
def activity_list(request: HttpRequest) -> HttpResponse:
    filters, errors = query(ActivityQuery, request.GET)
    rows = selectors.activity_list(user=request.user, **filters)
    return render(
        request,
        "oversight/activity_list.html",
        {
            "page": _page(request, rows),
            "filters": filters,
            "errors": errors,
            "kinds": ActivityKind.choices,
            "years": selectors.activity_years(),
            "jurisdictions": Jurisdiction.objects.order_by("name_en"),
            "editor": selectors.can_edit(request.user),
        },
    )


def _values(obj: Any, fields: tuple[str, ...]) -> dict[str, str]:
    """What a form shows of a record: text, dates as typed (dd/mm/yyyy), relations by code."""
    out: dict[str, str] = {}
    for field in fields:
        value = getattr(obj, field, None)
        if value is None:
            out[field] = ""
        elif hasattr(value, "iso_code"):
            out[field] = value.iso_code
        elif hasattr(value, "pcode"):
            out[field] = value.pcode
        elif hasattr(value, "code"):
            out[field] = value.code
        elif isinstance(value, date):
            out[field] = format_date_input(value)
        elif isinstance(value, list):
            out[field] = "; ".join(str(v) for v in value)
        else:
            out[field] = str(value)
    if obj is not None:
        out["version"] = str(obj.version)
    return out


def _shown(request: HttpRequest, obj: Any, fields: tuple[str, ...]) -> dict[str, str]:
    if request.method == "POST":
        return {k: request.POST.get(k, "") for k in (*fields, "version")}
    return _values(obj, fields) if obj is not None else {}


def _districts() -> list[tuple[str, list[District]]]:
    groups: dict[str, list[District]] = {}
    for d in District.objects.select_related("jurisdiction").order_by(
        "jurisdiction__name_en", "name_en"
    ):
        groups.setdefault(d.jurisdiction.name_en, []).append(d)
    return list(groups.items())


def _activity_form(
    request: HttpRequest, activity: PreventionActivity | None, errors: Errors, status: int = 200
) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    return render(
        request,
        "oversight/activity_form.html",
        {
            "activity": activity,
            "v": _shown(request, activity, (*ACTIVITY_FORM, "report_paragraphs")),
            "districts": _districts(),
            "errors": errors,
            "grid": _grid(activity, post),
            "sexes": ParticipantSex.choices,
            "kinds": ActivityKind.choices,
            "topics": Topic.choices,
            "jurisdictions": Jurisdiction.objects.order_by("name_en"),
            "institutions": selectors.institutions(),
            "editor": selectors.can_edit(request.user),
        },
        status=status,
    )


def _activity_input(request: HttpRequest, *, change: bool) -> tuple[dict[str, Any], Errors]:
    data = _form_data(request.POST, ACTIVITY_FORM, ACTIVITY_NULLABLE)
    date_errors = typed_dates_to_iso(data, ("held_on", "ended_on"))
    data["report_paragraphs"] = _listed(request.POST, "report_paragraphs", int)
    rows, errors = _grid_rows(request.POST)
    data["participants"] = rows
    if change:
        data["version"] = request.POST.get("version", "")
    form: serializers.Serializer = ActivityChange(data=data) if change else ActivityInput(data=data)
    validated, form_errors = _validated(form, date_errors)
    errors = {**form_errors, **errors}
    return (validated if not errors else {}), errors


@login_required
@capability_required(EDIT)
def activity_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _activity_form(request, None, {})
    data, errors = _activity_input(request, change=False)
    if not errors:
        activity, errors = _save(services.activity_create, actor=request.user, **data)
        if not errors:
            messages.success(request, gettext("The activity was recorded."))
            return redirect("oversight:activity", pk=activity.pk)
    return _activity_form(request, None, errors, status=400)


@login_required
@capability_required(VIEW)
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, activity_id=pk)
    if request.method != "POST":
        return _activity_form(request, activity, {})
    if not selectors.can_edit(request.user):
        raise PermissionDenied
    data, errors = _activity_input(request, change=True)
    if not errors:
        version = data.pop("version")
        _, errors = _save(
            services.activity_update,
            actor=request.user,
            activity=activity,
            version=version,
            **data,
        )
        if not errors:
            messages.success(request, gettext("The activity was saved."))
            return redirect("oversight:activity", pk=activity.pk)
    return _activity_form(request, activity, errors, status=400)


# --- legal assistance ------------------------------------------------------------------------

LEGAL_FORM = (
    "kind",
    "direction",
    "country",
    "dated_on",
    "opsc_category",
    "status",
    "decided_on",
    "jurisdiction",
    "reference",
    "note",
)
LEGAL_NULLABLE = ("decided_on", "jurisdiction")


@login_required
@capability_required(VIEW)
def legal_request_list(request: HttpRequest) -> HttpResponse:
    filters, errors = query(LegalRequestQuery, request.GET)
    rows = selectors.legal_request_list(user=request.user, **filters)
    return render(
        request,
        "oversight/legal_request_list.html",
        {
            "page": _page(request, rows),
            "filters": filters,
            "errors": errors,
            "kinds": LegalAssistanceRequest.Kind.choices,
            "directions": LegalAssistanceRequest.Direction.choices,
            "statuses": LegalAssistanceRequest.Status.choices,
            "editor": selectors.can_edit(request.user),
        },
    )


def _legal_form(
    request: HttpRequest, found: LegalAssistanceRequest | None, errors: Errors, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "oversight/legal_request_form.html",
        {
            "found": found,
            "v": _shown(request, found, LEGAL_FORM),
            "errors": errors,
            "kinds": LegalAssistanceRequest.Kind.choices,
            "directions": LegalAssistanceRequest.Direction.choices,
            "statuses": LegalAssistanceRequest.Status.choices,
            "categories": OpscCategory.choices,
            "jurisdictions": Jurisdiction.objects.order_by("name_en"),
            "editor": selectors.can_edit(request.user),
        },
        status=status,
    )


def _legal_input(request: HttpRequest, *, change: bool) -> tuple[dict[str, Any], Errors]:
    data = _form_data(request.POST, LEGAL_FORM, LEGAL_NULLABLE)
    date_errors = typed_dates_to_iso(data, ("dated_on", "decided_on"))
    if isinstance(data.get("country"), str):
        data["country"] = data["country"].strip().upper()
    if change:
        data["version"] = request.POST.get("version", "")
    form: serializers.Serializer = (
        LegalRequestChange(data=data) if change else LegalRequestInput(data=data)
    )
    return _validated(form, date_errors)


@login_required
@capability_required(EDIT)
def legal_request_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _legal_form(request, None, {})
    data, errors = _legal_input(request, change=False)
    if not errors:
        created, errors = _save(services.legal_request_create, actor=request.user, **data)
        if not errors:
            messages.success(request, gettext("The request was recorded."))
            return redirect("oversight:legal-request", pk=created.pk)
    return _legal_form(request, None, errors, status=400)


@login_required
@capability_required(VIEW)
def legal_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.legal_request_get(user=request.user, request_id=pk)
    if request.method != "POST":
        return _legal_form(request, found, {})
    if not selectors.can_edit(request.user):
        raise PermissionDenied
    data, errors = _legal_input(request, change=True)
    if not errors:
        version = data.pop("version")
        _, errors = _save(
            services.legal_request_update,
            actor=request.user,
            request=found,
            version=version,
            **data,
        )
        if not errors:
            messages.success(request, gettext("The request was saved."))
            return redirect("oversight:legal-request", pk=found.pk)
    return _legal_form(request, found, errors, status=400)


# --- recommendations -------------------------------------------------------------------------

RECOMMENDATION_FORM = ("document", "paragraph", "text", "theme", "issued_on")


@login_required
@capability_required(VIEW)
def recommendation_list(request: HttpRequest) -> HttpResponse:
    filters, errors = query(RecommendationQuery, request.GET)
    rows = selectors.recommendation_list(user=request.user, **filters)
    return render(
        request,
        "oversight/recommendation_list.html",
        {
            "page": _page(request, rows),
            "filters": filters,
            "errors": errors,
            "statuses": ImplementationStatus.choices,
            "institutions": selectors.institutions(),
            "sections": SECTIONS,
            "editor": selectors.can_edit(request.user),
        },
    )


def _recommendation_form(
    request: HttpRequest, found: Any, errors: Errors, status: int = 200
) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    if post is not None:
        chosen_sections = post.getlist("report_sections")
        chosen_articles = post.getlist("articles")
    elif found is not None:
        chosen_sections = found.report_sections
        chosen_articles = [str(a) for a in found.articles]
    else:
        chosen_sections, chosen_articles = [], []
    return render(
        request,
        "oversight/recommendation_form.html",
        {
            "found": found,
            "v": _shown(request, found, RECOMMENDATION_FORM),
            "errors": errors,
            "sections": SECTIONS,
            "articles": [str(a) for a in OPSC_ARTICLES],
            "chosen_sections": chosen_sections,
            "chosen_articles": chosen_articles,
        },
        status=status,
    )


def _recommendation_input(request: HttpRequest, *, change: bool) -> tuple[dict[str, Any], Errors]:
    data = _form_data(request.POST, RECOMMENDATION_FORM)
    date_errors = typed_dates_to_iso(data, ("issued_on",))
    data["report_sections"] = request.POST.getlist("report_sections")
    data["articles"] = _listed(request.POST, "articles", int)
    if change:
        data["version"] = request.POST.get("version", "")
    form: serializers.Serializer = (
        RecommendationChange(data=data) if change else RecommendationInput(data=data)
    )
    return _validated(form, date_errors)


@login_required
@capability_required(EDIT)
def recommendation_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _recommendation_form(request, None, {})
    data, errors = _recommendation_input(request, change=False)
    if not errors:
        created, errors = _save(services.recommendation_create, actor=request.user, **data)
        if not errors:
            messages.success(request, gettext("The recommendation was recorded."))
            return redirect("oversight:recommendation", pk=created.pk)
    return _recommendation_form(request, None, errors, status=400)


@login_required
@capability_required(EDIT)
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.recommendation_get(user=request.user, recommendation_id=pk)
    if request.method != "POST":
        return _recommendation_form(request, found, {})
    data, errors = _recommendation_input(request, change=True)
    if not errors:
        version = data.pop("version")
        _, errors = _save(
            services.recommendation_update,
            actor=request.user,
            recommendation=found,
            version=version,
            **data,
        )
        if not errors:
            messages.success(request, gettext("The recommendation was saved."))
            return redirect("oversight:recommendation", pk=found.pk)
    return _recommendation_form(request, found, errors, status=400)


def _recommendation_page(
    request: HttpRequest, pk: int, errors: Errors | None = None, form_of: str = ""
) -> HttpResponse:
    detail = selectors.recommendation_detail(user=request.user, recommendation_id=pk)
    errors = errors or {}
    for a in detail.assignments:  # each form shows its own errors
        a.report_errors = errors if form_of == f"report-{a.pk}" else {}
        a.edit_errors = errors if form_of == f"edit-{a.pk}" else {}
    shown = {f"report-{a.pk}" for a in detail.assignments} | {
        f"edit-{a.pk}" for a in detail.assignments
    }
    return render(
        request,
        "oversight/recommendation.html",
        {
            "detail": detail,
            "r": detail.recommendation,
            "sections": [s for s in SECTIONS if s.code in detail.recommendation.report_sections],
            "add_errors": errors if errors and form_of not in shown else {},
            "values": request.POST if errors else None,
            "statuses": ImplementationStatus.choices,
            "institutions": selectors.institutions(),
            "editor": selectors.can_edit(request.user),
        },
        status=400 if errors else 200,
    )


@login_required
@capability_required(VIEW)
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _recommendation_page(request, pk)


@login_required
@capability_required(EDIT)
@require_POST
def assignment_set(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.recommendation_get(user=request.user, recommendation_id=pk)
    data = _form_data(request.POST, ("institution", "action", "status", "note"), ())
    data["due_on"] = request.POST.get("due_on") or None
    date_errors = typed_dates_to_iso(data, ("due_on",))
    data["lead"] = request.POST.get("lead") == "on"
    if request.POST.get("version"):
        data["version"] = request.POST["version"]
    validated, errors = _validated(AssignmentInput(data=data), date_errors)
    if not errors:
        _, errors = _save(
            services.assignment_set, actor=request.user, recommendation=found, **validated
        )
    if errors:
        return _recommendation_page(request, pk, errors, form_of=request.POST.get("form", "add"))
    messages.success(request, gettext("The assignment was saved."))
    return redirect("oversight:recommendation", pk=pk)


@login_required
@capability_required(VIEW)
@require_POST
def assignment_report(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get(user=request.user, assignment_id=pk)
    if not selectors.can_report(request.user, assignment):
        raise PermissionDenied
    data = _form_data(request.POST, ("status", "note", "action", "version"))
    form = ReportInput(data=data)
    errors = serializer_errors(form) if not form.is_valid() else {}
    if not errors:
        _, errors = _save(
            services.assignment_report,
            actor=request.user,
            assignment=assignment,
            **form.validated_data,
        )
    back = assignment.recommendation_id
    if errors:
        return _recommendation_page(request, back, errors, form_of=f"report-{assignment.pk}")
    messages.success(request, gettext("Your report was recorded."))
    return redirect("oversight:recommendation", pk=back)
