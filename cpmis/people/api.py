"""REST API of the people registry: search, register, read, change; merge proposals."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis import access
from cpmis.accounts.models import User
from cpmis.core.api import CodeRelatedField
from cpmis.core.openapi import PAGE_NOT_FOUND, errors
from cpmis.permissions import HasCapability
from cpmis.reference.models import District

from . import merging, selectors, services
from .identifiers import normalize_nadra_number
from .models import Child, ChildMerge, Disability, GuardianRelation, Locality, Sex


class ChildSerializer(serializers.ModelSerializer):
    district: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="pcode", read_only=True
    )
    age = serializers.SerializerMethodField()
    owner: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    merged = serializers.SerializerMethodField(
        help_text="Found to be another child and merged into it (no longer listed)."
    )
    merged_into = serializers.SerializerMethodField(
        help_text="The child it was merged into, if you may see that child."
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
            "merged",
            "merged_into",
        ]
        read_only_fields = fields

    def get_age(self, child: Child) -> int:
        return services.age_on(child.date_of_birth, timezone.localdate())

    def get_merged(self, child: Child) -> bool:
        return child.merged_into_id is not None

    def get_merged_into(self, child: Child) -> uuid_lib.UUID | None:
        if child.merged_into_id is None:
            return None
        request = self.context.get("request")
        if request is None:
            return None  # no reader: whether they may see that child is unknown
        return (
            access.children_visible_to(request.user)
            .filter(pk=child.merged_into_id)
            .values_list("uuid", flat=True)
            .first()
        )


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
        label=_("Name (Latin script)"), max_length=150, required=False, allow_blank=True
    )
    name_urdu = serializers.CharField(
        label=_("Name (Urdu script)"), max_length=150, required=False, allow_blank=True
    )
    guardian_relation = serializers.ChoiceField(
        GuardianRelation.choices, label=_("Guardian relation"), required=False
    )
    guardian_name_latin = serializers.CharField(
        label=_("Guardian name latin"), max_length=150, required=False, allow_blank=True
    )
    guardian_name_urdu = serializers.CharField(
        label=_("Guardian name urdu"), max_length=150, required=False, allow_blank=True
    )
    sex = serializers.ChoiceField(Sex.choices, label=_("Sex"))
    date_of_birth = serializers.DateField(label=_("Date of birth"), required=False)
    estimated_age_years = serializers.IntegerField(
        label=_("Estimated age years"), required=False, min_value=0, max_value=17
    )
    b_form_number = serializers.CharField(
        label=_("B-form / CRC number"), max_length=20, required=False, allow_blank=True
    )
    cnic = serializers.CharField(label=_("CNIC"), max_length=20, required=False, allow_blank=True)
    nationality = serializers.RegexField(r"^[A-Za-z]{2}$", label=_("Nationality"), required=False)
    has_disability = serializers.BooleanField(
        label=_("Has disability"), required=False, allow_null=True
    )
    disabilities = serializers.ListField(
        child=serializers.ChoiceField(Disability.choices),
        label=_("Disabilities"),
        required=False,
        max_length=6,
    )
    address = serializers.CharField(
        label=_("Address"), max_length=1000, required=False, allow_blank=True
    )
    locality = serializers.ChoiceField(Locality.choices, label=_("Locality"), required=False)
    district = CodeRelatedField(
        slug_field="pcode", queryset=District.objects.all(), label=_("District")
    )
    contact_name = serializers.CharField(
        label=_("Contact name"), max_length=150, required=False, allow_blank=True
    )
    contact_phone = serializers.RegexField(
        r"^\+?[0-9 -]{7,20}$",
        label=_("Contact phone"),
        max_length=20,
        required=False,
        allow_blank=True,
    )
    owner = CodeRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        label=_("Owner"),
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
            raise serializers.ValidationError(_("The date of birth is in the future."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.partial:
            return attrs
        if not (attrs.get("name_latin", "").strip() or attrs.get("name_urdu", "").strip()):
            raise serializers.ValidationError(
                {"name_latin": _("Give the child's name in Latin or Urdu script.")}
            )
        if "date_of_birth" not in attrs and "estimated_age_years" not in attrs:
            raise serializers.ValidationError(
                {"date_of_birth": _("Give a date of birth or an estimated age.")}
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
            raise serializers.ValidationError(_("Type at least 2 characters of the name."))
        return value


class ChildListCreate(GenericAPIView):
    permission_classes = [HasCapability.of("child.view")]
    serializer_class = ChildListSerializer

    @extend_schema(
        parameters=[ChildQuerySerializer],
        responses={
            200: ChildListSerializer(many=True),
            **errors(400, 403, 404, e404=PAGE_NOT_FOUND),
        },
    )
    def get(self, request: Request) -> Response:
        query = ChildQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = {k: query.validated_data.get(k, "") for k in ("q", "district", "sex")}
        qs = selectors.child_search(user=request.user, **filters)
        page = self.paginate_queryset(qs)
        assert page is not None
        selectors.children_listed(user=request.user, children=page, query=filters)
        return self.get_paginated_response(ChildListSerializer(page, many=True).data)

    @extend_schema(
        request=ChildInputSerializer, responses={201: ChildSerializer, **errors(400, 403)}
    )
    def post(self, request: Request) -> Response:
        data = ChildInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        child = services.child_register(actor=request.user, **data.validated_data)
        return Response(ChildSerializer(child).data, status=status.HTTP_201_CREATED)


CHILD_UUID = OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)


class ChildDetail(GenericAPIView):
    permission_classes = [HasCapability.of("child.view")]
    serializer_class = ChildSerializer

    @extend_schema(parameters=[CHILD_UUID], responses={200: ChildSerializer, **errors(403, 404)})
    def get(self, request: Request, uuid: str) -> Response:
        child = selectors.child_read(user=request.user, child_uuid=uuid)
        return Response(ChildSerializer(child, context={"request": request}).data)

    @extend_schema(
        parameters=[CHILD_UUID],
        request=ChildInputSerializer,
        responses={200: ChildSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request: Request, uuid: str) -> Response:
        child = selectors.child_read(user=request.user, child_uuid=uuid, purpose="change")
        data = ChildInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        child = services.child_update(actor=request.user, child=child, **data.validated_data)
        return Response(ChildSerializer(child).data)


# --- merges of two registry children into one ----------------------------------------------


def _no_control_characters(value: str) -> str:
    if any(ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise serializers.ValidationError(_("Text may not contain control characters."))
    return value


class MergeChildSerializer(serializers.Serializer):
    """One child of a proposal, as a reviewer needs it to decide."""

    uuid = serializers.UUIDField(source="child.uuid")
    name_latin = serializers.CharField(source="child.name_latin")
    name_urdu = serializers.CharField(source="child.name_urdu")
    guardian_relation = serializers.CharField(source="child.guardian_relation")
    guardian_name_latin = serializers.CharField(source="child.guardian_name_latin")
    guardian_name_urdu = serializers.CharField(source="child.guardian_name_urdu")
    sex = serializers.CharField(source="child.sex")
    date_of_birth = serializers.DateField(source="child.date_of_birth")
    date_of_birth_estimated = serializers.BooleanField(source="child.date_of_birth_estimated")
    b_form_number = serializers.CharField(source="child.b_form_number")
    district = serializers.CharField(source="child.district.pcode")
    registered_at = serializers.DateTimeField(source="child.registered_at")
    linked_records = serializers.IntegerField()
    cases = serializers.IntegerField()
    complaints = serializers.IntegerField()
    open_reviews = serializers.IntegerField()


class MergeSerializer(serializers.ModelSerializer):
    child_a = serializers.UUIDField(source="child_a.uuid")
    child_b = serializers.UUIDField(source="child_b.uuid")
    kept = serializers.UUIDField(source="kept.uuid", allow_null=True, default=None)
    merged = serializers.UUIDField(source="merged.uuid", allow_null=True, default=None)
    proposed_by = serializers.CharField(
        source="proposed_by.username", allow_null=True, default=None
    )
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    undone_by = serializers.CharField(source="undone_by.username", allow_null=True, default=None)

    class Meta:
        model = ChildMerge
        fields = [
            "id",
            "status",
            "child_a",
            "child_b",
            "probability",
            "evidence",
            "source",
            "proposed_at",
            "proposed_by",
            "kept",
            "merged",
            "decided_at",
            "decided_by",
            "reason",
            "undone_at",
            "undone_by",
            "undo_reason",
            "version",
        ]
        read_only_fields = fields


class MergeDetailSerializer(serializers.Serializer):
    merge = MergeSerializer()
    children = MergeChildSerializer(many=True, source="sides")
    can_decide = serializers.BooleanField()


class ProposeInput(serializers.Serializer):
    child_a = serializers.UUIDField(help_text="One child (a child you may see).")
    child_b = serializers.UUIDField(help_text="The other child.")


class MergeDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("merge", "Same child: merge"), ("different", "Different children")]
    )
    keep = serializers.UUIDField(
        required=False, allow_null=True, help_text="With 'merge': the child that is kept."
    )
    reason = serializers.CharField(max_length=300, trim_whitespace=True)
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version you read (409 if stale)."
    )

    def validate_reason(self, value: str) -> str:
        return _no_control_characters(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["decision"] == "merge" and not attrs.get("keep"):
            raise serializers.ValidationError(
                {"keep": _("Choose which of the two children is kept.")}
            )
        return attrs


class MergeUndoInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, trim_whitespace=True)
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version you read (409 if stale)."
    )

    def validate_reason(self, value: str) -> str:
        return _no_control_characters(value)


def _visible_child(request: Request, key: Any) -> Child:
    child = access.children_visible_to(request.user).filter(uuid=key).first()
    if child is None:
        raise NotFound
    return child


class MergeList(GenericAPIView):
    """Open proposals that two registry children are one child (both children in your
    sight), oldest first; POST proposes one (a person decides it later)."""

    permission_classes = [HasCapability.of("child.merge")]
    serializer_class = MergeSerializer

    @extend_schema(
        responses={200: MergeSerializer(many=True), **errors(403, 404, e404=PAGE_NOT_FOUND)}
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.merge_queue(user=request.user)) or []
        return self.get_paginated_response(MergeSerializer(page, many=True).data)

    @extend_schema(
        request=ProposeInput,
        responses={
            201: MergeSerializer,
            **errors(400, 403, 404, e404="No such child you may see."),
        },
    )
    def post(self, request: Request) -> Response:
        data = ProposeInput(data=request.data)
        data.is_valid(raise_exception=True)
        a = _visible_child(request, data.validated_data["child_a"])
        b = _visible_child(request, data.validated_data["child_b"])
        proposal = merging.merge_propose(actor=request.user, child_a=a, child_b=b)
        return Response(MergeSerializer(proposal).data, status=status.HTTP_201_CREATED)


class MergeDetail(GenericAPIView):
    """A proposal with both children side by side; reading it is audited."""

    permission_classes = [HasCapability.of("child.merge")]
    serializer_class = MergeDetailSerializer

    @extend_schema(responses={200: MergeDetailSerializer, **errors(403, 404)})
    def get(self, request: Request, merge_id: int) -> Response:
        view = selectors.merge_read(user=request.user, merge_id=merge_id)
        return Response(MergeDetailSerializer(view).data)


class MergeDecide(GenericAPIView):
    """Decide: ``merge`` keeps the child ``keep`` and moves the other's links, cases and
    complaints to it; ``different`` remembers that they are two children."""

    permission_classes = [HasCapability.of("child.merge")]
    serializer_class = MergeDecisionInput

    @extend_schema(
        request=MergeDecisionInput,
        responses={200: MergeSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, merge_id: int) -> Response:
        data = MergeDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = merging.merge_decide(
            actor=request.user,
            merge_id=merge_id,
            merge=data.validated_data["decision"] == "merge",
            keep=data.validated_data.get("keep"),
            reason=data.validated_data["reason"],
            version=data.validated_data["version"],
        )
        return Response(MergeSerializer(proposal).data)


class MergeUndo(GenericAPIView):
    """Undo a merge: what it moved goes back to the merged child (see docs/adr/0012)."""

    permission_classes = [HasCapability.of("child.merge")]
    serializer_class = MergeUndoInput

    @extend_schema(
        request=MergeUndoInput, responses={200: MergeSerializer, **errors(400, 403, 404, 409)}
    )
    def post(self, request: Request, merge_id: int) -> Response:
        data = MergeUndoInput(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = merging.merge_undo(
            actor=request.user,
            merge_id=merge_id,
            reason=data.validated_data["reason"],
            version=data.validated_data["version"],
        )
        return Response(MergeSerializer(proposal).data)
