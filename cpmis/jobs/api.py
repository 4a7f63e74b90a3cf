"""Background jobs in the REST API: ask for one, follow its progress, download its file,
cancel it. A person sees only their own jobs."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from cpmis.core.api import FileNegotiation
from cpmis.core.openapi import PAGE_NOT_FOUND, errors

from . import kinds, selectors, services
from .kinds import Result
from .models import Job


class JobSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "kind_label",
            "state",
            "progress",
            "message",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
            "result_name",
            "result_size",
            "expires_at",
            "url",
            "result_url",
        ]
        read_only_fields = fields

    def get_kind_label(self, job: Job) -> str:
        kind = kinds.get(job.kind)
        return str(kind.label) if kind else job.kind

    def get_url(self, job: Job) -> str:
        return reverse("jobs-api:detail", args=[job.pk])

    def get_result_url(self, job: Job) -> str | None:
        if job.state != Job.State.DONE or not job.result_name:
            return None
        return reverse("jobs-api:result", args=[job.pk])


class JobInput(serializers.Serializer):
    kind = serializers.CharField(max_length=64, help_text="e.g. report.pdf")
    params = serializers.DictField(
        required=False, default=dict, help_text='The kind\'s input, e.g. {"edition": 3}.'
    )
    fresh = serializers.BooleanField(
        required=False, default=False, help_text="Render again even if a kept result exists."
    )

    def validate_params(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 20:
            raise serializers.ValidationError(gettext("Too many parameters."))
        return value


def accepted(job: Job) -> Response:
    """The answer to a request that started (or found) a job: 202 with where to follow it,
    or 200 when it is already done (a kept result)."""
    body = JobSerializer(job).data
    status = 200 if job.state == Job.State.DONE else 202
    response = Response(body, status=status)
    response["Location"] = body["url"]
    return response


class JobList(GenericAPIView):
    """Your jobs, newest first; POST asks for a new one."""

    serializer_class = JobSerializer

    @extend_schema(
        operation_id="jobs_list",
        responses={200: JobSerializer(many=True), **errors(404, e404=PAGE_NOT_FOUND)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.job_list(user=request.user))
        return self.get_paginated_response(JobSerializer(page, many=True).data)

    @extend_schema(
        request=JobInput,
        responses={200: JobSerializer, 202: JobSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = JobInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.job_submit(actor=request.user, direct=True, **data.validated_data)
        return accepted(job)


class JobDetail(GenericAPIView):
    """One of your jobs: its state and progress."""

    serializer_class = JobSerializer

    @extend_schema(responses={200: JobSerializer, **errors(404)})
    def get(self, request: Request, job_id: int) -> Response:
        return Response(JobSerializer(selectors.job_get(user=request.user, job_id=job_id)).data)


class JobCancel(GenericAPIView):
    """Cancel one of your jobs that has not ended."""

    serializer_class = JobSerializer

    @extend_schema(request=None, responses={200: JobSerializer, **errors(400, 404)})
    def post(self, request: Request, job_id: int) -> Response:
        job = services.job_cancel(actor=request.user, job_id=job_id)
        return Response(JobSerializer(job).data)


def file_response(result: Result) -> HttpResponse:
    response = HttpResponse(result.data, content_type=result.content_type)
    # The name is made by cpmis (a kind's own), never typed by a person.
    response["Content-Disposition"] = f'attachment; filename="{result.name}"'
    response["Cache-Control"] = "no-store"
    return response


class JobResult(GenericAPIView):
    """The file of one of your finished jobs (its download is audited)."""

    content_negotiation_class = FileNegotiation

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **errors(400, 404)}
    )
    def get(self, request: Request, job_id: int) -> HttpResponse:
        _, result = services.job_result(actor=request.user, job_id=job_id)
        return file_response(result)
