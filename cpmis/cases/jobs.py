"""The daily task digest as a job, for the schedule (``cpmis.jobs.schedules``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cpmis.jobs.kinds import Kind, register, system_or

from .digest import digests_send


def _run(job: Any, progress: Any) -> None:
    sent = digests_send(base_url=settings.CPMIS_BASE_URL.rstrip("/"))
    progress.update("done", sent=sent)


def register_kinds() -> None:
    register(
        Kind(
            name="cases.digest",
            label=_("The daily e-mail of open tasks"),
            prepare=system_or("settings.edit"),
            run=_run,
            # An e-mail sent cannot be unsent: a digest that failed half-way is not repeated.
            retry=False,
        )
    )
