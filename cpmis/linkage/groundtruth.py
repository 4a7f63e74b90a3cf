"""Synthetic ground truth for linking department records to one child.

Children (from the demo's name material: Pakistani given names with their spelling variants
and Urdu spellings, family or tribal names of their province for two in three, fathers'
names, s/o and d/o) are each seen by one to four departments;
each department writes its own record of the child, corrupted the way such records are
(the issue's rates, roughly):

- written in Urdu script: a third of police records, a fifth of court and school records, a
  tenth of the others;
- "Muhammad" dropped or abbreviated (Md, Mohd, M.) in a quarter of the names that carry it;
- no date of birth but an estimated age in a third of records, off by up to two years;
- day and month of the date of birth swapped in one in twenty (when the day allows);
- one record in twelve either in another district of the same province (standing in for a
  neighbouring one: the reference data has no adjacency) or with the given and father's
  names swapped, half and half (the issue's sentence can also be read as one in twelve
  each: bench/README.md gives the linkage's figures under both readings);
- a typo (an inserted, dropped, doubled or swapped letter) in one Latin name in eight;
- the B-form number on a minority (one in five), mistyped in one of ten of those.

Every record carries ``truth`` (the child's id); nothing else tells two records apart but what
a department would write. The same seed gives the same records.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cpmis.demo import names
from cpmis.demo.names import Name

DEPARTMENTS = [
    # (record type, share of children seen, chance a name is written in Urdu script)
    ("police_report", 0.7, 1 / 3),
    ("court_outcome", 0.35, 1 / 5),
    ("cci_admission", 0.3, 1 / 10),
    ("health_examination", 0.35, 1 / 10),
    ("education_referral", 0.25, 1 / 5),
    ("probation", 0.1, 1 / 10),
]
MUHAMMAD_FORMS = ("Md", "Mohd", "M.", "")


@dataclass(frozen=True)
class Child:
    truth: int
    given: Name  # Latin spellings, Urdu
    father: Name
    family: Name | None  # a family or tribal name, when the child uses one
    sex: str
    date_of_birth: date
    district: str
    province_districts: tuple[str, ...]
    b_form: str


def _b_form(rng: random.Random) -> str:
    digits = "00" + "".join(rng.choice("0123456789") for _ in range(11))  # "00": synthetic
    return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"


def _family(rng: random.Random, district: str) -> Name | None:
    """Two children in three carry a family or tribal name of their province."""
    pool = names.FAMILY_BY_PROVINCE.get(district[2:3]) or []
    return rng.choice(pool) if pool and rng.random() < 2 / 3 else None


def _compose(first: Name, second: Name) -> Name:
    latin = tuple(f"{a} {b}" for a in first[0] for b in second[0])
    return latin, f"{first[1]} {second[1]}"


def _given(rng: random.Random, girl: bool) -> Name:
    """A girl's name, with a second part for one in five ("Fatima Bibi"); a boy's, with
    "Muhammad" before it for one in three ("Muhammad Bilal")."""
    if girl:
        name = rng.choice(names.GIRLS)
        if rng.random() < 1 / 5:
            name = _compose(name, rng.choice(names.GIRL_SUFFIXES))
        return name
    name = rng.choice(names.BOYS[1:])
    if rng.random() < 1 / 3:
        name = _compose(names.BOYS[0], name)
    return name


def _father(rng: random.Random) -> Name:
    """A father's name: one of the common whole names for a third, else a given name with a
    second word ("Bilal Ahmed"), or after "Muhammad" or "Ghulam"."""
    roll = rng.random()
    if roll < 1 / 3:
        return rng.choice(names.FATHERS)
    given = rng.choice(names.BOYS[1:])
    if roll < 0.5:
        return _compose(names.BOYS[0], given)
    if roll < 0.6:
        return _compose(((("Ghulam",), "غلام")), given)
    return _compose(given, rng.choice(names.FATHER_SECOND))


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]  # dropped
    if kind == 1:
        return word[:i] + word[i] + word[i:]  # doubled
    if kind == 2:
        return word[:i] + rng.choice("aeiouy") + word[i:]  # inserted
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped


def children_make(
    n: int, *, seed: int, districts_by_province: dict[str, list[str]], today: date
) -> list[Child]:
    rng = random.Random(seed)
    provinces = [p for p, ds in districts_by_province.items() if ds]
    weights = [len(districts_by_province[p]) for p in provinces]
    out = []
    for truth in range(n):
        girl = rng.random() < 0.5
        province = rng.choices(provinces, weights)[0]
        age_days = rng.randint(2 * 365, 17 * 365 + 300)
        out.append(
            Child(
                truth=truth,
                given=_given(rng, girl),
                father=_father(rng),
                family=_family(rng, district_pcode := rng.choice(districts_by_province[province])),
                sex="female" if girl else "male",
                date_of_birth=today - timedelta(days=age_days),
                district=district_pcode,
                province_districts=tuple(districts_by_province[province]),
                b_form=_b_form(rng),
            )
        )
    return out


def _latin(rng: random.Random, spellings: tuple[str, ...]) -> str:
    name = rng.choice(spellings)
    words = name.split()
    muhammad = len(words) > 1 and words[0] in ("Muhammad", "Mohammad", "Muhammed", "Mohammed")
    if muhammad and rng.random() < 0.25:
        form = rng.choice(MUHAMMAD_FORMS)
        words = ([form] if form else []) + words[1:]
    if words and rng.random() < 1 / 8:
        j = rng.randrange(len(words))
        words[j] = _typo(rng, words[j])
    return " ".join(words)


def record_make(
    rng: random.Random, child: Child, record_type: str, urdu_rate: float, number: int, today: date
) -> dict[str, Any]:
    urdu = rng.random() < urdu_rate
    given = child.given[1] if urdu else _latin(rng, child.given[0])
    if child.family is not None and rng.random() < 0.8:  # not every record writes it
        given += " " + (child.family[1] if urdu else rng.choice(child.family[0]))
    father = child.father[1] if urdu else _latin(rng, child.father[0])
    district = child.district
    if rng.random() < 1 / 12:  # one record in twelve: another district, or names swapped
        if rng.random() < 0.5 and len(child.province_districts) > 1:
            district = rng.choice([d for d in child.province_districts if d != child.district])
        else:
            given, father = father, given
    record_date = today - timedelta(days=rng.randint(0, 700))
    born = child.date_of_birth
    dob: date | None = born
    age: int | None = None
    if rng.random() < 1 / 3:
        true_age = (record_date - born).days // 365
        age = max(0, min(17, true_age + rng.randint(-2, 2)))
        dob = None
    elif rng.random() < 1 / 20 and born.day <= 12 and born.day != born.month:
        dob = date(born.year, born.day, born.month)
    b_form = ""
    if rng.random() < 1 / 5:
        b_form = child.b_form
        if rng.random() < 1 / 10:
            i = rng.choice([k for k, ch in enumerate(b_form) if ch.isdigit()][2:])
            b_form = b_form[:i] + str((int(b_form[i]) + 1) % 10) + b_form[i + 1 :]
    return {
        "record_type": record_type,
        "department_record_id": f"{record_type}-{number}",
        "record_date": record_date,
        "district": district,
        "child_name": given,
        "guardian_relation": "d/o" if child.sex == "female" else "s/o",
        "guardian_name": father,
        "sex": child.sex,
        "date_of_birth": dob,
        "age_years": age,
        "b_form_number": b_form,
        "truth": child.truth,
    }


def records_make(
    n_children: int,
    *,
    seed: int,
    districts_by_province: dict[str, list[str]],
    today: date,
) -> list[dict[str, Any]]:
    """The records of ``n_children`` children, each seen by one to four departments."""
    rng = random.Random(seed + 1)
    records: list[dict[str, Any]] = []
    for child in children_make(
        n_children, seed=seed, districts_by_province=districts_by_province, today=today
    ):
        seen = [d for d in DEPARTMENTS if rng.random() < d[1]][:4] or [DEPARTMENTS[0]]
        for record_type, _, urdu_rate in seen:
            records.append(record_make(rng, child, record_type, urdu_rate, len(records), today))
    return records


def districts_by_province() -> dict[str, list[str]]:
    """The reference data's districts by province or territory, read from its file (no
    database needed)."""
    path = Path(__file__).resolve().parent.parent / "reference" / "data" / "districts.csv"
    out: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["jurisdiction_pcode"], []).append(row["pcode"])
    return out
