"""What is known about the offence: perpetrators and the other bodies' references."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cpmis.actors import Actor

from ..models import (
    Case,
    CaseReference,
    Perpetrator,
)
from ..workflow import stages_of
from ._common import _begin, _new_version


def _touch(actor: Actor, case: Case, action: str, detail: dict[str, Any]) -> None:
    """A new version for a change that records no event of the case."""
    _new_version(actor, case, action, detail)


@transaction.atomic
def perpetrator_add(
    *,
    actor: Actor,
    case: Case,
    relationship: str,
    sex: str,
    age_band: str,
    number: int = 1,
    version: int | None = None,
) -> Perpetrator:
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("perpetrator"),
        action=pgettext("case action", "add a perpetrator to"),
    )
    perpetrator = Perpetrator(
        case=case, relationship=relationship, sex=sex, age_band=age_band, number=number
    )
    perpetrator.full_clean()
    perpetrator.save()
    _touch(actor, case, "case.perpetrator_added", {"perpetrator": perpetrator.pk})
    return perpetrator


@transaction.atomic
def reference_add(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    number: str,
    authority: str = "",
    version: int | None = None,
) -> CaseReference:
    """The police FIR, FIA or court number of the same matter (links to department data)."""
    case = _begin(
        actor,
        case,
        version,
        stages=stages_of("reference"),
        action=pgettext("case action", "add a number to"),
    )
    reference = CaseReference(case=case, kind=kind, number=number.strip(), authority=authority)
    reference.full_clean()
    if CaseReference.objects.filter(case=case, kind=kind, number=reference.number).exists():
        raise ValidationError({"number": _("This reference is already recorded.")})
    reference.save()
    _touch(actor, case, "case.reference_added", {"reference": reference.pk})
    return reference
