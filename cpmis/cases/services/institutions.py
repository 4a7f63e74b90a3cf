"""The directory of child care institutions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cpmis import access
from cpmis.actors import Actor
from cpmis.audit.services import audit_record

from ..models import (
    Institution,
)


@transaction.atomic
def institution_create(*, actor: Actor, **fields: Any) -> Institution:
    """Add a place to the directory (an administrator's reference data), in a district of
    the administrator's own scope."""
    if not access.has_capability(actor, "institution.manage"):
        raise PermissionDenied(_("Only an administrator keeps the directory."))
    institution = Institution(**fields)
    district_id = institution.district_id
    if (
        district_id is not None
        and not access.districts_where(actor, "institution.manage").filter(pk=district_id).exists()
    ):
        raise PermissionDenied(_("You keep the directory of your own province or district only."))
    if institution.age_min > institution.age_max:
        raise ValidationError({"age_min": _("The youngest age accepted is above the oldest.")})
    institution.full_clean()
    institution.save()
    audit_record(
        actor=actor,
        action="institution.create",
        object_type="cases.institution",
        object_id=institution.pk,
    )
    return institution
