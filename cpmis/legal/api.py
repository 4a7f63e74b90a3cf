"""REST API of the legal catalogue: read by every signed-in user, changed by its editors."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis.core.api import CodeRelatedField, FileNegotiation
from cpmis.core.openapi import PAGE_NOT_FOUND, errors
from cpmis.permissions import HasCapability
from cpmis.reference.models import Jurisdiction

from . import exports, selectors, services
from .models import (
    ComplianceLink,
    OpscArticle,
    OpscCategory,
    Penalty,
    ProceduralRule,
    Provision,
    Statute,
    StatuteExtent,
)
from .sentencing import Sentence, sentence_within_range


class PenaltySerializer(serializers.ModelSerializer):
    class Meta:
        model = Penalty
        fields = list(services.PENALTY_FIELDS)


class StatuteSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SerializerMethodField()

    class Meta:
        model = Statute
        fields = [
            "code",
            "title",
            "short_title",
            "year",
            "jurisdiction",
            "kind",
            "report_paragraphs",
            "notes",
        ]

    def get_jurisdiction(self, statute: Statute) -> str:
        return statute.jurisdiction.iso_code if statute.jurisdiction else "federal"


class ProvisionSerializer(serializers.ModelSerializer):
    statute: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    amended_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    citation = serializers.CharField(read_only=True)
    penalty = serializers.SerializerMethodField()

    class Meta:
        model = Provision
        fields = [
            "id",
            "statute",
            "section",
            "citation",
            "title",
            "kind",
            "valid_from",
            "valid_to",
            "amended_by",
            "report_paragraphs",
            "opsc_category",
            "notes",
            "penalty",
        ]

    @extend_schema_field(PenaltySerializer(allow_null=True))
    def get_penalty(self, provision: Provision) -> dict[str, Any] | None:
        penalty = getattr(provision, "penalty", None)
        return PenaltySerializer(penalty).data if penalty else None


class ProvisionVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)


class ProvisionChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    type = serializers.ChoiceField(
        [("+", "Created"), ("~", "Changed"), ("-", "Deleted")], help_text="+, ~ or -."
    )
    user = serializers.CharField(allow_null=True, help_text="Username.")


class ProvisionDetailSerializer(ProvisionSerializer):
    """A provision with every version of its section and its change history."""

    versions = ProvisionVersionSerializer(many=True, read_only=True)
    history = ProvisionChangeSerializer(many=True, read_only=True)

    class Meta(ProvisionSerializer.Meta):
        fields = [*ProvisionSerializer.Meta.fields, "versions", "history"]


class ProvisionQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    statute = serializers.SlugField(required=False, max_length=60)
    kind = serializers.ChoiceField(Provision.Kind.choices, required=False)
    category = serializers.ChoiceField(OpscCategory.choices, required=False)
    jurisdiction = serializers.RegexField(r"^(federal|PK-[A-Z]{2})$", required=False)
    on = serializers.DateField(required=False)
    page = serializers.IntegerField(required=False, min_value=1, max_value=100_000)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class ParagraphsField(serializers.ListField):
    # The service checks each number against the report's paragraphs.
    child = serializers.IntegerField(min_value=1, max_value=10_000)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_length", 1)
        kwargs.setdefault("max_length", 97)
        super().__init__(**kwargs)


class ProvisionInputSerializer(serializers.Serializer):
    statute = CodeRelatedField(slug_field="code", queryset=Statute.objects.all())
    section = serializers.RegexField(r"^[0-9A-Za-z()\-. ]{1,40}$")
    title = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(Provision.Kind.choices)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)
    report_paragraphs = ParagraphsField()
    opsc_category = serializers.ChoiceField(OpscCategory.choices, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ProvisionCorrectionSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    kind = serializers.ChoiceField(Provision.Kind.choices, required=False)
    valid_to = serializers.DateField(required=False, allow_null=True)
    report_paragraphs = ParagraphsField(required=False)
    opsc_category = serializers.ChoiceField(OpscCategory.choices, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class PenaltyInputSerializer(serializers.Serializer):
    prison_term = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Whether a term of imprisonment is a possible sentence: false where the "
        "only imprisonment is for life (or death). Not given: true, unless the penalty is a "
        "fine only.",
    )
    prison_min_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=1200
    )
    prison_max_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=1200
    )
    prison_life = serializers.BooleanField(required=False, default=False)
    death = serializers.BooleanField(required=False, default=False)
    fine_min_rs = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10**12
    )
    fine_max_rs = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10**12
    )
    combination = serializers.ChoiceField(Penalty.Combination.choices)
    penalty_text = serializers.CharField(max_length=2000)


class AmendmentSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    amended_by = CodeRelatedField(slug_field="code", queryset=Statute.objects.all())
    title = serializers.CharField(max_length=300, required=False)
    report_paragraphs = ParagraphsField(required=False)
    opsc_category = serializers.ChoiceField(OpscCategory.choices, required=False, allow_blank=True)
    penalty = PenaltyInputSerializer(required=False)


class SentenceSerializer(serializers.Serializer):
    provision = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    prison_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=1200
    )
    life = serializers.BooleanField(required=False, default=False)
    death = serializers.BooleanField(required=False, default=False)
    fine_rs = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10**12
    )


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


class StatuteQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    jurisdiction = serializers.RegexField(r"^(federal|PK-[A-Z]{2})$", required=False)


class StatuteList(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = StatuteSerializer

    @extend_schema(
        parameters=[StatuteQuerySerializer],
        responses={
            200: StatuteSerializer(many=True),
            **errors(400, 404, e404=PAGE_NOT_FOUND),
        },
    )
    def get(self, request: Request) -> Response:
        query = StatuteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data.get("q", "")
        where = query.validated_data.get("jurisdiction", "")
        page = self.paginate_queryset(selectors.statute_list(q=q, jurisdiction=where))
        return self.get_paginated_response(StatuteSerializer(page, many=True).data)


class ProvisionListCreate(GenericAPIView):
    serializer_class = ProvisionSerializer

    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.request.method == "POST":
            return [HasCapability.of("legal.edit")()]
        return [IsAuthenticated()]

    @extend_schema(
        parameters=[ProvisionQuerySerializer],
        responses={
            200: ProvisionSerializer(many=True),
            **errors(400, 404, e404=PAGE_NOT_FOUND),
        },
    )
    def get(self, request: Request) -> Response:
        params = _query(ProvisionQuerySerializer, request)
        params.pop("page", None)
        params.pop("page_size", None)
        page = self.paginate_queryset(selectors.provision_search(**params))
        return self.get_paginated_response(ProvisionSerializer(page, many=True).data)

    @extend_schema(
        request=ProvisionInputSerializer,
        responses={201: ProvisionSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = ProvisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        provision = services.provision_create(actor=request.user, **data.validated_data)
        return Response(ProvisionSerializer(provision).data, status=status.HTTP_201_CREATED)


class ProvisionDetail(GenericAPIView):
    serializer_class = ProvisionDetailSerializer

    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.request.method == "PATCH":
            return [HasCapability.of("legal.edit")()]
        return [IsAuthenticated()]

    @extend_schema(responses={200: ProvisionDetailSerializer, **errors(404)})
    def get(self, request: Request, pk: int) -> Response:
        provision = get_object_or_404(Provision.objects.select_related("statute"), pk=pk)
        data = dict(ProvisionSerializer(provision).data)
        data["versions"] = [
            {"id": v.pk, "valid_from": v.valid_from, "valid_to": v.valid_to}
            for v in selectors.provision_versions(provision)
        ]
        data["history"] = [
            {
                "at": h.history_date,
                "type": h.history_type,
                "user": h.history_user.username if h.history_user else None,
            }
            for h in provision.history.select_related("history_user").all()  # type: ignore[attr-defined]
        ]
        return Response(data)

    @extend_schema(
        request=ProvisionCorrectionSerializer,
        responses={200: ProvisionSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        provision = get_object_or_404(Provision, pk=pk)
        data = ProvisionCorrectionSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        provision = services.provision_correct(
            actor=request.user, provision=provision, **data.validated_data
        )
        return Response(ProvisionSerializer(provision).data)


class ProvisionAmend(GenericAPIView):
    permission_classes = [HasCapability.of("legal.edit")]
    serializer_class = AmendmentSerializer

    @extend_schema(
        request=AmendmentSerializer, responses={201: ProvisionSerializer, **errors(400, 403, 404)}
    )
    def post(self, request: Request, pk: int) -> Response:
        provision = get_object_or_404(Provision, pk=pk)
        data = AmendmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.provision_amend(
            actor=request.user, provision=provision, **data.validated_data
        )
        return Response(ProvisionSerializer(new).data, status=status.HTTP_201_CREATED)


class ProvisionPenalty(GenericAPIView):
    permission_classes = [HasCapability.of("legal.edit")]
    serializer_class = PenaltyInputSerializer
    queryset = Provision.objects.all()

    @extend_schema(
        request=PenaltyInputSerializer,
        responses={200: PenaltySerializer, **errors(400, 403, 404)},
    )
    def put(self, request: Request, pk: int) -> Response:
        provision = self.get_object()
        data = PenaltyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        penalty = services.penalty_set(
            actor=request.user, provision=provision, **data.validated_data
        )
        return Response(PenaltySerializer(penalty).data)


class VerdictSerializer(serializers.Serializer):
    provision = serializers.CharField(help_text="The provision's citation.")
    within = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the sentence is within its range; null when the catalogue holds no "
        "penalty for the provision.",
    )
    reasons = serializers.ListField(child=serializers.CharField())


class SentenceCheck(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = SentenceSerializer

    @extend_schema(
        request=SentenceSerializer,
        responses={200: VerdictSerializer, **errors(400, 404, e404="No such provision.")},
    )
    def post(self, request: Request) -> Response:
        data = SentenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        provision = get_object_or_404(
            Provision.objects.select_related("statute"), pk=values.pop("provision")
        )
        verdict = sentence_within_range(
            getattr(provision, "penalty", None),
            Sentence(
                prison_months=values.get("prison_months"),
                life=values.get("life", False),
                death=values.get("death", False),
                fine_rs=values.get("fine_rs"),
            ),
        )
        return Response(
            {"provision": provision.citation, "within": verdict.within, "reasons": verdict.reasons}
        )


class ArticleSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    obligation = serializers.CharField()
    report_paragraphs = serializers.ListField(child=serializers.IntegerField())


class ArticleList(GenericAPIView):
    """The articles of the Optional Protocol (OPSC)."""

    permission_classes = [IsAuthenticated]
    pagination_class = None

    @extend_schema(responses={200: ArticleSerializer(many=True), **errors()})
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "number": a.number,
                    "title": a.title,
                    "obligation": a.obligation,
                    "report_paragraphs": a.report_paragraphs,
                }
                for a in OpscArticle.objects.all()
            ]
        )


class MatrixQuerySerializer(serializers.Serializer):
    jurisdiction = serializers.RegexField(r"^(federal|PK-[A-Z]{2})$", required=False)
    # not "format": DRF reads that one for content negotiation
    export = serializers.ChoiceField(["xlsx", "docx"], required=False)


class MatrixLinkSerializer(serializers.Serializer):
    statute = serializers.CharField()
    section = serializers.CharField(allow_null=True, help_text="Null: the statute as a whole.")
    citation = serializers.CharField()
    report_paragraphs = serializers.ListField(child=serializers.IntegerField())


class ExtentSerializer(serializers.Serializer):
    applies = serializers.BooleanField()
    reason = serializers.ChoiceField(StatuteExtent.Reason.choices)
    reason_label = serializers.CharField()
    report_paragraphs = serializers.ListField(child=serializers.IntegerField())
    notes = serializers.CharField()


class FederalLinkSerializer(MatrixLinkSerializer):
    extent = ExtentSerializer(
        allow_null=True,
        help_text="The recorded extent of the statute here; null: the default (federal law "
        "applies in every province and territory).",
    )


class MatrixCellSerializer(serializers.Serializer):
    gap = serializers.BooleanField(help_text="No law applicable in the jurisdiction covers it.")
    provisions = MatrixLinkSerializer(
        many=True, help_text="The column's own law (in the federal column: federal law)."
    )
    federal = FederalLinkSerializer(
        many=True, help_text="Federal law that applies in the column's jurisdiction."
    )
    excluded = FederalLinkSerializer(
        many=True, help_text="Federal law that an exception keeps out of the jurisdiction."
    )
    covered_by_federal_law = serializers.BooleanField(
        help_text="Covered only by federal law (no own provision cited)."
    )
    text = serializers.CharField(help_text="The cell in words, as the exports print it.")


class MatrixRowSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    title = serializers.CharField()
    cells = serializers.DictField(
        child=MatrixCellSerializer(), help_text="One per column (federal, or an ISO code)."
    )


class GapSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    title = serializers.CharField()
    jurisdiction = serializers.CharField(help_text="federal, or an ISO code.")
    jurisdiction_label = serializers.CharField()
    missing = serializers.CharField()
    why = serializers.CharField()


class MatrixSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.CharField())
    column_labels = serializers.ListField(child=serializers.CharField())
    gaps = serializers.IntegerField(help_text="How many cells no applicable law covers.")
    covered_by_federal_law = serializers.IntegerField(
        help_text="How many province or territory cells only federal law covers."
    )
    rows = MatrixRowSerializer(many=True)
    gap_table = GapSerializer(many=True, help_text="The gaps: article, jurisdiction, why.")


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _link(link: ComplianceLink) -> dict[str, Any]:
    return {
        "statute": link.statute.code,
        "section": link.provision.section if link.provision else None,
        "citation": link.provision.citation if link.provision else link.statute.short_title,
        "report_paragraphs": link.report_paragraphs,
    }


def _federal_link(link: ComplianceLink, cell: selectors.MatrixCell) -> dict[str, Any]:
    extent = cell.extent(link)
    return {
        **_link(link),
        "extent": None
        if extent is None
        else {
            "applies": extent.applies,
            "reason": extent.reason,
            "reason_label": extent.get_reason_display(),
            "report_paragraphs": extent.report_paragraphs,
            "notes": extent.notes,
        },
    }


def _cell(cell: selectors.MatrixCell) -> dict[str, Any]:
    return {
        "gap": cell.gap,
        "provisions": [_link(link) for link in cell.own],
        "federal": [_federal_link(link, cell) for link in cell.federal],
        "excluded": [_federal_link(link, cell) for link in cell.excluded],
        "covered_by_federal_law": cell.covered_by_federal_law,
        "text": exports.cell_text(cell),
    }


def matrix_payload(matrix: selectors.Matrix) -> dict[str, Any]:
    return {
        "columns": matrix.column_codes,
        "column_labels": matrix.column_labels,
        "gaps": matrix.gaps(),
        "covered_by_federal_law": matrix.covered_by_federal_law(),
        "rows": [
            {
                "article": row.article.number,
                "title": row.article.title,
                "cells": {
                    code: _cell(cell)
                    for code, cell in zip(matrix.column_codes, row.cells, strict=True)
                },
            }
            for row in matrix.rows
        ],
        "gap_table": [
            {
                "article": gap.article.number,
                "title": gap.article.title,
                "jurisdiction": gap.jurisdiction_code,
                "jurisdiction_label": gap.jurisdiction_label,
                "missing": gap.missing,
                "why": gap.why,
            }
            for gap in selectors.coverage_gaps(matrix)
        ],
    }


def matrix_file(matrix: selectors.Matrix, kind: str, *, gaps: bool = False) -> HttpResponse:
    """The matrix (with its gaps) or, with ``gaps``, the table of gaps alone, as a file."""
    if kind == "xlsx":
        content = (exports.gaps_xlsx if gaps else exports.matrix_xlsx)(matrix)
        mime = XLSX
    else:
        content = (exports.gaps_docx if gaps else exports.matrix_docx)(matrix)
        mime = DOCX
    name = "opsc-compliance-gaps" if gaps else "opsc-compliance-matrix"
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


class ComplianceMatrix(GenericAPIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = FileNegotiation  # JSON, or the file ``export`` asks for

    @extend_schema(
        parameters=[MatrixQuerySerializer],
        responses={
            (200, "application/json"): OpenApiResponse(MatrixSerializer, description="No export."),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="export=xlsx"),
            (200, DOCX): OpenApiResponse(OpenApiTypes.BINARY, description="export=docx"),
            **errors(400),
        },
    )
    def get(self, request: Request) -> Any:
        params = _query(MatrixQuerySerializer, request)
        where = params.get("jurisdiction", "")
        if (
            where
            and where != "federal"
            and not Jurisdiction.objects.filter(iso_code=where).exists()
        ):
            return Response(
                {"jurisdiction": [_("Unknown jurisdiction %(code)s.") % {"code": repr(where)}]},
                status=400,
            )
        matrix = selectors.compliance_matrix(jurisdiction=where)
        if params.get("export"):
            return matrix_file(matrix, params["export"])
        return Response(matrix_payload(matrix))


class RuleQuerySerializer(serializers.Serializer):
    jurisdiction = serializers.RegexField(r"^PK-[A-Z]{2}$", required=False)


class AppliedRuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    basis = serializers.ChoiceField(ProceduralRule.Basis.choices)
    scope = serializers.ChoiceField(ProceduralRule.Scope.choices)
    hours = serializers.IntegerField(allow_null=True)
    days = serializers.IntegerField(allow_null=True)
    months = serializers.IntegerField(allow_null=True)
    value = serializers.CharField()
    text = serializers.CharField()
    citation = serializers.CharField()
    report_paragraphs = serializers.ListField(child=serializers.IntegerField())


class RuleList(GenericAPIView):
    """Every procedural rule as it applies in a jurisdiction (or federally)."""

    permission_classes = [IsAuthenticated]
    pagination_class = None

    @extend_schema(
        parameters=[RuleQuerySerializer],
        responses={200: AppliedRuleSerializer(many=True), **errors(400)},
    )
    def get(self, request: Request) -> Response:
        code = _query(RuleQuerySerializer, request).get("jurisdiction", "")
        jurisdiction = None
        if code:
            jurisdiction = Jurisdiction.objects.filter(iso_code=code).first()
            if jurisdiction is None:
                return Response(
                    {"jurisdiction": [_("Unknown jurisdiction %(code)s.") % {"code": repr(code)}]},
                    status=400,
                )
        return Response(
            [
                {
                    "code": r.code,
                    "basis": r.rule.basis,
                    "scope": r.rule.scope,
                    "hours": r.rule.hours,
                    "days": r.rule.days,
                    "months": r.rule.months,
                    "value": r.rule.value,
                    "text": r.rule.text,
                    "citation": r.citation,
                    "report_paragraphs": r.rule.report_paragraphs,
                }
                for r in selectors.rules_for(jurisdiction)
            ]
        )


class ComplianceLinkInputSerializer(serializers.Serializer):
    article = serializers.IntegerField(min_value=1, max_value=12)
    statute = CodeRelatedField(slug_field="code", queryset=Statute.objects.all())
    provision = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    report_paragraphs = ParagraphsField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ComplianceLinkCreate(GenericAPIView):
    permission_classes = [HasCapability.of("legal.edit")]
    serializer_class = ComplianceLinkInputSerializer

    @extend_schema(
        request=ComplianceLinkInputSerializer,
        responses={
            201: inline_serializer("ComplianceLinkCreated", {"id": serializers.IntegerField()}),
            **errors(400, 403, 404, e404="No such article or provision."),
        },
    )
    def post(self, request: Request) -> Response:
        data = ComplianceLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        article = get_object_or_404(OpscArticle, number=values.pop("article"))
        provision_id = values.pop("provision", None)
        provision = get_object_or_404(Provision, pk=provision_id) if provision_id else None
        link = services.compliance_link_add(
            actor=request.user, article=article, provision=provision, **values
        )
        return Response({"id": link.pk}, status=status.HTTP_201_CREATED)


class ComplianceLinkDelete(GenericAPIView):
    permission_classes = [HasCapability.of("legal.edit")]

    @extend_schema(responses={204: OpenApiResponse(description="Removed."), **errors(403, 404)})
    def delete(self, request: Request, pk: int) -> Response:
        link = get_object_or_404(ComplianceLink, pk=pk)
        services.compliance_link_remove(actor=request.user, link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)
