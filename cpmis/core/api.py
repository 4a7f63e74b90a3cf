"""API plumbing shared by every app: pagination and one error format."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Window
from rest_framework import exceptions, pagination, serializers
from rest_framework.request import Request
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
            raise exceptions.NotFound("Invalid page.")
        offset = (number - 1) * size
        if queryset.query.distinct or queryset.query.group_by is not None:
            total = queryset.count()
            rows = list(queryset[offset : offset + size])
        else:
            rows = list(queryset.annotate(_page_total=Window(Count("*")))[offset : offset + size])
            total = rows[0]._page_total if rows else 0
        if not rows and number > 1:
            raise exceptions.NotFound("Invalid page.")
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
