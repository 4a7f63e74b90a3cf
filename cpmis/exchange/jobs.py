"""A department's batch as a background job: the upload is checked (who may send it, which
record type) and kept with the job; a worker reads, validates and writes it (all accepted
rows in one transaction, as ``services.submission_receive`` does), then links every new
record, reporting rows read, validated and written as it goes. Sent again, the same batch
changes nothing, so a job whose worker died is simply run again."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from cpmis.actors import Actor
from cpmis.jobs.kinds import Kind, Prepared, Result, active_owner, register

from . import services, signals
from .models import Submission

KIND = "exchange.submission"


def _prepare(actor: Actor, raw: dict[str, Any]) -> Prepared:
    batch = raw.get("batch")
    if not isinstance(batch, services.Batch):
        raise ValidationError({"batch": [gettext("Send a file or records.")]})
    # Refused at once, before anything is queued: another department's type, no such type.
    services.submission_check(actor=actor, batch=batch)
    meta = {k: v for k, v in asdict(batch).items() if k not in ("content", "records")}
    payload = (
        # ASCII escapes: a lone surrogate survives to be refused by validation, row by row.
        json.dumps(batch.records).encode() if batch.source == "json" else batch.content
    )
    what = batch.filename or f"{len(batch.records):,} records"
    return Prepared(meta, label=f"{batch.record_type}: {what}", payload=payload)


def _run(job: Any, progress: Any) -> Result:
    owner = active_owner(job, gettext("The account that sent this batch is no longer active."))
    data = bytes(job.payload or b"")
    params = dict(job.params)
    if params.get("source") == "json":
        batch = services.Batch(**params, records=json.loads(data.decode() or "[]"))
    else:
        batch = services.Batch(**params, content=data)
    try:
        outcome = services.submission_receive(actor=owner, batch=batch, progress=progress.update)
    except services.IdempotencyConflict as conflict:  # the key was used for another batch
        progress.state["conflict"] = str(conflict.submission.uuid)
        raise ValidationError(str(conflict)) from conflict
    submission = outcome.submission
    progress.update(
        gettext_noop("linking the new records"),  # stages are stored: shown translated
        submission=str(submission.uuid),
        repeated=outcome.repeated,
        written=submission.rows_created + submission.rows_updated,
        rejected=submission.rows_rejected,
    )
    # A job run again after its worker died once its rows were written finds them received
    # before: their linking may not have finished, so it links them (linking is idempotent).
    if not outcome.repeated or job.attempts > 1:
        answers = signals.submission_received.send(
            sender=None, actor=owner, submission=submission, whole=True
        )
        linked = sum(getattr(run, "linked", 0) for _, run in answers if run is not None)
        progress.update(gettext_noop("linked"), linked=linked)
    return Result(link=reverse("exchange:submission", kwargs={"uuid": submission.uuid}))


def submission_of(job: Any) -> services.Outcome | None:
    """What a finished batch job received (the submission, and whether it was the same
    batch received before), or None while it is not done. A job refused because its key
    was used for another batch raises that conflict, as the request itself would have."""
    progress = job.progress or {}
    if job.state == job.State.FAILED and progress.get("conflict"):
        earlier = Submission.objects.filter(uuid=progress["conflict"]).first()
        if earlier is not None:
            raise services.IdempotencyConflict(earlier)
    uuid = progress.get("submission")
    if job.state != job.State.DONE or not uuid:
        return None
    found = Submission.objects.filter(uuid=uuid).first()
    return None if found is None else services.Outcome(found, bool(progress.get("repeated")))


def register_kinds() -> None:
    register(
        Kind(
            name=KIND,
            label=gettext_lazy("A department's batch"),
            prepare=_prepare,
            run=_run,
            # Sending the same batch again changes nothing: safe to run again.
            retry=True,
            internal=True,  # sent through the submissions' page and API, with its file
        )
    )
