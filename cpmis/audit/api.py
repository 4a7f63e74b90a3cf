"""Audit trail API: query events by user, record and period."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from cpmis.core.openapi import PAGE_NOT_FOUND, errors
from cpmis.permissions import HasCapability

from . import selectors
from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor_id",
            "actor_username",
            "actor_roles",
            "action",
            "object_type",
            "object_id",
            "ip_address",
            "request_id",
            "detail",
        ]


class AuditQuerySerializer(serializers.Serializer):
    actor_id = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    actor_username = serializers.CharField(required=False, max_length=150)
    action = serializers.CharField(required=False, max_length=64)
    object_type = serializers.CharField(required=False, max_length=64)
    object_id = serializers.CharField(required=False, max_length=64)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("since") and attrs.get("until") and attrs["since"] >= attrs["until"]:
            raise serializers.ValidationError({"until": gettext("Must be after 'since'.")})
        return attrs


@extend_schema(
    parameters=[AuditQuerySerializer],
    responses={
        200: AuditEventSerializer(many=True),
        **errors(400, 403, 404, e404=PAGE_NOT_FOUND),
    },
)
class AuditEventList(generics.ListAPIView):
    serializer_class = AuditEventSerializer
    permission_classes = [HasCapability.of("audit.view")]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        query = AuditQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.audit_event_list(user=self.request.user, **query.validated_data)
