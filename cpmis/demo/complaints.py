"""Synthetic complaints from every channel for the demo, made through the complaint services
(so history, tracking codes and audit are real): some waiting, some overdue, some triaged
into cases, referrals and closures."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from cpmis.accounts.models import User
from cpmis.complaints import services
from cpmis.complaints.models import Channel, ComplaintChild
from cpmis.people.phonetic import split_by_script
from cpmis.reference.models import District

from . import names

NARRATIVES = [
    (
        "child_labour",
        "A girl of about {age} works all day in a house in the next street and "
        "is not sent to school.",
        "ایک {age} سال کی بچی سارا دن ساتھ والی گلی کے ایک گھر میں کام کرتی ہے۔",
    ),
    (
        "begging",
        "Children are made to beg at the traffic signal every evening by a man who "
        "takes the money.",
        "شام کو سگنل پر بچوں سے بھیک منگوائی جاتی ہے اور ایک آدمی پیسے لے لیتا ہے۔",
    ),
    ("sexually_abused", "A boy told his teacher that a van driver touches him.", ""),
    ("abused", "The neighbours' son, about {age}, is beaten and has marks on his arms.", ""),
    (
        "trafficked",
        "An agent took two boys from the village promising work in another city; "
        "the family has not heard from them.",
        "",
    ),
    (
        "child_marriage",
        "A girl of {age} in class 7 is to be married next month.",
        "ساتویں جماعت کی ایک {age} سالہ بچی کی اگلے مہینے شادی کی جا رہی ہے۔",
    ),
    ("missing", "A child of {age} has not come home for three days.", ""),
    ("sexually_exploited", "Girls are brought to a hotel at night by an older woman.", ""),
    ("pornography", "A man shows children videos on his phone and films them.", ""),
    ("neglected", "A small child is left alone at the shrine every day.", ""),
]


def _name_at_first_contact(about: ComplaintChild | None, n: int) -> dict[str, str]:
    """The name the officer registers: the one the reporter gave, in the field of its script;
    when the reporter did not know it, the one the family gives at the first visit (never a
    placeholder such as "Unknown", which the registry would show and search as a name)."""
    if about is not None and about.name.strip():
        latin, urdu = split_by_script(about.name)
        return {"name_latin": latin, "name_urdu": urdu}
    pool = names.GIRLS if about is not None and about.sex == "female" else names.BOYS
    spellings, urdu = pool[n % len(pool)]
    return {"name_latin": spellings[0], "name_urdu": urdu}


def complaints_generate(*, seed: int = 2026) -> int:
    """About forty complaints in Lahore and Peshawar over the last weeks."""
    rng = random.Random(seed)
    officer = User.objects.get(username="complaints.punjab")
    cpo = User.objects.get(username="cpo.lahore")
    supervisor = User.objects.get(username="supervisor.lahore")
    lahore = District.objects.select_related("jurisdiction").get(pcode="PK617")
    now = timezone.now()
    made: list[services.Registered] = []

    def child() -> services.ChildInput:
        girl = rng.random() < 0.5
        given, urdu = rng.choice(names.GIRLS if girl else names.BOYS)
        name = rng.choice(given) if rng.random() < 0.7 else urdu
        return services.ChildInput(
            name=name if rng.random() < 0.85 else "",
            sex="female" if girl else "male",
            age_years=rng.randint(6, 16) if rng.random() < 0.8 else None,
        )

    def story() -> tuple[str, str, str]:
        concern, english, urdu = rng.choice(NARRATIVES)
        age = rng.randint(8, 15)
        if urdu and rng.random() < 0.4:
            return concern, urdu.format(age=age), "ur"
        return concern, english.format(age=age), "en"

    channels = [Channel.HELPLINE, Channel.OFFICE, Channel.LETTER, Channel.REFERRAL]
    for i in range(24):
        concern, text, lang = story()
        channel = channels[i % len(channels)]
        made.append(
            services.complaint_register(
                actor=officer,
                data=services.ComplaintInput(
                    channel=channel,
                    jurisdiction=lahore.jurisdiction,
                    district=lahore if i % 6 else None,
                    received_at=now - timedelta(days=rng.randint(0, 30), hours=rng.randint(1, 20)),
                    narrative=text,
                    language=lang,
                    concerns=[concern],
                    reporter_kind=rng.choice(["anonymous", "parent", "teacher", "official"]),
                    source="Edhi Foundation" if channel == Channel.REFERRAL else "",
                    children=[child()],
                ),
            )
        )
    made += services.complaint_box_batch(
        actor=officer,
        jurisdiction=lahore.jurisdiction,
        district=lahore,
        school="Government Girls High School, Model Town",
        opened_at=now - timedelta(days=2),
        slips=[
            services.Slip(narrative=story()[1], concerns=["abused"], child=child())
            for _ in range(5)
        ],
    )
    for _ in range(8):
        concern, text, lang = story()
        made.append(
            services.complaint_submit_public(
                data=services.ComplaintInput(
                    channel=Channel.ONLINE,
                    jurisdiction=lahore.jurisdiction,
                    district=lahore,
                    narrative=text,
                    language=lang,
                    concerns=[concern],
                    children=[child()],
                )
            )
        )
    # Triage about half of those with a district; the rest wait (the old ones overdue).
    waiting = [
        r.complaint for r in made if r.complaint.district_id and not r.complaint.duplicate_of_id
    ]
    for n, complaint in enumerate(waiting[: len(waiting) // 2]):
        complaint.refresh_from_db()
        kind = n % 4
        if kind == 0:
            about = complaint.children.first()
            services.complaint_open_case(
                actor=cpo,
                complaint=complaint,
                initial_risk=rng.choice(["high", "medium"]),
                register={
                    **_name_at_first_contact(about, n),
                    "sex": about.sex if about and about.sex != "unknown" else "male",
                    "estimated_age_years": (about.age_years if about and about.age_years else 10),
                },
            )
        elif kind == 1:
            services.complaint_refer(
                actor=supervisor,
                complaint=complaint,
                body=rng.choice(["police", "fia", "education"]),
                follow_up_on=timezone.localdate() + timedelta(days=rng.randint(0, 14)),
                note="Referred for action.",
            )
        elif kind == 2:
            services.complaint_close(
                actor=supervisor,
                complaint=complaint,
                reason=rng.choice(["insufficient_information", "not_child_protection"]),
            )
        else:
            services.complaint_close(actor=cpo, complaint=complaint, reason="resolved")
    return len(made)
