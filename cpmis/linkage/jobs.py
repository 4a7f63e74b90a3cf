"""Linkage as background jobs: a run of every waiting department record (the schedule's, or
an administrator's "run now"), and the records a reviewer's decision sends back to the model
("a different child", an undone link), linked again after the decision is committed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy, gettext_noop

from cpmis import access
from cpmis.actors import LINKAGE, Actor
from cpmis.jobs.kinds import Kind, Prepared, register, system_or

from . import services

# A job's stages, the names of its counts and its messages are stored in English and shown
# in the reader's language by the job's page (cpmis/jobs/views.py): marked here.
COUNTED = (
    gettext_noop("records"),
    gettext_noop("linked"),
    gettext_noop("new children"),
    gettext_noop("review"),
    gettext_noop("waiting"),
)


def _run(job: Any, progress: Any) -> None:
    progress.update(gettext_noop("linking waiting records"))
    run = services.records_link(actor=LINKAGE)
    progress.update(
        "done",
        records=run.records,
        linked=run.linked,
        new_children=run.new_children,
        review=run.review,
        waiting=run.waiting,
    )


MAX_RELINKED = 10_000  # records one decision sends back (a review group is a handful)


def _prepare_relink(actor: Actor, raw: dict[str, Any]) -> Prepared:
    if not access.has_capability(actor, "linkage.review"):
        raise PermissionDenied("You cannot decide linkage.")
    records = raw.get("records")
    if (
        not isinstance(records, list)
        or not 0 < len(records) <= MAX_RELINKED
        or not all(isinstance(r, int) and not isinstance(r, bool) and r > 0 for r in records)
    ):
        raise ValidationError({"records": ["A list of department record ids."]})
    wanted = sorted(set(records))
    return Prepared({"records": wanted}, label=f"{len(wanted)} record(s)")


def _run_relink(job: Any, progress: Any) -> None:
    owner = job.owner
    if owner is None or not access.has_capability(owner, "linkage.review"):
        raise ValidationError(
            gettext_noop("The reviewer who decided can no longer decide linkage.")
        )
    progress.update(gettext_noop("linking again"))
    run = services.records_link(actor=owner, records=job.params["records"])
    progress.update("done", linked=run.linked, new_children=run.new_children, review=run.review)


def register_kinds() -> None:
    register(
        Kind(
            name="linkage.relink",
            label=gettext_lazy("Linking again after a decision"),
            prepare=_prepare_relink,
            run=_run_relink,
            # Asked for by a decision's service (which checked the decision), never directly.
            internal=True,
            retry=True,  # it links what is still unlinked: running it twice changes nothing
        )
    )
    register(
        Kind(
            name="linkage.run",
            label=gettext_lazy("Linkage of waiting department records"),
            prepare=system_or("linkage.manage"),
            run=_run,
            retry=False,  # the next scheduled run picks up whatever is still waiting
        )
    )
