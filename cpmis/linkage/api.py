"""The linkage REST API: the review queue and decisions, undoing links, a child's linked
department records, and the installed model versions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis import access
from cpmis.core.openapi import PAGE_NOT_FOUND, errors
from cpmis.core.text import no_control_characters
from cpmis.exchange.models import DepartmentRecord
from cpmis.jobs.api import JobSerializer
from cpmis.people import selectors as people_selectors
from cpmis.people.models import Child
from cpmis.permissions import HasCapability

from . import evidence, selectors, services
from .models import LinkageModel, RecordLink, ReviewItem


class DecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["same", "different"])
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version you read (409 if stale)."
    )


class UndoInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, trim_whitespace=True)
    child = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The right child, if you know it (a child you may see); otherwise the "
        "record is linked again by the model.",
    )

    def validate_reason(self, value: str) -> str:
        no_control_characters(value)  # core.text: the one rule (a Django error DRF reports)
        return value


class RecordSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")
    district = serializers.CharField(source="district.pcode")

    class Meta:
        model = DepartmentRecord
        fields = [
            "department",
            "record_type",
            "department_record_id",
            "record_date",
            "district",
            "child_name",
            "guardian_relation",
            "guardian_name",
            "sex",
            "date_of_birth",
            "age_years",
            "b_form_number",
            "version",
        ]


class CandidateSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name_latin = serializers.CharField()
    name_urdu = serializers.CharField()
    guardian_name_latin = serializers.CharField()
    guardian_name_urdu = serializers.CharField()
    sex = serializers.CharField()
    date_of_birth = serializers.DateField()
    date_of_birth_estimated = serializers.BooleanField()
    b_form_number = serializers.CharField()
    district = serializers.CharField(source="district.pcode")


class ReviewItemSerializer(serializers.ModelSerializer):
    """An item in the queue: the record, and of the candidate only its district (who the
    candidate is shows on the item itself, audited)."""

    record = RecordSerializer()
    candidate_district = serializers.CharField(source="candidate.district.pcode")
    model_version = serializers.IntegerField(source="model.version")

    class Meta:
        model = ReviewItem
        fields = ["id", "status", "probability", "model_version", "version", "created_at"]
        fields += ["record", "candidate_district"]


class LinkSerializer(serializers.ModelSerializer):
    record = RecordSerializer()
    model_version = serializers.IntegerField(source="model.version", allow_null=True)

    class Meta:
        model = RecordLink
        fields = ["id", "method", "probability", "model_version", "created_at", "record"]


class SourceSerializer(serializers.Serializer):
    """A record already linked to the candidate: where and when, not what it says."""

    department = serializers.CharField(source="record.department.code")
    record_type = serializers.CharField(source="record.record_type")
    record_date = serializers.DateField(source="record.record_date")
    district = serializers.CharField(source="record.district.pcode")


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "code": {"type": "string", "enum": list(evidence.Agreement.values)},
            "label": {"type": "string"},
        },
    }
)
class AgreementField(serializers.Field):
    """An ``evidence.Agreement``: its code, and its label in the reader's language."""

    def to_representation(self, value: str) -> dict[str, str]:
        return {"code": str(value), "label": str(evidence.label(value))}


class ComparisonSerializer(serializers.Serializer):
    """How a record of the group agrees with the candidate: no value of the candidate."""

    item = serializers.IntegerField(source="item.pk")
    date_of_birth = AgreementField(source="evidence.date_of_birth")
    b_form = AgreementField(source="evidence.b_form")
    name = AgreementField(source="evidence.name")
    father = AgreementField(source="evidence.father")


class ReviewDetailSerializer(serializers.Serializer):
    item = ReviewItemSerializer()
    group = ReviewItemSerializer(many=True)
    candidate_visible = serializers.BooleanField(
        help_text="Whether you may see the candidate child; if not, ``candidate`` is null and "
        "``comparisons`` says whether each record agrees with it."
    )
    candidate = CandidateSerializer(allow_null=True)
    candidate_district = serializers.CharField(source="candidate_district.pcode")
    candidate_sex = serializers.CharField()
    comparisons = ComparisonSerializer(many=True)
    candidate_links = SourceSerializer(many=True)


class DecisionResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["same", "different"])
    relink = JobSerializer(
        required=False,
        help_text="After 'different': the job linking the records again (follow its url).",
    )


class UndoResultSerializer(serializers.Serializer):
    linked = LinkSerializer(required=False, help_text="The link to the child you named.")
    relink = JobSerializer(
        required=False, help_text="Otherwise: the job linking the record again by the model."
    )


class ReviewList(GenericAPIView):
    """Open review items of your districts, oldest first."""

    permission_classes = [HasCapability.of("linkage.review")]
    serializer_class = ReviewItemSerializer

    @extend_schema(
        responses={
            200: ReviewItemSerializer(many=True),
            **errors(403, 404, e404=PAGE_NOT_FOUND),
        }
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(
            selectors.review_queue(user=request.user).select_related("model")
        )
        return self.get_paginated_response(ReviewItemSerializer(page, many=True).data)


class ReviewDetail(GenericAPIView):
    """Both sides of a review item: the department record(s) and the candidate child with
    the sources and dates of the records already linked to it; of a child you may not see,
    only its district, its sex and whether each record agrees with it. Reading it is
    audited."""

    permission_classes = [HasCapability.of("linkage.review")]
    serializer_class = ReviewDetailSerializer

    @extend_schema(responses={200: ReviewDetailSerializer, **errors(403, 404)})
    def get(self, request: Request, item_id: int) -> Response:
        review = selectors.review_get(user=request.user, item_id=item_id)
        return Response(ReviewDetailSerializer(review).data)


class ReviewDecision(GenericAPIView):
    """Decide: ``same`` links the group's records to the candidate; ``different`` remembers
    that they are not this child and links them again (usually as a new child)."""

    permission_classes = [HasCapability.of("linkage.review")]
    serializer_class = DecisionInput

    @extend_schema(
        request=DecisionInput,
        responses={200: DecisionResultSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, item_id: int) -> Response:
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.review_decide(
            actor=request.user,
            item_id=item_id,
            same=data.validated_data["decision"] == "same",
            version=data.validated_data["version"],
        )
        body: dict[str, Any] = {"status": "same" if run is None else "different"}
        if run is not None:
            body["relink"] = JobSerializer(run).data
        return Response(body)


class LinkUndo(GenericAPIView):
    """Undo a link (say why): the record is linked to the right child if you give one, or
    again by the model without the child it was taken from."""

    permission_classes = [HasCapability.of("linkage.review")]
    serializer_class = UndoInput

    @extend_schema(
        request=UndoInput,
        responses={200: UndoResultSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, link_id: int) -> Response:
        data = UndoInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not access.links_undoable_by(request.user).filter(pk=link_id).exists():
            raise NotFound
        child = _child_in_reach(request, data.validated_data.get("child"))
        result = services.link_undo(
            actor=request.user, link_id=link_id, reason=data.validated_data["reason"], child=child
        )
        if isinstance(result, RecordLink):
            return Response({"linked": LinkSerializer(result).data})
        return Response({"relink": JobSerializer(result).data})


class ChildRecords(GenericAPIView):
    """The department records linked to a child you may see."""

    permission_classes = [HasCapability.of("child.view")]
    serializer_class = LinkSerializer

    @extend_schema(
        parameters=[OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={
            200: LinkSerializer(many=True),
            **errors(403, 404, e404="No such child you may see, or a page past the end."),
        },
    )
    def get(self, request: Request, uuid: str) -> Response:
        child = people_selectors.child_read(user=request.user, child_uuid=uuid)
        page = self.paginate_queryset(selectors.child_links(user=request.user, child=child))
        return self.get_paginated_response(LinkSerializer(page, many=True).data)


class ModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = LinkageModel
        fields = [
            "version",
            "feature_format",
            "link_threshold",
            "review_threshold",
            "trained_on",
            "source",
            "sha256",
            "trained_at",
        ]


class ModelList(GenericAPIView):
    """The installed model versions, newest (current) first."""

    permission_classes = [HasCapability.of("linkage.manage")]
    serializer_class = ModelSerializer

    @extend_schema(
        responses={200: ModelSerializer(many=True), **errors(403, 404, e404=PAGE_NOT_FOUND)}
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(LinkageModel.objects.order_by("-version"))
        return self.get_paginated_response(ModelSerializer(page, many=True).data)


def _child_in_reach(request: Request, key: Any) -> Child | None:
    """The child of that UUID if the user may see it; 404 otherwise; None for no UUID."""
    if key is None:
        return None
    child = access.children_visible_to(request.user).filter(uuid=key).first()
    if child is None:
        raise NotFound
    return child


class ManualLinkInput(serializers.Serializer):
    child = serializers.UUIDField(help_text="The registry child's UUID (from the child's page).")


class WaitingRecordSerializer(RecordSerializer):
    id = serializers.IntegerField(read_only=True)

    class Meta(RecordSerializer.Meta):
        fields = ["id", *RecordSerializer.Meta.fields]


class WaitingList(GenericAPIView):
    """Records of your districts with no link and no open review: those that wait for a
    person (no date of birth or age) or for the scheduled linkage run."""

    permission_classes = [HasCapability.of("linkage.review")]
    serializer_class = WaitingRecordSerializer

    @extend_schema(
        responses={
            200: WaitingRecordSerializer(many=True),
            **errors(403, 404, e404=PAGE_NOT_FOUND),
        }
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.waiting(user=request.user)) or []
        body = [{"id": r.pk, **RecordSerializer(r).data} for r in page]
        return self.get_paginated_response(body)


class ManualLink(GenericAPIView):
    """Link a record that has no link to a child you may see."""

    permission_classes = [HasCapability.of("linkage.review")]
    serializer_class = ManualLinkInput

    @extend_schema(
        request=ManualLinkInput,
        responses={
            201: LinkSerializer,
            **errors(400, 403, 404, 409, e404="No such record or child you may see."),
        },
    )
    def post(self, request: Request, record_id: int) -> Response:
        data = ManualLinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        child = _child_in_reach(request, data.validated_data["child"])
        assert child is not None
        link = services.link_manual(actor=request.user, record_id=record_id, child=child)
        return Response(LinkSerializer(link).data, status=201)
