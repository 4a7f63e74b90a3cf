"""Every change to a complaint: permission (through cpmis.access), validation, one
transaction, the complaint's own history event and the audit record.

Complaints come in three ways: the public form (no account; ``complaint_submit_public``),
an office or helpline (``complaint_register``) and a school's complaint box, whose slips are
entered together (``complaint_box_batch``, all or nothing). Triage then routes, opens a case,
attaches to a case, refers or closes. Each triage step passes the ``version`` the officer read;
a stale version is a conflict, so two officers cannot triage the same complaint twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from hashlib import sha256
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpmis import access
from cpmis.actors import PUBLIC, Actor, person
from cpmis.audit import versioning
from cpmis.audit.services import audit_record
from cpmis.cases import services as case_services
from cpmis.cases.models import Case, Concern, RiskLevel
from cpmis.core.text import western_digits
from cpmis.people import services as people_services
from cpmis.people.models import Child, Sex
from cpmis.people.search import normalize_name
from cpmis.reference.models import District, Jurisdiction

from . import tracking
from .models import (
    Channel,
    ClosureReason,
    Complaint,
    ComplaintChild,
    ComplaintEvent,
    ComplaintEventKind,
    ReferralBody,
    ReporterKind,
    Status,
    TriageTime,
)

NARRATIVE_MAX = 5000
MAX_CHILDREN = 10
MAX_SLIPS = 200
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
DUPLICATE_WINDOW = timedelta(hours=24)
FOLLOW_UP_HORIZON = timedelta(days=366)
OPEN_STATUSES = (Status.RECEIVED,)


@dataclass
class ChildInput:
    name: str = ""
    sex: str = Sex.UNKNOWN
    age_years: int | None = None
    description: str = ""


@dataclass
class ComplaintInput:
    """What any channel knows about a complaint; the services validate it."""

    channel: str
    jurisdiction: Jurisdiction
    narrative: str
    concerns: list[str]
    district: District | None = None
    received_at: datetime | None = None
    place: str = ""
    source: str = ""
    reporter_kind: str = ReporterKind.ANONYMOUS
    reporter_name: str = ""
    reporter_phone: str = ""
    language: str = "en"
    children: list[ChildInput] = field(default_factory=list)


@dataclass(frozen=True)
class Registered:
    complaint: Complaint
    code: str  # canonical; shown once, as tracking.display(code)

    @property
    def display_code(self) -> str:
        return tracking.display(self.code)


TRIAGE_TIMES_CACHE = "complaints:triage-times"


def triage_hours(jurisdiction: Jurisdiction) -> int:
    """The jurisdiction's triage time (the default when it has none). Read through the cache
    for a minute: a change reaches every server process within that time."""
    rows = cache.get(TRIAGE_TIMES_CACHE)
    if rows is None:
        rows = {t.jurisdiction_id: t.hours for t in TriageTime.objects.all()}
        cache.set(TRIAGE_TIMES_CACHE, rows, 60)
    return int(rows.get(jurisdiction.pk, rows.get(None, 24)))


def _validate(data: ComplaintInput, *, now: datetime) -> dict[str, list[str]]:
    # A phone number typed with Urdu digits is kept with Western ones (what a dialler reads).
    data.reporter_phone = western_digits(data.reporter_phone)
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.channel not in Channel.values:
        add("channel", _("Choose how the complaint was received."))
    narrative = (data.narrative or "").strip()
    if not narrative:
        add("narrative", _("Say what happened, in Urdu or English."))
    elif len(narrative) > NARRATIVE_MAX:
        add(
            "narrative",
            _("Keep it under %(limit)s characters (%(given)s given).")
            % {"limit": NARRATIVE_MAX, "given": len(narrative)},
        )
    if not data.concerns or any(c not in Concern.values for c in data.concerns):
        add("concerns", _("Choose at least one concern from the list."))
    if data.district is not None and data.district.jurisdiction_id != data.jurisdiction.pk:
        add("district", _("This district is not in the chosen province or territory."))
    if data.received_at is not None:
        if data.received_at > now + CLOCK_SKEW:
            add("received_at", _("This date is in the future."))
        elif data.received_at < EARLIEST:
            add("received_at", _("This date is too far in the past."))
    if data.reporter_kind not in ReporterKind.values:
        add("reporter_kind", _("Choose who is reporting."))
    if data.reporter_kind == ReporterKind.ANONYMOUS and (
        data.reporter_name.strip() or data.reporter_phone.strip()
    ):
        add("reporter_kind", _("An anonymous complaint has no reporter name or phone."))
    phone = data.reporter_phone.strip()
    if phone and not all(ch.isdigit() or ch in "+-() " for ch in phone):
        add("reporter_phone", _("A phone number has digits only (and + - ( ) spaces)."))
    for name, value, limit in (
        ("place", data.place, 200),
        ("source", data.source, 200),
        ("reporter_name", data.reporter_name, 150),
        ("reporter_phone", data.reporter_phone, 20),
    ):
        if len(value) > limit:
            add(name, _("Keep it under %(limit)s characters.") % {"limit": limit})
    if len(data.children) > MAX_CHILDREN:
        add("children", _("At most %(max)s children in one complaint.") % {"max": MAX_CHILDREN})
    for i, c in enumerate(data.children):
        if c.sex not in Sex.values:
            add("children", _("Child %(number)s: unknown sex.") % {"number": i + 1})
        if c.age_years is not None and not 0 <= c.age_years <= 17:
            add(
                "children", _("Child %(number)s: a child is 0 to 17 years old.") % {"number": i + 1}
            )
        if len(c.name) > 150 or len(c.description) > 300:
            add(
                "children",
                _("Child %(number)s: the name or description is too long.") % {"number": i + 1},
            )
    if data.language not in ("en", "ur"):
        add("language", _("English or Urdu."))
    return errors


def _fingerprint(data: ComplaintInput) -> str:
    """Everything the person typed: only an identical submission (a page sent twice, a
    robot repeating itself) has the same fingerprint; two children who write the same
    sentence about themselves differ in name, age, place or who reports."""
    place = data.district.pcode if data.district else data.jurisdiction.iso_code
    parts = [
        place,
        normalize_name(data.narrative),
        normalize_name(data.place),
        ",".join(sorted(data.concerns)),
        data.reporter_kind,
        normalize_name(data.reporter_name),
        "".join(ch for ch in data.reporter_phone if ch.isdigit()),
        *(f"{normalize_name(c.name)}/{c.sex}/{c.age_years}" for c in data.children),
    ]
    return sha256("|".join(parts).encode()).hexdigest()


def _create(actor: Actor, data: ComplaintInput, *, audit_action: str) -> Registered:
    now = timezone.now()
    errors = _validate(data, now=now)
    if errors:
        raise ValidationError(errors)
    received = data.received_at or now
    fingerprint = _fingerprint(data)
    duplicate_of: int | None = None
    if data.channel == Channel.ONLINE:
        duplicate_of = (
            Complaint.objects.filter(
                fingerprint=fingerprint,
                received_at__gte=received - DUPLICATE_WINDOW,
                duplicate_of__isnull=True,
                channel=Channel.ONLINE,
                status=Status.RECEIVED,  # still waiting: its triage covers the repeat
            )
            .order_by("received_at")
            .values_list("pk", flat=True)
            .first()
        )
    complaint = Complaint(
        channel=data.channel,
        received_at=received,
        recorded_at=now,
        recorded_by=person(actor),
        jurisdiction=data.jurisdiction,
        district=data.district,
        place=data.place.strip(),
        source=data.source.strip(),
        reporter_kind=data.reporter_kind,
        reporter_name=data.reporter_name.strip(),
        reporter_phone=data.reporter_phone.strip(),
        concerns=sorted(set(data.concerns)),
        narrative=data.narrative.strip(),
        language=data.language,
        triage_due_at=received + timedelta(hours=triage_hours(data.jurisdiction)),
        fingerprint=fingerprint,
        duplicate_of_id=duplicate_of,
    )
    # A collision of two 50-bit codes is rare (one in ~10^7 at ten million complaints); the
    # unique constraint refuses it and ``_issuing_codes`` runs the whole write again.
    code = tracking.new_code()
    complaint.tracking = tracking.digest(code)
    complaint.save()
    ComplaintChild.objects.bulk_create(
        ComplaintChild(
            complaint=complaint,
            name=c.name.strip(),
            sex=c.sex,
            age_years=c.age_years,
            description=c.description.strip(),
        )
        for c in data.children
        if c.name.strip() or c.age_years is not None or c.description.strip()
    )
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEventKind.RECEIVED,
        occurred_at=received,
        actor=complaint.recorded_by,
        details={"channel": data.channel},
    )
    if duplicate_of is not None:
        ComplaintEvent.objects.create(
            complaint_id=duplicate_of,
            kind=ComplaintEventKind.DUPLICATE,
            actor=None,
            details={"complaint": str(complaint.uuid)},
        )
    audit_record(
        actor=actor,
        action=audit_action,
        object_type="complaints.complaint",
        object_id=complaint.uuid,
        detail={"channel": data.channel, "duplicate": duplicate_of is not None},
        record_address=actor != PUBLIC,  # the public form: no address kept
    )
    return Registered(complaint, code)


T = TypeVar("T")


def _issuing_codes(write: Callable[[], T]) -> T:
    """Run ``write`` in a transaction (a savepoint inside a caller's), again with new codes if
    a tracking code it issued was already taken. One transaction for the whole write, not a
    savepoint per complaint: the public form stays cheap."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                return write()
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def complaint_submit_public(*, data: ComplaintInput) -> Registered:
    """A complaint from the public form: no account; the channel is always 'online'."""
    data.channel = Channel.ONLINE
    data.received_at = None
    return _issuing_codes(lambda: _create(PUBLIC, data, audit_action="complaint.submit"))


def _check_register_scope(actor: Actor, data: ComplaintInput) -> None:
    if data.district is not None:
        allowed = access.districts_where(actor, "complaint.register").filter(pk=data.district.pk)
        if not allowed.exists():
            raise PermissionDenied(_("You cannot register complaints for this district."))
    # Without a district the complaint waits in the province's queue: only those who see
    # that queue (a province-wide or national scope) may leave the district out.
    elif not access.holds_across_jurisdiction(actor, "complaint.register", data.jurisdiction.pk):
        raise ValidationError({"district": _("Choose the district (your scope is a district).")})


def complaint_register(*, actor: Actor, data: ComplaintInput) -> Registered:
    """A complaint taken by a complaint office, a helpline or a CPU."""
    if not access.has_capability(actor, "complaint.register"):
        raise PermissionDenied(_("You cannot register complaints."))
    if data.channel == Channel.ONLINE:
        raise ValidationError({"channel": _("Online complaints come through the public form.")})
    _check_register_scope(actor, data)
    return _issuing_codes(lambda: _create(actor, data, audit_action="complaint.register"))


@dataclass
class Slip:
    narrative: str
    concerns: list[str]
    child: ChildInput = field(default_factory=ChildInput)


def complaint_box_batch(
    *,
    actor: Actor,
    jurisdiction: Jurisdiction,
    district: District | None,
    school: str,
    opened_at: datetime,
    slips: list[Slip],
) -> list[Registered]:
    """The slips of one school's complaint box, entered in one go: all are registered or,
    when any is refused, none (the errors name the slip)."""
    if not access.has_capability(actor, "complaint.register"):
        raise PermissionDenied(_("You cannot register complaints."))
    if not school.strip():
        raise ValidationError({"school": _("Name the school whose box was opened.")})
    if not slips:
        raise ValidationError({"slips": _("Enter at least one slip.")})
    if len(slips) > MAX_SLIPS:
        raise ValidationError(
            {"slips": _("At most %(max)s slips in one batch.") % {"max": MAX_SLIPS}}
        )
    base = ComplaintInput(
        channel=Channel.COMPLAINT_BOX,
        jurisdiction=jurisdiction,
        district=district,
        narrative="-",
        concerns=[Concern.ABUSED],
        received_at=opened_at,
        source=school,
    )
    _check_register_scope(actor, base)
    errors: dict[str, list[str]] = {}
    inputs = []
    now = timezone.now()
    for i, slip in enumerate(slips, start=1):
        data = ComplaintInput(
            channel=Channel.COMPLAINT_BOX,
            jurisdiction=jurisdiction,
            district=district,
            narrative=slip.narrative,
            concerns=slip.concerns,
            received_at=opened_at,
            source=school,
            reporter_kind=ReporterKind.CHILD,
            children=[slip.child],
        )
        for name, problems in _validate(data, now=now).items():
            errors.setdefault(f"slip {i}: {name}", []).extend(problems)
        inputs.append(data)
    if errors:
        raise ValidationError(errors)

    def write() -> list[Registered]:
        registered = [_create(actor, data, audit_action="complaint.register") for data in inputs]
        audit_record(
            actor=actor,
            action="complaint.box_batch",
            object_type="complaints.complaint",
            detail={"slips": len(registered)},
        )
        return registered

    return _issuing_codes(write)


# --- triage -----------------------------------------------------------------------------------


COMPLAINT_TYPE = "complaints.complaint"  # the audit object type (its id there is the uuid)


class ComplaintConflict(versioning.VersionConflict):
    message = gettext_lazy("The complaint was changed by someone else since you opened it.")

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "status": self.record.status}


# What ``_begin`` says for each ``action`` a person may be refused (whole sentences, so that
# each can be translated as one).
_CANNOT = {
    "triage": gettext_lazy("You cannot triage this complaint."),
    "send on": gettext_lazy("You cannot send on this complaint."),
    "open a case from": gettext_lazy("You cannot open a case from this complaint."),
    "attach": gettext_lazy("You cannot attach this complaint."),
    "refer": gettext_lazy("You cannot refer this complaint."),
    "follow up": gettext_lazy("You cannot follow up this complaint."),
    "close": gettext_lazy("You cannot close this complaint."),
}
_WRONG_STATUS = {
    "triage": gettext_lazy("Cannot triage a complaint that is '%(status)s'."),
    "send on": gettext_lazy("Cannot send on a complaint that is '%(status)s'."),
    "open a case from": gettext_lazy("Cannot open a case from a complaint that is '%(status)s'."),
    "attach": gettext_lazy("Cannot attach a complaint that is '%(status)s'."),
    "refer": gettext_lazy("Cannot refer a complaint that is '%(status)s'."),
    "follow up": gettext_lazy("Cannot follow up a complaint that is '%(status)s'."),
    "close": gettext_lazy("Cannot close a complaint that is '%(status)s'."),
}


def _begin(
    actor: Actor,
    complaint: Complaint,
    version: int | None,
    capabilities: tuple[str, ...] = ("complaint.triage",),
    statuses: tuple[str, ...] = OPEN_STATUSES,
    action: str = "triage",
) -> Complaint:
    locked = None
    for capability in capabilities:
        locked = (
            access.complaints_where(actor, capability)
            .select_for_update(of=("self",))  # the district may be null: lock only the row
            .select_related("jurisdiction", "district")
            .filter(pk=complaint.pk)
            .first()
        )
        if locked is not None:
            break
    if locked is None:
        raise PermissionDenied(str(_CANNOT[action]))
    versioning.check(
        locked,
        version,
        object_type=COMPLAINT_TYPE,
        object_id=locked.uuid,
        conflict=ComplaintConflict,
    )
    if locked.duplicate_of_id is not None:
        raise ValidationError(
            {"status": _("This is a repeat of another complaint; triage the first one.")}
        )
    if locked.status not in statuses:
        raise ValidationError(
            {"status": _WRONG_STATUS[action] % {"status": locked.get_status_display()}}
        )
    return locked


def _done(
    actor: Actor,
    complaint: Complaint,
    kind: str,
    *,
    fields: list[str],
    details: dict[str, Any] | None = None,
    note: str = "",
) -> Complaint:
    now = timezone.now()
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        occurred_at=now,
        actor=person(actor),
        details=details or {},
        note=note,
    )
    versioning.save_new_version(
        complaint,
        actor=actor,
        action=f"complaint.{kind}",
        object_type=COMPLAINT_TYPE,
        object_id=complaint.uuid,
        fields=fields,
        detail={k: v for k, v in (details or {}).items() if k != "note"},
    )
    return complaint


def _triaged(actor: Actor, complaint: Complaint, status: str) -> list[str]:
    complaint.status = status
    if complaint.triaged_at is None:
        complaint.triaged_at = timezone.now()
        complaint.triaged_by = person(actor)
    return ["status", "triaged_at", "triaged_by"]


@transaction.atomic
def complaint_route(
    *,
    actor: Actor,
    complaint: Complaint,
    district: District,
    note: str = "",
    version: int | None = None,
) -> Complaint:
    """Send the complaint to a district's queue: one whose district was not known, or one
    that belongs to another district (a referral between CPUs). The triage deadline stays."""
    complaint = _begin(
        actor,
        complaint,
        version,
        capabilities=("complaint.triage", "complaint.route"),
        action="send on",
    )
    if complaint.district_id == district.pk:
        raise ValidationError({"district": _("The complaint is already in this district's queue.")})
    previous = complaint.district.pcode if complaint.district else None
    complaint.district = district
    complaint.jurisdiction = district.jurisdiction
    return _done(
        actor,
        complaint,
        ComplaintEventKind.ROUTED,
        fields=["district", "jurisdiction"],
        details={"from": previous, "to": district.pcode},
        note=note,
    )


def _complaint_child(complaint: Complaint, child_id: int | None) -> ComplaintChild | None:
    """The child of the complaint a case is for: the one named, or the only one still
    without a case. None only for a complaint that describes no child."""
    children = list(complaint.children.all())
    if not children:
        return None
    if child_id is None:
        without_case = [c for c in children if c.case_id is None]
        if len(without_case) == 1:
            return without_case[0]
        if not without_case:
            raise ValidationError(
                {"complaint_child": _("Every child of this complaint has a case.")}
            )
        raise ValidationError(
            {"complaint_child": _("The complaint is about several children: say which one.")}
        )
    found = next((c for c in children if c.pk == child_id), None)
    if found is None:
        raise ValidationError({"complaint_child": _("Not a child of this complaint.")})
    if found.case_id is not None:
        raise ValidationError({"complaint_child": _("A case is already open for this child.")})
    return found


@transaction.atomic
def complaint_open_case(
    *,
    actor: Actor,
    complaint: Complaint,
    initial_risk: str,
    child: Child | None = None,
    register: dict[str, Any] | None = None,
    complaint_child_id: int | None = None,
    concerns: list[str] | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """Open a case from the complaint for one of its children: a child already in the
    registry (``child``) or a new registration (``register``: the registry's fields). The
    complaint's concerns and narrative pre-fill the case; the complaint links to it. Another
    child of the same complaint can get its own case the same way."""
    complaint = _begin(
        actor,
        complaint,
        version,
        statuses=(Status.RECEIVED, Status.CASE_OPENED, Status.ATTACHED),
        action="open a case from",
    )
    if complaint.district is None:
        raise ValidationError({"district": _("Send the complaint to a district first.")})
    if initial_risk not in RiskLevel.values:
        raise ValidationError({"initial_risk": _("Give the risk level: high, medium or low.")})
    if (child is None) == (register is None):
        raise ValidationError(
            {"child": _("Choose a child from the registry or register a new one (not both).")}
        )
    about = _complaint_child(complaint, complaint_child_id)
    if child is None:
        assert register is not None
        fields = dict(register)
        fields.setdefault("district", complaint.district)
        child = people_services.child_register(actor=actor, **fields)
    case = case_services.case_open(
        actor=actor,
        child=child,
        initial_risk=initial_risk,
        concerns=concerns or list(complaint.concerns),
        opened_at=timezone.now(),
        note=note or f"Opened from complaint {complaint.short_ref} ({complaint.channel}).",
    )
    if about is not None:
        about.child = child
        about.case = case
        about.save(update_fields=["child", "case"])
    fields_changed = (
        _triaged(actor, complaint, Status.CASE_OPENED)
        if complaint.status == Status.RECEIVED
        else []
    )
    if complaint.case_id is None:
        complaint.case = case
        fields_changed.append("case")
    _done(
        actor,
        complaint,
        ComplaintEventKind.CASE_OPENED,
        fields=fields_changed,
        details={"case": str(case.uuid)},
        note=note,
    )
    return case


@transaction.atomic
def complaint_attach(
    *,
    actor: Actor,
    complaint: Complaint,
    case: Case,
    complaint_child_id: int | None = None,
    note: str = "",
    version: int | None = None,
) -> Complaint:
    """The complaint (or one of its children) is about a child whose case is already open:
    it joins that case. A complaint about several children can be attached for one and
    open a case for another, in either order."""
    complaint = _begin(
        actor,
        complaint,
        version,
        statuses=(Status.RECEIVED, Status.CASE_OPENED, Status.ATTACHED),
        action="attach",
    )
    if not access.cases_workable_by(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(
            _("You cannot work on that case; ask its officer or your supervisor to attach it.")
        )
    about = _complaint_child(complaint, complaint_child_id)
    case_services.complaint_attach_to(
        actor=actor, case=case, complaint_ref=str(complaint.uuid), note=note
    )
    if about is not None:
        about.child_id = case.child_id
        about.case = case
        about.save(update_fields=["child", "case"])
    fields_changed = (
        _triaged(actor, complaint, Status.ATTACHED) if complaint.status == Status.RECEIVED else []
    )
    if complaint.case_id is None:
        complaint.case = case
        fields_changed.append("case")
    return _done(
        actor,
        complaint,
        ComplaintEventKind.ATTACHED,
        fields=fields_changed,
        details={"case": str(case.uuid)},
        note=note,
    )


def _check_follow_up(follow_up_on: date | None) -> date:
    today = timezone.localdate()
    if follow_up_on is None:
        raise ValidationError({"follow_up_on": _("Give the date to check what the body did.")})
    if follow_up_on < today:
        raise ValidationError({"follow_up_on": _("The follow-up date has passed already.")})
    if follow_up_on > today + FOLLOW_UP_HORIZON:
        raise ValidationError({"follow_up_on": _("Follow up within a year.")})
    return follow_up_on


@transaction.atomic
def complaint_refer(
    *,
    actor: Actor,
    complaint: Complaint,
    body: str,
    follow_up_on: date | None,
    note: str = "",
    version: int | None = None,
) -> Complaint:
    """Refer the complaint to the body that should act (police, FIA, an ombudsman…), with the
    date on which the CPU checks what became of it. Another district: ``complaint_route``."""
    complaint = _begin(actor, complaint, version, action="refer")
    if body not in ReferralBody.values:
        raise ValidationError({"body": _("Choose the body the complaint is referred to.")})
    if body in (ReferralBody.OTHER, ReferralBody.NGO) and not note.strip():
        raise ValidationError({"note": _("Name the body in the note.")})
    complaint.referred_to = body
    complaint.referral_follow_up_on = _check_follow_up(follow_up_on)
    fields_changed = _triaged(actor, complaint, Status.REFERRED)
    return _done(
        actor,
        complaint,
        ComplaintEventKind.REFERRED,
        fields=[*fields_changed, "referred_to", "referral_follow_up_on"],
        details={"body": body, "follow_up_on": complaint.referral_follow_up_on.isoformat()},
        note=note,
    )


@transaction.atomic
def referral_follow_up(
    *,
    actor: Actor,
    complaint: Complaint,
    note: str,
    next_follow_up_on: date | None = None,
    version: int | None = None,
) -> Complaint:
    """Record what became of a referral: check again on a later date, or close it."""
    complaint = _begin(actor, complaint, version, statuses=(Status.REFERRED,), action="follow up")
    if not note.strip():
        raise ValidationError({"note": _("Say what the body did.")})
    details: dict[str, Any] = {}
    fields = ["referral_follow_up_on"]
    if next_follow_up_on is not None:
        complaint.referral_follow_up_on = _check_follow_up(next_follow_up_on)
        details["next_follow_up_on"] = next_follow_up_on.isoformat()
    else:
        complaint.referral_follow_up_on = None
        complaint.status = Status.CLOSED
        complaint.closure_reason = ClosureReason.REFERRAL_COMPLETED
        fields += ["status", "closure_reason"]
        details["closed"] = True
    return _done(
        actor,
        complaint,
        ComplaintEventKind.REFERRAL_FOLLOWED_UP,
        fields=fields,
        details=details,
        note=note,
    )


@transaction.atomic
def complaint_close(
    *, actor: Actor, complaint: Complaint, reason: str, note: str = "", version: int | None = None
) -> Complaint:
    complaint = _begin(actor, complaint, version, action="close")
    if reason not in ClosureReason.values or reason == ClosureReason.REFERRAL_COMPLETED:
        raise ValidationError({"reason": _("Choose why the complaint is closed.")})
    if reason == ClosureReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Explain the reason in the note.")})
    complaint.closure_reason = reason
    fields_changed = _triaged(actor, complaint, Status.CLOSED)
    return _done(
        actor,
        complaint,
        ComplaintEventKind.CLOSED,
        fields=[*fields_changed, "closure_reason"],
        details={"reason": reason},
        note=note,
    )


@transaction.atomic
def triage_time_set(*, actor: Actor, jurisdiction: Jurisdiction | None, hours: int) -> TriageTime:
    """Set how many hours a jurisdiction's CPUs have to triage a complaint (None: default)."""
    if not access.has_capability(actor, "settings.edit"):
        raise PermissionDenied(_("Only an administrator changes this setting."))
    if jurisdiction is not None and not access.can_manage_scope(
        actor, jurisdiction_id=jurisdiction.pk
    ):
        raise PermissionDenied(_("This jurisdiction is outside your scope."))
    if jurisdiction is None and not access.can_manage_scope(actor):
        raise PermissionDenied(_("Only a national administrator changes the default."))
    if not 1 <= hours <= 24 * 30:
        raise ValidationError({"hours": _("Between 1 hour and 30 days (720 hours).")})
    setting = TriageTime.objects.update_or_create(
        jurisdiction=jurisdiction, defaults={"hours": hours}
    )[0]
    cache.delete(TRIAGE_TIMES_CACHE)  # now, and again once committed (a reader in between
    transaction.on_commit(lambda: cache.delete(TRIAGE_TIMES_CACHE))  # may have cached the old)
    audit_record(
        actor=actor,
        action="complaint.triage_time_set",
        object_type="complaints.triagetime",
        object_id=setting.pk,
        detail={"jurisdiction": jurisdiction.iso_code if jurisdiction else None, "hours": hours},
    )
    return setting
