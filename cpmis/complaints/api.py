"""REST API of complaints: registration by offices and helplines, complaint-box batches, the
triage queue, one complaint with its history and possible matches, and one endpoint per
triage action. Serializers here also validate the pages' forms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis import access
from cpmis.cases.models import Case, Concern, RiskLevel
from cpmis.core.api import CodeRelatedField, SettingMetadata
from cpmis.core.openapi import PAGE_NOT_FOUND, ConflictSerializer, errors
from cpmis.core.text import CONTROL_MESSAGE, has_control_characters
from cpmis.people.models import Sex
from cpmis.permissions import HasCapability
from cpmis.reference.models import District, Jurisdiction

from . import selectors, services
from .models import (
    Channel,
    ClosureReason,
    Complaint,
    ComplaintEventKind,
    ReferralBody,
    ReporterKind,
)
from .models import Status as ComplaintStatus

LANGUAGES = [("en", "English"), ("ur", "Urdu")]  # of a complaint's text
# Refused as core.text says; the public form recognises the message to say it in Urdu too.
SAFE_TEXT_ERROR = CONTROL_MESSAGE


def _clean_text(value: str) -> str:
    if has_control_characters(value):
        raise serializers.ValidationError(SAFE_TEXT_ERROR, code="control_characters")
    return value


class TextField(serializers.CharField):
    """Free text without NUL or other control characters: every text of a complaint, in the
    API and in the forms, is checked by this one field, before its length."""

    def to_internal_value(self, data: Any) -> str:
        return _clean_text(super().to_internal_value(data))


class ComplaintChildInput(serializers.Serializer):
    name = TextField(required=False, allow_blank=True, max_length=150, default="")
    sex = serializers.ChoiceField(Sex.choices, required=False, default=Sex.UNKNOWN)
    age_years = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=17)
    description = TextField(required=False, allow_blank=True, max_length=300, default="")


def _concerns_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(Concern.choices),
        min_length=1,
        max_length=len(Concern.values),
    )


class ComplaintInput(serializers.Serializer):
    channel = serializers.ChoiceField([c for c in Channel.choices if c[0] != Channel.ONLINE])
    received_at = serializers.DateTimeField(required=False)
    jurisdiction = CodeRelatedField(slug_field="iso_code", queryset=Jurisdiction.objects.all())
    district = CodeRelatedField(
        slug_field="pcode", queryset=District.objects.all(), required=False, allow_null=True
    )
    place = TextField(required=False, allow_blank=True, max_length=200, default="")
    # (a declared field, popped from the class by DRF's metaclass: no clash with Field.source)
    source = TextField(  # type: ignore[assignment]
        required=False, allow_blank=True, max_length=200, default=""
    )
    reporter_kind = serializers.ChoiceField(
        ReporterKind.choices, required=False, default=ReporterKind.ANONYMOUS
    )
    reporter_name = TextField(required=False, allow_blank=True, max_length=150, default="")
    reporter_phone = TextField(required=False, allow_blank=True, max_length=20, default="")
    concerns = _concerns_field()
    narrative = TextField(max_length=services.NARRATIVE_MAX)
    language = serializers.ChoiceField(LANGUAGES, default="en")
    children = ComplaintChildInput(  # type: ignore[call-arg]  # ListSerializer takes these (DRF 3.15)
        many=True, required=False, max_length=services.MAX_CHILDREN
    )

    def to_input(self) -> services.ComplaintInput:
        v = dict(self.validated_data)
        kids = [services.ChildInput(**c) for c in v.pop("children", [])]
        return services.ComplaintInput(children=kids, **v)


class SlipInput(serializers.Serializer):
    narrative = TextField(max_length=services.NARRATIVE_MAX)
    concerns = _concerns_field()
    child = ComplaintChildInput(required=False)


class BoxBatchInput(serializers.Serializer):
    jurisdiction = CodeRelatedField(slug_field="iso_code", queryset=Jurisdiction.objects.all())
    district = CodeRelatedField(
        slug_field="pcode", queryset=District.objects.all(), required=False, allow_null=True
    )
    school = TextField(max_length=200)
    opened_at = serializers.DateTimeField()
    slips = SlipInput(  # type: ignore[call-arg]  # ListSerializer takes these (DRF 3.15)
        many=True, max_length=services.MAX_SLIPS, min_length=1
    )

    def slips_input(self) -> list[services.Slip]:
        return [
            services.Slip(
                narrative=s["narrative"],
                concerns=s["concerns"],
                child=services.ChildInput(**s.get("child", {})),
            )
            for s in self.validated_data["slips"]
        ]


class ComplaintSerializer(serializers.ModelSerializer):
    jurisdiction: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="iso_code", read_only=True
    )
    district: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="pcode", read_only=True, allow_null=True
    )
    case: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True, allow_null=True
    )
    concerns = serializers.ListField(child=serializers.ChoiceField(Concern.choices), read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    reference = serializers.CharField(source="short_ref", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "uuid",
            "reference",
            "channel",
            "received_at",
            "jurisdiction",
            "district",
            "concerns",
            "status",
            "triage_due_at",
            "overdue",
            "triaged_at",
            "case",
            "referred_to",
            "referral_follow_up_on",
            "closure_reason",
            "version",
        ]


class ComplaintChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sex = serializers.ChoiceField(Sex.choices)
    age_years = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()
    child = serializers.UUIDField(allow_null=True, help_text="The registry child, once known.")
    case = serializers.UUIDField(allow_null=True, help_text="The child's case, once opened.")


class ComplaintEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ComplaintEventKind.choices)
    occurred_at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True, help_text="Username.")
    details = serializers.DictField()
    note = serializers.CharField()


class ComplaintDetailSerializer(ComplaintSerializer):
    """A complaint with what was reported, its children and its history (what
    ``complaint_detail`` builds; this serializer documents it)."""

    place = serializers.CharField(read_only=True)
    source = serializers.CharField(read_only=True)  # type: ignore[assignment]
    reporter_kind = serializers.ChoiceField(ReporterKind.choices, read_only=True)
    reporter_name = serializers.CharField(read_only=True)
    reporter_phone = serializers.CharField(read_only=True)
    narrative = serializers.CharField(read_only=True)
    language = serializers.ChoiceField(LANGUAGES, read_only=True)
    duplicate_of = serializers.UUIDField(read_only=True, allow_null=True)
    children = ComplaintChildSerializer(many=True, read_only=True)
    history = ComplaintEventSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [
            *ComplaintSerializer.Meta.fields,
            "place",
            "source",
            "reporter_kind",
            "reporter_name",
            "reporter_phone",
            "narrative",
            "language",
            "duplicate_of",
            "children",
            "history",
        ]


class RegisteredComplaintSerializer(ComplaintDetailSerializer):
    tracking_code = serializers.CharField(
        read_only=True, help_text="Shown once: give it to the person who complained."
    )

    class Meta(ComplaintDetailSerializer.Meta):
        fields = [*ComplaintDetailSerializer.Meta.fields, "tracking_code"]


class BoxSlipResultSerializer(ComplaintSerializer):
    tracking_code = serializers.CharField(read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "tracking_code"]


class BoxBatchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = BoxSlipResultSerializer(many=True)


class ChildMatchSerializer(serializers.Serializer):
    child = serializers.UUIDField()
    name = serializers.CharField()
    age = serializers.IntegerField()
    district = serializers.CharField(help_text="P-code.")
    score = serializers.IntegerField()
    complaint_child = serializers.IntegerField(help_text="The child of the complaint it matches.")
    open_cases = serializers.ListField(child=serializers.UUIDField())


class ComplaintMatchSerializer(serializers.Serializer):
    complaint = serializers.UUIDField()
    reference = serializers.CharField()
    score = serializers.IntegerField()
    received_at = serializers.DateTimeField()


class MatchesSerializer(serializers.Serializer):
    children = ChildMatchSerializer(many=True)
    complaints = ComplaintMatchSerializer(many=True)


class TriageTimeSerializer(serializers.Serializer):
    jurisdiction = serializers.CharField(
        allow_null=True, help_text="ISO code; null: the default of every jurisdiction."
    )
    hours = serializers.IntegerField()


class TriageTimeSetSerializer(TriageTimeSerializer):
    set_at = serializers.DateTimeField()


class ComplaintConflictSerializer(ConflictSerializer):
    status = serializers.ChoiceField(
        ComplaintStatus.choices, required=False, help_text="The complaint's status now."
    )


COMPLAINT_UUID = OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)


def complaint_detail(complaint: Complaint) -> dict[str, Any]:
    data = dict(ComplaintSerializer(complaint).data)
    data.update(
        place=complaint.place,
        source=complaint.source,
        reporter_kind=complaint.reporter_kind,
        reporter_name=complaint.reporter_name,
        reporter_phone=complaint.reporter_phone,
        narrative=complaint.narrative,
        language=complaint.language,
        duplicate_of=str(complaint.duplicate_of.uuid) if complaint.duplicate_of else None,
        children=[
            {
                "id": c.pk,
                "name": c.name,
                "sex": c.sex,
                "age_years": c.age_years,
                "description": c.description,
                "child": str(c.child.uuid) if c.child else None,
                "case": str(c.case.uuid) if c.case else None,
            }
            for c in complaint.children.select_related("child", "case")
        ],
        history=[
            {
                "kind": e.kind,
                "occurred_at": e.occurred_at,
                "actor": e.actor.username if e.actor else None,
                "details": e.details,
                "note": e.note,
            }
            for e in complaint.events.select_related("actor")
        ],
    )
    return data


class QueueQuery(serializers.Serializer):
    view = serializers.ChoiceField(list(selectors.QUEUE_VIEWS), required=False, default="open")
    channel = serializers.ChoiceField(Channel.choices, required=False, default="")
    district = serializers.RegexField(r"^([A-Z]{2}[0-9]{1,8}|none)$", required=False, default="")
    overdue = serializers.BooleanField(required=False, default=False)
    page = serializers.IntegerField(required=False, min_value=1, max_value=100_000)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class ComplaintListCreate(GenericAPIView):
    """``GET``: the triage queue (overdue first); ``POST``: register a complaint received by
    an office, a helpline, a letter or a referral. The response carries the tracking code,
    once: give it to the person who complained."""

    serializer_class = ComplaintSerializer

    def get_permissions(self):  # type: ignore[no-untyped-def]
        capability = "complaint.register" if self.request.method == "POST" else "complaint.view"
        return [HasCapability.of(capability)()]

    @extend_schema(
        parameters=[QueueQuery],
        responses={
            200: ComplaintSerializer(many=True),
            **errors(400, 403, 404, e404=PAGE_NOT_FOUND),
        },
    )
    def get(self, request: Request) -> Response:
        query = QueueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = {k: v for k, v in query.validated_data.items() if k not in ("page", "page_size")}
        page = self.paginate_queryset(selectors.complaint_queue(user=request.user, **values))
        return self.get_paginated_response(ComplaintSerializer(page, many=True).data)

    @extend_schema(
        request=ComplaintInput, responses={201: RegisteredComplaintSerializer, **errors(400, 403)}
    )
    def post(self, request: Request) -> Response:
        data = ComplaintInput(data=request.data)
        data.is_valid(raise_exception=True)
        registered = services.complaint_register(actor=request.user, data=data.to_input())
        body = complaint_detail(registered.complaint)
        body["tracking_code"] = registered.display_code
        return Response(body, status=status.HTTP_201_CREATED)


class BoxBatch(GenericAPIView):
    """The slips of one school's complaint box, all registered together or none."""

    permission_classes = [HasCapability.of("complaint.register")]
    serializer_class = BoxBatchInput

    @extend_schema(
        request=BoxBatchInput, responses={201: BoxBatchResultSerializer, **errors(400, 403)}
    )
    def post(self, request: Request) -> Response:
        data = BoxBatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        registered = services.complaint_box_batch(
            actor=request.user,
            jurisdiction=v["jurisdiction"],
            district=v.get("district"),
            school=v["school"],
            opened_at=v["opened_at"],
            slips=data.slips_input(),
        )
        return Response(
            {
                "count": len(registered),
                "results": [
                    {**ComplaintSerializer(r.complaint).data, "tracking_code": r.display_code}
                    for r in registered
                ],
            },
            status=status.HTTP_201_CREATED,
        )


class ComplaintDetail(GenericAPIView):
    permission_classes = [HasCapability.of("complaint.view")]
    serializer_class = ComplaintDetailSerializer

    @extend_schema(
        parameters=[COMPLAINT_UUID],
        responses={200: ComplaintDetailSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, uuid: str) -> Response:
        complaint = selectors.complaint_get(user=request.user, complaint_uuid=uuid)
        return Response(complaint_detail(complaint))


class ComplaintMatches(GenericAPIView):
    """Registry children and open complaints that may be the same child (name in either
    script, age ± 2 years, district): name, age and district only."""

    permission_classes = [HasCapability.of("complaint.triage")]

    @extend_schema(
        parameters=[COMPLAINT_UUID], responses={200: MatchesSerializer, **errors(403, 404)}
    )
    def get(self, request: Request, uuid: str) -> Response:
        complaint = selectors.complaint_get(user=request.user, complaint_uuid=uuid)
        children, complaints = selectors.possible_matches(user=request.user, complaint=complaint)
        return Response(
            {
                "children": [
                    {
                        "child": str(m.child.uuid),
                        "name": m.child.display_name,
                        "age": m.age,
                        "district": m.child.district.pcode,
                        "score": m.score,
                        "complaint_child": m.about.pk,
                        "open_cases": [str(c.uuid) for c in m.open_cases],
                    }
                    for m in children
                ],
                "complaints": [
                    {
                        "complaint": str(m.complaint.uuid),
                        "reference": m.complaint.short_ref,
                        "score": m.score,
                        "received_at": m.complaint.received_at,
                    }
                    for m in complaints
                ],
            }
        )


# --- triage actions ---------------------------------------------------------------------------


class ComplaintVersionInput(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you read (409 if stale)."
    )
    note = TextField(required=False, allow_blank=True, max_length=4000, default="")


class RouteInput(ComplaintVersionInput):
    district = CodeRelatedField(slug_field="pcode", queryset=District.objects.all())


class RegisterChildInput(serializers.Serializer):
    name_latin = TextField(required=False, allow_blank=True, max_length=150)
    name_urdu = TextField(required=False, allow_blank=True, max_length=150)
    guardian_name_latin = TextField(required=False, allow_blank=True, max_length=150)
    guardian_name_urdu = TextField(required=False, allow_blank=True, max_length=150)
    sex = serializers.ChoiceField(Sex.choices)
    date_of_birth = serializers.DateField(required=False)
    estimated_age_years = serializers.IntegerField(required=False, min_value=0, max_value=17)


class OpenCaseInput(ComplaintVersionInput):
    initial_risk = serializers.ChoiceField(RiskLevel.choices)
    child = serializers.UUIDField(required=False, help_text="A registry child (see matches).")
    register = RegisterChildInput(required=False, help_text="Or a new child to register.")
    complaint_child = serializers.IntegerField(required=False, min_value=1, max_value=2**31)
    concerns = serializers.ListField(
        child=serializers.ChoiceField(Concern.choices), required=False, max_length=20
    )


class AttachInput(ComplaintVersionInput):
    case = serializers.UUIDField()
    complaint_child = serializers.IntegerField(required=False, min_value=1, max_value=2**31)


class ComplaintReferInput(ComplaintVersionInput):
    body = serializers.ChoiceField(ReferralBody.choices)
    follow_up_on = serializers.DateField()


class FollowUpInput(ComplaintVersionInput):
    next_follow_up_on = serializers.DateField(required=False, allow_null=True)


class CloseInput(ComplaintVersionInput):
    reason = serializers.ChoiceField(
        [c for c in ClosureReason.choices if c[0] != ClosureReason.REFERRAL_COMPLETED]
    )


def _open_case(actor: Any, complaint: Complaint, values: dict[str, Any]) -> Any:
    child_uuid = values.pop("child", None)
    child = None
    if child_uuid is not None:
        child = access.children_matchable_by(actor).filter(uuid=child_uuid).first()
        if child is None:
            raise serializers.ValidationError(
                {"child": gettext("No child you can match has this id.")}
            )
    return services.complaint_open_case(
        actor=actor,
        complaint=complaint,
        child=child,
        complaint_child_id=values.pop("complaint_child", None),
        **values,
    )


def _attach(actor: Any, complaint: Complaint, values: dict[str, Any]) -> Any:
    case = Case.objects.filter(uuid=values.pop("case")).first()
    if case is None or not access.cases_visible_to(actor).filter(pk=case.pk).exists():
        raise serializers.ValidationError({"case": gettext("No case you can see has this id.")})
    return services.complaint_attach(
        actor=actor,
        complaint=complaint,
        case=case,
        complaint_child_id=values.pop("complaint_child", None),
        **values,
    )


@dataclass(frozen=True)
class Action:
    input: type[serializers.Serializer]
    run: Callable[[Any, Complaint, dict[str, Any]], Any]


ACTIONS: dict[str, Action] = {
    "route": Action(
        RouteInput, lambda a, c, v: services.complaint_route(actor=a, complaint=c, **v)
    ),
    "open-case": Action(OpenCaseInput, _open_case),
    "attach": Action(AttachInput, _attach),
    "refer": Action(
        ComplaintReferInput, lambda a, c, v: services.complaint_refer(actor=a, complaint=c, **v)
    ),
    "follow-up": Action(
        FollowUpInput, lambda a, c, v: services.referral_follow_up(actor=a, complaint=c, **v)
    ),
    "close": Action(
        CloseInput, lambda a, c, v: services.complaint_close(actor=a, complaint=c, **v)
    ),
}


def run_action(actor: Any, complaint: Complaint, action: str, payload: Any) -> Any:
    """Validate ``payload`` for ``action`` and carry it out (shared by the API and pages)."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    data = spec.input(data=payload)
    data.is_valid(raise_exception=True)
    return spec.run(actor, complaint, dict(data.validated_data))


class ComplaintAction(GenericAPIView):
    """``POST /api/complaints/{uuid}/{action}/``: route, open-case, attach, refer, follow-up,
    close — with the version read; 409 when it is stale. One route per action
    (``action_name``), each with its own input."""

    permission_classes = [HasCapability.of("complaint.view")]
    action_name = ""

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ACTIONS[self.action_name].input

    @extend_schema(
        parameters=[COMPLAINT_UUID],
        responses={
            200: ComplaintDetailSerializer,
            **errors(400, 403, 404, 409, conflict=ComplaintConflictSerializer),
        },
    )
    def post(self, request: Request, uuid: str) -> Response:
        complaint = selectors.complaint_get(user=request.user, complaint_uuid=uuid)
        run_action(request.user, complaint, self.action_name, request.data)
        complaint.refresh_from_db()
        return Response(complaint_detail(complaint))


class TriageTimeInput(serializers.Serializer):
    jurisdiction = CodeRelatedField(
        slug_field="iso_code", queryset=Jurisdiction.objects.all(), allow_null=True
    )
    hours = serializers.IntegerField(min_value=1, max_value=720)


class TriageTimeSetting(GenericAPIView):
    """How many hours the CPUs of a jurisdiction have to triage a complaint (null: default)."""

    permission_classes = [HasCapability.of("settings.edit")]
    serializer_class = TriageTimeInput
    pagination_class = None
    metadata_class = SettingMetadata  # type: ignore[assignment]  # DRF's stubs want an instance

    @extend_schema(responses={200: TriageTimeSerializer(many=True), **errors(403)})
    def get(self, request: Request) -> Response:
        from .models import TriageTime

        return Response(
            [
                {
                    "jurisdiction": t.jurisdiction.iso_code if t.jurisdiction else None,
                    "hours": t.hours,
                }
                for t in TriageTime.objects.select_related("jurisdiction")
            ]
        )

    @extend_schema(
        request=TriageTimeInput, responses={200: TriageTimeSetSerializer, **errors(400, 403)}
    )
    def put(self, request: Request) -> Response:
        data = TriageTimeInput(data=request.data)
        data.is_valid(raise_exception=True)
        setting = services.triage_time_set(actor=request.user, **data.validated_data)
        return Response(
            {
                "jurisdiction": setting.jurisdiction.iso_code if setting.jurisdiction else None,
                "hours": setting.hours,
                "set_at": timezone.now(),
            }
        )
