"""The data standard through the API: record types and their Table Schemas."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from . import standard


class RecordTypeList(GenericAPIView):
    """Every record type departments submit, with its current and supported versions."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "name": rt.name,
                    "title": rt.title,
                    "department": rt.department,
                    "version": rt.version,
                    "supported_versions": list(standard.SUPPORTED[rt.name]),
                    "schema": request.build_absolute_uri(f"{rt.name}/v{rt.major}/"),
                }
                for rt in standard.record_types()
            ]
        )


class RecordTypeSchema(GenericAPIView):
    """The Frictionless Table Schema of one version of a record type."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, name: str, major: int) -> Response:
        rt = standard.schema(name, major)
        if rt is None:
            raise Http404
        return Response(rt.descriptor)
