"""A synthetic year of the oversight registers for the demo: trainings, awareness events and
materials across the provinces, extradition and legal assistance requests, and the
Committee's recommendations given to departments with their reports. Seeded: the same seed,
year and reference data give the same records. A system load, audited as one event."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cpmis.actors import DEMO
from cpmis.audit.services import audit_record
from cpmis.oversight.models import (
    ActivityKind,
    ActivityParticipants,
    AssignmentUpdate,
    ImplementationStatus,
    LegalAssistanceRequest,
    PreventionActivity,
    Recommendation,
    RecommendationAssignment,
    Topic,
)
from cpmis.reference.models import Department, District, Jurisdiction

DOCUMENT = "CRC/C/OPSC/PAK/CO/1"
TRAININGS, AWARENESS_EVENTS, MATERIALS, LEGAL_REQUESTS = 40, 25, 10, 12
COUNTS = (
    "activities",
    "trainings",
    "awareness_events",
    "materials",
    "participants",
    "legal_requests",
    "recommendations",
    "assignments",
    "updates",
)

# title, organiser (department code or ""), organiser name ("{j}": the province), the
# professions trained, topic, report paragraphs. Share of women by profession below.
TRAINING_PROFILES: tuple[tuple[str, str, str, tuple[str, ...], str, tuple[int, ...]], ...] = (
    (
        "Juvenile justice and the OPSC for judicial officers",
        "",
        "{j} Judicial Academy",
        ("judiciary",),
        Topic.CHILD_PROTECTION_LAW,
        (94,),
    ),
    (
        "Investigating the sale and trafficking of children",
        "police",
        "",
        ("police",),
        Topic.TRAFFICKING,
        (95,),
    ),
    (
        "Online child sexual exploitation: digital evidence",
        "fia",
        "FIA Academy",
        ("fia", "police"),
        Topic.ONLINE_ABUSE,
        (95,),
    ),
    (
        "Prosecuting offences under the Optional Protocol",
        "prosecution",
        "",
        ("prosecution", "police"),
        Topic.SEXUAL_EXPLOITATION,
        (94,),
    ),
    (
        "Alternatives to corporal punishment and safeguarding in schools",
        "education",
        "",
        ("education",),
        Topic.CHILD_PROTECTION_LAW,
        (96,),
    ),
    (
        "Case management for child victims of exploitation",
        "social_welfare",
        "",
        ("social_welfare",),
        Topic.VICTIM_SUPPORT,
        (97,),
    ),
    (
        "Medico-legal examination of child victims",
        "health",
        "",
        ("health",),
        Topic.VICTIM_SUPPORT,
        (),
    ),
    (
        "Child-friendly courts and testimony of child victims",
        "courts",
        "{j} Judicial Academy",
        ("judiciary", "prosecution", "lawyers"),
        Topic.VICTIM_SUPPORT,
        (94,),
    ),
    (
        "Reporting on child sexual abuse and trafficking",
        "commission",
        "",
        ("media", "civil_society"),
        Topic.OPSC_GENERAL,
        (93,),
    ),
    (
        "Child protection law for probation and social welfare officers",
        "child_protection",
        "",
        ("social_welfare", "lawyers"),
        Topic.CHILD_PROTECTION_LAW,
        (97,),
    ),
)
FEMALE_SHARE = {
    "judiciary": 0.22,
    "prosecution": 0.25,
    "police": 0.12,
    "fia": 0.15,
    "social_welfare": 0.45,
    "health": 0.55,
    "education": 0.55,
    "lawyers": 0.3,
    "civil_society": 0.5,
    "media": 0.3,
    "community": 0.5,
    "children": 0.5,
    "other": 0.4,
}
AWARENESS_PROFILES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("Community session on child trafficking", "social_welfare", ("community",), "trafficking"),
    (
        "Child Rights Art Festival on child sexual abuse",
        "commission",
        ("children", "education"),
        "sexual_exploitation",
    ),
    (
        "Safe internet day for students and parents",
        "fia",
        ("children", "community"),
        "online_abuse",
    ),
    (
        "Walk against child marriage and the sale of girls",
        "child_protection",
        ("community", "civil_society"),
        "trafficking",
    ),
    (
        "Helpline 1121 awareness in schools",
        "helpline",
        ("children", "education"),
        "victim_support",
    ),
    ("Parents' meeting on child protection", "education", ("community",), "opsc_general"),
)
MATERIAL_PROFILES: tuple[tuple[str, str, str], ...] = (
    ("Manual on protecting child rights (Urdu)", "commission", "opsc_general"),
    ("Posters on the child protection helpline 1121", "helpline", "victim_support"),
    ("Leaflet for parents on online safety", "fia", "online_abuse"),
    ("Handbook for police on child victims and witnesses", "police", "child_protection_law"),
    ("Teachers' guide on recognising exploitation", "education", "sexual_exploitation"),
)
COUNTRIES = ("AE", "SA", "AF", "GB", "IR", "OM", "QA", "MY", "KW", "IT", "BD", "TR")

# paragraph, theme, text, report sections, articles, departments (the first leads)
RECOMMENDATIONS: tuple[
    tuple[str, str, str, tuple[str, ...], tuple[int, ...], tuple[str, ...]], ...
] = (
    (
        "8",
        "Data collection",
        "The Committee recommends that the State party develop a comprehensive and "
        "coordinated system of data collection on all areas covered by the Optional "
        "Protocol, disaggregated by sex, age, nationality, province and socioeconomic "
        "background, and use it to assess its measures.",
        ("institutions",),
        (),
        ("commission", "child_protection", "police"),
    ),
    (
        "9",
        "National plan of action",
        "The Committee recommends that the State party adopt a national plan of action "
        "that specifically addresses the sale of children, child prostitution and child "
        "pornography, with adequate human, technical and financial resources.",
        ("articles-9-11", "institutions"),
        (9,),
        ("commission", "social_welfare"),
    ),
    (
        "10",
        "Coordination and evaluation",
        "The Committee recommends that the State party designate a body with a clear "
        "mandate to coordinate the implementation of the Optional Protocol across "
        "federal and provincial levels, and evaluate it regularly.",
        ("institutions",),
        (),
        ("commission",),
    ),
    (
        "11",
        "Dissemination and training",
        "The Committee recommends that the State party ensure systematic training on the "
        "provisions of the Optional Protocol for all professionals working with and for "
        "children, in particular judges, prosecutors, police, social workers, teachers, "
        "health professionals and the media.",
        ("prevention",),
        (9,),
        ("courts", "police", "education"),
    ),
    (
        "12",
        "Independent monitoring",
        "The Committee recommends that the State party ensure that the National Commission "
        "on the Rights of the Child can receive and investigate complaints of children on "
        "all matters covered by the Optional Protocol.",
        ("institutions",),
        (),
        ("commission", "ombudsman"),
    ),
    (
        "13",
        "Prevention and root causes",
        "The Committee recommends that the State party address the root causes of the "
        "sale and exploitation of children, such as poverty, lack of education and child "
        "labour, with targeted measures for children in street situations and in domestic "
        "work.",
        ("prevention",),
        (9,),
        ("social_welfare", "labour", "child_protection"),
    ),
    (
        "14",
        "Awareness-raising",
        "The Committee recommends that the State party strengthen awareness-raising "
        "programmes, in cooperation with civil society and the media and with the "
        "participation of children, on the harmful effects of all offences under the "
        "Optional Protocol.",
        ("prevention",),
        (9,),
        ("education", "commission", "helpline"),
    ),
    (
        "15",
        "Online sexual exploitation",
        "The Committee recommends that the State party require internet service providers "
        "to block and report child sexual abuse material, and strengthen the capacity of "
        "the cybercrime wing to investigate online offences.",
        ("article-3", "prevention"),
        (3, 9),
        ("fia", "police"),
    ),
    (
        "16",
        "Child marriage and sale",
        "The Committee recommends that the State party explicitly prohibit and criminalize "
        "the sale of children in the context of child marriage, including the customary "
        "practices of vani and swara.",
        ("article-2", "article-3"),
        (2, 3),
        ("police", "prosecution"),
    ),
    (
        "17(a)",
        "Criminalization of all offences",
        "The Committee urges the State party to ensure that its criminal law fully covers "
        "all offences under articles 2 and 3 of the Optional Protocol, including the sale "
        "of children for the transfer of organs for profit and for forced labour.",
        ("article-2", "article-3"),
        (2, 3),
        ("commission", "prosecution"),
    ),
    (
        "17(b)",
        "Child pornography",
        "The Committee urges the State party to define and criminalize child pornography "
        "in line with articles 2(c) and 3(1)(c) of the Optional Protocol, including its "
        "possession and accessing it online.",
        ("article-2", "article-3"),
        (2, 3),
        ("fia", "prosecution"),
    ),
    (
        "17(c)",
        "Child victims not treated as offenders",
        "The Committee urges the State party to ensure that children who are victims of "
        "prostitution are treated as victims and are never criminalized or detained.",
        ("article-3", "article-8"),
        (3, 8),
        ("police", "courts"),
    ),
    (
        "18",
        "Extraterritorial jurisdiction",
        "The Committee recommends that the State party establish extraterritorial "
        "jurisdiction over all offences under the Optional Protocol, without the criterion "
        "of double criminality.",
        ("article-4",),
        (4,),
        ("commission", "prosecution"),
    ),
    (
        "19",
        "Extradition",
        "The Committee recommends that the State party use the Optional Protocol as a "
        "legal basis for extradition and include all of its offences in the schedule of "
        "the Extradition Act, 1972.",
        ("articles-5-6",),
        (5,),
        ("fia", "prosecution"),
    ),
    (
        "20",
        "Mutual legal assistance",
        "The Committee recommends that the State party conclude arrangements on mutual "
        "legal assistance with countries of destination and record the requests made and "
        "received.",
        ("articles-5-6",),
        (6,),
        ("fia",),
    ),
    (
        "21",
        "Seizure and confiscation",
        "The Committee recommends that the State party provide for the seizure and "
        "confiscation of goods and proceeds of the offences and the closure of premises "
        "used to commit them.",
        ("article-7",),
        (7,),
        ("police", "fia", "prosecution"),
    ),
    (
        "22",
        "Child-friendly justice",
        "The Committee recommends that the State party adopt child-friendly procedures, "
        "such as testimony by video link and hearings in camera, avoid repeated interviews "
        "of child victims, and establish child-friendly courts in every district.",
        ("article-8",),
        (8,),
        ("courts", "police", "prosecution"),
    ),
    (
        "23",
        "Compensation and legal aid",
        "The Committee recommends that the State party ensure that all child victims have "
        "access to free legal aid and to procedures to seek compensation.",
        ("article-8",),
        (8, 9),
        ("social_welfare", "courts"),
    ),
    (
        "24",
        "Recovery and reintegration",
        "The Committee recommends that the State party provide child victims with shelter, "
        "medical and psychosocial care by trained staff, and support for their full social "
        "reintegration.",
        ("article-8", "articles-9-11"),
        (9,),
        ("social_welfare", "health", "child_protection"),
    ),
    (
        "25",
        "Child helpline",
        "The Committee recommends that the State party ensure that the child helpline is "
        "free of charge, available around the clock throughout the country and linked to "
        "child protection services.",
        ("articles-9-11",),
        (9,),
        ("helpline", "child_protection"),
    ),
)
FINAL_STATUSES = (
    "not_started",
    "in_progress",
    "in_progress",
    "partially_implemented",
    "implemented",
    "not_implemented",
)
NOTES = {
    "in_progress": "Work has begun; a draft is with the department for comments.",
    "partially_implemented": "Done in part; the remaining provinces follow next year.",
    "implemented": "Completed and notified.",
    "not_implemented": "Not taken up: no budget was allocated this year.",
}


def _split_sex(rng: random.Random, total: int, profession: str) -> dict[str, int]:
    female = round(total * min(max(rng.gauss(FEMALE_SHARE[profession], 0.06), 0.0), 0.9))
    transgender = 1 if profession in ("community", "civil_society") and rng.random() < 0.15 else 0
    return {
        "female": female,
        "male": max(total - female - transgender, 0),
        "transgender": transgender,
    }


def oversight_generate(*, seed: int, year: int) -> dict[str, int]:
    """One year of the registers (dates within ``year``, none after today). A second run
    for the same Committee document adds nothing and returns zeros."""
    today = timezone.localdate()
    if year > today.year:
        raise ValueError(f"{year} has not begun; give this year or an earlier one.")
    first, last = date(year, 1, 1), min(date(year, 12, 31), today)
    span = (last - first).days
    if Recommendation.objects.filter(document=DOCUMENT).exists():
        return dict.fromkeys(COUNTS, 0)
    rng = random.Random(f"oversight-{seed}-{year}")
    jurisdictions = list(Jurisdiction.objects.order_by("iso_code"))
    districts: dict[int, list[District]] = {}
    for dist in District.objects.order_by("pcode"):
        districts.setdefault(dist.jurisdiction_id, []).append(dist)
    departments = {d.code: d for d in Department.objects.order_by("code")}
    if not jurisdictions or not departments:
        raise RuntimeError("Load the reference data first (cpmis manage load_reference).")

    def day(after: date = first) -> date:
        return after + timedelta(days=rng.randint(0, (last - after).days))

    def at(on: date) -> datetime:
        moment = timezone.make_aware(datetime.combine(on, time(rng.randint(9, 16), 0)))
        return min(moment, timezone.now())

    def where(national_share: float) -> tuple[Jurisdiction | None, District | None]:
        if rng.random() < national_share:
            return None, None
        j = rng.choice(jurisdictions)
        d = rng.choice(districts[j.pk]) if districts.get(j.pk) and rng.random() < 0.5 else None
        return j, d

    now = timezone.now()
    activities: list[tuple[PreventionActivity, list[ActivityParticipants]]] = []

    def activity(**fields: Any) -> PreventionActivity:
        made = PreventionActivity(created_at=now, updated_at=now, **fields)
        made.full_clean()
        return made

    for _ in range(TRAININGS):
        title, organiser, name, professions, topic, paragraphs = rng.choice(TRAINING_PROFILES)
        j, d = where(0.15)
        held = day()
        ended = min(held + timedelta(days=rng.choice((0, 0, 1, 2, 4))), last)
        made = activity(
            kind=ActivityKind.TRAINING,
            title=title,
            held_on=held,
            ended_on=ended if ended != held else None,
            jurisdiction=j,
            district=d,
            organiser=departments.get(organiser),
            organiser_name=name.format(j=j.short_name if j else "Federal"),
            topic=topic,
            report_paragraphs=list(paragraphs),
            description="In-service training with case studies and a test before and after.",
        )
        rows = []
        total = rng.randint(15, 60)
        for i, profession in enumerate(professions):
            share = total if len(professions) == 1 else max(total // (len(professions) + i), 3)
            for sex, count in _split_sex(rng, share, profession).items():
                if count:
                    rows.append(ActivityParticipants(profession=profession, sex=sex, count=count))
        activities.append((made, rows))
    for _ in range(AWARENESS_EVENTS):
        title, organiser, groups, topic = rng.choice(AWARENESS_PROFILES)
        j, d = where(0.1)
        made = activity(
            kind=ActivityKind.AWARENESS_EVENT,
            title=title,
            held_on=day(),
            jurisdiction=j,
            district=d,
            organiser=departments.get(organiser),
            topic=topic,
            report_paragraphs=[93],
        )
        rows = []
        total = rng.randint(50, 400)
        for i, group in enumerate(groups):
            share = round(total * (0.7 if i == 0 else 0.3)) if len(groups) > 1 else total
            for sex, count in _split_sex(rng, share, group).items():
                if count:
                    rows.append(ActivityParticipants(profession=group, sex=sex, count=count))
        activities.append((made, rows))
    for _ in range(MATERIALS):
        title, organiser, topic = rng.choice(MATERIAL_PROFILES)
        j, _d = where(0.4)
        activities.append(
            (
                activity(
                    kind=ActivityKind.MATERIAL,
                    title=title,
                    held_on=day(),
                    jurisdiction=j,
                    organiser=departments.get(organiser),
                    topic=topic,
                    materials_distributed=rng.randrange(500, 5001, 100),
                    report_paragraphs=[93],
                ),
                [],
            )
        )

    requests = []
    statuses = ["pending"] * 4 + ["granted"] * 4 + ["refused"] * 2 + ["withdrawn"] * 2
    rng.shuffle(statuses)
    for i in range(LEGAL_REQUESTS):
        dated = day()
        status = statuses[i % len(statuses)]
        decided = day(dated) if status != "pending" else None
        request = LegalAssistanceRequest(
            kind=rng.choice(("extradition", "mla", "mla")),
            direction=rng.choice(("incoming", "outgoing")),
            country=COUNTRIES[i % len(COUNTRIES)],
            dated_on=dated,
            opsc_category=rng.choice(("sale", "sale", "prostitution", "pornography")),
            status=status,
            decided_on=decided,
            jurisdiction=rng.choice([None, *jurisdictions[:5]]),
            reference=f"MOI/EXT/{year}/{rng.randint(100, 999)}",
            created_at=now,
            updated_at=now,
        )
        request.full_clean()
        requests.append(request)

    issued = first + timedelta(days=min(30, span // 4))
    recommendations = []
    for paragraph, theme, text, sections, articles, codes in RECOMMENDATIONS:
        rec = Recommendation(
            document=DOCUMENT,
            paragraph=paragraph,
            theme=theme,
            text=text,
            issued_on=issued,
            report_sections=list(sections),
            articles=list(articles),
            created_at=now,
            updated_at=now,
        )
        rec.full_clean()
        recommendations.append((rec, [departments[c] for c in codes if c in departments]))

    with transaction.atomic():
        PreventionActivity.objects.bulk_create([a for a, _ in activities])
        participants = []
        for made, rows in activities:
            for row in rows:
                row.activity = made
                participants.append(row)
        ActivityParticipants.objects.bulk_create(participants)
        LegalAssistanceRequest.objects.bulk_create(requests)
        Recommendation.objects.bulk_create([r for r, _ in recommendations])
        assignments, updates = [], []
        for rec, institutions in recommendations:
            for n, institution in enumerate(institutions):
                final = rng.choice(FINAL_STATUSES)
                assigned = day(issued)
                reported = day(assigned)
                history = [(ImplementationStatus.NOT_STARTED.value, at(assigned), "Assigned.")]
                if final in ("partially_implemented", "implemented"):
                    midway = assigned + (reported - assigned) / 2
                    history.append(("in_progress", at(midway), NOTES["in_progress"]))
                if final != "not_started":
                    # never before the step it follows (both may fall on one day)
                    history.append((final, max(at(reported), history[-1][1]), NOTES[final]))
                assignment = RecommendationAssignment(
                    recommendation=rec,
                    institution=institution,
                    lead=n == 0,
                    action=f"{institution.name_en}: {rec.theme.lower()} — plan agreed.",
                    status=final,
                    due_on=date(year + 1, 12, 31),
                    version=len(history),
                    updated_at=history[-1][1],
                )
                assignments.append(assignment)
                for status, moment, note in history:
                    updates.append(
                        AssignmentUpdate(
                            assignment=assignment,
                            status=status,
                            action=assignment.action,
                            note=note,
                            at=moment,
                        )
                    )
        RecommendationAssignment.objects.bulk_create(assignments)
        AssignmentUpdate.objects.bulk_create(updates)
        counts = {
            "activities": len(activities),
            "trainings": TRAININGS,
            "awareness_events": AWARENESS_EVENTS,
            "materials": MATERIALS,
            "participants": sum(p.count for p in participants),
            "legal_requests": len(requests),
            "recommendations": len(recommendations),
            "assignments": len(assignments),
            "updates": len(updates),
        }
        audit_record(
            actor=DEMO,
            action="demo.generate",
            object_type="oversight",
            detail={**counts, "seed": seed, "year": year},
        )
    return counts
