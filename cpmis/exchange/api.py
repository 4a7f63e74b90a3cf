"""The data standard through the API: record types and their Table Schemas."""

from __future__ import annotations

import re

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis.core.openapi import PAGE_NOT_FOUND, errors
from cpmis.jobs import services as job_services
from cpmis.jobs.api import JobSerializer, accepted
from cpmis.permissions import HasCapability

from . import jobs, reading, selectors, services, standard
from .models import Submission


class RecordTypeSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    department = serializers.CharField(help_text="The department's code.")
    version = serializers.CharField(help_text="The current version, e.g. 1.0.")
    supported_versions = serializers.ListField(
        child=serializers.IntegerField(), help_text="The major versions still accepted."
    )
    schema = serializers.URLField(help_text="The current version's Table Schema.")


class RecordTypeList(GenericAPIView):
    """Every record type departments submit, with its current and supported versions."""

    pagination_class = None

    @extend_schema(responses={200: RecordTypeSerializer(many=True), **errors()})
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

    @extend_schema(
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="A Frictionless Table Schema descriptor."
            ),
            **errors(404, e404="No such record type or version."),
        }
    )
    def get(self, request: Request, name: str, major: int) -> Response:
        rt = standard.schema(name, major)
        if rt is None:
            raise Http404
        return Response(rt.descriptor)


# --- submissions ------------------------------------------------------------------------------


class SubmissionSerializer(serializers.ModelSerializer):
    department: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    submitted_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    rows_accepted = serializers.IntegerField(read_only=True)

    class Meta:
        model = Submission
        fields = [
            "uuid",
            "department",
            "record_type",
            "schema_major",
            "source",
            "filename",
            "date_format",
            "encoding",
            "submitted_by",
            "submitted_at",
            "status",
            "rows_total",
            "rows_accepted",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "rows_rejected",
            "file_errors",
        ]


class SubmissionReportSerializer(SubmissionSerializer):
    """One submission with its row errors (the list leaves them out)."""

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "row_errors"]


class BatchOptions(serializers.Serializer):
    record_type = serializers.ChoiceField(list(standard.SUPPORTED))
    schema_version = serializers.IntegerField(required=False, min_value=1, max_value=99)
    date_format = serializers.ChoiceField(list(standard.DATE_FORMATS), default="iso")


IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{8,100}")


class JsonBatchInput(BatchOptions):
    idempotency_key = serializers.RegexField(
        IDEMPOTENCY_KEY.pattern,
        required=False,
        help_text="Or the Idempotency-Key header: the same key returns the same submission.",
    )
    records = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=services.MAX_ROWS
    )


class FileBatchInput(BatchOptions):
    file = serializers.FileField()
    encoding = serializers.ChoiceField(list(reading.ENCODINGS), default="auto")


class SubmissionOutcomeSerializer(SubmissionReportSerializer):
    repeated = serializers.BooleanField(
        read_only=True, help_text="The same batch was received before: nothing changed."
    )

    class Meta(SubmissionReportSerializer.Meta):
        fields = [*SubmissionReportSerializer.Meta.fields, "repeated"]


class IdempotencyConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    submission = serializers.UUIDField(help_text="The submission the key was used for.")


def _respond(outcome: services.Outcome) -> Response:
    body = dict(SubmissionReportSerializer(outcome.submission).data)
    body["repeated"] = outcome.repeated
    return Response(body, status=status.HTTP_200_OK if outcome.repeated else 201)


class SubmissionListCreate(GenericAPIView):
    """``GET``: the submissions of your department (newest first). ``POST``: a batch, as
    JSON records (``application/json``, with an idempotency key) or a CSV / XLSX file
    (``multipart/form-data``). It is queued at once (202, a job to follow); a worker
    validates it, writes the valid rows together and links them; rejected rows are in the
    submission's report, with row, column, value and reason. The same batch sent again
    changes nothing (200, ``repeated``)."""

    serializer_class = SubmissionSerializer
    parser_classes = [JSONParser, MultiPartParser]

    def get_permissions(self):  # type: ignore[no-untyped-def]
        capability = "exchange.submit" if self.request.method == "POST" else "exchange.view"
        return [HasCapability.of(capability)()]

    @extend_schema(
        responses={
            200: SubmissionSerializer(many=True),
            **errors(403, 404, e404=PAGE_NOT_FOUND),
        }
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.submission_list(user=request.user))
        return self.get_paginated_response(SubmissionSerializer(page, many=True).data)

    @extend_schema(
        request={"application/json": JsonBatchInput, "multipart/form-data": FileBatchInput},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="JSON batches: the same key returns the same submission.",
                pattern=IDEMPOTENCY_KEY.pattern,
            )
        ],
        responses={
            200: OpenApiResponse(
                SubmissionOutcomeSerializer, description="The same batch again: nothing changed."
            ),
            201: OpenApiResponse(SubmissionOutcomeSerializer, description="Received."),
            202: OpenApiResponse(
                JobSerializer,
                description="Queued: read, validated, written and linked in the background. "
                "Follow the job (Location); when done, its progress names the submission.",
            ),
            **errors(
                400,
                403,
                409,
                conflict=IdempotencyConflictSerializer,
                e409="This idempotency key was used for a different batch.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        if request.content_type.startswith("multipart/"):
            form = FileBatchInput(data=request.data)
            form.is_valid(raise_exception=True)
            v = form.validated_data
            upload = v["file"]
            name = upload.name or ""
            batch = services.Batch(
                record_type=v["record_type"],
                schema_major=v.get("schema_version"),
                date_format=v["date_format"],
                encoding=v["encoding"],
                source="xlsx" if name.lower().endswith(".xlsx") else "csv",
                filename=name,
                content=upload.read(),
            )
        else:
            data = JsonBatchInput(data=request.data)
            data.is_valid(raise_exception=True)
            v = data.validated_data
            key = v.get("idempotency_key") or request.headers.get("Idempotency-Key", "")
            if key and not IDEMPOTENCY_KEY.fullmatch(key):
                raise serializers.ValidationError(
                    {"idempotency_key": _("8 to 100 letters, digits or . _ : -")}
                )
            batch = services.Batch(
                record_type=v["record_type"],
                schema_major=v.get("schema_version"),
                date_format=v["date_format"],
                source="json",
                records=v["records"],
                idempotency_key=key,
            )
        earlier = services.submission_check(actor=request.user, batch=batch)
        if earlier is not None:
            return _respond(services.Outcome(earlier, repeated=True))
        job = job_services.job_submit(actor=request.user, kind=jobs.KIND, params={"batch": batch})
        received = jobs.submission_of(job)
        if received is None:  # being read, validated, written and linked in the background
            return accepted(job)
        return _respond(received)


class SubmissionDetail(GenericAPIView):
    permission_classes = [HasCapability.of("exchange.view")]
    serializer_class = SubmissionReportSerializer

    @extend_schema(
        parameters=[OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: SubmissionReportSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, uuid: str) -> Response:
        submission = selectors.submission_get(user=request.user, submission_uuid=uuid)
        return Response(SubmissionReportSerializer(submission).data)
