"""The steps of case management: which can be taken at which stage, by whom, and what comes
next (Inter-Agency Guidelines for Case Management and Child Protection, 2014).

The services take each step's stages from here, and the case page shows only the steps whose
stage, state and role allow them, so the page and the rules cannot drift apart. The services
still check everything (the law's order, safeguards, permissions): this module only decides
what to offer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Case, CaseEvent, EventKind, Stage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ACTIVE = frozenset(
    {Stage.REGISTERED, Stage.ASSESSED, Stage.PLANNED, Stage.IMPLEMENTATION, Stage.FOLLOW_UP}
)
WORK, SUPERVISE = "work", "supervise"


# Events whose time an officer may correct: what happened in the field. Decisions and
# assignments (an approval, a closure, a transfer) keep the time they were recorded.
CORRECTABLE = frozenset(
    {
        EventKind.ASSESSED,
        EventKind.PLAN_SET,
        EventKind.TAKEN_INTO_PROTECTION,
        EventKind.PRODUCED_BEFORE_COURT,
        EventKind.HEARING,
        EventKind.ORDER,
        EventKind.DELAY_REPORT,
        EventKind.LEGAL_AID_OFFERED,
        EventKind.PLACEMENT,
        EventKind.REVIEW,
        EventKind.RELEASED,
        EventKind.FOLLOW_UP_VISIT,
        EventKind.VISIT,
        EventKind.REFERRED,
    }
)


def plan_status(events: Sequence[CaseEvent]) -> tuple[CaseEvent | None, bool]:
    """The case's current plan (the last one recorded) and whether a supervisor approved that
    very plan. Judged by when plans were recorded and what each approval names, never by the
    times people type, so back-dating a plan cannot borrow an earlier approval."""
    plans = [e for e in events if e.kind == EventKind.PLAN_SET]
    if not plans:
        return None, False
    current = max(plans, key=lambda e: (e.recorded_at, e.pk or 0))
    approved = any(
        e.kind == EventKind.PLAN_APPROVED and e.details.get("plan") == current.pk for e in events
    )
    return current, approved


@dataclass(frozen=True)
class CaseState:
    """What the page and the offers need to know about a case, read once from its events."""

    case: Case
    kinds: frozenset[str]
    taken_at: object | None = None  # last taking into protection
    produced_since_taken: bool = False
    release_ordered: bool = False
    plan_set: bool = False
    plan_approved: bool = False  # the latest plan is approved
    transfer_pending: bool = False
    has_offences: bool = False

    @classmethod
    def of(
        cls,
        case: Case,
        events: Sequence[CaseEvent],
        *,
        transfer_pending: bool,
        has_offences: bool = False,
    ) -> CaseState:
        ordered = sorted(events, key=lambda e: (e.occurred_at, e.pk or 0))
        taken = [e for e in ordered if e.kind == EventKind.TAKEN_INTO_PROTECTION]
        taken_at = taken[-1].occurred_at if taken else None
        produced = any(
            e.kind == EventKind.PRODUCED_BEFORE_COURT
            and taken_at is not None
            and e.occurred_at >= taken_at
            for e in ordered
        )
        plan, approved = plan_status(events)
        return cls(
            case=case,
            kinds=frozenset(e.kind for e in ordered),
            taken_at=taken_at,
            produced_since_taken=produced,
            release_ordered=any(
                e.kind == EventKind.ORDER and e.details.get("kind") in {"release", "final_decision"}
                for e in ordered
            ),
            plan_set=plan is not None,
            plan_approved=approved,
            transfer_pending=transfer_pending,
            has_offences=has_offences,
        )

    @property
    def produced(self) -> bool:
        return EventKind.PRODUCED_BEFORE_COURT in self.kinds


@dataclass(frozen=True)
class Step:
    name: str  # the slug of the page's form and of the API's action
    label: StrOrPromise  # the button (translated when shown)
    stages: frozenset[str]
    who: str = WORK
    # When a step's stage allows it but the case's state does not: why not (None: offered).
    blocked: Callable[[CaseState], str | None] = field(default=lambda s: None)
    primary: bool = False  # one of the steps of the main path (shown first)
    # When blocked, say why on the page (instead of keeping the step out of sight).
    explain: bool = False


def _closure_blocked(s: CaseState) -> str | None:
    if s.case.in_protection:
        return _("the child is in protection: record the release first")
    if s.transfer_pending:
        return _("a transfer is waiting for an answer: withdraw it first")
    if s.has_offences and EventKind.LEGAL_AID_OFFERED not in s.kinds:
        return _(
            "a child victim of an offence is offered legal assistance before closure "
            "(PACHTO 2002 s.6; report ¶51): record the offer first"
        )
    return None


def _needs_production(s: CaseState) -> str | None:
    return None if s.produced else _("after the child is produced before the Court")


STEPS: tuple[Step, ...] = (
    Step("assess", gettext_lazy("Record the assessment"), ACTIVE, primary=True),
    Step(
        "plan",
        gettext_lazy("Set the case plan"),
        frozenset({Stage.ASSESSED, Stage.PLANNED, Stage.IMPLEMENTATION, Stage.FOLLOW_UP}),
        primary=True,
    ),
    Step(
        "protect",
        gettext_lazy("Take into protection"),
        ACTIVE,
        blocked=lambda s: _("the child is in protection") if s.case.in_protection else None,
        primary=True,
    ),
    Step(
        "produce",
        gettext_lazy("Produce before the Court"),
        ACTIVE,
        blocked=lambda s: (
            _("after taking the child into protection")
            if not s.case.in_protection
            else (_("the child was produced") if s.produced_since_taken else None)
        ),
        primary=True,
    ),
    Step(
        "order",
        gettext_lazy("Record a Court order"),
        ACTIVE,
        blocked=_needs_production,
        primary=True,
    ),
    Step("hearing", gettext_lazy("Record a hearing"), ACTIVE, blocked=_needs_production),
    Step("delay-report", gettext_lazy("Send the delay report"), ACTIVE, blocked=_needs_production),
    Step("place", gettext_lazy("Record a placement"), ACTIVE, primary=True),
    Step(
        "review",
        gettext_lazy("Record a plan review"),
        frozenset({Stage.PLANNED, Stage.IMPLEMENTATION}),
        primary=True,
    ),
    Step(
        "release",
        gettext_lazy("Release from protection"),
        ACTIVE,
        blocked=lambda s: (
            _("the child is not in protection")
            if not s.case.in_protection
            else (None if s.release_ordered else _("after a Court order of release"))
        ),
        primary=True,
    ),
    Step(
        "follow-up",
        gettext_lazy("Record a follow-up visit"),
        frozenset({Stage.FOLLOW_UP}),
        primary=True,
    ),
    Step(
        "request-closure",
        gettext_lazy("Request closure"),
        ACTIVE,
        blocked=_closure_blocked,
        primary=True,
        explain=True,
    ),
    Step("visit", gettext_lazy("Record a visit"), ACTIVE),
    Step("legal-aid", gettext_lazy("Offer legal assistance"), ACTIVE),
    Step("refer", gettext_lazy("Refer to a service"), ACTIVE),
    Step("offence", gettext_lazy("Record an alleged offence"), ACTIVE),
    Step("perpetrator", gettext_lazy("Record an alleged perpetrator"), ACTIVE),
    Step(
        "reference",
        gettext_lazy("Add an FIR, FIA or court number"),
        ACTIVE | {Stage.CLOSURE_REQUESTED},
    ),
    Step(
        "transfer",
        gettext_lazy("Transfer to another district"),
        ACTIVE,
        blocked=lambda s: _("a transfer is waiting for an answer") if s.transfer_pending else None,
    ),
    Step(
        "withdraw-transfer",
        gettext_lazy("Withdraw the transfer request"),
        ACTIVE,
        blocked=lambda s: None if s.transfer_pending else _("no transfer is waiting"),
    ),
    # supervisors
    Step(
        "assign",
        gettext_lazy("Assign an officer"),
        ACTIVE | {Stage.CLOSURE_REQUESTED},
        who=SUPERVISE,
    ),
    Step(
        "approve-plan",
        gettext_lazy("Approve the case plan"),
        ACTIVE,
        who=SUPERVISE,
        blocked=lambda s: (
            _("no plan is set yet")
            if not s.plan_set
            else (_("the latest plan is approved") if s.plan_approved else None)
        ),
    ),
    Step(
        "decide-closure",
        gettext_lazy("Decide on closure"),
        frozenset({Stage.CLOSURE_REQUESTED}),
        who=SUPERVISE,
    ),
    Step("reopen", gettext_lazy("Reopen the case"), frozenset({Stage.CLOSED}), who=SUPERVISE),
)
BY_NAME = {s.name: s for s in STEPS}


def stages_of(name: str) -> frozenset[str]:
    return BY_NAME[name].stages


@dataclass(frozen=True)
class Offer:
    step: Step
    why_not: str | None  # None: the step can be taken now


def offers(state: CaseState, *, can_work: bool, can_supervise: bool) -> list[Offer]:
    """The steps to show on the page: those of the user's role allowed at the case's stage,
    with the reason a step is not possible yet when its stage allows it but the case does not."""
    out = []
    for step in STEPS:
        if (step.who == WORK and not can_work) or (step.who == SUPERVISE and not can_supervise):
            continue
        if state.case.stage not in step.stages:
            continue
        out.append(Offer(step, step.blocked(state)))
    return out


def next_step(state: CaseState) -> str:
    """What comes next, in words, from the stage and the record."""
    case = state.case
    if state.transfer_pending:
        return _("A transfer is waiting for the receiving district's answer.")
    if case.stage == Stage.CLOSED:
        return _("The case is closed. A supervisor can reopen it.")
    if case.stage == Stage.CLOSURE_REQUESTED:
        return _("A supervisor approves or refuses the closure.")
    if case.assigned_to_id is None:
        return _("A supervisor assigns the case to a Child Protection Officer.")
    if case.in_protection and not state.produced_since_taken:
        return _("Produce the child before the Court within the legal time.")
    if case.stage == Stage.REGISTERED:
        return _("Assess the child and the risk.")
    if case.stage == Stage.ASSESSED:
        return _("Set the case plan.")
    if state.plan_set and not state.plan_approved:
        return _("The supervisor approves the case plan.")
    if case.in_protection and state.release_ordered:
        return _("Record the child's release.")
    if case.stage == Stage.FOLLOW_UP:
        return _("Visit the child during follow-up, then request closure.")
    return _("Carry out the plan and review it on time.")
