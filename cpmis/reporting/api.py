"""The UN report's REST API: editions, section versions, review comments and the generated
report (DOCX, PDF). One view per operation; the pages validate with the same serializers."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis.core.api import FileNegotiation
from cpmis.core.openapi import PAGE_NOT_FOUND, errors
from cpmis.core.text import no_control_characters
from cpmis.jobs import services as job_services
from cpmis.jobs.api import JobSerializer, accepted, file_response
from cpmis.legal.report_structure import SECTION_CODES
from cpmis.permissions import HasCapability

from . import annex_workbook, document, selectors, services
from .models import NarrativeVersion, ReportEdition, ReviewComment

MAX_INT = 2**31 - 1


class EditionInput(serializers.Serializer):
    title = serializers.CharField(max_length=300, validators=[no_control_characters])
    reporting_year = serializers.IntegerField(
        min_value=1990, max_value=2100, help_text="The year whose statistics are used."
    )
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    symbol = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        help_text="The document symbol, e.g. CRC/C/OPSC/PAK/2 (may be left empty).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["period_from"] > attrs["period_to"]:
            raise serializers.ValidationError(
                {"period_to": gettext("The period must end after it starts.")}
            )
        return attrs


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReportEdition.Status.choices)
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, required=False, help_text="The version you read."
    )


class NarrativeInput(serializers.Serializer):
    text = serializers.CharField(
        max_length=services.MAX_TEXT, trim_whitespace=False, validators=[no_control_characters]
    )
    base_number = serializers.IntegerField(
        min_value=0,
        max_value=MAX_INT,
        help_text="The version you started from (0 for a new section); 409 if another was "
        "saved since.",
    )
    summary = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        validators=[no_control_characters],
    )


class CommentInput(serializers.Serializer):
    text = serializers.CharField(
        max_length=services.MAX_COMMENT, validators=[no_control_characters]
    )
    on_version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_INT,
        required=False,
        allow_null=True,
        help_text="The version number of the section commented on.",
    )
    reply_to = serializers.IntegerField(
        min_value=1,
        max_value=MAX_INT,
        required=False,
        allow_null=True,
        help_text="The comment answered.",
    )


def _username(user: Any) -> str:
    return user.get_username() if user is not None else ""


class EditionSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = ReportEdition
        fields = [
            "id",
            "title",
            "symbol",
            "reporting_year",
            "period_from",
            "period_to",
            "status",
            "version",
            "created_by",
            "created_at",
        ]

    def get_created_by(self, obj: ReportEdition) -> str:
        return _username(obj.created_by)


class VersionSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = NarrativeVersion
        fields = ["section", "number", "text", "summary", "author", "created_at"]

    def get_author(self, obj: NarrativeVersion) -> str:
        return _username(obj.author)


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()
    on_version = serializers.SerializerMethodField()

    class Meta:
        model = ReviewComment
        fields = [
            "id",
            "section",
            "text",
            "author",
            "created_at",
            "on_version",
            "reply_to",
            "resolved_at",
            "resolved_by",
        ]

    def get_author(self, obj: ReviewComment) -> str:
        return _username(obj.author)

    def get_resolved_by(self, obj: ReviewComment) -> str:
        return _username(obj.resolved_by)

    def get_on_version(self, obj: ReviewComment) -> int | None:
        return obj.on_version.number if obj.on_version else None


class SectionSerializer(serializers.Serializer):
    code = serializers.CharField(source="section.code")
    heading = serializers.CharField(source="section.heading")
    articles = serializers.ListField(child=serializers.IntegerField(), source="section.articles")
    current = VersionSerializer(allow_null=True)
    open_comments = serializers.SerializerMethodField()

    def get_open_comments(self, obj: selectors.SectionState) -> int:
        return sum(1 + len(t.replies) for t in obj.open_threads)


class NarrativeCurrentSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()
    author = serializers.CharField()
    created_at = serializers.DateTimeField()


class NarrativeConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = NarrativeCurrentSerializer(help_text="The version saved since base_number.")


class EditionDetailSerializer(serializers.Serializer):
    edition = EditionSerializer()
    sections = SectionSerializer(many=True)


def _section(code: str) -> str:
    """A section code from the URL, or 400 (a typo in a section is bad input, not absence)."""
    if code not in SECTION_CODES:
        raise ApiValidationError(
            {"section": [gettext("Unknown report section %(section)r.") % {"section": code[:40]}]}
        )
    return code


class EditionList(GenericAPIView):
    """Report editions, newest first; an editor creates one with POST."""

    serializer_class = EditionSerializer

    def get_permissions(self) -> list[Any]:
        capability = "report.edit" if self.request.method == "POST" else "report.view"
        return [HasCapability.of(capability)()]

    @extend_schema(
        operation_id="reports_list",
        responses={
            200: EditionSerializer(many=True),
            **errors(403, 404, e404=PAGE_NOT_FOUND),
        },
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.edition_list(user=request.user))
        return self.get_paginated_response(EditionSerializer(page, many=True).data)

    @extend_schema(request=EditionInput, responses={201: EditionSerializer, **errors(400, 403)})
    def post(self, request: Request) -> Response:
        data = EditionInput(data=request.data)
        data.is_valid(raise_exception=True)
        edition = services.edition_create(actor=request.user, **data.validated_data)
        return Response(EditionSerializer(edition).data, status=201)


class EditionDetail(GenericAPIView):
    """An edition with every section's current text and count of open comments."""

    permission_classes = [HasCapability.of("report.view")]
    serializer_class = EditionDetailSerializer

    @extend_schema(responses={200: EditionDetailSerializer, **errors(403, 404)})
    def get(self, request: Request, edition_id: int) -> Response:
        edition = selectors.edition_get(user=request.user, edition_id=edition_id)
        sections = selectors.edition_sections(user=request.user, edition=edition)
        return Response(EditionDetailSerializer({"edition": edition, "sections": sections}).data)


class EditionStatus(GenericAPIView):
    """Move the edition to another status; a final edition no longer changes."""

    permission_classes = [HasCapability.of("report.edit")]
    serializer_class = StatusInput

    @extend_schema(
        request=StatusInput, responses={200: EditionSerializer, **errors(400, 403, 404, 409)}
    )
    def post(self, request: Request, edition_id: int) -> Response:
        edition = selectors.edition_get(user=request.user, edition_id=edition_id)
        data = StatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        edition = services.edition_status_set(
            actor=request.user, edition=edition, **data.validated_data
        )
        return Response(EditionSerializer(edition).data)


class SectionVersions(GenericAPIView):
    """A section's versions, newest first; POST saves a new one on top of ``base_number``."""

    serializer_class = VersionSerializer

    def get_permissions(self) -> list[Any]:
        capability = "report.edit" if self.request.method == "POST" else "report.view"
        return [HasCapability.of(capability)()]

    @extend_schema(
        responses={
            200: VersionSerializer(many=True),
            **errors(
                400,
                403,
                404,
                e400="Not a section of the report.",
                e404="No such edition, or a page past the end.",
            ),
        }
    )
    def get(self, request: Request, edition_id: int, section: str) -> Response:
        edition = selectors.edition_get(user=request.user, edition_id=edition_id)
        code = _section(section)
        page = self.paginate_queryset(
            selectors.section_history(user=request.user, edition=edition, code=code)
        )
        return self.get_paginated_response(VersionSerializer(page, many=True).data)

    @extend_schema(
        request=NarrativeInput,
        responses={
            201: VersionSerializer,
            **errors(400, 403, 404),
            409: OpenApiResponse(
                NarrativeConflictSerializer,
                description="Another version was saved since base_number.",
            ),
        },
    )
    def post(self, request: Request, edition_id: int, section: str) -> Response:
        edition = selectors.edition_get(user=request.user, edition_id=edition_id)
        code = _section(section)
        data = NarrativeInput(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.narrative_save(
            actor=request.user, edition=edition, section=code, **data.validated_data
        )
        return Response(VersionSerializer(saved).data, status=201)


class SectionDiff(GenericAPIView):
    """The difference between two versions of a section, word by word."""

    permission_classes = [HasCapability.of("report.view")]

    class DiffQuery(serializers.Serializer):
        old = serializers.IntegerField(min_value=1, max_value=MAX_INT)
        new = serializers.IntegerField(min_value=1, max_value=MAX_INT)

    class DiffSerializer(serializers.Serializer):
        old = serializers.IntegerField(source="old.number")
        new = serializers.IntegerField(source="new.number")
        segments = serializers.ListField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text='Pairs of ("equal" | "insert" | "delete", text).',
        )
        html = serializers.CharField(help_text="The new text with <ins> and <del>, escaped.")

    serializer_class = DiffSerializer

    @extend_schema(
        parameters=[DiffQuery],
        responses={
            200: DiffSerializer,
            **errors(400, 403, 404, e404="No such edition or version."),
        },
    )
    def get(self, request: Request, edition_id: int, section: str) -> Response:
        edition = selectors.edition_get(user=request.user, edition_id=edition_id)
        code = _section(section)
        query = self.DiffQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        diff = selectors.version_diff(
            user=request.user, edition=edition, code=code, **query.validated_data
        )
        return Response(self.DiffSerializer(diff).data)


class SectionComments(GenericAPIView):
    """A section's review comments, oldest first; POST adds one (or a reply)."""

    serializer_class = CommentSerializer

    def get_permissions(self) -> list[Any]:
        capability = "report.comment" if self.request.method == "POST" else "report.view"
        return [HasCapability.of(capability)()]

    @extend_schema(
        responses={
            200: CommentSerializer(many=True),
            **errors(
                400,
                403,
                404,
                e400="Not a section of the report.",
                e404="No such edition, or a page past the end.",
            ),
        }
    )
    def get(self, request: Request, edition_id: int, section: str) -> Response:
        edition = selectors.edition_get(user=request.user, edition_id=edition_id)
        code = _section(section)
        page = self.paginate_queryset(
            selectors.comments(user=request.user, edition=edition, code=code)
        )
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        request=CommentInput, responses={201: CommentSerializer, **errors(400, 403, 404)}
    )
    def post(self, request: Request, edition_id: int, section: str) -> Response:
        edition = selectors.edition_get(user=request.user, edition_id=edition_id)
        code = _section(section)
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_add(
            actor=request.user,
            edition=edition,
            section=code,
            text=data.validated_data["text"],
            **comment_targets(request.user, edition, code, data.validated_data),
        )
        return Response(CommentSerializer(comment).data, status=201)


def comment_targets(
    user: Any, edition: ReportEdition, code: str, data: dict[str, Any]
) -> dict[str, Any]:
    """The version and comment a new comment refers to (400 if not of this section)."""
    out: dict[str, Any] = {}
    if data.get("on_version"):
        found = NarrativeVersion.objects.filter(
            edition=edition, section=code, number=data["on_version"]
        ).first()
        if found is None:
            raise ApiValidationError({"on_version": [gettext("No such version of this section.")]})
        out["on_version"] = found
    if data.get("reply_to"):
        parent = ReviewComment.objects.filter(
            edition=edition, section=code, pk=data["reply_to"]
        ).first()
        if parent is None:
            raise ApiValidationError({"reply_to": [gettext("No such comment on this section.")]})
        out["reply_to"] = parent
    return out


class CommentResolve(GenericAPIView):
    """Resolve a comment (and its replies): an editor, or the comment's author."""

    permission_classes = [HasCapability.of("report.comment")]
    serializer_class = CommentSerializer

    @extend_schema(
        request=None,
        responses={
            200: CommentSerializer,
            **errors(403, 404, 409, e409="The comment is already resolved."),
        },
    )
    def post(self, request: Request, edition_id: int, comment_id: int) -> Response:
        edition = selectors.edition_get(user=request.user, edition_id=edition_id)
        comment = selectors.comment_get(user=request.user, edition=edition, comment_id=comment_id)
        resolved = services.comment_resolve(actor=request.user, comment=comment)
        return Response(CommentSerializer(resolved).data)


def _report(request: Request, edition_id: int, fmt: str) -> HttpResponse:
    edition = selectors.edition_get(user=request.user, edition_id=edition_id)
    job = job_services.job_submit(
        actor=request.user, kind=f"report.{fmt}", params={"edition": edition.pk}
    )
    if job.state != job.State.DONE:
        return accepted(job)
    _, result = job_services.job_result(actor=request.user, job_id=job.pk)
    return file_response(result)


PREPARING = OpenApiResponse(
    JobSerializer,
    description="Being prepared in the background: follow the job (Location), then download "
    "its result_url.",
)


class ReportDocx(GenericAPIView):
    """The report as DOCX: the kept file of this edition version (200), or a job preparing
    it (202). Downloads are audited as exports."""

    permission_classes = [HasCapability.of("report.view")]
    content_negotiation_class = FileNegotiation

    @extend_schema(
        responses={
            (200, document.DOCX_MIME): OpenApiTypes.BINARY,
            202: PREPARING,
            **errors(403, 404),
        }
    )
    def get(self, request: Request, edition_id: int) -> HttpResponse:
        return _report(request, edition_id, "docx")


class ReportPdf(GenericAPIView):
    """The report as PDF: the kept file of this edition version (200), or a job preparing
    it (202). Downloads are audited as exports."""

    permission_classes = [HasCapability.of("report.view")]
    content_negotiation_class = FileNegotiation

    @extend_schema(
        responses={
            (200, document.PDF_MIME): OpenApiTypes.BINARY,
            202: PREPARING,
            **errors(403, 404),
        }
    )
    def get(self, request: Request, edition_id: int) -> HttpResponse:
        return _report(request, edition_id, "pdf")


class ReportAnnex(GenericAPIView):
    """The report's annex of tables as an XLSX workbook, numbered as the report numbers it:
    the kept file of this edition version (200), or a job preparing it (202). Downloads are
    audited as exports."""

    permission_classes = [HasCapability.of("report.view")]
    content_negotiation_class = FileNegotiation

    @extend_schema(
        responses={
            (200, annex_workbook.XLSX_MIME): OpenApiTypes.BINARY,
            202: PREPARING,
            **errors(403, 404),
        }
    )
    def get(self, request: Request, edition_id: int) -> HttpResponse:
        return _report(request, edition_id, "xlsx")
