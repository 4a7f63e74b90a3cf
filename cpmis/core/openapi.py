"""The API's OpenAPI schema, where drf-spectacular cannot see it from the code: the token
scheme, and the bodies of the errors every operation answers (``core.api.exception_handler``
and ``core.middleware``), so that a client is told each answer it can get.

Every app's ``api.py`` imports this module, which registers the extensions below.

The error bodies are DRF's: ``{"detail": "..."}`` for 401, 403, 404, 405 and 429; for a 400,
an object naming each field that is wrong with its messages (``non_field_errors`` or
``detail`` for what is not about one field; a nested object or list for nested input); for a
409 (``core.errors.Conflict``), ``detail`` with, where the record is versioned, its current
version and every change since the version the caller read.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class TokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <64 hex digits>``, a token from ``POST /api/auth/token/``."""

    target_class = "cpmis.accounts.tokens.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme: dict[str, Any] = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Token",  # noqa: S106 - a scheme name
        )
        scheme["description"] = (
            'The header "Authorization: Token <token>", with a token (64 hexadecimal digits) '
            "from POST /api/auth/token/. It expires; DELETE /api/auth/token/ revokes it."
        )
        return scheme


# --- error bodies ------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the user's language.")


class ValidationErrorSerializer(serializers.Serializer):
    """The fields of the input that are wrong, each with its messages (its schema is given by
    ``ValidationErrorScheme``)."""


class ValidationErrorScheme(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def get_name(self, auto_schema: Any, direction: Any) -> str:
        return "ValidationError"

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {
            "type": "object",
            "description": "Each field of the input that is wrong, with its messages: a list "
            "of texts, or for nested input an object (or a list of objects, one per item) of "
            "the same shape. Errors not about one field come under `non_field_errors` or "
            "`detail`.",
            "additionalProperties": {
                "anyOf": [
                    {"type": "array", "items": {}},
                    {"type": "object", "additionalProperties": {}},
                    {"type": "string"},
                ]
            },
        }


class VersionChangeSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True, help_text="The version it made.")
    action = serializers.CharField(help_text="The audited action, or 'changed'.")
    at = serializers.DateTimeField(allow_null=True)
    by = serializers.CharField(allow_null=True, help_text="Who made it (username).")
    fields = serializers.ListField(  # type: ignore[assignment]  # a declared field, popped by DRF
        child=serializers.CharField()
    )


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField(
        required=False, help_text="The record's current version (versioned records)."
    )
    changes = VersionChangeSerializer(
        many=True, required=False, help_text="Every version since the one you read, oldest first."
    )


DESCRIPTIONS = {
    400: "The input is invalid.",
    401: "No valid token (or session): sign in first.",
    403: "The user may not do this (a missing capability, or a record outside their reach).",
    404: "No such record, or none the user may see (the two are never told apart).",
    409: "The record changed since the version you read, or is no longer in a state that "
    "allows this.",
    429: "Too many requests: try again later.",
}
BODIES: dict[int, type[serializers.Serializer]] = {400: ValidationErrorSerializer}


def errors(
    *codes: int, conflict: type[serializers.Serializer] | None = None, **descriptions: str
) -> dict[int, OpenApiResponse]:
    """The error answers of an operation for ``extend_schema(responses=...)``: 401 always (every
    operation but the token's needs a signed-in user), and the ``codes`` given. A description
    overrides the default one: ``errors(404, e404="No such case.")``; ``conflict`` is the body
    of a 409 where the service's conflict says more than ``ConflictSerializer``."""
    bodies = {**BODIES, 409: conflict or ConflictSerializer}
    out: dict[int, OpenApiResponse] = {}
    for code in sorted({401, *codes}):
        out[code] = OpenApiResponse(
            bodies.get(code, ErrorSerializer),
            description=descriptions.get(f"e{code}", DESCRIPTIONS[code]),
        )
    return out


PAGE_NOT_FOUND = "A page past the end (or not a number)."
