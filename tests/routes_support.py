"""The world that tests/test_routes.py calls every route in: one user per role, each bound to
a scope (Lahore, Punjab, the Punjab Police, national), and for every kind of record one inside
and one outside that scope, each carrying marker words that must never reach a user who may
not read it.

Lahore (PK617) is in Punjab (PK-PB); Peshawar (PK528) and Abbottabad (PK501) are in Khyber
Pakhtunkhwa (PK-KP), outside every role's scope here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from cpmis.accounts.models import RoleAssignment, User
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.reference.models import Department, District, Jurisdiction
from tests.conftest import born, make_user

LAHORE, PESHAWAR, ABBOTTABAD = "PK617", "PK528", "PK501"
D, J, N = ScopeLevel.DISTRICT, ScopeLevel.JURISDICTION, ScopeLevel.NATIONAL

ANONYMOUS = "anonymous"
# Every role of cpmis.accounts.roles.Role, plus a signed-in account with no role at all.
ROLES: tuple[str, ...] = (
    ANONYMOUS,
    "outsider",
    "cpo",
    "supervisor",
    "complaint_officer",
    "focal_point",
    "analyst",
    "administrator",
    "auditor",
)
ROLE_SPECS: dict[str, tuple[dict[str, Any], ...]] = {
    "outsider": (),
    "cpo": ({"role": Role.CPO, "scope_level": D, "district": LAHORE},),
    "supervisor": ({"role": Role.SUPERVISOR, "scope_level": D, "district": LAHORE},),
    "complaint_officer": (
        {
            "role": Role.COMPLAINT_OFFICER,
            "scope_level": J,
            "jurisdiction": "PK-PB",
            "department": "ombudsman",
        },
    ),
    "focal_point": (
        {
            "role": Role.FOCAL_POINT,
            "scope_level": J,
            "jurisdiction": "PK-PB",
            "department": "police",
        },
    ),
    "analyst": ({"role": Role.ANALYST, "scope_level": N, "department": "commission"},),
    # A provincial administrator, so that accounts outside the province exist.
    "administrator": ({"role": Role.ADMINISTRATOR, "scope_level": J, "jurisdiction": "PK-PB"},),
    "auditor": ({"role": Role.AUDITOR, "scope_level": N},),
}


@dataclass(frozen=True)
class Target:
    """An object a route is called on: its URL kwargs (and body fields it needs), and the
    roles whose scope holds it (the route's capability decides the rest). ``took_effect``:
    whether a write on it was carried out (a record made, a comment resolved), for routes that
    show a refusal as a message or a form's errors rather than by the status."""

    kwargs: dict[str, Any]
    readers: frozenset[str]
    data: dict[str, Any] = field(default_factory=dict)
    took_effect: Callable[[], bool] | None = None


@dataclass(frozen=True)
class Marker:
    """Words of one record that only ``readers`` may receive, in any response: its personal
    data (``words``: names, narratives) and its identifiers (``ids``: UUIDs, numbers,
    usernames)."""

    words: tuple[str, ...]
    readers: frozenset[str]
    what: str
    ids: tuple[str, ...] = ()


@dataclass
class World:
    users: dict[str, User]
    targets: dict[str, Target]
    markers: list[Marker]
    objects: dict[str, Any]


def _roles(*names: str) -> frozenset[str]:
    unknown = set(names) - set(ROLES)
    assert not unknown, unknown
    return frozenset(names)


def _district(pcode: str) -> District:
    return District.objects.select_related("jurisdiction").get(pcode=pcode)


def _child(actor: User, pcode: str, first: str, last: str, sex: str, years: int) -> Any:
    from cpmis.people.services import child_register

    return child_register(
        actor=actor,
        district=_district(pcode),
        sex=sex,
        date_of_birth=born(years, 2, 2),
        name_latin=f"{first} {last}",
        guardian_name_latin=f"{last}father Khan",
    )


def _police_row(record_id: str, pcode: str, first: str, last: str, **extra: str) -> dict[str, str]:
    row = {
        "department_record_id": record_id,
        "record_date": (timezone.localdate() - timedelta(days=20)).isoformat(),
        "district": pcode,
        "child_name": f"{first} {last}",
        "guardian_relation": "s/o",
        "guardian_name": "Abdul Ghafoor",
        "sex": "male",
        "date_of_birth": "",
        "age_years": "12",
        "b_form_number": "",
        "fir_number": "101/26",
        "police_station": "Model Town",
        "offence_sections": "PPC s.369-A",
        "accused_count": "1",
    }
    row.update(extra)
    return row


def _health_row(record_id: str, pcode: str, first: str, last: str, **extra: str) -> dict[str, str]:
    row = {
        "department_record_id": record_id,
        "record_date": (timezone.localdate() - timedelta(days=20)).isoformat(),
        "district": pcode,
        "child_name": f"{first} {last}",
        "guardian_relation": "d/o",
        "guardian_name": "Abdul Ghafoor",
        "sex": "female",
        "date_of_birth": "",
        "age_years": "12",
        "b_form_number": "",
        "facility": "Services Hospital",
        "service": "medico_legal",
        "referred_by": "police",
    }
    row.update(extra)
    return row


def _submit(actor: User, record_type: str, rows: list[dict[str, str]], key: str) -> Any:
    from cpmis.exchange import services

    outcome = services.submission_receive(
        actor=actor,
        batch=services.Batch(
            record_type=record_type, source="json", records=rows, idempotency_key=key
        ),
    )
    return outcome.submission


def build_world() -> World:
    from cpmis.cases import services as case_services
    from cpmis.cases.models import Institution, Transfer
    from cpmis.complaints import services as complaint_services
    from cpmis.complaints.models import Complaint
    from cpmis.exchange.models import DepartmentRecord
    from cpmis.legal.models import ComplianceLink, Provision, Statute
    from cpmis.linkage import services as linkage_services
    from cpmis.linkage.models import RecordLink, ReviewItem
    from cpmis.notifications.models import Notification
    from cpmis.notifications.services import notify
    from cpmis.oversight import services as oversight_services
    from cpmis.people import merging
    from cpmis.people.models import Child
    from cpmis.reporting import services as report_services
    from cpmis.reporting.models import ReviewComment

    users = {role: make_user(f"route_{role}", *specs) for role, specs in ROLE_SPECS.items()}
    users["cpo"].sex = User.Sex.FEMALE
    users["cpo"].save(update_fields=["sex"])
    # Accounts outside every role's scope, who own the outside records.
    kp_cpo = make_user("kpofficerqx", {"role": Role.CPO, "scope_level": D, "district": PESHAWAR})
    kp_cpo.sex = User.Sex.FEMALE
    kp_cpo.save(update_fields=["sex"])
    kp_supervisor = make_user(
        "kpsupervisorqx", {"role": Role.SUPERVISOR, "scope_level": D, "district": PESHAWAR}
    )
    make_user("kpmanagerqx", {"role": Role.SUPERVISOR, "scope_level": J, "jurisdiction": "PK-KP"})
    kp_police = make_user(
        "kppoliceqx",
        {
            "role": Role.FOCAL_POINT,
            "scope_level": J,
            "jurisdiction": "PK-KP",
            "department": "police",
        },
    )
    pb_health = make_user(
        "pbhealthqx",
        {
            "role": Role.FOCAL_POINT,
            "scope_level": J,
            "jurisdiction": "PK-PB",
            "department": "health",
        },
    )
    # A focal point of the police in Punjab and in KP: the Punjab administrator sees the
    # account (one of its roles is in Punjab) but may not act on it nor on its KP role.
    dual = make_user(
        "dualqx",
        {
            "role": Role.FOCAL_POINT,
            "scope_level": J,
            "jurisdiction": "PK-PB",
            "department": "police",
        },
        {
            "role": Role.FOCAL_POINT,
            "scope_level": J,
            "jurisdiction": "PK-KP",
            "department": "police",
        },
    )
    analyst = users["analyst"]
    cpo, supervisor = users["cpo"], users["supervisor"]

    # --- children --------------------------------------------------------------------------
    child_in = _child(cpo, LAHORE, "Qudsiaqx", "Inlahore", "female", 11)  # the CPO's caseload
    child_sup = _child(supervisor, LAHORE, "Bashirqx", "Supervised", "male", 9)  # no officer
    dup_sup = _child(supervisor, LAHORE, "Bashirqx", "Supervisedtwin", "male", 9)
    child_out = _child(kp_cpo, PESHAWAR, "Gulalaiqx", "Peshawarout", "female", 13)
    dup_out = _child(kp_cpo, PESHAWAR, "Gulalaiqx", "Peshawartwin", "female", 13)
    child_moving = _child(kp_cpo, PESHAWAR, "Zarminaqx", "Movingin", "female", 10)

    merge_in = merging.merge_propose(actor=supervisor, child_a=child_sup, child_b=dup_sup)
    merge_out = merging.merge_propose(actor=kp_supervisor, child_a=child_out, child_b=dup_out)

    # --- cases -----------------------------------------------------------------------------
    case_in = case_services.case_open(
        actor=supervisor,
        child=child_in,
        initial_risk="high",
        concerns=["abused"],
        assigned_to=cpo,
    )
    case_sup = case_services.case_open(  # no officer yet: the supervisor's to give
        actor=supervisor, child=child_sup, initial_risk="low", concerns=["neglected"]
    )
    case_out = case_services.case_open(
        actor=kp_supervisor,
        child=child_out,
        initial_risk="high",
        concerns=["abused"],
        assigned_to=kp_cpo,
    )
    case_moving = case_services.case_open(
        actor=kp_supervisor,
        child=child_moving,
        initial_risk="medium",
        concerns=["missing"],
        assigned_to=kp_cpo,
    )
    case_services.transfer_request(
        actor=kp_supervisor,
        case=case_moving,
        to_district=_district(LAHORE),
        reason="The family moved to Lahore.",
    )
    case_out.refresh_from_db()
    case_services.transfer_request(
        actor=kp_supervisor,
        case=case_out,
        to_district=_district(ABBOTTABAD),
        reason="The family moved to Abbottabad.",
    )
    event_in = case_in.events.order_by("pk").first()
    event_out = case_out.events.order_by("pk").first()

    # --- complaints --------------------------------------------------------------------------
    punjab = Jurisdiction.objects.get(iso_code="PK-PB")
    kp = Jurisdiction.objects.get(iso_code="PK-KP")

    def complaint(district: District | None, jurisdiction: Jurisdiction, word: str) -> Any:
        data = complaint_services.ComplaintInput(
            channel="helpline",
            jurisdiction=jurisdiction,
            district=district,
            narrative=f"A boy called {word}boy is made to work at night in {word}bazaar.",
            concerns=["child_labour"],
            children=[
                complaint_services.ChildInput(name=f"{word}boy", sex="male", age_years=8),
                # spelled almost as the child of Peshawar: the matches a triaging officer is
                # shown come from the complaint's own district (or province) only
                complaint_services.ChildInput(
                    name="Gulalaiqz Peshawaraut", sex="female", age_years=13
                ),
            ],
        )
        if jurisdiction == punjab:
            return complaint_services.complaint_register(
                actor=users["complaint_officer"], data=data
            )
        return complaint_services.complaint_submit_public(data=data)

    complaint_in = complaint(_district(LAHORE), punjab, "Lahcomplqx")
    complaint_province = complaint(None, punjab, "Pbcomplqx")  # district not known yet
    complaint_out = complaint(_district(PESHAWAR), kp, "Kpcomplqx")

    # --- department submissions and records --------------------------------------------------
    bad = {"sex": "boy"}  # rejected: its name is kept in the submission's report only
    sub_in = _submit(
        users["focal_point"],
        "police_report",
        [
            _police_row("RT-LHR-1", LAHORE, "Shakeelqx", "Recordone"),  # reviewed
            _police_row("RT-LHR-2", LAHORE, "Sajidqx", "Recordtwo"),  # linked to child_in
            _police_row("RT-LHR-3", LAHORE, "Tariqqx", "Recordthree"),  # review_cross
            _police_row("RT-LHR-4", LAHORE, "Rejinqx", "Rejectedin", **bad),
        ],
        "routes-in-0001",
    )
    sub_kp = _submit(
        kp_police,
        "police_report",
        [
            _police_row("RT-PSH-1", PESHAWAR, "Wajidqx", "Kprecordone"),
            _police_row("RT-PSH-2", PESHAWAR, "Wajidqx", "Kprecordtwo"),
            _police_row("RT-PSH-3", PESHAWAR, "Wajidqx", "Kprecordthree"),
            _police_row("RT-PSH-4", PESHAWAR, "Rejkpqx", "Rejectedkp", **bad),
        ],
        "routes-kp-0001",
    )
    sub_health = _submit(
        pb_health,
        "health_examination",
        [
            _health_row("RT-HLT-1", LAHORE, "Nargisqx", "Healthrecord"),
            _health_row("RT-HLT-2", LAHORE, "Rejhealthqx", "Rejectedhealth", sex="girl"),
        ],
        "routes-health-0001",
    )

    def record(record_id: str) -> DepartmentRecord:
        return DepartmentRecord.objects.get(department_record_id=record_id)

    model = linkage_services.model_ensure()
    now = timezone.now()
    review_in = ReviewItem.objects.create(
        record=record("RT-LHR-1"),
        candidate=child_sup,
        probability=0.7,
        model=model,
        group=uuid.uuid4(),
        created_at=now,
    )
    # A record of Lahore whose candidate is a child of Peshawar: the reviewer sees the
    # record and whether the child agrees with it, never the child.
    review_cross = ReviewItem.objects.create(
        record=record("RT-LHR-3"),
        candidate=child_out,
        probability=0.6,
        model=model,
        group=uuid.uuid4(),
        created_at=now,
    )
    review_out = ReviewItem.objects.create(
        record=record("RT-PSH-1"),
        candidate=child_out,
        probability=0.7,
        model=model,
        group=uuid.uuid4(),
        created_at=now,
    )
    link_in = RecordLink.objects.create(
        record=record("RT-LHR-2"),
        child=child_in,
        method=RecordLink.Method.AUTOMATIC,
        probability=0.99,
        model=model,
        created_at=now,
    )
    link_out = RecordLink.objects.create(
        record=record("RT-PSH-2"),
        child=child_out,
        method=RecordLink.Method.AUTOMATIC,
        probability=0.99,
        model=model,
        created_at=now,
    )

    # --- oversight, the report, the law ------------------------------------------------------
    today = timezone.localdate()
    activity = oversight_services.activity_create(
        actor=analyst,
        kind="training",
        title="Juvenile justice for judicial officers",
        held_on=today - timedelta(days=10),
        topic="child_protection_law",
        jurisdiction=punjab,
        district=_district(LAHORE),
        participants=[{"profession": "judiciary", "sex": "female", "count": 12}],
    )
    legal_request = oversight_services.legal_request_create(
        actor=analyst,
        kind="extradition",
        direction="outgoing",
        country="AE",
        dated_on=today - timedelta(days=40),
        opsc_category="sale",
    )
    recommendation = oversight_services.recommendation_create(
        actor=analyst,
        document="CRC/C/OPSC/PAK/CO/1",
        paragraph="22",
        text="Adopt child-friendly procedures in every district.",
        issued_on=today - timedelta(days=100),
        report_sections=["article-8"],
        articles=[8],
    )
    assignments = {
        code: oversight_services.assignment_set(
            actor=analyst,
            recommendation=recommendation,
            institution=Department.objects.get(code=code),
            lead=code == "police",
        )
        for code in ("police", "education")
    }
    edition = report_services.edition_create(
        actor=analyst,
        title="Second periodic report under the OPSC",
        reporting_year=today.year - 1,
        period_from=date(today.year - 1, 1, 1),
        period_to=date(today.year - 1, 12, 31),
    )
    version = report_services.narrative_save(
        actor=analyst, edition=edition, section="article-8", text="Training.", base_number=0
    )
    comment = report_services.comment_add(
        actor=analyst,
        edition=edition,
        section="article-8",
        text="Cite the figures.",
        on_version=version,
    )
    statute = Statute.objects.order_by("pk").first()
    provision = Provision.objects.order_by("pk").first()
    compliance_link = ComplianceLink.objects.order_by("pk").first()
    assert statute and provision and compliance_link

    # --- notifications -----------------------------------------------------------------------
    for role, user in users.items():
        notify(users=[user], kind="case_assigned", params={"number": f"PB-LHR-0 for {role}"})
    notify(users=[kp_cpo], kind="case_assigned", params={"number": "Notekpqx of Gulalaiqx"})
    notes = {n.user_id: n for n in Notification.objects.all()}

    # --- background jobs: each user's own finished report, and a KP officer's -----------------
    from cpmis.jobs.models import Job

    def job_of(user: Any, word: str) -> Job:
        now = timezone.now()
        data = f"%PDF-1.7 {word}".encode()
        return Job.objects.create(
            kind="report.pdf",
            owner=user,
            requested_by=user.get_username(),
            params={"edition": edition.pk},
            progress={"stage": "done", "label": word},
            state=Job.State.DONE,
            created_at=now,
            finished_at=now,
            result=data,
            result_name="opsc-report.pdf",
            result_type="application/pdf",
            result_size=len(data),
            expires_at=now + timedelta(days=1),
        )

    jobs = {role: job_of(user, f"Job of {role}").pk for role, user in users.items()}
    job_out = job_of(kp_cpo, "Jobkpqx")

    # --- targets ---------------------------------------------------------------------------
    R = _roles
    cpo_scope = R("cpo", "supervisor")
    sup = R("supervisor")
    nobody: frozenset[str] = frozenset()
    role_in = RoleAssignment.objects.get(user=cpo)
    dual_roles = {
        a.jurisdiction.iso_code: a.pk
        for a in RoleAssignment.objects.filter(user=dual).select_related("jurisdiction")
    }
    role_out = RoleAssignment.objects.get(user=kp_cpo)
    opening = {"initial_risk": "low", "concerns": ["abused"]}
    t: dict[str, Target] = {
        "none": Target({}, frozenset(ROLES)),
        # children
        "child_in": Target({"uuid": child_in.uuid}, cpo_scope),
        "child_sup": Target({"uuid": child_sup.uuid}, R("supervisor")),
        "child_out": Target({"uuid": child_out.uuid}, nobody),
        "merge_in": Target({"merge_id": merge_in.pk}, R("supervisor")),
        "pair_in": Target(
            {}, R("supervisor"), {"child_a": child_sup.uuid, "child_b": child_in.uuid}
        ),
        "pair_out": Target({}, nobody, {"child_a": child_out.uuid, "child_b": dup_out.uuid}),
        "merge_out": Target({"merge_id": merge_out.pk}, nobody),
        # cases
        "case_in": Target({"uuid": case_in.uuid}, cpo_scope),
        "case_sup": Target({"uuid": case_sup.uuid}, sup),
        "case_out": Target({"uuid": case_out.uuid}, nobody),
        "event_in": Target({"uuid": case_in.uuid, "event_id": event_in.pk}, cpo_scope),
        "event_out": Target({"uuid": case_out.uuid, "event_id": event_out.pk}, nobody),
        # the event of another case, under a case in scope
        "event_mixed": Target({"uuid": case_in.uuid, "event_id": event_out.pk}, nobody),
        "case_moving": Target({"uuid": case_moving.uuid}, nobody),
        "open_in": Target({}, cpo_scope, {"child": child_in.uuid, **opening}),
        "open_out": Target({}, nobody, {"child": child_out.uuid, **opening}),
        "transfer_in": Target({"uuid": case_moving.uuid}, R("supervisor")),
        "transfer_out": Target(
            {"uuid": case_out.uuid},
            nobody,
            took_effect=lambda: (
                not Transfer.objects.filter(case=case_out, status=Transfer.Status.PENDING).exists()
            ),
        ),
        # complaints
        "complaint_in": Target(
            {"uuid": complaint_in.complaint.uuid}, R("cpo", "supervisor", "complaint_officer")
        ),
        "complaint_province": Target(
            {"uuid": complaint_province.complaint.uuid}, R("complaint_officer")
        ),
        "complaint_out": Target({"uuid": complaint_out.complaint.uuid}, nobody),
        "code_in": Target(
            {},
            R("cpo", "supervisor", "complaint_officer"),
            {"code": complaint_in.display_code},
        ),
        "code_province": Target(
            {}, R("complaint_officer"), {"code": complaint_province.display_code}
        ),
        "code_out": Target({}, nobody, {"code": complaint_out.display_code}),
        # anyone with a tracking code reads its status
        "code_public": Target({}, frozenset(ROLES), {"code": complaint_out.display_code}),
        "triage_in": Target({}, R("administrator"), {"jurisdiction": "PK-PB", "hours": 48}),
        "triage_out": Target({}, nobody, {"jurisdiction": "PK-KP", "hours": 48}),
        "triage_default": Target({}, nobody, {"jurisdiction": None, "hours": 48}),
        # exchange
        "submission_in": Target({"uuid": sub_in.uuid}, R("focal_point")),
        "submission_health": Target({"uuid": sub_health.uuid}, nobody),
        "submission_kp": Target({"uuid": sub_kp.uuid}, nobody),
        # the Punjab police focal point sending the health department's records
        "batch_health": Target(
            {},
            nobody,
            {
                "record_type": "health_examination",
                "date_format": "iso",
                "records": [_health_row("RT-HLT-9", LAHORE, "Forgedqx", "Healthbatch")],
            },
        ),
        # linkage
        "review_in": Target({"item_id": review_in.pk}, R("supervisor")),
        "review_cross": Target({"item_id": review_cross.pk}, R("supervisor")),
        "review_out": Target({"item_id": review_out.pk}, nobody),
        "link_in": Target({"link_id": link_in.pk}, R("supervisor")),
        "link_out": Target({"link_id": link_out.pk}, nobody),
        "record_in": Target({"record_id": record("RT-LHR-3").pk}, R("supervisor")),
        "record_out": Target({"record_id": record("RT-PSH-3").pk}, nobody),
        # accounts
        "user_in": Target({"pk": cpo.pk}, R("administrator")),
        "user_out": Target({"pk": kp_cpo.pk}, nobody),
        "grant_in": Target(
            {"pk": cpo.pk},
            R("administrator"),
            {"role": "supervisor", "scope_level": "district", "district": LAHORE},
        ),
        "grant_out": Target(
            {"pk": cpo.pk}, nobody, {"role": "cpo", "scope_level": "district", "district": PESHAWAR}
        ),
        "user_dual_view": Target({"pk": dual.pk}, R("administrator")),
        "user_dual": Target({"pk": dual.pk}, nobody),
        "role_dual_in": Target({"pk": dual.pk, "role_id": dual_roles["PK-PB"]}, R("administrator")),
        "role_dual_out": Target({"pk": dual.pk, "role_id": dual_roles["PK-KP"]}, nobody),
        "role_in": Target({"pk": cpo.pk, "role_id": role_in.pk}, R("administrator")),
        "role_out": Target({"pk": kp_cpo.pk, "role_id": role_out.pk}, nobody),
        # another account's role, under an account in scope
        "role_mixed": Target({"pk": cpo.pk, "role_id": role_out.pk}, nobody),
        # national registers: no scope
        "statute": Target({"code": statute.code}, frozenset(ROLES)),
        "provision": Target({"pk": provision.pk}, frozenset(ROLES)),
        "compliance_link": Target({"pk": compliance_link.pk}, frozenset(ROLES)),
        "activity": Target({"pk": activity.pk}, frozenset(ROLES)),
        "legal_request": Target({"pk": legal_request.pk}, frozenset(ROLES)),
        "recommendation": Target({"pk": recommendation.pk}, frozenset(ROLES)),
        # the focal point reports on their own department's assignment only
        "assignment_in": Target({"pk": assignments["police"].pk}, frozenset(ROLES)),
        "assignment_out": Target(
            {"pk": assignments["education"].pk}, frozenset(ROLES) - {"focal_point"}
        ),
        "edition": Target({"edition_id": edition.pk}, frozenset(ROLES)),
        "section": Target({"edition_id": edition.pk, "section": "article-8"}, frozenset(ROLES)),
        "comment": Target(
            {"edition_id": edition.pk, "comment_id": comment.pk},
            frozenset(ROLES),
            took_effect=lambda: ReviewComment.objects.filter(
                pk=comment.pk, resolved_at__isnull=False
            ).exists(),
        ),
        "record_type": Target({"name": "police_report"}, frozenset(ROLES)),
        "record_type_v": Target({"name": "police_report", "major": 1}, frozenset(ROLES)),
        # notifications: each user's own, and another's
        "own_notification": Target({"pk": "own"}, frozenset(ROLES)),
        "notification_out": Target({"pk": notes[kp_cpo.pk].pk}, nobody),
        "own_job": Target({"job_id": "own"}, frozenset(ROLES)),
        "job_out": Target({"job_id": job_out.pk}, nobody),
    }

    # records a write would make, in scope and out of it
    def child_new(pcode: str, name: str, readers: frozenset[str]) -> Target:
        return Target(
            {},
            readers,
            {"district": pcode, "name_latin": name, "sex": "male", "estimated_age_years": 7},
            lambda: Child.objects.filter(name_latin=name).exists(),
        )

    def complaint_new(code: str, pcode: str, word: str, readers: frozenset[str]) -> Target:
        return Target(
            {},
            readers,
            {
                "channel": "helpline",
                "jurisdiction": code,
                "district": pcode,
                "narrative": f"{word}: a child is beaten at home.",
                "concerns": ["abused"],
            },
            lambda: Complaint.objects.filter(narrative__startswith=word).exists(),
        )

    def institution_new(pcode: str, name: str, readers: frozenset[str]) -> Target:
        return Target(
            {},
            readers,
            {
                "name": name,
                "type": "welfare_home",
                "district": pcode,
                "accepts": "all",
                "capacity": 10,
            },
            lambda: Institution.objects.filter(name=name).exists(),
        )

    t.update(
        child_new_in=child_new(LAHORE, "Newchildqx Lahore", cpo_scope),
        child_new_out=child_new(PESHAWAR, "Newchildqx Peshawar", nobody),
        complaint_new_in=complaint_new(
            "PK-PB", LAHORE, "Newcomplqxpb", R("supervisor", "complaint_officer")
        ),
        complaint_new_out=complaint_new("PK-KP", PESHAWAR, "Newcomplqxkp", nobody),
        institution_in=institution_new(LAHORE, "Routes Home Lahore", R("administrator")),
        institution_out=institution_new(PESHAWAR, "Routes Home Peshawar", nobody),
    )

    # --- markers -----------------------------------------------------------------------------
    m: list[Marker] = [
        Marker(
            ("Qudsiaqx", "Inlahore"), cpo_scope, "child in Lahore (CPO's)", (str(child_in.uuid),)
        ),
        Marker(("Supervised",), sup, "child in Lahore", (str(child_sup.uuid),)),
        Marker(("Supervisedtwin",), sup, "child in Lahore", (str(dup_sup.uuid),)),
        Marker(("Gulalaiqx", "Peshawarout"), nobody, "child in Peshawar", (str(child_out.uuid),)),
        Marker(("Peshawartwin",), nobody, "child in Peshawar", (str(dup_out.uuid),)),
        Marker(("Zarminaqx", "Movingin"), nobody, "child moving in", (str(child_moving.uuid),)),
        Marker((), cpo_scope, "case in Lahore", (case_in.number, str(case_in.uuid))),
        Marker((), sup, "case in Lahore, no officer", (case_sup.number, str(case_sup.uuid))),
        Marker((), nobody, "case in Peshawar", (case_out.number, str(case_out.uuid))),
        # the receiving supervisor sees the number of a case asked to move in, not the child
        # (its number and identifier, which the decision is made on)
        Marker((), sup, "case moving into Lahore", (case_moving.number, str(case_moving.uuid))),
        Marker(
            ("Lahcomplqx",),
            R("cpo", "supervisor", "complaint_officer"),
            "complaint in Lahore",
            (str(complaint_in.complaint.uuid), complaint_in.complaint.short_ref),
        ),
        Marker(
            ("Pbcomplqx",),
            R("complaint_officer"),
            "complaint in Punjab, district unknown",
            (str(complaint_province.complaint.uuid), complaint_province.complaint.short_ref),
        ),
        Marker(
            ("Kpcomplqx",),
            nobody,
            "complaint in KP",
            (str(complaint_out.complaint.uuid), complaint_out.complaint.short_ref),
        ),
        Marker(("Rejinqx",), R("focal_point"), "Punjab police submission", (str(sub_in.uuid),)),
        Marker(("Rejkpqx",), nobody, "KP police submission", (str(sub_kp.uuid),)),
        Marker(("Rejhealthqx",), nobody, "health submission", (str(sub_health.uuid),)),
        # Records are reviewed and linked by the supervisors of their district (any
        # department's); a record linked to a child is shown on that child's page.
        Marker(("Nargisqx",), sup, "Punjab health record in Lahore"),
        Marker(("Shakeelqx", "Tariqqx"), sup, "Punjab police records in Lahore"),
        Marker(("Sajidqx",), cpo_scope, "Punjab police record linked to the CPO's child"),
        Marker(("Wajidqx",), nobody, "KP police records"),
        Marker((), nobody, "KP accounts", ("kpofficerqx", "kpmanagerqx", "kppoliceqx")),
        Marker((), sup, "KP supervisor (asks for a transfer)", ("kpsupervisorqx",)),
        Marker((), R("administrator"), "Punjab health focal point", ("pbhealthqx",)),
        Marker((), R("administrator"), "police focal point in Punjab and KP", ("dualqx",)),
        Marker(("Notekpqx",), nobody, "a KP officer's notification"),
        Marker(("Jobkpqx",), nobody, "a KP officer's job"),
    ]
    for role in users:
        m.append(Marker((f"PB-LHR-0 for {role}",), R(role), f"the {role}'s notification"))

    objects = {
        "notifications": {role: notes[user.pk].pk for role, user in users.items()},
        "jobs": jobs,
        "child_in": child_in,
        "child_sup": child_sup,
        "child_out": child_out,
        # accounts outside every role's scope, who may read the outside records
        "kp_cpo": kp_cpo,
        "kp_supervisor": kp_supervisor,
        "kp_police": kp_police,
        "pb_health": pb_health,
        "case_in": case_in,
        "complaint_in": complaint_in.complaint,
    }
    return World(users=users, targets=t, markers=m, objects=objects)
