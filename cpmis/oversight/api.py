"""The oversight REST API: prevention activities, legal assistance requests, the Committee's
recommendations, their assignments to institutions and the institutions' reports.

Reads need ``oversight.view``; writes ``oversight.edit``, except a report on an assignment,
which the assigned department's focal point may make too (``selectors.can_report``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis.core.api import CodeRelatedField
from cpmis.core.forms import Errors, serializer_errors
from cpmis.core.openapi import PAGE_NOT_FOUND, errors
from cpmis.legal.models import OpscCategory
from cpmis.legal.report_structure import SECTION_CODES
from cpmis.reference.models import Department, District, Jurisdiction

from . import selectors, services
from .models import (
    ActivityKind,
    ActivityParticipants,
    AssignmentUpdate,
    ImplementationStatus,
    LegalAssistanceRequest,
    ParticipantSex,
    PreventionActivity,
    Profession,
    Recommendation,
    RecommendationAssignment,
    Topic,
)

MAX_INT = 2**31 - 1


class ReadOrEdit(BasePermission):
    """Reading needs ``oversight.view``, any change ``oversight.edit``."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return selectors.can_view(user)
        return selectors.can_edit(user)


class CanView(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated) and selectors.can_view(user)


def _control(ch: str) -> bool:
    return (ord(ch) < 32 and ch not in "\n\r\t") or 0xD800 <= ord(ch) <= 0xDFFF


class Text(serializers.CharField):
    """Text without control characters (new lines and tabs allowed)."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if any(_control(ch) for ch in value):
            raise serializers.ValidationError(gettext("Text may not contain control characters."))
        return value


# --- output ----------------------------------------------------------------------------------


class ParticipantsSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityParticipants
        fields = ["profession", "sex", "count"]


class ActivitySerializer(serializers.ModelSerializer):
    jurisdiction = serializers.CharField(source="jurisdiction.iso_code", allow_null=True)
    district = serializers.CharField(source="district.pcode", allow_null=True)
    organiser = serializers.CharField(source="organiser.code", allow_null=True)
    participants = ParticipantsSerializer(many=True)
    participants_total = serializers.IntegerField()

    class Meta:
        model = PreventionActivity
        fields = ["id", *services.ACTIVITY_FIELDS, "participants", "participants_total"]
        fields += ["version", "created_at", "updated_at"]


class LegalRequestSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.CharField(source="jurisdiction.iso_code", allow_null=True)

    class Meta:
        model = LegalAssistanceRequest
        fields = ["id", *services.LEGAL_REQUEST_FIELDS, "version", "created_at", "updated_at"]


class UpdateSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", allow_null=True)

    class Meta:
        model = AssignmentUpdate
        fields = ["id", "status", "action", "note", "by", "at"]


class AssignmentSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.code")
    institution_name = serializers.CharField(source="institution.name_en")
    recommendation = serializers.IntegerField(source="recommendation_id")

    class Meta:
        model = RecommendationAssignment
        fields = ["id", "recommendation", "institution", "institution_name", "lead", "action"]
        fields += ["status", "due_on", "version", "updated_at"]


class RecommendationSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=ImplementationStatus.choices, help_text="Overall, from the assignments."
    )
    assignments = AssignmentSerializer(many=True)

    class Meta:
        model = Recommendation
        fields = ["id", *services.RECOMMENDATION_FIELDS, "status", "assignments", "version"]
        fields += ["created_at", "updated_at"]


# --- input -----------------------------------------------------------------------------------


class ParticipantsInput(serializers.Serializer):
    profession = serializers.ChoiceField(Profession.choices)
    sex = serializers.ChoiceField(ParticipantSex.choices)
    count = serializers.IntegerField(min_value=0, max_value=services.MAX_COUNT)


class VersionMixin(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, help_text="The version you read (409 if stale)."
    )


class ActivityInput(serializers.Serializer):
    kind = serializers.ChoiceField(ActivityKind.choices)
    title = Text(max_length=200)
    description = Text(max_length=10_000, required=False, allow_blank=True)
    held_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True)
    jurisdiction = CodeRelatedField(
        slug_field="iso_code",
        queryset=Jurisdiction.objects.all(),
        required=False,
        allow_null=True,
        help_text="ISO code, e.g. PK-PB; empty for federal or national.",
    )
    district = CodeRelatedField(
        slug_field="pcode", queryset=District.objects.all(), required=False, allow_null=True
    )
    organiser = CodeRelatedField(
        slug_field="code", queryset=Department.objects.all(), required=False, allow_null=True
    )
    organiser_name = Text(max_length=150, required=False, allow_blank=True)
    topic = serializers.ChoiceField(Topic.choices)
    materials_distributed = serializers.IntegerField(min_value=0, max_value=MAX_INT, required=False)
    report_paragraphs = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=999), required=False, max_length=97
    )
    participants = ParticipantsInput(many=True, required=False)


class ActivityChange(VersionMixin, ActivityInput):
    pass


class LegalRequestInput(serializers.Serializer):
    kind = serializers.ChoiceField(LegalAssistanceRequest.Kind.choices)
    direction = serializers.ChoiceField(LegalAssistanceRequest.Direction.choices)
    country = serializers.CharField(
        max_length=2, min_length=2, help_text="ISO 3166-1 alpha-2, e.g. AE."
    )
    dated_on = serializers.DateField()
    opsc_category = serializers.ChoiceField(OpscCategory.choices)
    status = serializers.ChoiceField(LegalAssistanceRequest.Status.choices, required=False)
    decided_on = serializers.DateField(required=False, allow_null=True)
    jurisdiction = CodeRelatedField(
        slug_field="iso_code", queryset=Jurisdiction.objects.all(), required=False, allow_null=True
    )
    reference = Text(max_length=100, required=False, allow_blank=True)
    note = Text(max_length=10_000, required=False, allow_blank=True)


class LegalRequestChange(VersionMixin, LegalRequestInput):
    pass


class RecommendationInput(serializers.Serializer):
    document = Text(max_length=60)
    paragraph = Text(max_length=20)
    text = Text(max_length=20_000)
    theme = Text(max_length=200, required=False, allow_blank=True)
    issued_on = serializers.DateField()
    report_sections = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=20
    )
    articles = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=17), required=False, max_length=17
    )


class RecommendationChange(VersionMixin, RecommendationInput):
    pass


class AssignmentInput(serializers.Serializer):
    institution = CodeRelatedField(slug_field="code", queryset=Department.objects.all())
    lead = serializers.BooleanField(required=False)
    action = Text(max_length=10_000, required=False, allow_blank=True)
    status = serializers.ChoiceField(ImplementationStatus.choices, required=False)
    due_on = serializers.DateField(required=False, allow_null=True)
    note = Text(max_length=10_000, required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_INT,
        required=False,
        help_text="When changing an existing assignment: the version you read.",
    )


class ReportInput(VersionMixin):
    status = serializers.ChoiceField(ImplementationStatus.choices)
    note = Text(max_length=10_000)
    action = Text(max_length=10_000, required=False, allow_blank=True)


class ActivityQuery(serializers.Serializer):
    kind = serializers.ChoiceField(ActivityKind.choices, required=False)
    year = serializers.IntegerField(min_value=1947, max_value=2100, required=False)
    jurisdiction = serializers.RegexField(
        r"^(PK-[A-Z]{2}|federal)$", required=False, help_text="ISO code, or 'federal'."
    )


class LegalRequestQuery(serializers.Serializer):
    kind = serializers.ChoiceField(LegalAssistanceRequest.Kind.choices, required=False)
    direction = serializers.ChoiceField(LegalAssistanceRequest.Direction.choices, required=False)
    status = serializers.ChoiceField(LegalAssistanceRequest.Status.choices, required=False)
    year = serializers.IntegerField(min_value=1947, max_value=2100, required=False)


class RecommendationQuery(serializers.Serializer):
    status = serializers.ChoiceField(ImplementationStatus.choices, required=False)
    institution = serializers.SlugField(max_length=40, required=False)
    section = serializers.SlugField(max_length=40, required=False)

    def validate_section(self, value: str) -> str:
        if value not in SECTION_CODES:
            raise serializers.ValidationError(
                gettext("%(section)s is not a section of the report.") % {"section": repr(value)}
            )
        return value


def query(serializer: type[serializers.Serializer], params: Any) -> tuple[dict[str, Any], Errors]:
    """The filters of a page's query string, and the messages of those that are wrong (the
    page then shows everything, never a 500)."""
    data = serializer(data={k: v for k, v in params.items() if v not in ("", None)})
    if data.is_valid():
        return dict(data.validated_data), {}
    return {}, serializer_errors(data)


def strict_query(serializer: type[serializers.Serializer], params: Any) -> dict[str, Any]:
    data = serializer(data={k: v for k, v in params.items() if v not in ("", None)})
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


# --- views -----------------------------------------------------------------------------------


class ActivityList(GenericAPIView):
    """Prevention activities (trainings, awareness events, materials), newest first."""

    permission_classes = [ReadOrEdit]
    serializer_class = ActivitySerializer

    @extend_schema(
        parameters=[ActivityQuery],
        responses={
            200: ActivitySerializer(many=True),
            **errors(400, 403, 404, e404=PAGE_NOT_FOUND),
        },
    )
    def get(self, request: Request) -> Response:
        filters = strict_query(ActivityQuery, request.query_params)
        page = self.paginate_queryset(selectors.activity_list(user=request.user, **filters))
        return self.get_paginated_response(ActivitySerializer(page, many=True).data)

    @extend_schema(request=ActivityInput, responses={201: ActivitySerializer, **errors(400, 403)})
    def post(self, request: Request) -> Response:
        data = ActivityInput(data=request.data)
        data.is_valid(raise_exception=True)
        activity = services.activity_create(actor=request.user, **data.validated_data)
        activity = selectors.activity_get(user=request.user, activity_id=activity.pk)
        return Response(ActivitySerializer(activity).data, status=201)


class ActivityDetail(GenericAPIView):
    """One activity; PATCH corrects it (``participants`` replace the old counts)."""

    permission_classes = [ReadOrEdit]
    serializer_class = ActivitySerializer

    @extend_schema(responses={200: ActivitySerializer, **errors(403, 404)})
    def get(self, request: Request, pk: int) -> Response:
        activity = selectors.activity_get(user=request.user, activity_id=pk)
        return Response(ActivitySerializer(activity).data)

    @extend_schema(
        request=ActivityChange,
        responses={200: ActivitySerializer, **errors(400, 403, 404, 409)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        activity = selectors.activity_get(user=request.user, activity_id=pk)
        data = ActivityChange(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = _version(changes)
        services.activity_update(actor=request.user, activity=activity, version=version, **changes)
        activity = selectors.activity_get(user=request.user, activity_id=pk)
        return Response(ActivitySerializer(activity).data)


def _version(changes: dict[str, Any]) -> int:
    version = changes.pop("version", None)
    if version is None:
        raise serializers.ValidationError({"version": [gettext("Give the version you read.")]})
    return int(version)


class LegalRequestList(GenericAPIView):
    """Extradition and mutual legal assistance requests (OPSC art. 5–6), newest first."""

    permission_classes = [ReadOrEdit]
    serializer_class = LegalRequestSerializer

    @extend_schema(
        parameters=[LegalRequestQuery],
        responses={
            200: LegalRequestSerializer(many=True),
            **errors(400, 403, 404, e404=PAGE_NOT_FOUND),
        },
    )
    def get(self, request: Request) -> Response:
        filters = strict_query(LegalRequestQuery, request.query_params)
        page = self.paginate_queryset(selectors.legal_request_list(user=request.user, **filters))
        return self.get_paginated_response(LegalRequestSerializer(page, many=True).data)

    @extend_schema(
        request=LegalRequestInput, responses={201: LegalRequestSerializer, **errors(400, 403)}
    )
    def post(self, request: Request) -> Response:
        data = LegalRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.legal_request_create(actor=request.user, **data.validated_data)
        return Response(LegalRequestSerializer(created).data, status=201)


class LegalRequestDetail(GenericAPIView):
    permission_classes = [ReadOrEdit]
    serializer_class = LegalRequestSerializer

    @extend_schema(responses={200: LegalRequestSerializer, **errors(403, 404)})
    def get(self, request: Request, pk: int) -> Response:
        found = selectors.legal_request_get(user=request.user, request_id=pk)
        return Response(LegalRequestSerializer(found).data)

    @extend_schema(
        request=LegalRequestChange,
        responses={200: LegalRequestSerializer, **errors(400, 403, 404, 409)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        found = selectors.legal_request_get(user=request.user, request_id=pk)
        data = LegalRequestChange(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = _version(changes)
        changed = services.legal_request_update(
            actor=request.user, request=found, version=version, **changes
        )
        return Response(LegalRequestSerializer(changed).data)


class RecommendationList(GenericAPIView):
    """The Committee's recommendations with their institutions and overall status."""

    permission_classes = [ReadOrEdit]
    serializer_class = RecommendationSerializer

    @extend_schema(
        parameters=[RecommendationQuery],
        responses={
            200: RecommendationSerializer(many=True),
            **errors(400, 403, 404, e404=PAGE_NOT_FOUND),
        },
    )
    def get(self, request: Request) -> Response:
        filters = strict_query(RecommendationQuery, request.query_params)
        page = self.paginate_queryset(selectors.recommendation_list(user=request.user, **filters))
        return self.get_paginated_response(RecommendationSerializer(page, many=True).data)

    @extend_schema(
        request=RecommendationInput,
        responses={201: RecommendationSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = RecommendationInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.recommendation_create(actor=request.user, **data.validated_data)
        found = selectors.recommendation_get(user=request.user, recommendation_id=created.pk)
        return Response(RecommendationSerializer(found).data, status=201)


class RecommendationDetail(GenericAPIView):
    permission_classes = [ReadOrEdit]
    serializer_class = RecommendationSerializer

    @extend_schema(responses={200: RecommendationSerializer, **errors(403, 404)})
    def get(self, request: Request, pk: int) -> Response:
        found = selectors.recommendation_get(user=request.user, recommendation_id=pk)
        return Response(RecommendationSerializer(found).data)

    @extend_schema(
        request=RecommendationChange,
        responses={200: RecommendationSerializer, **errors(400, 403, 404, 409)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        found = selectors.recommendation_get(user=request.user, recommendation_id=pk)
        data = RecommendationChange(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = _version(changes)
        services.recommendation_update(
            actor=request.user, recommendation=found, version=version, **changes
        )
        found = selectors.recommendation_get(user=request.user, recommendation_id=pk)
        return Response(RecommendationSerializer(found).data)


class AssignmentSet(GenericAPIView):
    """Give the recommendation to an institution, or change that institution's assignment
    (then give the ``version`` you read)."""

    permission_classes = [ReadOrEdit]
    serializer_class = AssignmentInput

    @extend_schema(
        request=AssignmentInput,
        responses={200: AssignmentSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        found = selectors.recommendation_get(user=request.user, recommendation_id=pk)
        data = AssignmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_set(
            actor=request.user, recommendation=found, **data.validated_data
        )
        return Response(AssignmentSerializer(assignment).data)


class AssignmentReport(GenericAPIView):
    """The institution reports its status, what it did and (if changed) its action. Open to
    an analyst and to the focal point of the assigned department."""

    permission_classes = [CanView]
    serializer_class = ReportInput

    @extend_schema(
        request=ReportInput, responses={201: UpdateSerializer, **errors(400, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        assignment = selectors.assignment_get(user=request.user, assignment_id=pk)
        if not selectors.can_report(request.user, assignment):
            raise PermissionDenied(
                gettext("Only the institution given this recommendation can report.")
            )
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        update = services.assignment_report(
            actor=request.user, assignment=assignment, **data.validated_data
        )
        return Response(UpdateSerializer(update).data, status=201)
