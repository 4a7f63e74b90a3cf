"""Account administration API: administrators create accounts and give roles in their scope."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis import access
from cpmis.core.api import CodeRelatedField
from cpmis.core.openapi import PAGE_NOT_FOUND, errors
from cpmis.permissions import HasCapability
from cpmis.reference.models import Department, District, Jurisdiction

from . import selectors, services
from .models import RoleAssignment, User
from .roles import Role, ScopeLevel


class RoleAssignmentSerializer(serializers.ModelSerializer):
    jurisdiction: serializers.SlugRelatedField = CodeRelatedField(
        slug_field="iso_code", queryset=Jurisdiction.objects.all(), required=False, allow_null=True
    )
    district: serializers.SlugRelatedField = CodeRelatedField(
        slug_field="pcode", queryset=District.objects.all(), required=False, allow_null=True
    )
    department: serializers.SlugRelatedField = CodeRelatedField(
        slug_field="code", queryset=Department.objects.all(), required=False, allow_null=True
    )
    role = serializers.ChoiceField(Role.choices)
    scope_level = serializers.ChoiceField(ScopeLevel.choices)

    class Meta:
        model = RoleAssignment
        fields = ["id", "role", "scope_level", "jurisdiction", "district", "department", "label"]
        read_only_fields = ["id", "label"]


class UserSerializer(serializers.ModelSerializer):
    roles = RoleAssignmentSerializer(source="role_assignments", many=True, read_only=True)
    email = serializers.CharField(read_only=True, help_text="An e-mail address, or empty.")

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "is_active", "roles"]
        read_only_fields = fields


class UserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{3,150}$", max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError(_("This username is taken."))
        return value


def _user(request: Request, pk: int) -> User:
    return get_object_or_404(access.users_visible_to(request.user), pk=pk)


class UserListCreate(GenericAPIView):
    permission_classes = [HasCapability.of("users.manage")]
    serializer_class = UserSerializer

    @extend_schema(
        responses={200: UserSerializer(many=True), **errors(403, 404, e404=PAGE_NOT_FOUND)}
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.user_list(user=request.user))
        return self.get_paginated_response(UserSerializer(page, many=True).data)

    @extend_schema(
        request=UserCreateSerializer, responses={201: UserSerializer, **errors(400, 403)}
    )
    def post(self, request: Request) -> Response:
        data = UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_create(actor=request.user, **data.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class UserRoles(GenericAPIView):
    permission_classes = [HasCapability.of("users.manage")]
    serializer_class = RoleAssignmentSerializer

    @extend_schema(
        request=RoleAssignmentSerializer,
        responses={201: RoleAssignmentSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request, pk)
        data = RoleAssignmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.role_assign(actor=request.user, user=user, **data.validated_data)
        return Response(RoleAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class UserRoleDetail(GenericAPIView):
    permission_classes = [HasCapability.of("users.manage")]
    serializer_class = RoleAssignmentSerializer

    @extend_schema(
        responses={204: OpenApiResponse(description="The role is revoked."), **errors(403, 404)}
    )
    def delete(self, request: Request, pk: int, role_id: int) -> Response:
        user = _user(request, pk)
        assignment = get_object_or_404(RoleAssignment, pk=role_id, user=user)
        services.role_revoke(actor=request.user, assignment=assignment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserAction(GenericAPIView):
    permission_classes = [HasCapability.of("users.manage")]
    serializer_class = UserSerializer
    action: str = ""

    @extend_schema(request=None, responses={200: UserSerializer, **errors(403, 404)})
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request, pk)
        actions: dict[str, Any] = {
            "unlock": services.user_unlock,
            "deactivate": services.user_deactivate,
        }
        actions[self.action](actor=request.user, user=user)
        user.refresh_from_db()
        return Response(UserSerializer(user).data)
