"""Pages of the people registry; they validate with the API's serializers and call the same
selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cpmis import access
from cpmis.accounts.permissions import capability_required
from cpmis.core.forms import run_service, serializer_errors
from cpmis.linkage import selectors as linkage_selectors

from . import selectors, services
from .api import ChildInputSerializer, ChildQuerySerializer
from .models import Child, Disability, GuardianRelation, Locality, Sex


@login_required
@capability_required("child.view")
def child_list(request: HttpRequest) -> HttpResponse:
    query = ChildQuerySerializer(data={k: v for k, v in request.GET.items() if k != "page"})
    filters = {"q": "", "district": "", "sex": ""}
    errors: dict[str, Any] = {}
    if query.is_valid():
        filters.update({k: query.validated_data.get(k, "") for k in filters})
    else:
        errors = query.errors
    qs = selectors.child_search(user=request.user, **filters)
    if errors:
        qs = qs.none()
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    if not errors:
        selectors.children_listed(user=request.user, children=page.object_list, query=filters)
    return render(
        request,
        "people/child_list.html",
        {
            "page": page,
            "filters": filters,
            "errors": errors,
            "districts": access.districts_where(request.user, "child.view"),
            "sexes": Sex.choices,
            "today": timezone.localdate(),
            "can_register": access.has_capability(request.user, "child.register"),
        },
    )


@login_required
@capability_required("child.view")
def child_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    child = selectors.child_read(user=request.user, child_uuid=uuid)
    links = list(linkage_selectors.child_links(user=request.user, child=child)[:200])
    undoable = set(
        access.links_undoable_by(request.user)
        .filter(pk__in=[link.pk for link in links])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "people/child_detail.html",
        {
            "child": child,
            "age": services.age_on(child.date_of_birth, timezone.localdate()),
            "can_change": access.children_changeable_by(request.user).filter(pk=child.pk).exists(),
            "links": [(link, link.pk in undoable) for link in links],
        },
    )


def _payload(request: HttpRequest) -> Any:
    payload = request.POST.copy()
    for optional in ("date_of_birth", "estimated_age_years", "has_disability", "owner"):
        if not payload.get(optional):
            payload.pop(optional, None)
    return payload


def _form(
    request: HttpRequest,
    *,
    errors: dict[str, Any],
    values: Any,
    checked: list[str],
    child: Child | None = None,
) -> HttpResponse:
    labels = {name: field.label or name for name, field in ChildInputSerializer().fields.items()}
    capability = "child.change" if child else "child.register"
    return render(
        request,
        "people/child_form.html",
        {
            "child": child,
            "errors": errors,
            "error_list": [(labels.get(f, f), m) for f, m in errors.items()],
            "checked_disabilities": checked,
            "values": values,
            "districts": access.districts_where(request.user, capability),
            "sexes": Sex.choices,
            "relations": GuardianRelation.choices,
            "disabilities": Disability.choices,
            "localities": Locality.choices,
        },
        status=400 if errors else 200,
    )


@login_required
@capability_required("child.register")
def child_register(request: HttpRequest) -> HttpResponse:
    errors: dict[str, Any] = {}
    if request.method == "POST":
        data = ChildInputSerializer(data=_payload(request))
        if not data.is_valid():
            errors = serializer_errors(data)
        else:
            child, errors = run_service(
                services.child_register,
                refused_field="district",
                actor=request.user,
                **data.validated_data,
            )
            if child is not None:
                return redirect("people:child-detail", uuid=child.uuid)
    return _form(
        request, errors=errors, values=request.POST, checked=request.POST.getlist("disabilities")
    )


@login_required
@capability_required("child.change")
def child_edit(request: HttpRequest, uuid: str) -> HttpResponse:
    child = selectors.child_read(user=request.user, child_uuid=uuid, purpose="change")
    if not access.children_changeable_by(request.user).filter(pk=child.pk).exists():
        raise PermissionDenied
    errors: dict[str, Any] = {}
    if request.method == "POST":
        payload = _payload(request)
        if payload.get("date_of_birth") == child.date_of_birth.isoformat():
            payload.pop("date_of_birth")  # unchanged: keep whether it was estimated
        data = ChildInputSerializer(data=payload, partial=True)
        if not data.is_valid():
            errors = serializer_errors(data)
        else:
            changes = dict(data.validated_data)
            # A form sends nothing for unticked boxes and an empty choice: both mean "clear".
            changes.setdefault("disabilities", [])
            if request.POST.get("has_disability") == "":
                changes["has_disability"] = None
            _, errors = run_service(
                services.child_update,
                refused_field="district",
                actor=request.user,
                child=child,
                **changes,
            )
            if not errors:
                return redirect("people:child-detail", uuid=child.uuid)
        return _form(
            request,
            errors=errors,
            values=request.POST,
            checked=request.POST.getlist("disabilities"),
            child=child,
        )
    values = {f: getattr(child, f) for f in services.EDITABLE_FIELDS if f != "owner"}
    values["district"] = child.district.pcode
    values["date_of_birth"] = child.date_of_birth.isoformat()
    values["has_disability"] = {None: "", True: "true", False: "false"}[child.has_disability]
    return _form(request, errors=errors, values=values, checked=child.disabilities, child=child)
