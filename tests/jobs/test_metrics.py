"""/metrics: the operator's Prometheus reads requests and the state of the work with its
token; without the token (or with none configured) the page does not exist."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from cpmis.jobs import services, supervision
from tests.conftest import Personas, web_as
from tests.jobs.conftest import DATABASE_QUEUE

TOKEN = "a-long-random-metrics-token-for-the-tests"


def test_without_its_token_there_is_no_page(client: Any, personas: Personas) -> None:
    assert client.get("/metrics").status_code == 404  # no token configured
    with override_settings(CPMIS_METRICS_TOKEN=TOKEN):
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
        signed_in = web_as(client, personas.administrator)
        assert signed_in.get("/metrics").status_code == 404  # a session is not the token


@pytest.mark.usefixtures("db_queue")
def test_it_counts_requests_and_the_work(client: Any, personas: Personas) -> None:
    supervision.beat("w1")
    services.job_submit(actor=personas.cpo, kind="test.count", params={"n": 1, "key": "x"})
    client.get("/healthz")
    with override_settings(CPMIS_METRICS_TOKEN=TOKEN, TASKS=DATABASE_QUEUE):
        answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    text = answer.content.decode()
    assert 'cpmis_jobs{kind="test.count",state="waiting"} 1.0' in text
    assert "cpmis_job_queue_depth 1.0" in text
    assert "cpmis_workers_alive 1.0" in text
    assert "cpmis_linkage_review_open 0.0" in text
    assert "django_http_requests_total_by_view_transport_method_total" in text
    assert 'view="healthz"' in text
    assert personas.cpo.username not in text
