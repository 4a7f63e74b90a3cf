"""Synthetic department batches for the demo, sent through the real service: a clean police
batch, and one with mistakes, so the submission pages and the error report have content."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

from django.utils import timezone

from cpmis.accounts.models import User
from cpmis.exchange import services, standard
from cpmis.people.models import Child
from cpmis.people.services import age_on

from . import names


def _misheard(name: str) -> str:
    """A father's name as a clerk mishears it: the last word's last letter doubled
    ("Muhammad Aslam" as "Muhammad Aslamm")."""
    return f"{name}{name[-1]}" if name else name


def exchange_generate(*, seed: int = 2026) -> int:
    rng = random.Random(seed)
    today = timezone.localdate()
    focal = User.objects.get(username="focal.police.punjab")
    rt = standard.schema("police_report")
    assert rt is not None

    def record(i: int) -> dict[str, str]:
        girl = rng.random() < 0.5
        spellings, urdu = rng.choice(names.GIRLS if girl else names.BOYS)
        father_spellings, father_urdu = rng.choice(names.FATHERS)
        in_urdu = rng.random() < 0.33
        return {
            "department_record_id": f"PB-POL-2026-{i:05d}",
            "record_date": (today - timedelta(days=rng.randint(1, 120))).strftime("%d/%m/%Y"),
            "district": rng.choice(["PK617", "PK609", "PK614", "PK635"]),
            "child_name": urdu if in_urdu else rng.choice(spellings),
            "guardian_relation": "d/o" if girl else "s/o",
            "guardian_name": father_urdu if in_urdu else rng.choice(father_spellings),
            "sex": "female" if girl else "male",
            "date_of_birth": "",
            "age_years": str(rng.randint(6, 16)),
            "b_form_number": "",
            "fir_number": f"{rng.randint(1, 999)}/26",
            "police_station": rng.choice(["Model Town", "Gulberg", "Shahdara", "Ichhra"]),
            "offence_sections": rng.choice(["PPC s.369-A", "PPC s.377-B", "PPC s.292-B"]),
            "accused_count": str(rng.randint(0, 3)),
        }

    def upload(rows: list[dict[str, str]], filename: str) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=rt.field_names)
        writer.writeheader()
        writer.writerows(rows)
        services.submission_receive(
            actor=focal,
            batch=services.Batch(
                record_type="police_report",
                source="csv",
                date_format="dmy",
                filename=filename,
                content=buffer.getvalue().encode("utf-8"),
            ),
        )

    clean = [record(i) for i in range(40)]
    upload(clean, "lahore-firs-october.csv")
    flawed = [record(i) for i in range(40, 60)]
    flawed[3]["sex"] = "F"
    flawed[7]["record_date"] = (today - timedelta(days=3)).isoformat()  # ISO, not DD/MM/YYYY
    flawed[11]["offence_sections"] = "PPC s.999"
    flawed[15]["district"] = "PK528"  # Peshawar: outside Punjab
    upload(flawed, "lahore-firs-november.csv")

    # Lahore police records of girls and boys already in the registry, as the police write
    # them: in Urdu script when the registry has it, with an age instead of the date of
    # birth. Children of Lahore are found. Children registered in a neighbouring district
    # are written less surely: the given name alone, the father's name misheard and the age
    # guessed two years high, so that linkage leaves them to Lahore's supervisor to review.
    def registry(pcode: str) -> list[Child]:
        return list(
            Child.objects.filter(district__pcode=pcode)
            .exclude(name_latin="")
            .exclude(guardian_name_latin="")
            .order_by("pk")[:5]
        )

    seen = []
    lahore = registry("PK617")
    for i, child in enumerate(lahore + registry("PK609")):
        on = today - timedelta(days=rng.randint(10, 90))
        unsure = i >= len(lahore)
        urdu = bool(child.name_urdu) and i % 3 == 0 and not unsure
        father = (
            (child.guardian_name_urdu or child.guardian_name_latin)
            if urdu
            else child.guardian_name_latin
        )
        age = age_on(child.date_of_birth, on) + (2 if unsure else 0)
        seen.append(
            {
                **record(100 + i),
                "record_date": on.strftime("%d/%m/%Y"),
                "district": "PK617",
                "child_name": child.name_urdu
                if urdu
                else child.name_latin.split()[0]
                if unsure
                else child.name_latin,
                "guardian_relation": "d/o" if child.sex == "female" else "s/o",
                "guardian_name": _misheard(father) if unsure else father,
                "sex": child.sex if child.sex in ("female", "male") else "unknown",
                "age_years": str(max(0, min(17, age))),
            }
        )
    if seen:  # only when the registry has children to find
        upload(seen, "lahore-firs-december.csv")
    return len(clean) + len(flawed) + len(seen)
