"""Every change to a case: permission, the law's preconditions and safeguards (each refusal
cites its statute and the report), one transaction, the event, the derived stage and tasks,
and the audit record.

Optimistic versioning (``audit.versioning``): a caller passes the ``version`` it read; if the
case changed since, ``CaseConflict`` says what happened in between, and nothing is written.
"""

from __future__ import annotations

from ._common import CASE_TYPE, CLOCK_SKEW, OPEN_STAGES, CaseConflict
from .closure import (
    CLOSURE_LABELS,
    CLOSURE_REASONS,
    NO_PLAN_NEEDED,
    case_reopen,
    closure_decide,
    closure_request,
    event_correct,
)
from .facts import perpetrator_add, reference_add
from .institutions import institution_create
from .opening import (
    case_assess,
    case_assign,
    case_assign_many,
    case_open,
    case_plan,
    case_plan_approve,
    offence_allege,
)
from .protection import (
    ORDER_KINDS,
    ORDER_LABELS,
    PLACEMENT_LABELS,
    PLACEMENT_OPTIONS,
    complaint_attach_to,
    court_produce,
    legal_aid_offer,
    order_record,
    placement_make,
    protection_take,
    release,
    simple_event,
)
from .transfer import referral_make, transfer_decide, transfer_request, transfer_withdraw

__all__ = [
    "CASE_TYPE",
    "CLOCK_SKEW",
    "CLOSURE_LABELS",
    "CLOSURE_REASONS",
    "NO_PLAN_NEEDED",
    "OPEN_STAGES",
    "ORDER_KINDS",
    "ORDER_LABELS",
    "PLACEMENT_LABELS",
    "PLACEMENT_OPTIONS",
    "CaseConflict",
    "case_assess",
    "case_assign",
    "case_assign_many",
    "case_open",
    "case_plan",
    "case_plan_approve",
    "case_reopen",
    "closure_decide",
    "closure_request",
    "complaint_attach_to",
    "court_produce",
    "event_correct",
    "institution_create",
    "legal_aid_offer",
    "offence_allege",
    "order_record",
    "perpetrator_add",
    "placement_make",
    "protection_take",
    "reference_add",
    "referral_make",
    "release",
    "simple_event",
    "transfer_decide",
    "transfer_request",
    "transfer_withdraw",
]
