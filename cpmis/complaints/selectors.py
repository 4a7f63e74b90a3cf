"""Reads of complaints, always through cpmis.access, and the one public read: the status
behind a tracking code."""

from __future__ import annotations

import uuid as uuid_lib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from cpmis import access
from cpmis.actors import Actor
from cpmis.audit.services import audit_record
from cpmis.cases.models import Stage
from cpmis.core.errors import NotFound
from cpmis.people.models import Child, Sex
from cpmis.people.phonetic import name_keys
from cpmis.people.search import normalize_name
from cpmis.people.services import age_on

from . import tracking
from .models import Channel, Complaint, ComplaintChild, Status

QUEUE_VIEWS = {
    "open": _("Waiting for triage"),
    "follow_up": _("Referrals due for follow-up"),
    "triaged": _("Triaged"),
    "all": _("All"),
}


def complaint_queue(
    *,
    user: Actor,
    view: str = "open",
    channel: str = "",
    district: str = "",
    overdue: bool = False,
) -> QuerySet[Complaint]:
    """The queue of the complaints the user may see. Waiting complaints come by triage
    deadline, so the overdue ones are first; repeats of a complaint are not queued again."""
    qs = (
        access.complaints_visible_to(user)
        .filter(duplicate_of__isnull=True)
        .select_related("district", "jurisdiction")
    )
    if view == "open":
        qs = qs.filter(status=Status.RECEIVED).order_by("triage_due_at", "id")
    elif view == "follow_up":
        qs = qs.filter(
            status=Status.REFERRED, referral_follow_up_on__lte=timezone.localdate()
        ).order_by("referral_follow_up_on", "id")
    elif view == "triaged":
        qs = qs.exclude(status=Status.RECEIVED).order_by("-triaged_at", "-id")
    else:
        qs = qs.order_by("-received_at", "-id")
    if channel:
        qs = qs.filter(channel=channel)
    if district == "none":
        qs = qs.filter(district__isnull=True)
    elif district:
        qs = qs.filter(district__pcode=district)
    if overdue:
        qs = qs.filter(status=Status.RECEIVED, triage_due_at__lt=timezone.now())
    return qs


def complaint_get(*, user: Actor, complaint_uuid: str | uuid_lib.UUID) -> Complaint:
    """One complaint the user may see (404 for anything else), its read audited."""
    try:
        key = uuid_lib.UUID(str(complaint_uuid))
    except ValueError as exc:
        raise NotFound from exc
    complaint = (
        access.complaints_visible_to(user)
        .select_related("district", "jurisdiction", "case", "recorded_by", "triaged_by")
        .filter(uuid=key)
        .first()
    )
    if complaint is None:
        raise NotFound
    audit_record(
        actor=user,
        action="complaint.read",
        object_type="complaints.complaint",
        object_id=complaint.uuid,
    )
    return complaint


def complaint_by_code(*, user: Actor, code: str) -> Complaint | None:
    """Staff looking up a complaint by the code a caller reads out (within their scope)."""
    canonical = tracking.canonical(code)
    if canonical is None:
        return None
    return (
        access.complaints_visible_to(user).filter(tracking__in=tracking.digests(canonical)).first()
    )


# --- the public status page -------------------------------------------------------------------

_DUMMY = tracking.digest("0" * tracking.LENGTH)


@dataclass(frozen=True)
class PublicStatus:
    """What the person who complained may know: a status and the next step in neutral
    words, never a name, a place or a detail."""

    key: str
    title: Any
    next_step: Any
    received_on: date


_PUBLIC = {
    Status.RECEIVED: (
        _("Received. An officer of the Child Protection Unit will look at it."),
        _("Nothing to do now. If a child is in danger right now, call the police on 15."),
    ),
    Status.CASE_OPENED: (
        _("The Child Protection Unit is working on it."),
        _("An officer may contact you if you gave a phone number."),
    ),
    Status.ATTACHED: (
        _("The Child Protection Unit is working on it."),
        _("An officer may contact you if you gave a phone number."),
    ),
    Status.REFERRED: (
        _("It was sent to the office that can act on it."),
        _("That office will follow it up. The Child Protection Unit checks that it does."),
    ),
    Status.CLOSED: (
        _("It was looked at and closed."),
        _("If something new happens, send a new complaint and write this code in it."),
    ),
}


def public_status(code: str) -> PublicStatus | None:
    """The status behind a tracking code, or None. The same single indexed query runs
    whether the code is well formed, mistyped, unknown or real, so neither the answer nor
    its timing tells one apart from another."""
    canonical = tracking.canonical(code)
    digests = tracking.digests(canonical) if canonical else [_DUMMY]
    complaint = (
        Complaint.objects.filter(tracking__in=digests)
        .only("status", "received_at", "duplicate_of_id")
        .first()
    )
    if complaint is None or canonical is None:
        return None
    # A repeat never shows how the first complaint went (its code may be someone else's
    # way of probing for it): it stays "received".
    status = Status.RECEIVED if complaint.duplicate_of_id else complaint.status
    title, next_step = _PUBLIC[Status(status)]
    return PublicStatus(
        key=status,
        title=title,
        next_step=next_step,
        received_on=timezone.localdate(complaint.received_at),
    )


# --- possible matches at triage ---------------------------------------------------------------


@dataclass(frozen=True)
class ChildMatch:
    child: Child
    score: int
    age: int
    open_cases: list[Any]
    about: ComplaintChild


@dataclass(frozen=True)
class ComplaintMatch:
    complaint: Complaint
    score: int
    about: ComplaintChild


MATCH_THRESHOLD = 80
AGE_TOLERANCE = 2
MAX_MATCHES = 10
MAX_CANDIDATES = 20_000  # children of one district within the age window, newest first


# A given name shared alone proves little when it is this common.
_COMMON_KEYS = frozenset({name_keys("Muhammad")[0], name_keys("Bibi")[0]})
PARTIAL_SCORE = 85


def _similarity(a: str, b: str) -> int:
    """How alike two names are, 0–100, in either script and with spelling variants: the
    better of the spelling and the phonetic key (``people/phonetic.py``), word order aside.
    A partial name (what a reporter knew: "Ayesha" for "Ayesha Bibi") scores 85 when it is
    the beginning of the other and not just a very common word."""
    if not a or not b:
        return 0
    spelled = fuzz.token_sort_ratio(normalize_name(a), normalize_name(b))
    ka, kb = name_keys(a), name_keys(b)
    if not ka or not kb:
        return int(spelled)
    # "Muhammad Bilal" is often just "Bilal": compare without the very common words too.
    ca = [k for k in ka if k not in _COMMON_KEYS] or ka
    cb = [k for k in kb if k not in _COMMON_KEYS] or kb
    phonetic = max(
        fuzz.token_sort_ratio(" ".join(ka), " ".join(kb)),
        fuzz.token_sort_ratio(" ".join(ca), " ".join(cb)),
    )
    score = max(spelled, phonetic)
    shorter, longer = sorted((ca, cb), key=len)
    if (
        len(shorter) < len(longer)
        and longer[: len(shorter)] == shorter
        and set(shorter) - _COMMON_KEYS
    ):
        score = max(score, PARTIAL_SCORE)
    return int(score)


def _sex_compatible(a: str, b: str) -> bool:
    return a == Sex.UNKNOWN or b == Sex.UNKNOWN or a == b


def possible_matches(
    *, user: Actor, complaint: Complaint
) -> tuple[list[ChildMatch], list[ComplaintMatch]]:
    """Registry children and open complaints that may be the same child: a similar name in
    either script, an age within two years, the same district (or jurisdiction). Shown to
    the triaging officer with name, age and district only; each list shown is audited."""
    about = [c for c in complaint.children.all() if c.name]
    if not about:
        return [], []
    today = timezone.localdate()
    children: dict[int, ChildMatch] = {}
    pool = access.children_matchable_by(user).select_related("district")
    if complaint.district_id:
        pool = pool.filter(district_id=complaint.district_id)
    else:
        pool = pool.filter(district__jurisdiction_id=complaint.jurisdiction_id)
    for c in about:
        candidates = pool
        if c.age_years is not None:
            youngest = today - timedelta(days=365 * (c.age_years - AGE_TOLERANCE))
            oldest = today - timedelta(days=366 * (c.age_years + AGE_TOLERANCE + 1))
            candidates = candidates.filter(date_of_birth__gt=oldest, date_of_birth__lte=youngest)
        for child in candidates.order_by("-registered_at").only(
            "uuid", "name_latin", "name_urdu", "sex", "date_of_birth", "district"
        )[:MAX_CANDIDATES]:
            if not _sex_compatible(c.sex, child.sex):
                continue
            score = max(_similarity(c.name, child.name_latin), _similarity(c.name, child.name_urdu))
            if score < MATCH_THRESHOLD:
                continue
            best = children.get(child.pk)
            if best is None or best.score < score:
                children[child.pk] = ChildMatch(
                    child, score, age_on(child.date_of_birth, today), [], c
                )
    ranked = sorted(children.values(), key=lambda m: -m.score)[:MAX_MATCHES]
    by_child = {m.child.pk: m for m in ranked}
    open_cases = (
        access.cases_visible_to(user)
        .filter(child_id__in=list(by_child))
        .exclude(stage=Stage.CLOSED)
        .only("uuid", "stage", "child_id")
    )
    for case in open_cases:  # one query for every match
        by_child[case.child_id].open_cases.append(case)
    others = (
        access.complaints_visible_to(user)
        .filter(status=Status.RECEIVED, duplicate_of__isnull=True)
        .exclude(pk=complaint.pk)
        .filter(
            Q(district_id=complaint.district_id)
            if complaint.district_id
            else Q(jurisdiction_id=complaint.jurisdiction_id)
        )
        .prefetch_related("children")[:2000]
    )
    complaint_matches: list[ComplaintMatch] = []
    for other in others:
        best_score, best_about = 0, about[0]
        for theirs in other.children.all():
            for c in about:
                if not _sex_compatible(c.sex, theirs.sex):
                    continue
                if (
                    c.age_years is not None
                    and theirs.age_years is not None
                    and abs(c.age_years - theirs.age_years) > AGE_TOLERANCE
                ):
                    continue
                s = _similarity(c.name, theirs.name)
                if s > best_score:
                    best_score, best_about = s, c
        if best_score >= MATCH_THRESHOLD:
            complaint_matches.append(ComplaintMatch(other, best_score, best_about))
    complaint_matches.sort(key=lambda m: -m.score)
    if ranked:
        audit_record(
            actor=user,
            action="child.match_list",
            object_type="people.child",
            detail={
                "complaint": str(complaint.uuid),
                "results": [str(m.child.uuid) for m in ranked],
            },
        )
    return ranked, complaint_matches[:MAX_MATCHES]


def channels() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Channel.choices]
