"""Enrolling, ending and contacting field devices (each write checked, in one transaction,
audited). The replay of the actions a device queued is in ``sync``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpmis import access
from cpmis.accounts.models import User
from cpmis.actors import Actor, person
from cpmis.audit.services import audit_record

from .models import Device

DEVICE_TYPE = "field.device"  # the audit object type of a device (its id there is the uuid)
MAX_ACTIVE_DEVICES = 3  # an officer's phones enrolled at once (a new phone ends none itself)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _audit(actor: Actor, action: str, device: Device, **detail: object) -> None:
    audit_record(
        actor=actor, action=action, object_type=DEVICE_TYPE, object_id=device.uuid, detail=detail
    )


@dataclass(frozen=True)
class Enrolment:
    device: Device
    secret: str  # given to the phone once; the server keeps only its hash


@transaction.atomic
def device_enrol(*, actor: Actor, label: str, user_agent: str = "") -> Enrolment:
    """Enrol the browser the officer is using for offline casework."""
    officer = person(actor)
    # Child Protection Officers: the phone holds their own caseload, and their supervisor sees
    # the phone (``access.devices_supervised_by``).
    if officer is None or not access.is_cpo(actor) or not access.has_capability(actor, "case.work"):
        raise PermissionDenied(_("Only a Child Protection Officer can keep a caseload on a phone."))
    label = " ".join(label.split())[:80]
    if not label:
        raise ValidationError({"label": _("Give this phone a name you will recognise.")})
    # Lock the officer's row so that two enrolments at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=officer.pk).first()
    if Device.objects.filter(user=officer, ended_at__isnull=True).count() >= MAX_ACTIVE_DEVICES:
        raise ValidationError(
            {
                "label": _(
                    "You already use %(n)d phones offline: sign out of one of them, or ask your "
                    "supervisor to remove one, first."
                )
                % {"n": MAX_ACTIVE_DEVICES}
            }
        )
    secret = secrets.token_urlsafe(32)
    device = Device.objects.create(
        user=officer,
        label=label,
        user_agent=user_agent[:200],
        secret_hash=_hash(secret),
        enrolled_at=timezone.now(),
    )
    _audit(actor, "field.device_enrol", device)
    return Enrolment(device, secret)


def _end(actor: Actor, device: Device, reason: str, note: str = "") -> Device:
    device.ended_at = timezone.now()
    device.end_reason = reason
    device.ended_by = person(actor)
    device.end_note = note[:300]
    device.save(update_fields=["ended_at", "end_reason", "ended_by", "end_note"])
    _audit(actor, f"field.device_{reason}", device)
    return device


@transaction.atomic
def device_revoke(*, actor: Actor, device: Device, note: str = "") -> Device:
    """A supervisor removes an officer's phone (lost, stolen, handed on): the phone deletes
    its store at its next contact."""
    # the scope's query joins role assignments (DISTINCT): the row is locked by its id
    locked = (
        Device.objects.select_for_update()
        .filter(pk=device.pk, pk__in=access.devices_supervised_by(actor).values("pk"))
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("Only a supervisor of the officer's district can do this."))
    if locked.ended_at is not None:
        raise ValidationError({"__all__": _("This phone was already removed.")})
    note = " ".join(note.split())
    if not note:
        raise ValidationError({"note": _("Say why the phone is removed (lost, stolen…).")})
    return _end(actor, locked, Device.EndReason.REVOKED, note)


@transaction.atomic
def device_sign_out(*, actor: Actor, device: Device) -> Device:
    """The officer signs out on the phone: the device ends, and the phone wipes its store."""
    locked = access.devices_of(actor).select_for_update().filter(pk=device.pk).first()
    if locked is None:
        raise PermissionDenied(_("This is not one of your phones."))
    if locked.ended_at is not None:
        return locked
    return _end(actor, locked, Device.EndReason.SIGNED_OUT)


@transaction.atomic
def devices_end_for_disabled(*, actor: Actor, user: User) -> int:
    """When an account is disabled, its phones end: each wipes itself at its next contact."""
    ended = 0
    for device in Device.objects.select_for_update().filter(user=user, ended_at__isnull=True):
        _end(actor, device, Device.EndReason.ACCOUNT_DISABLED)
        ended += 1
    return ended


def wipe_reason(device: Device | None) -> str:
    """Why the phone must wipe itself ("" while it may keep its store)."""
    if device is None:
        return "unknown"
    if device.ended_at is not None:
        return str(device.end_reason)
    if not device.user.is_active:
        return str(Device.EndReason.ACCOUNT_DISABLED)
    return ""


@dataclass(frozen=True)
class Status:
    state: str  # "active" or "wipe"
    reason: str


def device_status(*, device_uuid: str, secret: str, wiped: bool = False) -> Status:
    """What a phone asks at each contact, without a session (an expired session must not keep
    a disabled account's phone from wiping). Answers only to the device's own secret; any
    other question is told to wipe, which tells it nothing."""
    device = (
        Device.objects.select_related("user").filter(uuid=device_uuid).first()
        if is_uuid(device_uuid)
        else None
    )
    if device is None or not hmac.compare_digest(device.secret_hash, _hash(secret)):
        return Status("wipe", "unknown")
    reason = wipe_reason(device)
    with transaction.atomic():
        now = timezone.now()
        fields = ["last_contact_at"]
        device.last_contact_at = now
        if reason and wiped and device.wiped_at is None:
            device.wiped_at = now
            fields.append("wiped_at")
            _audit(
                device.user if device.user.is_active else _system(),
                "field.device_wiped",
                device,
            )
        Device.objects.filter(pk=device.pk).update(**{f: now for f in fields})
    return Status("wipe" if reason else "active", reason)


def _system() -> Actor:
    from cpmis.actors import system

    return system("field-device")


def is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True


def touch(device: Device, *, synced: bool = False, at: datetime | None = None) -> None:
    """Record a contact (and a sync) of the device: what the supervisor sees."""
    now = at or timezone.now()
    values = {"last_contact_at": now, **({"last_sync_at": now} if synced else {})}
    Device.objects.filter(pk=device.pk).update(**values)
    for name, value in values.items():
        setattr(device, name, value)
