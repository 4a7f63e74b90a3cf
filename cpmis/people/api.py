"""REST API of the people registry: search, register, read, change."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis.accounts.models import User
from cpmis.accounts.permissions import HasCapability
from cpmis.core.api import CodeRelatedField
from cpmis.reference.models import District

from . import selectors, services
from .identifiers import normalize_nadra_number
from .models import Child, Disability, GuardianRelation, Locality, Sex


class ChildSerializer(serializers.ModelSerializer):
    district: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="pcode", read_only=True
    )
    age = serializers.SerializerMethodField()
    owner: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Child
        fields = [
            "uuid",
            *(f for f in services.EDITABLE_FIELDS if f not in {"district", "owner"}),
            "age",
            "district",
            "owner",
            "registered_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_age(self, child: Child) -> int:
        return services.age_on(child.date_of_birth, timezone.localdate())


class ChildListSerializer(ChildSerializer):
    class Meta(ChildSerializer.Meta):
        fields = [
            "uuid",
            "name_latin",
            "name_urdu",
            "guardian_relation",
            "guardian_name_latin",
            "guardian_name_urdu",
            "sex",
            "age",
            "date_of_birth_estimated",
            "district",
        ]
        read_only_fields = fields


def _nadra(value: str) -> str:
    if not value:
        return ""
    try:
        return normalize_nadra_number(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages[0]) from exc


class ChildInputSerializer(serializers.Serializer):
    """Input of a registration or change; the service applies the rules of the domain."""

    name_latin = serializers.CharField(
        label="Name (Latin script)", max_length=150, required=False, allow_blank=True
    )
    name_urdu = serializers.CharField(
        label="Name (Urdu script)", max_length=150, required=False, allow_blank=True
    )
    guardian_relation = serializers.ChoiceField(GuardianRelation.choices, required=False)
    guardian_name_latin = serializers.CharField(max_length=150, required=False, allow_blank=True)
    guardian_name_urdu = serializers.CharField(max_length=150, required=False, allow_blank=True)
    sex = serializers.ChoiceField(Sex.choices)
    date_of_birth = serializers.DateField(required=False)
    estimated_age_years = serializers.IntegerField(required=False, min_value=0, max_value=17)
    b_form_number = serializers.CharField(
        label="B-form / CRC number", max_length=20, required=False, allow_blank=True
    )
    cnic = serializers.CharField(label="CNIC", max_length=20, required=False, allow_blank=True)
    nationality = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)
    has_disability = serializers.BooleanField(required=False, allow_null=True)
    disabilities = serializers.ListField(
        child=serializers.ChoiceField(Disability.choices), required=False, max_length=6
    )
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    locality = serializers.ChoiceField(Locality.choices, required=False)
    district = CodeRelatedField(slug_field="pcode", queryset=District.objects.all())
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_phone = serializers.RegexField(
        r"^\+?[0-9 -]{7,20}$", max_length=20, required=False, allow_blank=True
    )
    owner = CodeRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )

    def validate_b_form_number(self, value: str) -> str:
        return _nadra(value)

    def validate_cnic(self, value: str) -> str:
        return _nadra(value)

    def validate_nationality(self, value: str) -> str:
        return value.upper()

    def validate_date_of_birth(self, value: date) -> date:
        if value > timezone.localdate():
            raise serializers.ValidationError("The date of birth is in the future.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.partial:
            return attrs
        if not (attrs.get("name_latin", "").strip() or attrs.get("name_urdu", "").strip()):
            raise serializers.ValidationError(
                {"name_latin": "Give the child's name in Latin or Urdu script."}
            )
        if "date_of_birth" not in attrs and "estimated_age_years" not in attrs:
            raise serializers.ValidationError(
                {"date_of_birth": "Give a date of birth or an estimated age."}
            )
        return attrs


class ChildQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    district = serializers.RegexField(r"^PK\d{3}$", required=False, allow_blank=True)
    sex = serializers.ChoiceField(Sex.choices, required=False, allow_blank=True)
    page = serializers.IntegerField(required=False, min_value=1, max_value=100_000)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

    def validate_q(self, value: str) -> str:
        value = value.strip()
        if value and len(value) < 2:
            raise serializers.ValidationError("Type at least 2 characters of the name.")
        return value


class ChildListCreate(GenericAPIView):
    permission_classes = [HasCapability.of("child.view")]
    serializer_class = ChildListSerializer

    @extend_schema(parameters=[ChildQuerySerializer], responses=ChildListSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = ChildQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = {k: query.validated_data.get(k, "") for k in ("q", "district", "sex")}
        qs = selectors.child_search(user=request.user, **filters)
        page = self.paginate_queryset(qs)
        assert page is not None
        selectors.children_listed(user=request.user, children=page, query=filters)
        return self.get_paginated_response(ChildListSerializer(page, many=True).data)

    @extend_schema(request=ChildInputSerializer, responses={201: ChildSerializer})
    def post(self, request: Request) -> Response:
        data = ChildInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        child = services.child_register(actor=request.user, **data.validated_data)
        return Response(ChildSerializer(child).data, status=status.HTTP_201_CREATED)


class ChildDetail(GenericAPIView):
    permission_classes = [HasCapability.of("child.view")]
    serializer_class = ChildSerializer

    def get(self, request: Request, uuid: str) -> Response:
        child = selectors.child_read(user=request.user, child_uuid=uuid)
        return Response(ChildSerializer(child).data)

    @extend_schema(request=ChildInputSerializer, responses=ChildSerializer)
    def patch(self, request: Request, uuid: str) -> Response:
        child = selectors.child_read(user=request.user, child_uuid=uuid, purpose="change")
        data = ChildInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        child = services.child_update(actor=request.user, child=child, **data.validated_data)
        return Response(ChildSerializer(child).data)
