"""API authentication: a token for username, password and (where required) a TOTP code."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from cpmis import access
from cpmis.core.openapi import ErrorSerializer, ValidationErrorSerializer, errors

from .authentication import api_sign_in
from .forms import otp_code_validator
from .services import sign_in_recorded
from .tokens import TokenAuthentication, token_issue


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False)
    otp_code = serializers.CharField(
        required=False, allow_blank=True, max_length=6, validators=[otp_code_validator]
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()


class TokenView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def get_authenticate_header(self, request: Request) -> str:
        # No authentication class runs for this view (the token is read by DELETE itself): without
        # a challenge DRF would turn a refused token into a 403.
        return TokenAuthentication().authenticate_header(request)  # type: ignore[no-any-return]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(ValidationErrorSerializer, description="The input is invalid."),
            401: OpenApiResponse(
                ErrorSerializer,
                description="Wrong username, password or code; or a second factor to enrol.",
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Locked out after too many failures, or too many requests.",
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = api_sign_in(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
            otp_code=data.validated_data.get("otp_code", ""),
        )
        if result.locked_out:
            return Response({"detail": result.error}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if result.user is None:
            return Response({"detail": result.error}, status=status.HTTP_401_UNAUTHORIZED)
        instance, token = token_issue(result.user)
        return Response({"token": token, "expiry": instance.expiry})

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="The token is revoked."), **errors(429)},
        auth=[{"tokenAuth": []}],  # type: ignore[list-item]  # security requirements, not names
    )
    def delete(self, request: Request) -> Response:
        """Revoke the token used for this request."""
        auth = TokenAuthentication().authenticate(request)
        if auth is None:
            raise exceptions.NotAuthenticated()
        user, token = auth
        token.delete()
        sign_in_recorded(user=user, action="auth.token_revoked")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Me",
                {
                    "username": serializers.CharField(),
                    "roles": serializers.ListField(child=serializers.CharField()),
                    "capabilities": serializers.ListField(child=serializers.CharField()),
                },
            ),
            **errors(),
        }
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "username": request.user.get_username(),
                "roles": access.role_labels(request.user),
                "capabilities": sorted(access.capabilities(request.user)),
            }
        )
