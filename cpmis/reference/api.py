"""Read-only API for reference data."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from cpmis.core.openapi import errors

from . import selectors
from .models import Department, District, InstitutionType, Jurisdiction


class JurisdictionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Jurisdiction
        fields = ["iso_code", "pcode", "name_en", "name_ur", "short_name", "kind"]


class DistrictSerializer(serializers.ModelSerializer):
    jurisdiction: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="iso_code", read_only=True
    )

    class Meta:
        model = District
        fields = ["pcode", "name_en", "name_ur", "jurisdiction"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name_en", "name_ur", "level", "description", "report_paragraphs"]


class InstitutionTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = InstitutionType
        fields = ["code", "name_en", "name_ur", "category", "description", "report_paragraphs"]


class DistrictQuerySerializer(serializers.Serializer):
    jurisdiction = serializers.RegexField(r"^PK-[A-Z]{2}$", required=False)


@extend_schema(responses={200: JurisdictionSerializer(many=True), **errors()})
class JurisdictionList(generics.ListAPIView):
    serializer_class = JurisdictionSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.jurisdiction_list()


class DistrictList(generics.ListAPIView):
    serializer_class = DistrictSerializer
    pagination_class = None

    @extend_schema(
        parameters=[DistrictQuerySerializer],
        responses={200: DistrictSerializer(many=True), **errors(400)},
    )
    def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        query = DistrictQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.district_list(jurisdiction=query.validated_data.get("jurisdiction"))


@extend_schema(responses={200: DepartmentSerializer(many=True), **errors()})
class DepartmentList(generics.ListAPIView):
    serializer_class = DepartmentSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.department_list()


@extend_schema(responses={200: InstitutionTypeSerializer(many=True), **errors()})
class InstitutionTypeList(generics.ListAPIView):
    serializer_class = InstitutionTypeSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.institution_type_list()
