"""The indicators in the REST API: the catalogue, a table for a selection, its CSV/XLSX file,
the annex of a year, DHIS2 dataValueSets and the DHIS2 mapping. The same selectors and the same
disclosure control as the pages; a bad selection is a 400 naming the field."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis.core.api import FileNegotiation, SettingMetadata
from cpmis.core.openapi import errors
from cpmis.permissions import HasCapability

from . import annex, dhis2, exports, selectors, services, tabulate
from .tables import PublishedTable

CAP = selectors.CAPABILITY
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    unit = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    measure = serializers.CharField()
    articles = serializers.ListField(child=serializers.IntegerField())
    report_section = serializers.CharField()
    report_paragraphs = serializers.ListField(child=serializers.IntegerField())
    disaggregations = serializers.ListField(
        child=serializers.CharField(), source="all_disaggregations"
    )
    rule = serializers.CharField()
    sensitive = serializers.BooleanField()


class CellSerializer(serializers.Serializer):
    text = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()


class CategorySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class TableSerializer(serializers.Serializer):
    indicator_code = serializers.CharField()
    title = serializers.CharField()
    period_label = serializers.CharField()
    unit = serializers.CharField()
    measure = serializers.CharField()
    row_dimension = serializers.CharField()
    row_heading = serializers.CharField()
    column_dimension = serializers.CharField(help_text="A pivot's columns; empty otherwise.")
    column_heading = serializers.CharField()
    rows = CategorySerializer(many=True)
    columns = CategorySerializer(many=True)
    cells = serializers.SerializerMethodField(help_text="One list per row, one cell per column.")
    note = serializers.CharField()

    @extend_schema_field(serializers.ListField(child=CellSerializer(many=True)))
    def get_cells(self, table: PublishedTable) -> list[list[dict[str, Any]]]:
        return [
            [
                {
                    "text": cell.text,
                    "value": cell.value,
                    "suppressed": cell.suppressed,
                }
                for cell in (table.cell(r.key, c.key) for c in table.columns)
            ]
            for r in table.rows
        ]


PLACE_AND_PERIOD = [
    OpenApiParameter("indicator", str, required=True, description="An indicator code, e.g. CAS01"),
    OpenApiParameter(
        "period",
        str,
        required=True,
        description="A year (2025), a quarter (2025-Q1), a month (2025-03), months "
        "(2025-06..2026-05), a relative period resolved today in Pakistan's time "
        "(LAST_12_MONTHS, THIS_YEAR, LAST_YEAR, THIS_QUARTER, LAST_QUARTER, THIS_MONTH, "
        "LAST_MONTH) or a report edition's period (EDITION-<id>)",
    ),
    OpenApiParameter(
        "ou",
        str,
        description="The org unit: national, a province's ISO 3166-2 code (PK-PB) or a "
        "district's p-code (PK617); in the caller's scope",
    ),
    OpenApiParameter("jurisdiction", str, description="Older form of ou: ISO code, e.g. PK-PB"),
    OpenApiParameter("district", str, description="Older form of ou: p-code, e.g. PK617"),
    OpenApiParameter("category", str, description="An OPSC category, e.g. sale"),
]
SELECTION = [
    *PLACE_AND_PERIOD[:2],
    OpenApiParameter("breakdown", str, description="A disaggregation of the indicator"),
    *PLACE_AND_PERIOD[2:],
]
PIVOT = [
    *PLACE_AND_PERIOD,
    OpenApiParameter("rows", str, description="A disaggregation of the indicator, or total"),
    OpenApiParameter("columns", str, description="A disaggregation of the indicator, or total"),
    OpenApiParameter("sort", str, enum=["natural", "label", "total"], default="natural"),
]


class IndicatorList(GenericAPIView):
    permission_classes = [HasCapability.of(CAP)]
    serializer_class = IndicatorSerializer
    pagination_class = None

    @extend_schema(responses={200: IndicatorSerializer(many=True), **errors(403)})
    def get(self, request: Request) -> Response:
        found = selectors.indicator_list(request.user)
        return Response(IndicatorSerializer(found, many=True).data)


class IndicatorTable(GenericAPIView):
    permission_classes = [HasCapability.of(CAP)]
    serializer_class = TableSerializer

    @extend_schema(parameters=SELECTION, responses={200: TableSerializer, **errors(400, 403)})
    def get(self, request: Request) -> Response:
        selection = selectors.selection_parse(request.user, request.query_params)
        table = selectors.indicator_table(request.user, selection)
        return Response(TableSerializer(table).data)


class IndicatorExport(GenericAPIView):
    permission_classes = [HasCapability.of(CAP)]
    serializer_class = TableSerializer
    # ``format`` names the file, not a renderer; errors are JSON whatever is asked
    content_negotiation_class = FileNegotiation
    renderer_classes = [JSONRenderer]

    @extend_schema(
        parameters=[
            *SELECTION,
            OpenApiParameter("format", str, enum=["csv", "xlsx"], default="xlsx"),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="format=csv"),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="format=xlsx"),
            **errors(400, 403),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        fmt = request.query_params.get("format", "xlsx")
        if fmt not in {"csv", "xlsx"}:
            raise serializers.ValidationError({"format": _("Use csv or xlsx.")})
        selection = selectors.selection_parse(request.user, request.query_params)
        table = selectors.indicator_table(request.user, selection)
        services.export_audit(
            actor=request.user,
            what=selection.indicator.code,
            fmt=fmt,
            detail={"period": selection.period.code, "breakdown": selection.breakdown},
        )
        if fmt == "csv":
            response = HttpResponse(exports.table_csv([table]), content_type="text/csv")
        else:
            response = HttpResponse(exports.table_xlsx([table]), content_type=XLSX)
        name = f"cpmis-{selection.indicator.code}-{selection.period.code}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class PivotTable(GenericAPIView):
    """An indicator's disaggregations on rows and columns, with totals; the cells pass the
    disclosure control of every table of the same selection. At most
    ``selectors.PIVOT_LIMIT`` cells."""

    permission_classes = [HasCapability.of(CAP)]
    serializer_class = TableSerializer

    @extend_schema(parameters=PIVOT, responses={200: TableSerializer, **errors(400, 403)})
    def get(self, request: Request) -> Response:
        pivot = selectors.pivot_parse(request.user, request.query_params)
        table = selectors.pivot_table(request.user, pivot)
        return Response(TableSerializer(table).data)


class PivotExport(GenericAPIView):
    permission_classes = [HasCapability.of(CAP)]
    serializer_class = TableSerializer
    content_negotiation_class = FileNegotiation
    renderer_classes = [JSONRenderer]

    @extend_schema(
        parameters=[*PIVOT, OpenApiParameter("format", str, enum=["csv", "xlsx"], default="xlsx")],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="format=csv"),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="format=xlsx"),
            **errors(400, 403),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        fmt = request.query_params.get("format", "xlsx")
        if fmt not in {"csv", "xlsx"}:
            raise serializers.ValidationError({"format": _("Use csv or xlsx.")})
        pivot = selectors.pivot_parse(request.user, request.query_params)
        table = selectors.pivot_table(request.user, pivot)
        selection = pivot.selection
        detail = {"period": selection.period.code, "rows": pivot.rows, "columns": pivot.columns}
        if selection.orgunit is not None and selection.orgunit.code != "national":
            detail["ou"] = selection.orgunit.code
        services.export_audit(
            actor=request.user, what=selection.indicator.code, fmt=fmt, detail=detail
        )
        if fmt == "csv":
            response = HttpResponse(exports.table_csv([table]), content_type="text/csv")
        else:
            response = HttpResponse(exports.table_xlsx([table]), content_type=XLSX)
        period = selection.period.code.replace("..", "_")
        name = f"cpmis-{selection.indicator.code}-{period}-{pivot.rows}-{pivot.columns}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class Annex(GenericAPIView):
    permission_classes = [HasCapability.of(CAP)]
    serializer_class = TableSerializer
    pagination_class = None

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=True)],
        responses={200: TableSerializer(many=True), **errors(400, 403)},
    )
    def get(self, request: Request) -> Response:
        period = tabulate.period_parse(request.query_params.get("year", ""))
        if period.quarter or period.month:
            raise serializers.ValidationError({"year": _("The annex covers a whole year.")})
        tables = annex.report_tables(user=request.user, year=period.year)
        services.export_audit(
            actor=request.user, what="annex", fmt="json", detail={"year": period.year}
        )
        return Response(TableSerializer(tables, many=True).data)


class DataValueSerializer(serializers.Serializer):
    dataElement = serializers.CharField()
    period = serializers.CharField()
    orgUnit = serializers.CharField()
    categoryOptionCombo = serializers.CharField()
    value = serializers.CharField()


class DataValueSetSerializer(serializers.Serializer):
    """A DHIS2 dataValueSet (``dataSet`` and ``period`` when the mapping names a data set)."""

    dataSet = serializers.CharField(required=False)
    period = serializers.CharField(required=False)
    dataValues = DataValueSerializer(many=True)


class MappingStateSerializer(serializers.Serializer):
    config = serializers.JSONField(help_text="The DHIS2 mapping in force.")
    problems = serializers.ListField(
        child=serializers.CharField(), help_text="What is wrong with it (empty: it is usable)."
    )


class MappingSavedSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.CharField())


class Dhis2DataValueSet(GenericAPIView):
    permission_classes = [HasCapability.of(CAP)]
    serializer_class = serializers.Serializer

    @extend_schema(
        parameters=[OpenApiParameter("period", str, required=True)],
        responses={200: DataValueSetSerializer, **errors(400, 403)},
    )
    def get(self, request: Request) -> Response:
        period = tabulate.period_parse(request.query_params.get("period", ""))
        try:
            payload = annex.dhis2_payload(user=request.user, period=period)
        except dhis2.MappingError as exc:
            raise serializers.ValidationError({"mapping": exc.problems}) from exc
        services.export_audit(
            actor=request.user, what="dhis2", fmt="json", detail={"period": period.code}
        )
        return Response(payload)


class MappingInput(serializers.Serializer):
    config = serializers.JSONField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class Dhis2MappingView(GenericAPIView):
    permission_classes = [HasCapability.of("indicators.configure")]
    serializer_class = MappingInput
    metadata_class = SettingMetadata  # type: ignore[assignment]  # DRF's stubs want an instance

    @extend_schema(responses={200: MappingStateSerializer, **errors(403)})
    def get(self, request: Request) -> Response:
        config = services.dhis2_mapping_current()
        return Response({"config": config, "problems": dhis2.mapping_problems(config)})

    @extend_schema(
        request=MappingInput, responses={200: MappingSavedSerializer, **errors(400, 403)}
    )
    def put(self, request: Request) -> Response:
        data = MappingInput(data=request.data)
        data.is_valid(raise_exception=True)
        mapping = services.dhis2_mapping_set(
            actor=request.user,
            config=data.validated_data["config"],
            note=data.validated_data.get("note", ""),
        )
        return Response({"version": mapping.version, "problems": []})
