"""The records behind each indicator, described for a reader of a published table: where the
figures come from (in words, not the source's code), and whether cpmis holds any record of that
kind for a period at all, which tells a true zero from a figure that cannot be produced yet.

Texts are in English and translated where they are shown (``gettext`` at the call); the report
to the Committee prints them in English.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

from cpmis import access
from cpmis.actors import Actor

from .facts import Window, _period_q, source

# Where the figures come from.
DESCRIPTIONS: dict[str, str] = {
    "complaints": gettext_noop(
        "complaints registered in cpmis from every channel (complaint offices, helplines, "
        "complaint boxes and the online form)"
    ),
    "cases": gettext_noop("case records of the child protection units, kept in cpmis"),
    "production": gettext_noop(
        "the legal deadlines of case records in cpmis (production before the court)"
    ),
    "decision": gettext_noop(
        "the legal deadlines of case records in cpmis (the court's decision on a case)"
    ),
    "placements": gettext_noop("placements recorded in the case records of cpmis"),
    "services": gettext_noop("referrals to services recorded in the case records of cpmis"),
    "follow_up": gettext_noop("follow-up visits recorded in the case records of cpmis"),
    "justice": gettext_noop(
        "police, FIA and court records received from the departments through the data exchange"
    ),
    "justice_offences": gettext_noop(
        "police, FIA and court records received from the departments through the data "
        "exchange, by the offences they cite"
    ),
    "legal_requests": gettext_noop(
        "the register of extradition and mutual legal assistance requests kept in cpmis"
    ),
    "trainings": gettext_noop("the register of prevention activities kept in cpmis"),
    "training_participants": gettext_noop("the register of prevention activities kept in cpmis"),
    "awareness_events": gettext_noop("the register of prevention activities kept in cpmis"),
    "awareness_participants": gettext_noop("the register of prevention activities kept in cpmis"),
    "materials": gettext_noop("the register of prevention activities kept in cpmis"),
}

# Why a table of that source has no figure at all for a period.
MISSING: dict[str, str] = {
    "complaints": gettext_noop("cpmis holds no complaint received in %(period)s"),
    "cases": gettext_noop("cpmis holds no case opened in %(period)s"),
    "production": gettext_noop("no case record in cpmis has a deadline due in %(period)s"),
    "decision": gettext_noop("no case record in cpmis has a deadline due in %(period)s"),
    "placements": gettext_noop("no placement in %(period)s is recorded in cpmis"),
    "services": gettext_noop("no referral to a service in %(period)s is recorded in cpmis"),
    "follow_up": gettext_noop("no follow-up visit in %(period)s is recorded in cpmis"),
    "justice": gettext_noop(
        "no police, FIA or court record dated in %(period)s has been received through the "
        "data exchange yet"
    ),
    "justice_offences": gettext_noop(
        "no police, FIA or court record dated in %(period)s has been received through the "
        "data exchange yet"
    ),
    "legal_requests": gettext_noop(
        "the register of extradition and mutual legal assistance requests holds no request "
        "of %(period)s yet"
    ),
}
_REGISTER_MISSING = gettext_noop(
    "the register of prevention activities holds no activity of %(period)s yet"
)


def description(name: str) -> str:
    """Where the figures of source ``name`` come from, in the active language."""
    return gettext(DESCRIPTIONS.get(name, name))


def missing(name: str, period_label: str) -> str:
    """Why a table of source ``name`` has no figure for the period, in the active language."""
    return gettext(MISSING.get(name, _REGISTER_MISSING)) % {"period": period_label}


def has_records(user: Actor, name: str, window: Window) -> bool:
    """Whether any record of source ``name`` that ``user`` may count falls in ``window``: one
    EXISTS query. False means the source's tables cannot be produced yet for that period,
    where a zero with records present is a true zero."""
    src = source(name)
    if src.base is not None:
        qs: Any = src.base(user, window).filter(_period_q(src, window))
        return bool(qs.exists())
    from cpmis.exchange.models import DepartmentRecord

    q = access.scope_filter(user, "aggregates.view", district_path="district")
    if q is None:
        return False
    return DepartmentRecord.objects.filter(
        q,
        record_type__in=("police_report", "fia_case", "court_outcome"),
        record_date__gte=window.start,
        record_date__lt=window.end,
    ).exists()
