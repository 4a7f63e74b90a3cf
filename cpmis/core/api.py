"""API plumbing shared by every app: pagination and one error format."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Window
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers
from rest_framework.metadata import SimpleMetadata
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request, clone_request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict, NotFound


class Pagination(pagination.PageNumberPagination):
    """Page-number pagination that reads the page and the total in one query.

    The total comes from ``COUNT(*) OVER ()`` on the page's rows, so a search costs one
    statement instead of a COUNT and a SELECT. A page past the end is a 404, as in DRF.
    Querysets with DISTINCT or GROUP BY, where a window would count the wrong rows, fall
    back to a separate count.
    """

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    max_page_number = 1_000_000  # beyond it an OFFSET overflows, and no list is that long

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        size = self.get_page_size(request)
        if not size:
            return None
        raw = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if not 1 <= number <= self.max_page_number:
            raise exceptions.NotFound(_("Invalid page."))
        offset = (number - 1) * size
        if queryset.query.distinct or queryset.query.group_by is not None:
            total = queryset.count()
            rows = list(queryset[offset : offset + size])
        else:
            rows = list(queryset.annotate(_page_total=Window(Count("*")))[offset : offset + size])
            total = rows[0]._page_total if rows else 0
        if not rows and number > 1:
            raise exceptions.NotFound(_("Invalid page."))
        self.total, self.number, self.size = total, number, size
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.total,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self) -> str | None:
        if self.number * self.size >= self.total or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number <= 1 or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django's own validation and size errors as 400s (never a 500) and
    conflicts of versions as 409s."""
    if isinstance(exc, Conflict):
        return Response(exc.payload(), status=409)
    if isinstance(exc, NotFound):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, RequestDataTooBig):
        exc = exceptions.ValidationError({"detail": "The request body is too large."})
    return drf_exception_handler(exc, context)


class CodeRelatedField(serializers.SlugRelatedField):
    """A relation given by its code (p-code, ISO code, username), checked before any query:
    a string of sensible length without NUL bytes (PostgreSQL refuses them in text)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not data or len(data) > 150 or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class FileNegotiation(BaseContentNegotiation):
    """Content negotiation for an endpoint that writes its file itself (DOCX, XLSX, CSV, PDF):
    DRF would refuse with a 406 a client that accepts only the file's type, and would read
    ``?format=`` as the renderer to use (URL_FORMAT_OVERRIDE). Here only errors and JSON
    bodies are rendered, as JSON, whatever the query or the Accept header ask."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)  # a GET: nothing to parse

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = JSONRenderer()
        return renderer, renderer.media_type


class SettingMetadata(SimpleMetadata):
    """``OPTIONS`` of a view that PUTs a setting, not a record: DRF's metadata checks access to
    a PUT by fetching the record (``get_object``), which such a view does not have (a 500).
    Here the input of each PUT and POST the user may send is described without it."""

    def determine_actions(self, request: Request, view: Any) -> dict[str, Any]:
        actions = {}
        for method in {"PUT", "POST"} & set(view.allowed_methods):
            view.request = clone_request(request, method)
            try:
                view.check_permissions(view.request)
            except (exceptions.APIException, PermissionDenied, Http404):
                continue
            finally:
                view.request = request
            actions[method] = self.get_serializer_info(view.get_serializer())
        return actions
