"""Deadlines of a case, computed from its events and the law of its jurisdiction.

Nothing here holds a number of hours: times come from the legal rules
(``cpmis.legal.selectors.rule_for``) or, for the assessment, from the jurisdiction's response
time setting. Recomputing after any change of events keeps the tasks true to the record.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from cpmis.legal.selectors import AppliedRule, rule_for

from .models import Case, CaseEvent, EventKind, ResponseTime, RiskLevel, TaskKind

# Policy cadences the law does not set: labelled as policy in each task's basis.
FOLLOW_UP_EVERY_MONTHS = 1
CLOSURE_APPROVAL_DAYS = 7


@dataclass(frozen=True)
class TaskSpec:
    kind: str
    due_at: datetime
    done_at: datetime | None
    basis: str
    for_supervisor: bool = False


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def rule_basis(rule: AppliedRule) -> str:
    # "Law: KP CPWA 2010 s.20; report ¶52" or "Policy default; report ¶52". Stored in English,
    # whatever the language of the request that derived it; shown by ``shown_basis``.
    with translation.override("en"):
        citation = rule.citation
    return f"Law: {citation}" if rule.is_law else citation.capitalize()


_CITED = re.compile(
    r"^(?P<law>Law: )?(?P<body>.+?); report (?P<paragraphs>¶[^;]*?)"
    r"(?P<rest>; monthly visits are policy)?$"
)
_RESPONSE = re.compile(r"^(?P<basis>.+) \((?P<risk>high|medium|low) risk\)$")
_NOT_CITED = " (section not cited in the report)"
_CLOSURE = re.compile(r"^Policy: closure decided within (?P<days>\d+) days$")


def shown_basis(text: str) -> str:
    """A task's stored basis (written in English by this module) in the reader's language;
    a basis this version does not write is shown as stored."""
    if found := _CLOSURE.match(text):
        return gettext("Policy: closure decided within %(days)s days") % {"days": found["days"]}
    if found := _RESPONSE.match(text):
        risk = dict(RiskLevel.choices).get(found["risk"], found["risk"])
        return gettext("%(basis)s (%(risk)s risk)") % {
            "basis": gettext(found["basis"]),
            "risk": str(risk).lower(),
        }
    found = _CITED.match(text)
    if found is None:
        return text
    body, paragraphs = found["body"], found["paragraphs"]
    if body.lower() == "policy default":
        cited = gettext("policy default; report %(paragraphs)s") % {"paragraphs": paragraphs}
    elif body.endswith(_NOT_CITED):
        cited = gettext("%(statute)s (section not cited in the report); report %(paragraphs)s") % {
            "statute": body.removesuffix(_NOT_CITED),
            "paragraphs": paragraphs,
        }
    else:
        cited = gettext("%(citation)s; report %(paragraphs)s") % {
            "citation": body,
            "paragraphs": paragraphs,
        }
    shown = gettext("Law: %(citation)s") % {"citation": cited} if found["law"] else cited
    shown = shown[:1].upper() + shown[1:]
    if found["rest"]:
        shown += gettext("; monthly visits are policy")
    return shown


# The bases written below, for the catalog (shown_basis translates them when shown).
gettext_noop("Setting of the jurisdiction")
gettext_noop("Policy: default response time by risk level")


def response_hours(case: Case, jurisdiction: Any) -> tuple[int, str]:
    rows = {
        (r.jurisdiction_id, r.risk_level): r.hours
        for r in ResponseTime.objects.filter(risk_level=case.initial_risk)
    }
    if (jurisdiction.pk, case.initial_risk) in rows:
        return rows[(jurisdiction.pk, case.initial_risk)], "Setting of the jurisdiction"
    return rows[(None, case.initial_risk)], "Policy: default response time by risk level"


def _jurisdictions(case: Case, events: list[CaseEvent]) -> Any:
    """The jurisdiction whose law governed the case at a moment (transfers change it)."""
    from cpmis.reference.models import Jurisdiction

    moves = [e for e in events if e.kind == EventKind.TRANSFER_ACCEPTED]
    if not moves:
        return lambda moment: case.jurisdiction
    ids = {e.details["from_jurisdiction"] for e in moves} | {
        e.details["to_jurisdiction"] for e in moves
    }
    known = {j.pk: j for j in Jurisdiction.objects.filter(pk__in=ids)}

    def at(moment: datetime) -> Any:
        current = known[moves[0].details["from_jurisdiction"]]
        for move in moves:
            if move.occurred_at <= moment:
                current = known[move.details["to_jurisdiction"]]
        return current

    return at


def compute(case: Case, events: list[CaseEvent]) -> list[TaskSpec]:
    events = sorted(events, key=lambda e: (e.occurred_at, e.pk or 0))
    law_at = _jurisdictions(case, events)

    def first(kind: str, after: datetime | None = None) -> CaseEvent | None:
        return next(
            (e for e in events if e.kind == kind and (after is None or e.occurred_at >= after)),
            None,
        )

    def last(*kinds: str) -> CaseEvent | None:
        return next((e for e in reversed(events) if e.kind in kinds), None)

    tasks: list[TaskSpec] = []
    closed = case.stage == "closed"
    registered = first(EventKind.REGISTERED)
    if registered is not None:
        hours, basis = response_hours(case, law_at(registered.occurred_at))
        assessed = first(EventKind.ASSESSED)
        tasks.append(
            TaskSpec(
                TaskKind.ASSESSMENT,
                registered.occurred_at + timedelta(hours=hours),
                assessed.occurred_at if assessed else None,
                f"{basis} ({case.initial_risk} risk)",
            )
        )

    taken = last(EventKind.TAKEN_INTO_PROTECTION)
    if taken is not None:
        production_rule = rule_for("production_before_court", law_at(taken.occurred_at))
        produced = first(EventKind.PRODUCED_BEFORE_COURT, after=taken.occurred_at)
        tasks.append(
            TaskSpec(
                TaskKind.PRODUCTION,
                taken.occurred_at + timedelta(hours=production_rule.hours or 0),
                produced.occurred_at if produced else None,
                rule_basis(production_rule),
            )
        )
        if produced is not None:
            decision_rule = rule_for("final_decision", law_at(produced.occurred_at))
            decided = next(
                (
                    e
                    for e in events
                    if e.kind == EventKind.ORDER
                    and e.details.get("final")
                    and e.occurred_at >= produced.occurred_at
                ),
                None,
            )
            tasks.append(
                TaskSpec(
                    TaskKind.DECISION,
                    add_months(produced.occurred_at, decision_rule.months or 0),
                    decided.occurred_at if decided else None,
                    rule_basis(decision_rule),
                )
            )
            delay_rule = rule_for("delay_report", law_at(produced.occurred_at))
            delay_due = produced.occurred_at + timedelta(days=delay_rule.days or 0)
            if decided is None or decided.occurred_at > delay_due:
                sent = first(EventKind.DELAY_REPORT, after=produced.occurred_at)
                tasks.append(
                    TaskSpec(
                        TaskKind.DELAY_REPORT,
                        delay_due,
                        sent.occurred_at if sent else (decided.occurred_at if decided else None),
                        rule_basis(delay_rule),
                    )
                )

    released = last(EventKind.RELEASED)
    plan = last(EventKind.PLAN_SET, EventKind.REVIEW)
    if plan is not None and released is None and not closed:
        review_rule = rule_for("plan_review", law_at(plan.occurred_at))
        tasks.append(
            TaskSpec(
                TaskKind.PLAN_REVIEW,
                add_months(plan.occurred_at, review_rule.months or 3),
                None,
                rule_basis(review_rule),
            )
        )

    if released is not None and not closed:
        follow_rule = rule_for("follow_up_after_release", law_at(released.occurred_at))
        end = add_months(released.occurred_at, follow_rule.months or 0)
        visits = [
            e
            for e in events
            if e.kind == EventKind.FOLLOW_UP_VISIT and e.occurred_at >= released.occurred_at
        ]
        since = visits[-1].occurred_at if visits else released.occurred_at
        due = add_months(since, FOLLOW_UP_EVERY_MONTHS)
        if due <= end:
            tasks.append(
                TaskSpec(
                    TaskKind.FOLLOW_UP_VISIT,
                    due,
                    None,
                    f"{rule_basis(follow_rule)}; monthly visits are policy",
                )
            )

    requested = last(EventKind.CLOSURE_REQUESTED)
    if requested is not None:
        answer = first(EventKind.CLOSURE_APPROVED, after=requested.occurred_at) or first(
            EventKind.CLOSURE_REJECTED, after=requested.occurred_at
        )
        tasks.append(
            TaskSpec(
                TaskKind.CLOSURE_APPROVAL,
                requested.occurred_at + timedelta(days=CLOSURE_APPROVAL_DAYS),
                answer.occurred_at if answer else None,
                f"Policy: closure decided within {CLOSURE_APPROVAL_DAYS} days",
                for_supervisor=True,
            )
        )
    if closed:
        # a closed case keeps its history of tasks but owes nothing more
        tasks = [t for t in tasks if t.done_at is not None]
    return tasks
