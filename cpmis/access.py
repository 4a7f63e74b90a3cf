"""The one place that decides what a user may see and change.

Every list, detail, search, export and report asks this module; no view filters by hand.
A user holds role assignments (role × scope). A capability held at a scope grants it for the
districts inside that scope; roles in ``CASELOAD_ROLES`` see only their own caseload there.
Anything not granted is refused, and a record outside a user's reach is reported as absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from cpmis.accounts.roles import CAPABILITIES, CASELOAD_ROLES, ROLES_WITHOUT_2FA, Role, ScopeLevel
from cpmis.actors import Actor, SystemActor, SystemGrant, person

if TYPE_CHECKING:
    from cpmis.accounts.models import RoleAssignment, User
    from cpmis.audit.models import AuditEvent
    from cpmis.cases.models import Case, Task, Transfer
    from cpmis.complaints.models import Complaint
    from cpmis.exchange.models import DepartmentRecord, Submission
    from cpmis.field.models import Device
    from cpmis.jobs.models import Job
    from cpmis.linkage.models import RecordLink, ReviewItem
    from cpmis.people.models import Child, ChildMerge
    from cpmis.reference.models import District

_CACHE_ATTR = "_cpmis_role_assignments"


def assignments(user: Actor) -> list[RoleAssignment | SystemGrant]:
    """The user's role assignments, loaded once per user object (one query); a system actor's
    one national grant of the capabilities it was given."""
    if isinstance(user, SystemActor):
        return [SystemGrant(user.capabilities)]
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from cpmis.accounts.models import RoleAssignment

        cached = list(
            RoleAssignment.objects.filter(user_id=user.pk).select_related(
                "district", "jurisdiction", "department"
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return list(cached)


def _granted(grant: RoleAssignment | SystemGrant) -> frozenset[str]:
    if isinstance(grant, SystemGrant):
        return grant.capabilities
    return CAPABILITIES.get(grant.role, frozenset())


def forget(user: Any) -> None:
    """Drop the cached assignments after they change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def role_labels(user: Actor) -> list[str]:
    return [a.label for a in assignments(user)]


def capabilities(user: Actor) -> set[str]:
    caps: set[str] = set()
    for a in assignments(user):
        caps |= _granted(a)
    return caps


def has_capability(user: Actor, capability: str) -> bool:
    return capability in capabilities(user)


def requires_two_factor(user: Actor) -> bool:
    """Outside demo mode, every role that can see a child's record needs a second factor."""
    if not settings.CPMIS_REQUIRE_2FA or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(a.role not in ROLES_WITHOUT_2FA for a in assignments(user))


def _scope_q(assignment: RoleAssignment | SystemGrant, district_path: str) -> Q:
    if assignment.scope_level == ScopeLevel.NATIONAL:
        return Q()
    if assignment.scope_level == ScopeLevel.JURISDICTION:
        return Q(**{f"{district_path}__jurisdiction_id": assignment.jurisdiction_id})
    return Q(**{f"{district_path}_id": assignment.district_id})


def scope_filter(
    user: Actor, capability: str, *, district_path: str = "district", caseload: Q | None = None
) -> Q | None:
    """A filter for records whose district lies in a scope where the user holds ``capability``;
    for roles limited to a caseload, also ``caseload``.

    None means no access at all (callers return an empty queryset).
    """
    q: Q | None = None
    for a in assignments(user):
        if capability not in _granted(a):
            continue
        part = _scope_q(a, district_path)
        if a.role in CASELOAD_ROLES:
            part &= caseload if caseload is not None else Q(pk__in=[])
        q = part if q is None else q | part
    return q


def _children_caseload(user: Actor) -> Q:
    # A CPO's children: those they are responsible for, and those of cases assigned to them.
    from cpmis.cases.models import Case

    return Q(owner_id=user.pk) | Q(
        Exists(Case.objects.filter(child_id=OuterRef("pk"), assigned_to_id=user.pk))
    )


def _children(user: Actor, capability: str) -> QuerySet[Child]:
    from cpmis.people.models import Child

    q = scope_filter(user, capability, caseload=_children_caseload(user))
    if q is None:
        return Child.objects.none()
    return Child.objects.filter(q)


def children_visible_to(user: Actor) -> QuerySet[Child]:
    return _children(user, "child.view")


def children_changeable_by(user: Actor) -> QuerySet[Child]:
    # A merged child's record is frozen: its page stays, changes go to the survivor.
    return _children(user, "child.change").filter(merged_into=None)


def children_listed_to(user: Actor) -> QuerySet[Child]:
    """Children a user may find in lists and search: those they may see, without the ones
    merged into another child (whose pages still answer, with the merge)."""
    return children_visible_to(user).filter(merged_into=None)


def merges_visible_to(user: Actor) -> QuerySet[ChildMerge]:
    """Merge proposals whose two children the user may both see."""
    from cpmis.people.models import ChildMerge

    visible = children_visible_to(user).values("pk")
    return ChildMerge.objects.filter(child_a__in=visible, child_b__in=visible)


def merges_decidable_by(user: Actor) -> QuerySet[ChildMerge]:
    """Proposals a person may decide or undo: both children in sight, and ``child.merge``
    held where one of them lives. Only a person: the system never merges children."""
    from cpmis.people.models import ChildMerge

    if person(user) is None:
        return ChildMerge.objects.none()

    by_a = scope_filter(user, "child.merge", district_path="child_a__district")
    by_b = scope_filter(user, "child.merge", district_path="child_b__district")
    if by_a is None or by_b is None:
        return ChildMerge.objects.none()
    return merges_visible_to(user).filter(by_a | by_b)


def _cases(user: Actor, capability: str) -> QuerySet[Case]:
    from cpmis.cases.models import Case

    q = scope_filter(user, capability, caseload=Q(assigned_to_id=user.pk))
    if q is None:
        return Case.objects.none()
    return Case.objects.filter(q)


def cases_visible_to(user: Actor) -> QuerySet[Case]:
    """A CPO's assigned cases in their district; a supervisor's whole scope."""
    return _cases(user, "case.view")


def cases_workable_by(user: Actor) -> QuerySet[Case]:
    return _cases(user, "case.work")


def cases_supervised_by(user: Actor) -> QuerySet[Case]:
    return _cases(user, "case.supervise")


def _tasks(user: Actor, capability: str) -> QuerySet[Task]:
    """Tasks of the cases a user reaches with ``capability``, found by the district and officer
    each task carries (its case's, kept by every recomputation), so lists and counts of tasks
    need not join the cases."""
    from cpmis.cases.models import Task

    q = scope_filter(user, capability, caseload=Q(assigned_to_id=user.pk))
    if q is None:
        return Task.objects.none()
    return Task.objects.filter(q)


def tasks_visible_to(user: Actor) -> QuerySet[Task]:
    return _tasks(user, "case.view")


def tasks_supervised_by(user: Actor) -> QuerySet[Task]:
    return _tasks(user, "case.supervise")


def transfers_waiting_for(user: Actor) -> QuerySet[Transfer]:
    """Transfers asking to move a case into a district the user supervises, not yet answered
    (one query on the partial index of pending transfers)."""
    from cpmis.cases.models import Transfer

    q = scope_filter(user, "case.supervise", district_path="to_district")
    if q is None:
        return Transfer.objects.none()
    return Transfer.objects.filter(q, status=Transfer.Status.PENDING)


def supervisors_of(district: District) -> QuerySet[User]:
    """Active accounts that supervise cases in ``district``: its own supervisors, or where it
    has none, those of its province (national supervisors are not asked for one district)."""
    from cpmis.accounts.models import User

    # One filter() per question: the role and its scope must be of the same assignment.
    own = User.objects.filter(
        is_active=True,
        role_assignments__role=Role.SUPERVISOR,
        role_assignments__scope_level=ScopeLevel.DISTRICT,
        role_assignments__district_id=district.pk,
    )
    if own.exists():
        return own.distinct()
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.SUPERVISOR,
        role_assignments__scope_level=ScopeLevel.JURISDICTION,
        role_assignments__jurisdiction_id=district.jurisdiction_id,
    ).distinct()


def officers_in(districts: QuerySet[District]) -> QuerySet[User]:
    """Active Child Protection Officers of these districts."""
    from cpmis.accounts.models import User
    from cpmis.accounts.roles import Role

    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.CPO,
            role_assignments__scope_level=ScopeLevel.DISTRICT,
            role_assignments__district__in=districts,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def officers_for_case(case: Case) -> QuerySet[User]:
    """Who may hold a case: active Child Protection Officers of the case's district, without
    the men when the child is a girl (ICT CPA 2018 s.20: a girl child is never in the care of
    a male officer; the safeguard is applied before the choice is offered, and an officer whose
    sex is not recorded is not offered for a girl)."""
    from cpmis.accounts.models import User
    from cpmis.accounts.roles import Role

    officers = User.objects.filter(
        is_active=True,
        role_assignments__role=Role.CPO,
        role_assignments__scope_level=ScopeLevel.DISTRICT,
        role_assignments__district_id=case.district_id,
    )
    if case.child.sex == "female":
        # only an officer recorded as a woman: "not stated" could be a man
        officers = officers.filter(sex=User.Sex.FEMALE)
    return officers.distinct().order_by("first_name", "last_name", "username")


def complaint_scope(user: Actor, capability: str) -> Q | None:
    """Complaints whose district lies in the user's scope; a complaint whose district is not
    known yet is in the queue of its jurisdiction, which only jurisdiction-wide or national
    holders of the capability reach. No caseload limit: the queue is the whole CPU's."""
    q: Q | None = None
    for a in assignments(user):
        if capability not in _granted(a):
            continue
        if a.scope_level == ScopeLevel.NATIONAL:
            part = Q()
        elif a.scope_level == ScopeLevel.JURISDICTION:
            part = Q(jurisdiction_id=a.jurisdiction_id)
        else:
            part = Q(district_id=a.district_id)
        q = part if q is None else q | part
    return q


def is_cpo(user: Actor) -> bool:
    """Whether the user works as a Child Protection Officer anywhere."""
    return any(a.role == Role.CPO for a in assignments(user))


def is_district_cpo(user: Actor, district_id: int) -> bool:
    """Whether the user is a Child Protection Officer of this district (who may own its
    children and cases)."""
    return any(
        a.role == Role.CPO and a.scope_level == ScopeLevel.DISTRICT and a.district_id == district_id
        for a in assignments(user)
    )


def complaints_where(user: Actor, capability: str) -> QuerySet[Complaint]:
    from cpmis.complaints.models import Complaint

    q = complaint_scope(user, capability)
    if q is None:
        return Complaint.objects.none()
    return Complaint.objects.filter(q)


def complaints_visible_to(user: Actor) -> QuerySet[Complaint]:
    return complaints_where(user, "complaint.view")


def jurisdictions_where(user: Actor, capability: str) -> set[int] | None:
    """Ids of jurisdictions where the user holds ``capability`` anywhere (None: all of them)."""
    ids: set[int] = set()
    for a in assignments(user):
        if capability not in _granted(a):
            continue
        if a.scope_level == ScopeLevel.NATIONAL:
            return None
        jurisdiction_id = a.jurisdiction_id or (a.district.jurisdiction_id if a.district else None)
        if jurisdiction_id is not None:
            ids.add(jurisdiction_id)
    return ids


def holds_across_jurisdiction(user: Actor, capability: str, jurisdiction_id: int) -> bool:
    """Whether the user holds ``capability`` for the whole jurisdiction (or nationally): the
    scope that sees complaints whose district is not known yet."""
    return any(
        capability in _granted(a)
        and (
            a.scope_level == ScopeLevel.NATIONAL
            or (a.scope_level == ScopeLevel.JURISDICTION and a.jurisdiction_id == jurisdiction_id)
        )
        for a in assignments(user)
    )


@dataclass(frozen=True)
class DepartmentScope:
    """Where a user acts for a department: nationally, in a province, or in one district."""

    department_id: int
    level: str
    jurisdiction_id: int | None
    district_id: int | None


def department_scopes(user: Actor, capability: str) -> list[DepartmentScope]:
    scopes = []
    for a in assignments(user):
        if capability not in _granted(a) or not a.department_id:
            continue
        jurisdiction_id = a.jurisdiction_id or (a.district.jurisdiction_id if a.district else None)
        scopes.append(
            DepartmentScope(
                a.department_id,
                a.scope_level,
                None if a.scope_level == ScopeLevel.NATIONAL else jurisdiction_id,
                a.district_id if a.scope_level == ScopeLevel.DISTRICT else None,
            )
        )
    return scopes


def submissions_visible_to(user: Actor) -> QuerySet[Submission]:
    """A department's submissions: to its national focal points, to those of the same
    province, and to a district's focal point those they sent themselves."""
    from cpmis.exchange.models import Submission

    q: Q | None = None
    for scope in department_scopes(user, "exchange.view"):
        part = Q(department_id=scope.department_id)
        if scope.level == ScopeLevel.JURISDICTION:
            part &= Q(jurisdiction_id=scope.jurisdiction_id)
        elif scope.level == ScopeLevel.DISTRICT:
            part &= Q(submitted_by_id=user.pk)
        q = part if q is None else q | part
    if q is None:
        return Submission.objects.none()
    return Submission.objects.filter(q)


def review_items_visible_to(user: Actor) -> QuerySet[ReviewItem]:
    """Linkage review items of records from the districts where the user reviews linkage."""
    from cpmis.linkage.models import ReviewItem

    q = scope_filter(user, "linkage.review", district_path="record__district")
    if q is None:
        return ReviewItem.objects.none()
    return ReviewItem.objects.filter(q)


def links_undoable_by(user: Actor) -> QuerySet[RecordLink]:
    """Active links a person may undo: of a child they may see, where they review linkage in
    the record's district or the child's."""
    from cpmis.linkage.models import RecordLink

    by_record = scope_filter(user, "linkage.review", district_path="record__district")
    by_child = scope_filter(user, "linkage.review", district_path="child__district")
    if by_record is None or by_child is None:
        return RecordLink.objects.none()
    return RecordLink.objects.filter(
        by_record | by_child, undone_at=None, child__in=children_visible_to(user)
    )


def records_linkable_by(user: Actor) -> QuerySet[DepartmentRecord]:
    """Department records a person may link by hand: those of the districts where they
    review linkage."""
    from cpmis.exchange.models import DepartmentRecord

    q = scope_filter(user, "linkage.review")
    if q is None:
        return DepartmentRecord.objects.none()
    return DepartmentRecord.objects.filter(q)


def links_visible_to(user: Actor) -> QuerySet[RecordLink]:
    """Active links of the children the user may see (the child's page lists them)."""
    from cpmis.linkage.models import RecordLink

    return RecordLink.objects.filter(undone_at=None, child__in=children_visible_to(user))


def children_matchable_by(user: Actor) -> QuerySet[Child]:
    """Registry children a triaging officer may be shown as possible matches for a complaint
    (name, age and district only): every child of the districts where they triage, since the
    child may already be known to a colleague."""
    from cpmis.people.models import Child

    return Child.objects.filter(
        district__in=districts_where(user, "complaint.triage").values("pk"), merged_into=None
    )


def districts_where(user: Actor, capability: str) -> QuerySet[District]:
    """Districts in which the user holds ``capability`` (for forms and registration)."""
    from cpmis.reference.models import District

    q: Q | None = None
    for a in assignments(user):
        if capability in _granted(a):
            if a.scope_level == ScopeLevel.NATIONAL:
                part = Q()
            elif a.scope_level == ScopeLevel.JURISDICTION:
                part = Q(jurisdiction_id=a.jurisdiction_id)
            else:
                part = Q(pk=a.district_id)
            q = part if q is None else q | part
    if q is None:
        return District.objects.none()
    return District.objects.filter(q)


def devices_supervised_by(user: Actor) -> QuerySet[Device]:
    """Field devices enrolled by the Child Protection Officers of the districts the user
    supervises (enabled or not: a disabled officer's devices still show whether they wiped)."""
    from cpmis.field.models import Device

    districts = districts_where(user, "case.supervise")
    return Device.objects.filter(
        user__role_assignments__role=Role.CPO,
        user__role_assignments__scope_level=ScopeLevel.DISTRICT,
        user__role_assignments__district__in=districts,
    ).distinct()


def devices_of(user: Actor) -> QuerySet[Device]:
    """The user's own field devices (none for the system or a visitor)."""
    from cpmis.field.models import Device

    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return Device.objects.none()
    return Device.objects.filter(user_id=user.pk)


def can_register_child_in(user: Actor, district: District) -> bool:
    return districts_where(user, "child.register").filter(pk=district.pk).exists()


def can_assign_owner_in(user: Actor, district: District) -> bool:
    return districts_where(user, "child.assign").filter(pk=district.pk).exists()


def audit_events_visible_to(user: Actor) -> QuerySet[AuditEvent]:
    """The whole trail to a national holder of ``audit.view``; to a provincial or district
    one, what the accounts holding a role in their scope did (events carry no district)."""
    from cpmis.accounts.models import RoleAssignment
    from cpmis.audit.models import AuditEvent

    q: Q | None = None
    for a in assignments(user):
        if "audit.view" not in _granted(a):
            continue
        if a.scope_level == ScopeLevel.NATIONAL:
            return AuditEvent.objects.all()
        if a.scope_level == ScopeLevel.JURISDICTION:
            part = Q(jurisdiction_id=a.jurisdiction_id) | Q(
                district__jurisdiction_id=a.jurisdiction_id
            )
        else:
            part = Q(district_id=a.district_id)
        q = part if q is None else q | part
    if q is None:
        return AuditEvent.objects.none()
    actors = RoleAssignment.objects.filter(q).values("user_id")
    return AuditEvent.objects.filter(actor_id__in=actors)


def _covers(
    assignment: RoleAssignment | SystemGrant,
    *,
    jurisdiction_id: int | None,
    district_id: int | None,
) -> bool:
    """Whether an assignment's scope contains the target scope."""
    if assignment.scope_level == ScopeLevel.NATIONAL:
        return True
    if assignment.scope_level == ScopeLevel.JURISDICTION:
        return jurisdiction_id is not None and jurisdiction_id == assignment.jurisdiction_id
    return district_id is not None and district_id == assignment.district_id


def can_manage_scope(
    user: Actor, *, jurisdiction_id: int | None = None, district_id: int | None = None
) -> bool:
    """An administrator manages accounts whose scope lies inside their own."""
    return any(
        "users.manage" in _granted(a)
        and _covers(a, jurisdiction_id=jurisdiction_id, district_id=district_id)
        for a in assignments(user)
    )


def can_manage_user(user: Actor, account: User) -> bool:
    """Whether an administrator may act on an account: every role it holds lies in their scope
    (a provincial administrator cannot deactivate someone who also holds a national role)."""
    if not has_capability(user, "users.manage"):
        return False
    return all(
        can_manage_scope(user, jurisdiction_id=a.jurisdiction_id, district_id=a.district_id)
        for a in account.role_assignments.all()
    )


def users_visible_to(user: Actor) -> QuerySet[User]:
    """Accounts an administrator may see: all for a national one, else those with a role in
    their scope (and accounts with no role yet, so a new account can be given one)."""
    from cpmis.accounts.models import User

    q: Q | None = None
    for a in assignments(user):
        if "users.manage" not in _granted(a):
            continue
        if a.scope_level == ScopeLevel.NATIONAL:
            return User.objects.all()
        part = (
            Q(role_assignments__jurisdiction_id=a.jurisdiction_id)
            if a.scope_level == ScopeLevel.JURISDICTION
            else Q(role_assignments__district_id=a.district_id)
        )
        q = part if q is None else q | part
    if q is None:
        return User.objects.none()
    return User.objects.filter(q | Q(role_assignments__isnull=True)).distinct()


def jobs_visible_to(user: Actor) -> QuerySet[Job]:
    """A person's own background jobs (their results are what they were allowed to see when
    the job ran: nobody else's to read). The system sees every job, to supervise the queue."""
    from cpmis.jobs.models import Job

    if isinstance(user, SystemActor):
        return Job.objects.all()
    who = person(user)
    if who is None or not who.is_active:
        return Job.objects.none()
    return Job.objects.filter(owner=who)


def scope_key(user: Actor, capability: str) -> str:
    """Where ``user`` holds ``capability``, as a short canonical text: two people with the same
    key see the same records through it (a kept report or export rendered for one may be
    served to the other). ``national``, a list of ``j<id>`` / ``d<id>`` (``+c`` for a
    caseload-limited role), or ``none``."""
    parts: set[str] = set()
    for a in assignments(user):
        if capability not in _granted(a):
            continue
        if a.scope_level == ScopeLevel.NATIONAL and a.role not in CASELOAD_ROLES:
            return "national"
        if a.scope_level == ScopeLevel.NATIONAL:
            where = "n"
        elif a.scope_level == ScopeLevel.JURISDICTION:
            where = f"j{a.jurisdiction_id}"
        else:
            where = f"d{a.district_id}"
        if a.role in CASELOAD_ROLES:
            # A caseload is the person's own: nobody else's key is the same.
            where += f"+c{user.pk}"
        parts.add(where)
    return ",".join(sorted(parts)) or "none"
