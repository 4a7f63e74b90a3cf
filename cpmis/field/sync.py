"""Replaying what a phone recorded offline, through the same services as the pages.

Each queued action comes with an idempotency key, the case version the phone had, the time the
officer gave (the field time) and the phone's clock when it was queued. The server keeps a
receipt (``FieldAction``) for every key, whatever becomes of it, so nothing an officer recorded
is lost; the time received is the receipt's, and the event's ``recorded_at``.

- The same key again: the receipt answers (``duplicate`` when it was applied); nothing changes.
  The same key with other content: refused, the receipt untouched.
- A case changed by someone else since the phone's version: a ``conflict``, not applied; the
  officer sees the changes and decides (``resolve``): record theirs anyway, or set it aside.
  The versions this phone's own earlier actions made are not changes by someone else.
- An action behind a conflict on the same case is ``held`` until that one is decided.
- A phone whose clock is more than five minutes off: nothing is applied (``ClockOff``).
- Everything else is decided by the case services, exactly as for the page's forms: the input
  serializers of the API, the stages, the safeguards, the audit (each audit event carries the
  device, the key and the phone's times under "through").
"""

from __future__ import annotations

import hashlib
import uuid as uuid_lib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpmis import access
from cpmis.accounts.models import User
from cpmis.audit import context as audit_context
from cpmis.audit import versioning
from cpmis.audit.services import audit_record
from cpmis.cases import services as case_services
from cpmis.cases.api import ACTIONS, CaseCreateSerializer
from cpmis.cases.models import Case, EventKind
from cpmis.core.errors import Conflict
from cpmis.core.forms import serializer_errors
from cpmis.people import services as people_services
from cpmis.people.api import ChildInputSerializer

from . import services
from .models import Device, FieldAction

MAX_ACTIONS = 50  # a request's actions (the phone sends its queue in batches)
# What a phone's registration form may give about a child (the rest is the office's work).
CHILD_FIELDS = (
    "name_latin",
    "name_urdu",
    "sex",
    "date_of_birth",
    "estimated_age_years",
    "district",
    "guardian_relation",
    "guardian_name_latin",
    "guardian_name_urdu",
    "address",
    "locality",
    "contact_name",
    "contact_phone",
)
# Changes that are not events, as the officer reads them.
CHANGE_LABELS = {
    "perpetrator_added": gettext_lazy("Alleged perpetrator recorded"),
    "reference_added": gettext_lazy("FIR, FIA or court number added"),
    "event_corrected": gettext_lazy("Time of an event corrected"),
    versioning.UNRECORDED: gettext_lazy("Changed"),
}


class ClockOff(Exception):
    """The phone's clock is off: its times cannot be trusted, so nothing is applied."""

    def __init__(self, skew_seconds: int) -> None:
        super().__init__(skew_seconds)
        self.skew_seconds = skew_seconds

    @property
    def message(self) -> str:
        minutes = round(abs(self.skew_seconds) / 60)
        hours, rest = divmod(minutes, 60)
        span = (
            _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
            if hours
            else _("%(minutes)d min") % {"minutes": minutes}
        )
        if self.skew_seconds > 0:  # the server is ahead: the phone is behind
            text = _("This phone's clock is %(span)s behind the correct time.")
        else:
            text = _("This phone's clock is %(span)s ahead of the correct time.")
        return " ".join(
            [
                text % {"span": span},
                _(
                    "Nothing was sent. Set the phone's date and time, check the times of the "
                    "actions waiting, and sync again."
                ),
            ]
        )


class DeviceEnded(Exception):
    """The phone was removed, signed out, or its account disabled: it must wipe itself."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Action:
    """One queued action as the API read it (see ``api.ActionInput``)."""

    key: uuid_lib.UUID
    seq: int
    kind: str
    case: uuid_lib.UUID
    base_version: int | None
    field_time: datetime
    queued_at: datetime
    data: dict[str, Any]

    def digest(self) -> str:
        canonical = orjson.dumps(
            {
                "kind": self.kind,
                "case": str(self.case),
                "base_version": self.base_version,
                "field_time": self.field_time.isoformat(),
                "queued_at": self.queued_at.isoformat(),
                "data": self.data,
            },
            option=orjson.OPT_SORT_KEYS,
        )
        return hashlib.sha256(canonical).hexdigest()


@dataclass
class Result:
    key: str
    status: str
    message: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    case: str = ""
    version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status,
            "message": self.message,
            "errors": self.errors,
            "changes": self.changes,
            "case": self.case,
            "version": self.version,
        }


DUPLICATE = "duplicate"  # a status of a result, never of a receipt


def active_device(actor: User, device_uuid: str) -> Device:
    """The actor's own device named by the phone; ``DeviceEnded`` when it must wipe."""
    device = (
        access.devices_of(actor).select_related("user").filter(uuid=device_uuid).first()
        if services.is_uuid(device_uuid)
        else None
    )
    reason = services.wipe_reason(device)
    if reason:
        raise DeviceEnded(reason)
    assert device is not None
    return device


def check_clock(device_now: datetime) -> None:
    skew = (timezone.now() - device_now).total_seconds()
    if abs(skew) > case_services.CLOCK_SKEW.total_seconds():
        raise ClockOff(int(skew))


def sync(
    *, actor: User, device: Device, device_now: datetime, actions: list[Action]
) -> list[Result]:
    """Apply ``actions`` in the phone's order, each in its own transaction."""
    if len(actions) > MAX_ACTIONS:
        raise ValidationError(
            {"actions": _("Send at most %(n)d actions at once.") % {"n": MAX_ACTIONS}}
        )
    check_clock(device_now)
    results = [_one(actor, device, a, device_now) for a in actions]
    services.touch(device, synced=True)
    return results


def _one(actor: User, device: Device, action: Action, device_now: datetime) -> Result:
    digest = action.digest()
    with transaction.atomic():
        receipt, new = _receipt(actor, device, action, digest)
        if not new:
            answer = _answer_known(actor, device, receipt, action, digest)
            if answer is not None:
                return answer
        result = _decide(actor, device, receipt, action, device_now)
        _store(actor, receipt, result)
        return result


def _receipt(actor: User, device: Device, action: Action, digest: str) -> tuple[FieldAction, bool]:
    """The receipt of ``action.key``, locked; made now (as "held") when it is new. A key sent
    twice at once waits here for the first to be decided."""
    try:
        with transaction.atomic():
            return (
                FieldAction.objects.create(
                    key=action.key,
                    device=device,
                    user=actor,
                    seq=action.seq,
                    kind=action.kind,
                    case_uuid=action.case,
                    base_version=action.base_version,
                    field_time=action.field_time,
                    queued_at=action.queued_at,
                    received_at=timezone.now(),
                    digest=digest,
                    data=action.data,
                    status=FieldAction.Status.HELD,
                ),
                True,
            )
    except IntegrityError:
        return FieldAction.objects.select_for_update().get(key=action.key), False


def _answer_known(
    actor: User, device: Device, receipt: FieldAction, action: Action, digest: str
) -> Result | None:
    """What a key seen before answers, or None when it is to be decided again (a conflict or
    an action held, sent again after the officer's decision)."""
    key = str(receipt.key)
    if receipt.user_id != actor.pk or receipt.device_id != device.pk or receipt.digest != digest:
        return Result(  # nothing of the receipt is told: it may be another phone's
            key,
            FieldAction.Status.REFUSED,
            _(
                "This action was changed after it was first sent, or its id was used for "
                "another: it was not recorded. Record it again."
            ),
            case=str(action.case),
        )
    if receipt.status == FieldAction.Status.APPLIED:
        return Result(
            key,
            DUPLICATE,
            _("Already recorded: nothing changed."),
            case=str(receipt.case_uuid),
            version=receipt.result_version,
        )
    if receipt.status in {FieldAction.Status.REFUSED, FieldAction.Status.DISCARDED}:
        stored = receipt.outcome or {}
        return Result(
            key,
            receipt.status,
            stored.get("message", ""),
            errors=stored.get("errors", {}),
            case=str(receipt.case_uuid),
        )
    return None


def _decide(
    actor: User,
    device: Device,
    receipt: FieldAction,
    action: Action,
    device_now: datetime,
    *,
    overrule: bool = False,
) -> Result:
    key, case_id = str(action.key), str(action.case)
    skew = case_services.CLOCK_SKEW
    if action.queued_at > device_now + skew:
        return _refused(
            key,
            case_id,
            _(
                "The phone's clock was set back after this was recorded, so its time cannot be "
                "trusted: it was not recorded. Check the time and record it again."
            ),
        )
    if action.field_time > action.queued_at + skew:
        return _refused(
            key,
            case_id,
            _("The time given is after the moment it was recorded on the phone."),
            {"occurred_at": [_("This date is in the future.")]},
        )
    if not overrule and _behind_conflict(device, receipt):
        return Result(
            key,
            FieldAction.Status.HELD,
            _("Waits for your decision on an earlier action for this case."),
            case=case_id,
        )
    through = {
        "device": str(device.uuid),
        "key": key,
        "queued_at": action.queued_at.isoformat(),
        "received_at": receipt.received_at.isoformat(),
        **({"decided": "record anyway"} if overrule else {}),
    }
    with audit_context.through(**through):
        if action.kind == FieldAction.Kind.REGISTER:
            return _register(actor, receipt, action)
        return _case_action(actor, device, receipt, action, overrule=overrule)


def _refused(
    key: str, case_id: str, message: str, errors: dict[str, list[str]] | None = None
) -> Result:
    return Result(key, FieldAction.Status.REFUSED, message, errors=errors or {}, case=case_id)


def _behind_conflict(device: Device, receipt: FieldAction) -> bool:
    return (
        FieldAction.objects.filter(
            device=device,
            case_uuid=receipt.case_uuid,
            seq__lt=receipt.seq,
            status__in=[FieldAction.Status.CONFLICT, FieldAction.Status.HELD],
        )
        .exclude(pk=receipt.pk)
        .exists()
    )


def _messages(errors: dict[str, list[str]]) -> str:
    return " ".join(str(m) for problems in errors.values() for m in problems)


def _run(key: str, case_id: str, call: Any, **kwargs: Any) -> tuple[Any, Result | None]:
    """Call a service in its own savepoint; its refusal is the officer's message."""
    try:
        with transaction.atomic():
            return call(**kwargs), None
    except ValidationError as exc:
        errors = getattr(exc, "message_dict", {"__all__": exc.messages})
        return None, _refused(key, case_id, _messages(errors), errors)
    except PermissionDenied as exc:
        return None, _refused(key, case_id, str(exc))


def _case_action(
    actor: User, device: Device, receipt: FieldAction, action: Action, *, overrule: bool
) -> Result:
    key, case_id = str(action.key), str(action.case)
    case = access.cases_workable_by(actor).filter(uuid=action.case, assigned_to=actor).first()
    if case is None:
        return _refused(
            key,
            case_id,
            _(
                "This case is no longer in your caseload (it was transferred, closed or given "
                "to another officer): this was not recorded on it. What you recorded stays on "
                "this phone's Sync page until you set it aside: copy what the case needs and "
                "tell your supervisor."
            ),
        )
    receipt.case = case
    if not overrule:
        others = _changes_by_others(device, case, receipt)
        if others:
            return Result(
                key,
                FieldAction.Status.CONFLICT,
                _(
                    "This case was changed after your copy was made: see what changed, then "
                    "record yours anyway or set it aside."
                ),
                changes=others,
                case=case_id,
                version=case.version,
            )
    spec = ACTIONS[action.kind]
    # null is "not given" (the phone sends every field of its form)
    values = {
        k: v
        for k, v in action.data.items()
        if v is not None and k not in {"version", "occurred_at"}
    }
    form = spec.input(
        data={**values, "version": case.version, "occurred_at": action.field_time.isoformat()}
    )
    if not form.is_valid():
        errors = serializer_errors(form)
        return _refused(key, case_id, _messages(errors), errors)
    try:
        _done, refused = _run(
            key,
            case_id,
            spec.service,
            actor=actor,
            case=case,
            **spec.fixed,
            **dict(form.validated_data),
        )
    except Conflict:  # changed between the check and the lock: decided again at the next sync
        return Result(
            key,
            FieldAction.Status.HELD,
            _("The case was being changed at the same moment: this will be sent again."),
            case=case_id,
        )
    if refused is not None:
        return refused
    case.refresh_from_db(fields=["version"])
    return Result(
        key, FieldAction.Status.APPLIED, _("Recorded."), case=case_id, version=case.version
    )


def _changes_by_others(device: Device, case: Case, receipt: FieldAction) -> list[dict[str, Any]]:
    """The versions of ``case`` after the one the phone had that neither this phone's own
    actions made nor the officer saw when deciding on an earlier conflict on this case, as the
    officer reads them."""
    earlier = FieldAction.objects.filter(device=device, case=case).exclude(pk=receipt.pk)
    own = set(
        earlier.filter(status=FieldAction.Status.APPLIED).values_list("result_version", flat=True)
    )
    seen = [
        int(o["seen_version"])
        for o in earlier.filter(seq__lt=receipt.seq, decided_at__isnull=False).values_list(
            "outcome", flat=True
        )
        if isinstance(o, dict) and isinstance(o.get("seen_version"), int)
    ]
    base_version = max([receipt.base_version or 0, *seen])
    changes = [
        c
        for c in versioning.changes_since(
            case, base_version, object_type=case_services.CASE_TYPE, object_id=case.uuid
        )
        if c.version not in own
    ]
    users = {
        u.username: (u.get_full_name().strip() or u.username)
        for u in User.objects.filter(username__in={c.by for c in changes if c.by})
    }
    return [
        {
            "version": c.version,
            "kind": c.action.removeprefix("case."),
            "label": _change_label(c.action.removeprefix("case.")),
            "at": c.at.isoformat() if c.at else None,
            "by": users.get(c.by, c.by) if c.by else "",
        }
        for c in changes
    ]


def _change_label(kind: str) -> str:
    if kind in EventKind.values:
        return str(EventKind(kind).label)
    return str(CHANGE_LABELS.get(kind, CHANGE_LABELS[versioning.UNRECORDED]))


def _register(actor: User, receipt: FieldAction, action: Action) -> Result:
    key, case_id = str(action.key), str(action.case)
    data = action.data
    child_data = data.get("child")
    if not isinstance(child_data, dict):
        return _refused(key, case_id, _("The child's details are missing."))
    try:
        child_uuid = uuid_lib.UUID(str(child_data.get("uuid", "")))
    except ValueError:
        return _refused(key, case_id, _("The child's details are missing."))
    child_form = ChildInputSerializer(
        data={k: child_data[k] for k in CHILD_FIELDS if k in child_data}
    )
    case_form = CaseCreateSerializer(
        data={
            "child": str(child_uuid),
            "initial_risk": data.get("initial_risk"),
            "concerns": data.get("concerns"),
            "note": data.get("note", ""),
            "opened_at": action.field_time.isoformat(),
        }
    )
    errors: dict[str, list[str]] = {}
    if not child_form.is_valid():
        errors.update(serializer_errors(child_form))
    if not case_form.is_valid():
        errors.update({k: v for k, v in serializer_errors(case_form).items() if k not in {"child"}})
    if errors:
        return _refused(key, case_id, _messages(errors), errors)

    def register() -> Case:
        child = people_services.child_register(
            actor=actor, uuid=child_uuid, **dict(child_form.validated_data)
        )
        values = dict(case_form.validated_data)
        values.pop("child")
        return case_services.case_open(actor=actor, child=child, uuid=action.case, **values)

    case, refused = _run(key, case_id, register)
    if refused is not None:
        return refused
    receipt.case = case
    return Result(
        key, FieldAction.Status.APPLIED, _("Recorded."), case=case_id, version=case.version
    )


def _store(
    actor: User, receipt: FieldAction, result: Result, *, seen_version: int | None = None
) -> None:
    receipt.status = result.status
    receipt.outcome = {
        "message": result.message,
        "errors": result.errors,
        "changes": result.changes,
        # the case's version when the officer decided on a conflict: what they had seen
        **({"seen_version": seen_version} if seen_version is not None else {}),
    }
    receipt.result_version = result.version if result.status == "applied" else None
    receipt.save(update_fields=["status", "outcome", "result_version", "case", "decided_at"])
    if result.status != FieldAction.Status.APPLIED:
        # the applied ones are audited by the case services, with the device and the key
        audit_record(
            actor=actor,
            action=f"field.action_{result.status}",
            object_type="field.action",
            object_id=receipt.key,
            detail={"kind": receipt.kind, "case": str(receipt.case_uuid), "seq": receipt.seq},
        )


@transaction.atomic
def resolve(*, actor: User, device: Device, key: uuid_lib.UUID, decision: str) -> Result:
    """The officer's decision on a conflict: record theirs anyway (through the same services,
    on the case as it now is), or set it aside (kept in the receipt, never applied)."""
    receipt = (
        FieldAction.objects.select_for_update().filter(key=key, device=device, user=actor).first()
    )
    if receipt is None:
        raise ValidationError({"key": _("No action of this phone has this id.")})
    if receipt.status != FieldAction.Status.CONFLICT:
        raise ValidationError(
            {
                "key": _("This action is not waiting for your decision (it is “%(status)s”).")
                % {"status": receipt.get_status_display()}
            }
        )
    if decision not in {"apply", "discard"}:
        raise ValidationError({"decision": _("Choose to record yours anyway or to set it aside.")})
    receipt.decided_at = timezone.now()
    seen = receipt.case.version if receipt.case is not None else None
    if decision == "discard":
        result = Result(
            str(receipt.key),
            FieldAction.Status.DISCARDED,
            _("Set aside: not recorded on the case. What you recorded is kept."),
            case=str(receipt.case_uuid),
        )
    else:
        action = Action(
            key=receipt.key,
            seq=receipt.seq,
            kind=receipt.kind,
            case=receipt.case_uuid,
            base_version=receipt.base_version,
            field_time=receipt.field_time,
            queued_at=receipt.queued_at,
            data=receipt.data,
        )
        result = _decide(actor, device, receipt, action, timezone.now(), overrule=True)
    _store(actor, receipt, result, seen_version=seen)
    return result


def touched_cases(actor: User, results: list[Result]) -> tuple[list[Case], list[str]]:
    """The cases the results name that the phone may hold now, and those it must drop."""
    from .pack import caseload

    named = {r.case for r in results if r.case}
    kept = list(caseload(actor).filter(uuid__in=[u for u in named if services.is_uuid(u)]))
    kept_ids = {str(c.uuid) for c in kept}
    return kept, sorted(named - kept_ids)


__all__ = [
    "MAX_ACTIONS",
    "Action",
    "ClockOff",
    "DeviceEnded",
    "Result",
    "active_device",
    "check_clock",
    "resolve",
    "sync",
    "touched_cases",
]
