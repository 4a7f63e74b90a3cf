"""Account administration pages; the same serializers and services as /api/users/."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cpmis import access
from cpmis.reference.models import Department, District, Jurisdiction

from . import services
from .models import RoleAssignment, User
from .permissions import capability_required
from .roles import Role, ScopeLevel
from .users_api import RoleAssignmentSerializer, UserCreateSerializer


def _messages(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, ValidationError):
        return getattr(exc, "message_dict", {"__all__": exc.messages})
    return {"__all__": [str(exc)]}


@login_required
@capability_required("users.manage")
def user_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:150].replace("\x00", "")
    users = (
        access.users_visible_to(request.user)
        .prefetch_related(
            "role_assignments__district",
            "role_assignments__jurisdiction",
            "role_assignments__department",
        )
        .order_by("username")
    )
    if q:
        users = users.filter(username__icontains=q)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q})


@login_required
@capability_required("users.manage")
def user_create(request: HttpRequest) -> HttpResponse:
    errors: dict[str, Any] = {}
    if request.method == "POST":
        data = UserCreateSerializer(data=request.POST)
        if data.is_valid():
            try:
                user = services.user_create(actor=request.user, **data.validated_data)
            except (ValidationError, PermissionDenied) as exc:
                errors = _messages(exc)
            else:
                return redirect("accounts:user-detail", pk=user.pk)
        else:
            errors = {k: [str(m) for m in v] for k, v in data.errors.items()}
    return render(
        request,
        "accounts/user_form.html",
        {"errors": errors, "values": request.POST},
        status=400 if errors else 200,
    )


def _visible_user(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(access.users_visible_to(request.user), pk=pk)


@login_required
@capability_required("users.manage")
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _visible_user(request, pk)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        payload = {k: v for k, v in request.POST.items() if v and k != "csrfmiddlewaretoken"}
        data = RoleAssignmentSerializer(data=payload)
        if data.is_valid():
            try:
                services.role_assign(actor=request.user, user=user, **data.validated_data)
            except (ValidationError, PermissionDenied) as exc:
                errors = _messages(exc)
            else:
                return redirect("accounts:user-detail", pk=user.pk)
        else:
            errors = {k: [str(m) for m in v] for k, v in data.errors.items()}
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "assignments": user.role_assignments.select_related(
                "district", "jurisdiction", "department"
            ),
            "errors": errors,
            "values": request.POST,
            "roles": Role.choices,
            "scopes": ScopeLevel.choices,
            "jurisdictions": Jurisdiction.objects.all(),
            "districts": District.objects.select_related("jurisdiction"),
            "departments": Department.objects.all(),
        },
        status=400 if errors else 200,
    )


@require_POST
@login_required
@capability_required("users.manage")
def role_revoke(request: HttpRequest, pk: int, role_id: int) -> HttpResponse:
    user = _visible_user(request, pk)
    assignment = get_object_or_404(RoleAssignment, pk=role_id, user=user)
    services.role_revoke(actor=request.user, assignment=assignment)
    return redirect("accounts:user-detail", pk=user.pk)


@require_POST
@login_required
@capability_required("users.manage")
def user_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _visible_user(request, pk)
    actions = {"unlock": services.user_unlock, "deactivate": services.user_deactivate}
    if action not in actions:
        raise PermissionDenied
    actions[action](actor=request.user, user=user)
    return redirect("accounts:user-detail", pk=user.pk)
