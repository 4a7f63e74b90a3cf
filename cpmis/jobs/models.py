"""A job: work that runs in the background for a person (or for the system), with its state,
its progress, its result and, when it fails, a message a person can act on.

The queue itself is Django's tasks framework on its database backend (``django_tasks_db``):
a ``Job`` is what people see and what cpmis supervises; the task is how a worker is told to
run it. ``WorkerBeat`` is each running worker's heartbeat, so that a job whose worker died
(``kill -9``, a lost machine) is noticed and taken up again or failed (``supervision``).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from cpmis.core.models import DataClassification


class Job(DataClassification, models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = (State.DONE, State.FAILED, State.CANCELLED)

    kind = models.CharField(max_length=64)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Who asked, as the audit trail names them (a system job has no owner account).
    requested_by = models.CharField(max_length=150)
    # The job's input, checked by its kind when it was asked for (ids, formats)…
    params = models.JSONField(default=dict)
    # … and the file it works on (a department's batch), kept in the database so that a
    # worker on any machine reads it; emptied when the job ends.
    payload = models.BinaryField(null=True, blank=True)
    # Jobs with the same key give the same result: a kept result is served again.
    result_key = models.CharField(max_length=200, blank=True, db_index=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=64, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # {"stage": "…", "done": n, "total": n, <counters>}: what the page shows.
    progress = models.JSONField(default=dict)
    progress_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    message = models.TextField(blank=True)  # why it failed, for a person
    result = models.BinaryField(null=True, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    result_size = models.PositiveBigIntegerField(default=0)
    # Where the outcome is shown, when it is a page of cpmis rather than a file (a path).
    result_link = models.CharField(max_length=300, blank=True)
    # A job answered by another's kept result (same ``result_key``): its file is that one's.
    source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)

    # A result may hold a child's name (a report, an export): it is personal data, kept only
    # for CPMIS_JOB_RESULT_DAYS and served only to the job's owner.
    PERSONAL_DATA = ("params", "payload", "result", "result_name", "message")
    NOT_PERSONAL_DATA = (
        "id",
        "kind",
        "owner",
        "requested_by",
        "result_key",
        "state",
        "created_at",
        "started_at",
        "finished_at",
        "attempts",
        "worker",
        "task_id",
        "progress",
        "progress_at",
        "cancel_requested",
        "result_type",
        "result_size",
        "result_link",
        "source",
        "expires_at",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def shown_message(self) -> str:
        """``message`` in the reader's language (see ``shown_message``)."""
        return shown_message(self.message)


# A job's ``message`` is written by a worker, which has no reader: it is stored in English
# (each text marked with ``gettext_noop``) and translated when a page shows it. The one
# message with a number in it is recognised by its pattern.
UNEXPECTED_ERROR = gettext_noop(
    "It stopped on an unexpected error (job %(job)s); nothing was kept. "
    "Ask for it again, or tell an administrator if it fails again."
)
_UNEXPECTED = re.compile(re.escape(UNEXPECTED_ERROR).replace(re.escape("%(job)s"), r"(?P<job>\d+)"))


def shown_message(message: str) -> str:
    """A job's stored (English) message in the language of the page that shows it; a message
    cpmis does not know (a service's own words, several joined) is shown as it was written."""
    if not message:
        return ""
    found = _UNEXPECTED.fullmatch(message)
    if found is not None:
        return gettext(UNEXPECTED_ERROR) % {"job": found["job"]}
    return gettext(message)


class WorkerBeat(DataClassification, models.Model):
    """A worker process, as it last reported itself."""

    worker = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    NOT_PERSONAL_DATA = ("id", "worker", "host", "pid", "started_at", "seen_at", "job")

    def __str__(self) -> str:
        return self.worker


class ScheduleState(DataClassification, models.Model):
    """Where one schedule of ``schedules.SCHEDULES`` stands: its next run and its last job."""

    name = models.CharField(max_length=64, unique=True)
    next_at = models.DateTimeField()
    last_at = models.DateTimeField(null=True, blank=True)
    last_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    NOT_PERSONAL_DATA = ("id", "name", "next_at", "last_at", "last_job")

    def __str__(self) -> str:
        return self.name
