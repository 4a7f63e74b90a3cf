"""The kinds of job, registered by the apps whose work they are (the report registers its
DOCX and PDF), so that this app imports none of them.

A kind says who may ask for it and checks its input (``prepare``), does the work (``run``,
reporting its progress and leaving nothing half-written if it fails), and whether it may be
run again after its worker died mid-way (``retry``: true only for work that writes nothing
but its result, or writes in one transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError

from cpmis import access
from cpmis.actors import SystemActor

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from cpmis.actors import Actor

    from .models import Job
    from .progress import Progress


@dataclass(frozen=True)
class Result:
    """What a job made: a file a person downloads, and/or the page (a path in cpmis) that
    shows its outcome (a submission's report)."""

    data: bytes = b""
    name: str = ""
    content_type: str = ""
    link: str = ""


@dataclass(frozen=True)
class Prepared:
    """A request for a job, checked: its input as stored, and the key under which a finished
    result can be served again (empty: never)."""

    params: dict[str, Any]
    result_key: str = ""
    label: str = ""  # what the job is about, for its page ("Annual report 2025, PDF")
    payload: bytes | None = None  # the file the job works on, if any


@dataclass(frozen=True)
class Kind:
    name: str
    label: StrOrPromise  # what a person reads (``gettext_lazy``: in the reader's language)
    # (actor, raw input) → Prepared; raises PermissionDenied, NotFound or ValidationError.
    prepare: Callable[[Actor, dict[str, Any]], Prepared]
    # (job, progress) → its file, or None; runs in a worker, as the job's owner.
    run: Callable[[Job, Progress], Result | None]
    retry: bool = False
    max_attempts: int = 3
    # Called when a person downloads the result (an export leaving cpmis is audited).
    on_download: Callable[[Actor, Job], None] | None = None
    # Asked for only by its app's own service (which checked the rest), never through the
    # jobs API: a department's batch, the relinking a review decision needs.
    internal: bool = False


def system_or(capability: str) -> Any:
    """A kind's check: the scheduler (the system) may ask for it, and so may a person who
    holds ``capability`` (an administrator's "run now")."""

    def prepare(actor: Actor, raw: dict[str, Any]) -> Prepared:
        if not isinstance(actor, SystemActor) and not access.has_capability(actor, capability):
            raise PermissionDenied("You cannot start this job.")
        return Prepared({})

    return prepare


def active_owner(job: Job, message: str) -> Any:
    """The person a job runs as, if their account is still active; else the job fails with
    ``message`` (a job does nothing for an account closed since it was asked for)."""
    owner = job.owner
    if owner is None or not owner.is_active:
        raise ValidationError(message)
    return owner


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.name in _KINDS and _KINDS[kind.name] != kind:
        raise ValueError(f"job kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> Kind | None:
    return _KINDS.get(name)


def names(*, public: bool = False) -> list[str]:
    """The kinds registered (``public``: those the jobs API may be asked for)."""
    return sorted(name for name, kind in _KINDS.items() if not (public and kind.internal))
