"""Writes of the indicators: the DHIS2 mapping (administrators), and the audit of every export
of figures (who took which table, in which format)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cpmis import access
from cpmis.actors import Actor, person
from cpmis.audit.services import audit_record

from . import dhis2
from .models import Dhis2Mapping


@transaction.atomic
def dhis2_mapping_set(*, actor: Actor, config: Any, note: str = "") -> Dhis2Mapping:
    if not access.has_capability(actor, "indicators.configure"):
        raise PermissionDenied(_("Only an administrator changes the DHIS2 mapping."))
    problems = dhis2.mapping_problems(config)
    if problems:
        raise ValidationError({"config": problems})
    version = (Dhis2Mapping.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    mapping = Dhis2Mapping.objects.create(
        version=version,
        config=config,
        note=note[:200],
        created_by=person(actor),
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="indicators.dhis2_mapping_set",
        object_type="indicators.dhis2mapping",
        object_id=mapping.pk,
        detail={"version": version, "data_elements": len(config["dataElements"])},
    )
    return mapping


def dhis2_mapping_current() -> dict[str, Any]:
    """The mapping in force: the latest saved version, else the example shipped with cpmis."""
    latest = Dhis2Mapping.objects.order_by("-version").first()
    return dict(latest.config) if latest else dhis2.example_mapping()


@transaction.atomic
def export_audit(*, actor: Actor, what: str, fmt: str, detail: dict[str, Any]) -> None:
    """Figures leaving cpmis are recorded: aggregates only, but who took what is asked."""
    audit_record(
        actor=actor,
        action="indicators.export",
        object_type="indicators.table",
        object_id=what[:100],
        detail={"format": fmt, **detail},
    )
