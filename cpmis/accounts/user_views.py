"""Account administration pages; the same serializers and services as /api/users/."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cpmis import access
from cpmis.core.forms import Errors, run_service, serializer_errors
from cpmis.permissions import capability_required
from cpmis.reference.models import Department, District, Jurisdiction

from . import selectors, services
from .models import RoleAssignment, User
from .roles import Role, ScopeLevel
from .users_api import RoleAssignmentSerializer, UserCreateSerializer


@login_required
@capability_required("users.manage")
def user_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:150].replace("\x00", "")
    users = selectors.user_list(user=request.user, q=q)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q})


@login_required
@capability_required("users.manage")
def user_create(request: HttpRequest) -> HttpResponse:
    errors: Errors = {}
    if request.method == "POST":
        data = UserCreateSerializer(data=request.POST)
        if not data.is_valid():
            errors = serializer_errors(data)
        else:
            user, errors = run_service(
                services.user_create, actor=request.user, **data.validated_data
            )
            if user is not None:
                return redirect("accounts:user-detail", pk=user.pk)
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
    errors: Errors = {}
    if request.method == "POST":
        payload = {k: v for k, v in request.POST.items() if v and k != "csrfmiddlewaretoken"}
        data = RoleAssignmentSerializer(data=payload)
        if not data.is_valid():
            errors = serializer_errors(data)
        else:
            _, errors = run_service(
                services.role_assign, actor=request.user, user=user, **data.validated_data
            )
            if not errors:
                return redirect("accounts:user-detail", pk=user.pk)
    context: dict[str, Any] = {
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
    }
    return render(request, "accounts/user_detail.html", context, status=400 if errors else 200)


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
