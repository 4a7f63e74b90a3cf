"""The complaint queue's CSV as a job: a worker writes it, for the person as they see the
queue when it runs; the download, not the writing, is audited as an export."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, gettext_lazy

from cpmis import access
from cpmis.actors import Actor
from cpmis.audit.services import audit_record
from cpmis.jobs.kinds import Kind, Prepared, Result, active_owner, register

from . import exports, selectors

CAPABILITY = "complaint.view"


def _prepare(actor: Actor, raw: dict[str, Any]) -> Prepared:
    if not access.has_capability(actor, CAPABILITY):
        raise PermissionDenied(gettext("You cannot see complaints."))
    view = str(raw.get("view") or "all")
    view = view if view in selectors.QUEUE_VIEWS else "all"
    label = gettext("Complaints: %(view)s") % {"view": selectors.QUEUE_VIEWS[view]}
    return Prepared({"view": view}, label=label)


def _run(job: Any, progress: Any) -> Result:
    owner = active_owner(job, gettext("The account that asked for this list is no longer active."))
    # As the owner, now: a complaint routed away meanwhile is not in the file.
    data = exports.queue_csv(user=owner, view=job.params["view"], progress=progress)
    return Result(data, f"complaints-{job.params['view']}.csv", "text/csv; charset=utf-8")


def _downloaded(actor: Actor, job: Any) -> None:
    audit_record(
        actor=actor,
        action="complaint.export",
        object_type="complaints.complaint",
        detail={"view": job.params["view"], "job": job.pk},
    )


def register_kinds() -> None:
    register(
        Kind(
            name="complaints.export",
            label=gettext_lazy("The complaint queue (CSV)"),
            prepare=_prepare,
            run=_run,
            retry=True,  # reads only
            on_download=_downloaded,
        )
    )
