"""Pages of the people registry; they validate with the API's serializers and call the same
selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cpmis import access
from cpmis.accounts.permissions import capability_required

from . import selectors, services
from .api import ChildInputSerializer, ChildQuerySerializer
from .models import Disability, GuardianRelation, Sex


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
    return render(
        request,
        "people/child_detail.html",
        {"child": child, "age": services.age_on(child.date_of_birth, timezone.localdate())},
    )


@login_required
@capability_required("child.register")
def child_register(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        payload = request.POST.copy()
        for optional in ("date_of_birth", "estimated_age_years", "has_disability", "owner"):
            if not payload.get(optional):
                payload.pop(optional, None)
        data = ChildInputSerializer(data=payload)
        if data.is_valid():
            try:
                child = services.child_register(actor=request.user, **data.validated_data)
            except ValidationError as exc:
                errors = getattr(exc, "message_dict", {"__all__": exc.messages})
            except PermissionDenied as exc:
                errors = {"district": [str(exc)]}
            else:
                return redirect("people:child-detail", uuid=child.uuid)
        else:
            errors = {k: [str(m) for m in v] for k, v in data.errors.items()}
    labels = {name: field.label or name for name, field in ChildInputSerializer().fields.items()}
    return render(
        request,
        "people/child_form.html",
        {
            "errors": errors,
            "error_list": [(labels.get(f, f), m) for f, m in errors.items()],
            "checked_disabilities": request.POST.getlist("disabilities"),
            "values": request.POST,
            "districts": access.districts_where(request.user, "child.register"),
            "sexes": Sex.choices,
            "relations": GuardianRelation.choices,
            "disabilities": Disability.choices,
        },
        status=400 if errors else 200,
    )
