"""Moving a case between districts (a transfer waits for the receiving district's
supervisor) and referring a child to another service."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cpmis import access
from cpmis.accounts.models import User
from cpmis.actors import Actor, person
from cpmis.notifications.models import Notification, place
from cpmis.notifications.services import notify
from cpmis.reference.models import District

from ..models import (
    Case,
    EventKind,
    Institution,
    Stage,
    Transfer,
)
from ..workflow import stages_of
from ._common import (
    _begin,
    _case_link,
    _check_chosen_officer,
    _check_officer,
    _check_officer_works_here,
    _record,
    _tell_officer,
)
from .protection import _check_institution_near


def _pending_transfer(case: Case) -> Transfer | None:
    return case.transfers.filter(status=Transfer.Status.PENDING).first()


@transaction.atomic
def transfer_request(
    *, actor: Actor, case: Case, to_district: District, reason: str, version: int | None = None
) -> Transfer:
    """Ask the CPU of another district (or jurisdiction) to take the case over. The case stays
    with the sending district until the receiving supervisor accepts."""
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("transfer"),
        action=pgettext("case action", "transfer"),
    )
    if to_district.pk == case.district_id:
        raise ValidationError({"to_district": _("The case is already in this district.")})
    if _pending_transfer(case) is not None:
        raise ValidationError({"to_district": _("A transfer of this case is already waiting.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case moves.")})
    receivers = list(access.supervisors_of(to_district))
    if not receivers:
        raise ValidationError(
            {
                "to_district": _(
                    "%(district)s has no CPU supervisor in cpmis to accept the case: ask an "
                    "administrator, or choose another district."
                )
                % {"district": to_district.name_en}
            }
        )
    now = timezone.now()
    transfer = Transfer.objects.create(
        case=case,
        from_district_id=case.district_id,
        to_district=to_district,
        reason=reason.strip()[:2000],
        requested_by=person(actor),
        requested_at=now,
    )
    _record(
        actor,
        case,
        EventKind.TRANSFER_REQUESTED,
        now,
        details={"to_district": to_district.pk, "transfer": transfer.pk},
        note=reason,
    )
    notify(
        users=receivers,
        kind=Notification.Kind.TRANSFER_REQUESTED,
        params={"number": case.number, "district": place(case.district)},
        link=_transfers_link(),
    )
    return transfer


@transaction.atomic
def transfer_withdraw(
    *, actor: Actor, case: Case, note: str = "", version: int | None = None
) -> Transfer:
    """The sending side takes back a request nobody has answered (the family did not move
    after all, or nobody in the receiving district can answer)."""
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("withdraw-transfer"),
        action=pgettext("case action", "withdraw"),
    )
    transfer = (
        case.transfers.select_for_update(of=("self",))
        .filter(status=Transfer.Status.PENDING)
        .select_related("to_district")
        .first()
    )
    if transfer is None:
        raise ValidationError(
            {"__all__": _("No transfer of this case is waiting: nothing to withdraw.")}
        )
    _transfer_closed(
        actor, case, transfer, Transfer.Status.WITHDRAWN, EventKind.TRANSFER_WITHDRAWN, note
    )
    notify(
        users=access.supervisors_of(transfer.to_district),
        kind=Notification.Kind.TRANSFER_WITHDRAWN,
        params={"number": case.number, "district": place(case.district)},
    )
    return transfer


def _transfer_closed(
    actor: Actor, case: Case, transfer: Transfer, status: str, kind: str, note: str
) -> None:
    """A request ends without the case moving (declined, withdrawn): the transfer says who
    ended it and why, and the case's timeline records it."""
    now = timezone.now()
    transfer.status = status
    transfer.decided_by = person(actor)
    transfer.decided_at = now
    transfer.decision_note = note.strip()[:4000]
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record(
        actor,
        case,
        kind,
        now,
        details={"transfer": transfer.pk, "to_district": transfer.to_district_id},
        note=note,
    )


def _transfers_link() -> str:
    from django.urls import reverse

    return reverse("cases:transfers")


@transaction.atomic
def transfer_decide(
    *,
    actor: Actor,
    transfer: Transfer,
    accept: bool,
    officer: User | None = None,
    note: str = "",
) -> Transfer:
    """The receiving supervisor accepts or declines (with a reason). From acceptance on, the
    case is in the new district and its clocks follow the law of the new jurisdiction. Both
    sides are notified."""
    locked = (
        access.transfers_waiting_for(actor)
        .select_for_update(of=("self",))
        .filter(pk=transfer.pk)
        .select_related("to_district__jurisdiction", "from_district")
        .first()
    )
    if locked is None:
        done = Transfer.objects.filter(pk=transfer.pk).exclude(status=Transfer.Status.PENDING)
        if done.exists():
            raise ValidationError(
                {"accept": _("This transfer was already answered: nothing was changed.")}
            )
        raise PermissionDenied(_("Only a supervisor of the receiving district can answer."))
    transfer = locked
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("child", "jurisdiction", "district")
        .get(pk=transfer.case_id)
    )
    if case.stage not in stages_of("transfer"):
        raise ValidationError(
            {
                "accept": _(
                    "The case is now at the stage “%(stage)s”: it can no longer be transferred. "
                    "Ask the sending district to withdraw the request."
                )
                % {"stage": case.get_stage_display()}
            }
        )
    sending_side = [transfer.requested_by, case.assigned_to, *access.supervisors_of(case.district)]
    if not accept:
        if not note.strip():
            raise ValidationError({"note": _("Say why the transfer is declined.")})
        _transfer_closed(
            actor, case, transfer, Transfer.Status.DECLINED, EventKind.TRANSFER_REFUSED, note
        )
        notify(
            users=sending_side,
            kind=Notification.Kind.TRANSFER_DECLINED,
            params={
                "number": case.number,
                "district": place(case.district),
                "to_district": place(transfer.to_district),
            },
            link=_case_link(case),
        )
        return transfer
    now = timezone.now()
    transfer.decided_by = person(actor)
    transfer.decided_at = now
    transfer.decision_note = note.strip()[:4000]
    target = transfer.to_district
    details = {
        "from_district": case.district_id,
        "to_district": target.pk,
        "from_jurisdiction": case.jurisdiction_id,
        "to_jurisdiction": target.jurisdiction_id,
        "transfer": transfer.pk,
    }
    case.district = target
    case.jurisdiction = target.jurisdiction
    case.assigned_to = None
    case.assigned_at = None
    if officer is not None:
        _check_officer_works_here(officer, case)
        _check_officer(case, officer)
        _check_chosen_officer(case, officer)
        case.assigned_to = officer
        case.assigned_at = now
    case.save(update_fields=["district", "jurisdiction", "assigned_to", "assigned_at"])
    child = case.child
    others_open_here = (
        Case.objects.filter(child=child, district_id=details["from_district"])
        .exclude(pk=case.pk)
        .exclude(stage=Stage.CLOSED)
        .exists()
    )
    if not others_open_here:
        # the child is now known to the receiving district; while another case of the child
        # stays open in the sending district, the child stays there too (its officers keep
        # reading the child's record for that case)
        child.district = target
        child.owner = None
        child.save(update_fields=["district", "owner"])
    transfer.status = Transfer.Status.ACCEPTED
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record(actor, case, EventKind.TRANSFER_ACCEPTED, now, details=details, note=note)
    notify(
        users=sending_side,
        kind=Notification.Kind.TRANSFER_ACCEPTED,
        params={"number": case.number, "to_district": place(target)},
    )
    if officer is not None:
        _tell_officer(case, officer)
    return transfer


@transaction.atomic
def referral_make(
    *,
    actor: Actor,
    case: Case,
    service: str,
    institution: Institution | None = None,
    follow_up_on: datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """Refer the child to a service (health, education, legal aid, shelter, psychosocial…)."""
    case = _begin(
        actor, case, version, stages=stages_of("refer"), action=pgettext("case action", "refer")
    )
    if not service.strip():
        raise ValidationError({"service": _("Name the service.")})
    details: dict[str, Any] = {"service": service[:100]}
    if institution is not None:
        _check_institution_near(case, institution)
        details["institution"] = institution.pk
    if follow_up_on is not None:
        if (
            not timezone.now() - timedelta(days=1)
            <= follow_up_on
            <= timezone.now() + timedelta(days=2 * 366)
        ):
            raise ValidationError(
                {"follow_up_on": _("Plan the follow-up between today and two years from now.")}
            )
        details["follow_up_on"] = follow_up_on.isoformat()
    _record(actor, case, EventKind.REFERRED, timezone.now(), details=details, note=note)
    return case
