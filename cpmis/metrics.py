"""``/metrics`` in Prometheus' text format, for the operator's Prometheus (never the public).

Requests (rates, latencies by view, statuses) are django-prometheus's, counted by its
middleware in each server process (under ``cpmis serve`` the processes share a directory,
``PROMETHEUS_MULTIPROC_DIR``, so that one scrape sums them). The state of the work is read
from the database at each scrape, so it is the same whichever process or machine answers:
jobs by kind and state, the queue's depth and its oldest job, how long jobs took and how many
failed in the last hour, the workers alive, the linkage review backlog. Counts only: no name,
no record.

The page needs ``Authorization: Bearer <CPMIS_METRICS_TOKEN>``; without a token configured it
does not exist (404).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from datetime import timedelta

import prometheus_client
from django.conf import settings
from django.db.models import Count, F, Max, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


class WorkCollector(Collector):
    """The background work and the review backlog, from the database."""

    def collect(self) -> Iterator[Metric]:
        from cpmis.jobs.models import Job
        from cpmis.jobs.supervision import live_workers
        from cpmis.linkage.models import ReviewItem

        now = timezone.now()
        hour = now - timedelta(hours=1)
        by_state = GaugeMetricFamily(
            "cpmis_jobs", "Jobs waiting or running, by kind and state", labels=["kind", "state"]
        )
        active = Job.objects.filter(state__in=(Job.State.WAITING, Job.State.RUNNING))
        for row in active.values("kind", "state").annotate(n=Count("id")).order_by():
            by_state.add_metric([row["kind"], row["state"]], row["n"])
        yield by_state

        waiting = Job.objects.filter(state=Job.State.WAITING)
        yield GaugeMetricFamily("cpmis_job_queue_depth", "Jobs waiting", value=waiting.count())
        first = waiting.order_by("created_at").values_list("created_at", flat=True).first()
        yield GaugeMetricFamily(
            "cpmis_job_oldest_waiting_seconds",
            "How long the oldest waiting job has waited",
            value=(now - first).total_seconds() if first else 0.0,
        )

        ended = GaugeMetricFamily(
            "cpmis_jobs_ended_last_hour",
            "Jobs that ended in the last hour, by kind and state (done, failed, cancelled)",
            labels=["kind", "state"],
        )
        took = GaugeMetricFamily(
            "cpmis_job_seconds_last_hour",
            "Run time of the jobs done in the last hour, by kind: total and longest",
            labels=["kind", "stat"],
        )
        recent = Job.objects.filter(finished_at__gte=hour, started_at__isnull=False)
        for row in recent.values("kind", "state").annotate(n=Count("id")).order_by():
            ended.add_metric([row["kind"], row["state"]], row["n"])
        durations = (
            recent.filter(state=Job.State.DONE, source__isnull=True)
            .annotate(run=F("finished_at") - F("started_at"))
            .values("kind")
            .annotate(total=Sum("run"), longest=Max("run"))
            .order_by()
        )
        for row in durations:
            took.add_metric([row["kind"], "total"], row["total"].total_seconds())
            took.add_metric([row["kind"], "longest"], row["longest"].total_seconds())
        yield ended
        yield took

        yield GaugeMetricFamily(
            "cpmis_workers_alive", "Job workers heard from recently", value=len(live_workers())
        )
        yield GaugeMetricFamily(
            "cpmis_linkage_review_open",
            "Department records waiting for a person's linkage decision",
            value=ReviewItem.objects.filter(status=ReviewItem.Status.OPEN).count(),
        )


def _authorised(request: HttpRequest) -> bool:
    token = settings.CPMIS_METRICS_TOKEN
    if not token:
        return False
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        raise Http404
    requests: prometheus_client.CollectorRegistry = prometheus_client.REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # every server process's counts, summed
        requests = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    work = prometheus_client.CollectorRegistry()
    work.register(WorkCollector())
    return HttpResponse(
        prometheus_client.generate_latest(requests) + prometheus_client.generate_latest(work),
        content_type=prometheus_client.CONTENT_TYPE_LATEST,
    )
