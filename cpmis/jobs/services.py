"""Asking for a job, cancelling it, downloading its result: each checked, in one transaction,
audited. The job is queued in the same transaction that records it, so a job is never
recorded without being queued, nor queued without its record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from cpmis import access
from cpmis.actors import Actor, SystemActor, person
from cpmis.audit.services import audit_record
from cpmis.core.errors import NotFound

from . import kinds
from .kinds import Result
from .models import Job
from .runner import DONE, WAITING, run_job


def _requester(actor: Actor) -> str:
    if isinstance(actor, SystemActor):
        return actor.audit_name
    who = person(actor)
    if who is None:
        raise PermissionDenied("Sign in to ask for this.")
    return who.get_username()


def job_submit(
    *,
    actor: Actor,
    kind: str,
    params: dict[str, Any],
    fresh: bool = False,
    direct: bool = False,
) -> Job:
    """Ask for a job of ``kind`` (``direct``: through the jobs API, where a kind that only its
    own app asks for is unknown). Its kind checks that ``actor`` may ask for it and checks the
    input. If a result of the same key is kept (the same report version, seen the same way),
    the new job is done at once with that file, unless ``fresh``; if the actor already waits
    for the same, that job is returned."""
    found = kinds.get(kind)
    if found is None or (direct and found.internal):
        public = ", ".join(kinds.names(public=True))
        message = gettext("Unknown kind of job; kinds: %(kinds)s.") % {"kinds": public}
        raise ValidationError({"kind": [message]})
    requester = _requester(actor)
    prepared = found.prepare(actor, params)
    now = timezone.now()
    with transaction.atomic():
        if prepared.result_key:
            mine = access.jobs_visible_to(actor).filter(
                result_key=prepared.result_key, state__in=(Job.State.WAITING, Job.State.RUNNING)
            )
            pending = mine.order_by("-created_at").first()
            if pending is not None:
                return pending
            kept = None
            if not fresh:
                kept = (
                    Job.objects.filter(
                        result_key=prepared.result_key,
                        state=Job.State.DONE,
                        source__isnull=True,
                        expires_at__gt=now,
                    )
                    .exclude(result=None)
                    .defer("result")
                    .order_by("-finished_at")
                    .first()
                )
            if kept is not None:
                job = Job.objects.create(
                    kind=kind,
                    owner=person(actor),
                    requested_by=requester,
                    params=prepared.params,
                    result_key=prepared.result_key,
                    state=Job.State.DONE,
                    created_at=now,
                    started_at=now,
                    finished_at=now,
                    progress={"stage": DONE, "kept_from": kept.pk},
                    source=kept,
                    result_name=kept.result_name,
                    result_type=kept.result_type,
                    result_size=kept.result_size,
                    expires_at=kept.expires_at,
                )
                audit_record(
                    actor=actor,
                    action="job.submit",
                    object_type="jobs.job",
                    object_id=job.pk,
                    detail={"kind": kind, "kept": kept.pk},
                )
                return job
        job = Job.objects.create(
            kind=kind,
            owner=person(actor),
            requested_by=requester,
            params=prepared.params,
            result_key=prepared.result_key,
            created_at=now,
            progress={"stage": WAITING, "label": prepared.label} if prepared.label else {},
        )
        if prepared.payload is not None:
            _payload_write(job.pk, prepared.payload)
        audit_record(
            actor=actor,
            action="job.submit",
            object_type="jobs.job",
            object_id=job.pk,
            detail={"kind": kind},
        )
        task = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(task.id))
    return Job.objects.defer("payload", "result").get(pk=job.pk)


def _payload_write(job_id: int, data: bytes) -> None:
    """The job's file, in the transaction that records the job. On PostgreSQL it is sent as a
    binary parameter (a cursor that binds on the server), not spelled out in hex inside the
    statement as Django's client-side binding does: a 33 MB batch took 1.0 s the one way and
    0.45 s the other, and the upload's request waits for it."""
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET payload = %b WHERE id = %s",  # noqa: S608
                [data, job_id],
            )
        return
    Job.objects.filter(pk=job_id).update(payload=data)


def job_cancel(*, actor: Actor, job_id: int) -> Job:
    """Cancel a job that has not finished: a waiting one never runs; a running one stops at
    its next progress report and keeps nothing."""
    with transaction.atomic():
        job = (
            access.jobs_visible_to(actor)
            .select_for_update()
            .defer("payload", "result")
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            raise NotFound("No such job.")
        if job.finished:
            ended = gettext("The job has already ended (%(state)s).") % {
                "state": job.get_state_display().lower()
            }
            raise ValidationError({"state": [ended]})
        if job.state == Job.State.WAITING:
            Job.objects.filter(pk=job.pk, state=Job.State.WAITING).update(
                state=Job.State.CANCELLED,
                payload=None,
                cancel_requested=True,
                finished_at=timezone.now(),
                message=gettext_noop("Cancelled before it started."),
            )
        else:
            Job.objects.filter(pk=job.pk).update(cancel_requested=True)
        audit_record(
            actor=actor,
            action="job.cancel",
            object_type="jobs.job",
            object_id=job.pk,
            detail={"kind": job.kind, "state": job.state},
        )
    return Job.objects.defer("payload", "result").get(pk=job.pk)


def job_result(*, actor: Actor, job_id: int) -> tuple[Job, Result]:
    """The file of a finished job, for its owner; its download is audited (an export leaving
    cpmis), and the job's kind may audit it in its own terms too."""
    job = access.jobs_visible_to(actor).defer("result", "payload").filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such job.")
    if job.state != Job.State.DONE or not job.result_name:
        raise ValidationError({"state": [gettext("This job has no file to download.")]})
    holder = job.source_id or job.pk
    data = Job.objects.filter(pk=holder).values_list("result", flat=True).first()
    if data is None or (job.expires_at is not None and job.expires_at < timezone.now()):
        raise ValidationError(
            {
                "state": [
                    gettext(
                        "The file is no longer kept (results are kept for a limited time). "
                        "Ask again."
                    )
                ]
            }
        )
    kind = kinds.get(job.kind)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="job.download",
            object_type="jobs.job",
            object_id=job.pk,
            detail={"kind": job.kind, "bytes": job.result_size},
        )
        if kind is not None and kind.on_download is not None:
            kind.on_download(actor, job)
    return job, Result(bytes(data), job.result_name, job.result_type)
