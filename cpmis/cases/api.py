"""REST API of case management: cases, their timeline and tasks, and one endpoint per action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis import access
from cpmis.accounts.models import User
from cpmis.core.api import CodeRelatedField
from cpmis.core.openapi import PAGE_NOT_FOUND, errors
from cpmis.legal.models import Provision
from cpmis.permissions import HasCapability
from cpmis.reference.models import District, InstitutionType

from . import selectors, services
from .models import (
    Case,
    CaseReference,
    Concern,
    EventKind,
    Institution,
    Perpetrator,
    RiskLevel,
    Stage,
    Task,
    Transfer,
)


class TaskSerializer(serializers.ModelSerializer):
    case: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True
    )
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["case", "kind", "due_at", "done_at", "for_supervisor", "basis", "overdue"]

    def get_overdue(self, task: Task) -> bool:
        from django.utils import timezone

        return task.done_at is None and task.due_at < timezone.now()


class CaseSerializer(serializers.ModelSerializer):
    child: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True
    )
    district: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="pcode", read_only=True
    )
    jurisdiction: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="iso_code", read_only=True
    )
    assigned_to: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    concerns = serializers.ListField(child=serializers.ChoiceField(Concern.choices), read_only=True)

    class Meta:
        model = Case
        fields = [
            "uuid",
            "number",
            "child",
            "district",
            "jurisdiction",
            "stage",
            "initial_risk",
            "risk_level",
            "concerns",
            "assigned_to",
            "opened_at",
            "closed_at",
            "in_protection",
            "version",
        ]


class TimelineEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(EventKind.choices)
    occurred_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    recorded_by = serializers.CharField(allow_null=True, help_text="Username.")
    details = serializers.DictField()
    note = serializers.CharField()


class PerpetratorSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    relationship = serializers.ChoiceField(Perpetrator.Relationship.choices)
    sex = serializers.ChoiceField(["female", "male", "unknown"])
    age_band = serializers.ChoiceField(Perpetrator.AgeBand.choices)


class CaseReferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(CaseReference.Kind.choices)
    number = serializers.CharField()
    authority = serializers.CharField()


class CaseDetailSerializer(CaseSerializer):
    """A case with its timeline, tasks, perpetrators, references and alleged offences (what
    ``case_detail`` builds; this serializer documents it)."""

    timeline = TimelineEventSerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)
    perpetrators = PerpetratorSerializer(many=True, read_only=True)
    references = CaseReferenceSerializer(many=True, read_only=True)
    opsc_categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    offences = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Citations of the provisions."
    )

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "timeline",
            "tasks",
            "perpetrators",
            "references",
            "opsc_categories",
            "offences",
        ]


class CaseChangeSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField(help_text="The event (assessed) or action it recorded.")
    occurred_at = serializers.DateTimeField(allow_null=True)
    recorded_by = serializers.CharField(allow_null=True, help_text="Username.")


class CaseConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField(required=False, help_text="The case's current version.")
    changes = CaseChangeSerializer(
        many=True, required=False, help_text="Every version since the one you read, oldest first."
    )


CASE_UUID = OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)


def case_detail(case: Case) -> dict[str, Any]:
    data = dict(CaseSerializer(case).data)
    data["timeline"] = [
        {
            "id": e.pk,
            "kind": e.kind,
            "occurred_at": e.occurred_at,
            "recorded_at": e.recorded_at,
            "recorded_by": e.recorded_by.username if e.recorded_by else None,
            "details": e.details,
            "note": e.note,
        }
        for e in case.events.select_related("recorded_by")
    ]
    data["tasks"] = TaskSerializer(case.tasks.order_by("due_at"), many=True).data
    data["perpetrators"] = [
        {"number": p.number, "relationship": p.relationship, "sex": p.sex, "age_band": p.age_band}
        for p in case.perpetrators.all()
    ]
    data["references"] = [
        {"kind": r.kind, "number": r.number, "authority": r.authority}
        for r in case.references.all()
    ]
    provisions = [o.provision for o in case.offences.select_related("provision__statute")]
    data["opsc_categories"] = sorted({p.opsc_category for p in provisions if p.opsc_category})
    data["offences"] = [
        o.provision.citation for o in case.offences.select_related("provision__statute")
    ]
    return data


class CaseCreateSerializer(serializers.Serializer):
    child = serializers.UUIDField()
    initial_risk = serializers.ChoiceField(RiskLevel.choices)
    concerns = serializers.ListField(
        child=serializers.ChoiceField(Concern.choices), min_length=1, max_length=len(Concern.values)
    )
    opened_at = serializers.DateTimeField(required=False)
    assigned_to = CodeRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class CaseQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text="A case number (or its start, or its sequence) or part of the child's name.",
    )
    stage = serializers.ChoiceField(Stage.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False)
    page = serializers.IntegerField(required=False, min_value=1, max_value=100_000)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class CaseListCreate(GenericAPIView):
    permission_classes = [HasCapability.of("case.view")]
    serializer_class = CaseSerializer

    @extend_schema(
        parameters=[CaseQuerySerializer],
        responses={
            200: CaseSerializer(many=True),
            **errors(400, 403, 404, e404=PAGE_NOT_FOUND),
        },
    )
    def get(self, request: Request) -> Response:
        query = CaseQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = selectors.case_list(
            user=request.user,
            stage=query.validated_data.get("stage", ""),
            overdue=query.validated_data["overdue"],
            query=query.validated_data.get("q", "").strip(),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(CaseSerializer(page, many=True).data)

    @extend_schema(
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        child = access.children_visible_to(request.user).filter(uuid=values.pop("child")).first()
        if child is None:
            raise serializers.ValidationError({"child": _("No child you can see has this id.")})
        case = services.case_open(actor=request.user, child=child, **values)
        return Response(case_detail(case), status=status.HTTP_201_CREATED)


def _case(request: Request, uuid: str) -> Case:
    return selectors.case_get(user=request.user, case_uuid=uuid)


class CaseDetail(GenericAPIView):
    permission_classes = [HasCapability.of("case.view")]
    serializer_class = CaseDetailSerializer

    @extend_schema(
        parameters=[CASE_UUID], responses={200: CaseDetailSerializer, **errors(403, 404)}
    )
    def get(self, request: Request, uuid: str) -> Response:
        case = selectors.case_read(user=request.user, case_uuid=uuid)
        return Response(case_detail(case))


# --- actions ----------------------------------------------------------------------------------


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you read (409 if stale)."
    )


class DatedInput(VersionInput):
    occurred_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class AssignInput(VersionInput):
    officer = CodeRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True))


class AssessInput(DatedInput):
    risk_level = serializers.ChoiceField(RiskLevel.choices)


class GoalSerializer(serializers.Serializer):
    goal = serializers.CharField(max_length=500)
    services = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    responsible = serializers.CharField(max_length=150, required=False, allow_blank=True)
    by = serializers.DateField(required=False)


class PlanInput(VersionInput):
    occurred_at = serializers.DateTimeField(required=False)
    goals = GoalSerializer(many=True, allow_empty=False)


class OffenceInput(VersionInput):
    provision = serializers.PrimaryKeyRelatedField(queryset=Provision.objects.all())


class ProtectInput(VersionInput):
    occurred_at = serializers.DateTimeField(required=False)
    temporary_institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), required=False
    )


class ProduceInput(VersionInput):
    occurred_at = serializers.DateTimeField(required=False)
    court = serializers.CharField(max_length=200)


class OrderInput(DatedInput):
    kind = serializers.ChoiceField(list(services.ORDER_LABELS.items()))
    child_views = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    not_heard_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    medical_report = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    determined_age = serializers.IntegerField(required=False, min_value=0, max_value=25)
    final = serializers.BooleanField(required=False, default=False)


class PlaceInput(VersionInput):
    occurred_at = serializers.DateTimeField(required=False)
    option = serializers.ChoiceField(list(services.PLACEMENT_LABELS.items()))
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), required=False
    )
    caregiver_sex = serializers.ChoiceField(["female", "male"], required=False)
    lower_option_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class LegalAidInput(VersionInput):
    occurred_at = serializers.DateTimeField(required=False)
    accepted = serializers.BooleanField()


class ClosureRequestInput(VersionInput):
    reason = serializers.ChoiceField(list(services.CLOSURE_LABELS.items()))
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ClosureDecideInput(VersionInput):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ReopenInput(VersionInput):
    note = serializers.CharField(max_length=4000)


class PerpetratorInput(VersionInput):
    relationship = serializers.ChoiceField(Perpetrator.Relationship.choices)
    sex = serializers.ChoiceField(["female", "male", "unknown"])
    age_band = serializers.ChoiceField(Perpetrator.AgeBand.choices)
    number = serializers.IntegerField(required=False, min_value=1, max_value=500, default=1)


class ReferenceInput(VersionInput):
    kind = serializers.ChoiceField(CaseReference.Kind.choices)
    number = serializers.CharField(max_length=60)
    authority = serializers.CharField(required=False, allow_blank=True, max_length=150)


class TransferInput(VersionInput):
    to_district = CodeRelatedField(slug_field="pcode", queryset=District.objects.all())
    reason = serializers.CharField(max_length=2000)


class WithdrawInput(VersionInput):
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ReferInput(VersionInput):
    service = serializers.CharField(max_length=100)
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), required=False
    )
    follow_up_on = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


@dataclass(frozen=True)
class Action:
    input: type[serializers.Serializer]
    service: Callable[..., Any]
    fixed: dict[str, Any]


def _event(kind: str) -> Action:
    return Action(DatedInput, services.simple_event, {"kind": kind})


ACTIONS: dict[str, Action] = {
    "assign": Action(AssignInput, services.case_assign, {}),
    "assess": Action(AssessInput, services.case_assess, {}),
    "plan": Action(PlanInput, services.case_plan, {}),
    "approve-plan": Action(VersionInput, services.case_plan_approve, {}),
    "offence": Action(OffenceInput, services.offence_allege, {}),
    "protect": Action(ProtectInput, services.protection_take, {}),
    "produce": Action(ProduceInput, services.court_produce, {}),
    "order": Action(OrderInput, services.order_record, {}),
    "place": Action(PlaceInput, services.placement_make, {}),
    "legal-aid": Action(LegalAidInput, services.legal_aid_offer, {}),
    "review": _event(EventKind.REVIEW),
    "hearing": _event(EventKind.HEARING),
    "delay-report": _event(EventKind.DELAY_REPORT),
    "follow-up": _event(EventKind.FOLLOW_UP_VISIT),
    "visit": _event(EventKind.VISIT),
    "release": Action(DatedInput, services.release, {}),
    "request-closure": Action(ClosureRequestInput, services.closure_request, {}),
    "decide-closure": Action(ClosureDecideInput, services.closure_decide, {}),
    "reopen": Action(ReopenInput, services.case_reopen, {}),
    "transfer": Action(TransferInput, services.transfer_request, {}),
    "withdraw-transfer": Action(WithdrawInput, services.transfer_withdraw, {}),
    "perpetrator": Action(PerpetratorInput, services.perpetrator_add, {}),
    "reference": Action(ReferenceInput, services.reference_add, {}),
    "refer": Action(ReferInput, services.referral_make, {}),
}


class CaseAction(GenericAPIView):
    """``POST /api/cases/{uuid}/{action}/`` with the version read; 409 when it is stale. One
    route per action (``action_name``), each with its own input."""

    permission_classes = [HasCapability.of("case.work")]
    action_name = ""

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ACTIONS[self.action_name].input

    @extend_schema(
        parameters=[CASE_UUID],
        responses={
            200: CaseDetailSerializer,
            **errors(400, 403, 404, 409, conflict=CaseConflictSerializer),
        },
    )
    def post(self, request: Request, uuid: str) -> Response:
        spec = ACTIONS[self.action_name]
        case = _case(request, uuid)
        data = spec.input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "goals" in values:
            values["goals"] = [
                {k: str(v) if k == "by" else v for k, v in g.items()} for g in values["goals"]
            ]
        spec.service(actor=request.user, case=case, **spec.fixed, **values)
        case.refresh_from_db()
        return Response(case_detail(case))


class EventCorrectionInput(VersionInput):
    occurred_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=2000)


class EventCorrect(GenericAPIView):
    """``POST /api/cases/{uuid}/events/{id}/correct/``: the deadlines follow the correction."""

    permission_classes = [HasCapability.of("case.work")]
    serializer_class = EventCorrectionInput

    @extend_schema(
        parameters=[CASE_UUID],
        request=EventCorrectionInput,
        responses={
            200: CaseDetailSerializer,
            **errors(400, 403, 404, 409, conflict=CaseConflictSerializer),
        },
    )
    def post(self, request: Request, uuid: str, event_id: int) -> Response:
        case = _case(request, uuid)
        event = get_object_or_404(case.events, pk=event_id)
        data = EventCorrectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.event_correct(actor=request.user, event=event, **data.validated_data)
        case.refresh_from_db()
        return Response(case_detail(case))


class TaskQuerySerializer(serializers.Serializer):
    mine = serializers.BooleanField(required=False, default=False)
    page = serializers.IntegerField(required=False, min_value=1, max_value=100_000)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class TaskList(GenericAPIView):
    permission_classes = [HasCapability.of("case.view")]
    serializer_class = TaskSerializer

    @extend_schema(
        parameters=[TaskQuerySerializer],
        responses={
            200: TaskSerializer(many=True),
            **errors(400, 403, 404, e404=PAGE_NOT_FOUND),
        },
    )
    def get(self, request: Request) -> Response:
        query = TaskQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = selectors.task_list(user=request.user, mine_only=query.validated_data["mine"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(TaskSerializer(page, many=True).data)


class TransferDecisionInput(serializers.Serializer):
    accept = serializers.BooleanField()
    officer = CodeRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text="Required when declining: why the receiving district cannot take the case.",
    )


class TransferSerializer(serializers.ModelSerializer):
    """A transfer as the receiving supervisor sees it before accepting: the case's number,
    stage and risk, the child's age and sex, never the child's name."""

    uuid = serializers.UUIDField(source="case.uuid", read_only=True)
    number = serializers.CharField(source="case.number", read_only=True)
    stage = serializers.CharField(source="case.stage", read_only=True)
    risk_level = serializers.SerializerMethodField()
    concerns = serializers.ListField(
        child=serializers.ChoiceField(Concern.choices), source="case.concerns", read_only=True
    )
    in_protection = serializers.BooleanField(source="case.in_protection", read_only=True)
    child_sex = serializers.CharField(source="case.child.sex", read_only=True)
    child_age = serializers.SerializerMethodField()
    from_district: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="pcode", read_only=True
    )
    to_district: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="pcode", read_only=True
    )
    requested_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Transfer
        fields = [
            "uuid",
            "number",
            "stage",
            "risk_level",
            "concerns",
            "in_protection",
            "child_sex",
            "child_age",
            "from_district",
            "to_district",
            "status",
            "reason",
            "requested_by",
            "requested_at",
        ]

    def get_risk_level(self, transfer: Transfer) -> str:
        return transfer.case.risk_level or transfer.case.initial_risk

    def get_child_age(self, transfer: Transfer) -> int:
        from django.utils import timezone

        from cpmis.people.services import age_on

        return age_on(transfer.case.child.date_of_birth, timezone.localdate())


class TransferList(GenericAPIView):
    """Transfers waiting to move a case into a district the user supervises."""

    permission_classes = [HasCapability.of("case.supervise")]
    serializer_class = TransferSerializer

    @extend_schema(
        responses={200: TransferSerializer(many=True), **errors(403, 404, e404=PAGE_NOT_FOUND)}
    )
    def get(self, request: Request) -> Response:
        waiting = selectors.transfer_inbox(user=request.user)
        page = self.paginate_queryset(waiting)
        return self.get_paginated_response(TransferSerializer(page, many=True).data)


class TransferDecision(GenericAPIView):
    """``POST /api/transfers/{case uuid}/decision/``: accept (optionally naming the officer) or
    decline with a reason."""

    permission_classes = [HasCapability.of("case.supervise")]
    serializer_class = TransferDecisionInput

    @extend_schema(
        parameters=[CASE_UUID],
        request=TransferDecisionInput,
        responses={
            200: PolymorphicProxySerializer(
                component_name="TransferOutcome",
                serializers=[CaseSerializer, TransferSerializer],
                resource_type_field_name=None,
            ),
            **errors(400, 403, 404, 409, conflict=CaseConflictSerializer),
        },
        description="Accepted: the case as it now is. Declined: the transfer.",
    )
    def post(self, request: Request, uuid: str) -> Response:
        transfer = selectors.transfer_waiting(user=request.user, case_uuid=uuid)
        data = TransferDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.transfer_decide(
            actor=request.user, transfer=transfer, **data.validated_data
        )
        if transfer.status != Transfer.Status.ACCEPTED:
            # declined: the case stays out of the receiving supervisor's reach
            return Response(TransferSerializer(transfer).data)
        case = Case.objects.select_related("district", "jurisdiction", "assigned_to", "child").get(
            pk=transfer.case_id
        )
        return Response(CaseSerializer(case).data)


class InstitutionSerializer(serializers.ModelSerializer):
    type = CodeRelatedField(slug_field="code", queryset=InstitutionType.objects.all())
    district = CodeRelatedField(slug_field="pcode", queryset=District.objects.all())

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "type",
            "district",
            "accepts",
            "age_min",
            "age_max",
            "capacity",
            "occupancy",
        ]
        read_only_fields = ["id", "occupancy"]


class InstitutionQuerySerializer(serializers.Serializer):
    district = serializers.RegexField(r"^PK\d{3}$", required=False)


class InstitutionListCreate(GenericAPIView):
    """The directory: read by case workers; kept by administrators (reference data)."""

    serializer_class = InstitutionSerializer
    pagination_class = None  # the whole directory

    def get_permissions(self):  # type: ignore[no-untyped-def]
        capability = "institution.manage" if self.request.method == "POST" else "case.view"
        return [HasCapability.of(capability)()]

    @extend_schema(
        parameters=[InstitutionQuerySerializer],
        responses={200: InstitutionSerializer(many=True), **errors(400, 403)},
    )
    def get(self, request: Request) -> Response:
        query = InstitutionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = Institution.objects.select_related("type", "district")
        if query.validated_data.get("district"):
            qs = qs.filter(district__pcode=query.validated_data["district"])
        return Response(InstitutionSerializer(qs, many=True).data)

    @extend_schema(
        request=InstitutionSerializer, responses={201: InstitutionSerializer, **errors(400, 403)}
    )
    def post(self, request: Request) -> Response:
        data = InstitutionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        institution = services.institution_create(actor=request.user, **data.validated_data)
        return Response(InstitutionSerializer(institution).data, status=status.HTTP_201_CREATED)
