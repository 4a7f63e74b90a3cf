"""The synthetic ground truth's conditions: each rate comes out as set, look-alike children
are distinct children who look alike, and the same seed gives the same records."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from cpmis.exchange.standard import SUPPORTED
from cpmis.linkage import groundtruth, namepool
from cpmis.linkage.groundtruth import Child, Conditions
from cpmis.people.search import normalize_name

PROVINCES = {
    "PK-PB": [f"PK6{i:02d}" for i in range(36)],
    "PK-KP": [f"PK5{i:02d}" for i in range(30)],
}
TODAY = date(2026, 11, 28)
KEYS = {
    "record_type",
    "department_record_id",
    "record_date",
    "district",
    "child_name",
    "guardian_relation",
    "guardian_name",
    "sex",
    "date_of_birth",
    "age_years",
    "b_form_number",
    "truth",
}
URDU_LETTER = re.compile("[\u0600-\u06ff]")
LATIN_LETTER = re.compile("[A-Za-z]")
ABBREVIATED = ("Md", "Mohd", "M.")


def make(n: int, conditions: Conditions, seed: int = 11) -> list[dict[str, Any]]:
    return groundtruth.records_make(
        n, seed=seed, districts_by_province=PROVINCES, today=TODAY, conditions=conditions
    )


def children(n: int, conditions: Conditions, seed: int = 11) -> list[Child]:
    return groundtruth.children_make(
        n, seed=seed, districts_by_province=PROVINCES, today=TODAY, conditions=conditions
    )


@cache
def population(preset: str) -> tuple[list[dict[str, Any]], list[Child]]:
    """About 20,000 records of 10,000 children, and the children."""
    conditions = groundtruth.PRESETS[preset]
    return make(10_000, conditions), children(10_000, conditions)


def share(hits: int, total: int) -> float:
    assert total > 200, "too few records to measure a rate"
    return hits / total


def near(measured: float, expected: float, total: int) -> bool:
    """Within four standard errors of a binomial share (and a point of slack)."""
    spread = 4 * (expected * (1 - expected) / total) ** 0.5 + 0.01
    return abs(measured - expected) <= spread


def urdu(text: str) -> bool:
    return bool(URDU_LETTER.search(text))


def same(one: str, other: str) -> bool:
    """The same Urdu name, whatever the Arabic letter forms and spacing."""
    return normalize_name(one).replace(" ", "") == normalize_name(other).replace(" ", "")


def without_muhammad(name: str) -> str:
    words = name.split(" ")
    first = words[0]
    if len(words) > 1 and (
        first in namepool.MUHAMMAD_SPELLINGS
        or first in ABBREVIATED
        or first in namepool.MUHAMMAD_MISTYPED
    ):
        return " ".join(words[1:])
    return name


def latin_forms(name: namepool.Name, respelled: bool) -> set[str]:
    """The forms a Latin name takes without a typo: its spellings (or only their
    respellings), with "Muhammad" as written, abbreviated, mistyped or dropped."""
    listed = set(name[0])
    forms = (
        {r for s in name[0] for r in groundtruth._respellings(s)} - listed if respelled else listed
    )
    return forms | {without_muhammad(f) for f in forms}


def given_part(record: dict[str, Any], child: Child, field: str = "child_name") -> str:
    """The record's child name without the family name written after it."""
    name: str = record[field]
    for spelling in child.family[0] if child.family else ():
        if name.endswith(" " + spelling):
            return name[: -len(spelling) - 1]
    return name


@pytest.fixture(autouse=True)
def _reference_data() -> None:
    """These tests need no database (the suite's fixture of this name loads one)."""


# --- The old call --------------------------------------------------------------------


def test_the_old_call_gives_the_same_keys_and_the_standard_conditions() -> None:
    records = groundtruth.records_make(300, seed=5, districts_by_province=PROVINCES, today=TODAY)
    assert records and all(set(r) == KEYS for r in records)
    assert records == make(300, groundtruth.STANDARD, seed=5)
    old = groundtruth.children_make(20, seed=5, districts_by_province=PROVINCES, today=TODAY)
    assert [c.truth for c in old] == list(range(20))
    import random

    record = groundtruth.record_make(random.Random(1), old[0], "police_report", 1 / 3, 7, TODAY)
    assert set(record) == KEYS and record["department_record_id"] == "police_report-7"
    kinds = {d[0] for d in groundtruth.DEPARTMENTS}
    assert kinds == {r["record_type"] for r in make(2000, groundtruth.STANDARD)}
    assert kinds == {
        "police_report",
        "court_outcome",
        "cci_admission",
        "health_examination",
        "education_referral",
        "probation",
    }
    assert kinds <= set(SUPPORTED)


# --- Determinism ---------------------------------------------------------------------

_DIGEST = """
import hashlib, sys
from datetime import date
from cpmis.linkage import groundtruth as g
p = {"PK-PB": [f"PK6{i:02d}" for i in range(36)], "PK-KP": [f"PK5{i:02d}" for i in range(30)]}
r = g.records_make(800, seed=3, districts_by_province=p, today=date(2026, 11, 28),
                   conditions=g.conditions_parse("urdu"))
print(hashlib.sha256(repr(r).encode()).hexdigest())
"""


def test_the_same_seed_and_conditions_give_the_same_records_in_any_process() -> None:
    hard = groundtruth.HARD
    assert make(500, hard) == make(500, hard)
    assert make(500, hard) != make(500, hard, seed=12)
    assert make(500, hard) != make(500, groundtruth.STANDARD)
    # Nothing may depend on the order of a set of strings, which changes with the hash seed.
    here = hashlib.sha256(repr(make(800, groundtruth.URDU, seed=3)).encode()).hexdigest()
    root = Path(__file__).resolve().parents[2]
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)}
        out = subprocess.run(  # noqa: S603 - this interpreter, our own code
            [sys.executable, "-c", _DIGEST], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == here


# --- Rates ---------------------------------------------------------------------------


@pytest.mark.parametrize("preset", ["standard", "lookalike", "hard", "urdu"])
def test_each_preset_writes_its_records_at_its_rates(preset: str) -> None:
    records, kids = population(preset)
    c = groundtruth.PRESETS[preset]
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_type[r["record_type"]].append(r)
    for kind, rate in c.urdu:
        rs = by_type[kind]
        expected = 1.0 if kind in c.urdu_only else rate
        assert near(share(sum(urdu(r["child_name"]) for r in rs), len(rs)), expected, len(rs))

    total = len(records)
    missing = [r for r in records if r["date_of_birth"] is None]
    assert near(share(len(missing), total), c.dob_missing, total)
    errors: Counter[int] = Counter()
    for r in missing:
        born = kids[r["truth"]].date_of_birth
        true_age = (r["record_date"] - born).days // 365
        if 0 < true_age < 17:  # away from the bounds ages are kept in
            errors[r["age_years"] - true_age] += 1
    assert set(errors) == set(range(-c.age_error, c.age_error + 1))

    swappable = [
        r
        for r in records
        if r["date_of_birth"] is not None
        and (born := kids[r["truth"]].date_of_birth).day <= 12
        and born.day != born.month
    ]
    swapped = sum(r["date_of_birth"] != kids[r["truth"]].date_of_birth for r in swappable)
    assert near(share(swapped, len(swappable)), c.dob_swapped, len(swappable))

    moved = sum(r["district"] != kids[r["truth"]].district for r in records)
    assert near(share(moved, total), c.other_district, total)

    with_b_form = [r for r in records if r["b_form_number"]]
    assert near(share(len(with_b_form), total), c.b_form, total)
    wrong = sum(r["b_form_number"] != kids[r["truth"]].b_form for r in with_b_form)
    assert near(share(wrong, len(with_b_form)), c.b_form_typo, len(with_b_form))
    assert all(r["b_form_number"].startswith("00") for r in with_b_form)

    # Swapped names, seen on the Urdu records (no typos there): the father's name first.
    in_urdu = [r for r in records if urdu(r["child_name"])]
    exchanged = [
        r
        for r in in_urdu
        if not same(kids[r["truth"]].given[1], kids[r["truth"]].father[1])
        and same(r["child_name"], kids[r["truth"]].father[1])
    ]
    assert near(share(len(exchanged), len(in_urdu)), c.names_swapped, len(in_urdu))

    # An Urdu name in a variant spelling (some names have none: the share is lower).
    kept = [r for r in in_urdu if r not in exchanged]
    variants = sum(
        r["child_name"] != kids[r["truth"]].given[1]
        and r["child_name"].rpartition(" ")[0] != kids[r["truth"]].given[1]
        for r in kept
    )
    measured = share(variants, len(kept))
    assert 0.6 * c.urdu_variant - 0.005 <= measured <= c.urdu_variant + 0.01

    with_family = [r for r in records if kids[r["truth"]].family is not None]
    written = 0
    for r in with_family:
        family = kids[r["truth"]].family
        assert family is not None
        ends = {normalize_name(f) for f in (family[1], *family[0])}
        ends |= {normalize_name(f) for f in namepool.URDU_ALTERNATES.get(family[1], ())}
        names = (normalize_name(r["child_name"]), normalize_name(r["guardian_name"]))
        written += any(n.endswith(tuple(" " + e for e in ends)) for n in names)
    assert near(share(written, len(with_family)), c.family_written, len(with_family))


@pytest.mark.parametrize("preset", ["standard", "lookalike", "hard", "urdu"])
def test_each_preset_spells_latin_names_at_its_rates(preset: str) -> None:
    records, kids = population(preset)
    c = groundtruth.PRESETS[preset]
    latin = [
        r
        for r in records
        if not urdu(r["child_name"])
        # not swapped: the guardian's name is not a form of the child's
        and given_part(r, kids[r["truth"]], "guardian_name")
        not in latin_forms(kids[r["truth"]].given, False)
    ]
    muhammad = [r for r in latin if kids[r["truth"]].given[1].startswith("محمد ")]
    first_words = Counter(r["child_name"].split(" ")[0] for r in muhammad)
    abbreviated = sum(first_words[a] for a in ABBREVIATED)
    # Three of the four forms of a dropped Muhammad are abbreviations; "Mohd" may be mistyped.
    assert near(share(abbreviated, len(muhammad)), 0.75 * c.muhammad_dropped * 0.95, len(muhammad))
    mistyped = sum(first_words[m] for m in namepool.MUHAMMAD_MISTYPED)
    # A typo of "Muhammad" may also give "Muhamad": a little more.
    assert near(share(mistyped, len(muhammad)), c.muhammad_mistyped + 0.005, len(muhammad))

    typos = respelled = 0
    for r in latin:
        child = kids[r["truth"]]
        name = given_part(r, child)
        names = {name, without_muhammad(name)}
        if names & latin_forms(child.given, False):
            continue
        if names & latin_forms(child.given, True):
            respelled += 1
        else:
            typos += 1
    # A typo that doubles a letter may give another spelling (Hasan, Hassan): a little less.
    assert near(share(typos, len(latin)), 0.93 * c.typo, len(latin))
    # Only respellings that are not spellings already show: between half and all of them.
    assert 0.4 * c.transliteration <= share(respelled, len(latin)) <= c.transliteration + 0.01


@pytest.mark.parametrize("preset", ["standard", "lookalike", "hard", "urdu"])
def test_each_preset_makes_its_population(preset: str) -> None:
    records, kids = population(preset)
    c = groundtruth.PRESETS[preset]
    n = len(kids)
    kin = Counter(k.kin for k in kids)
    assert near(share(kin["sibling"] + kin["twin"], n), c.siblings, n)
    assert near(share(kin["cousin"], n), c.cousins, n)
    assert near(share(kin["namesake"], n), c.namesakes, n)
    assert (kin["twin"] > 0) == (c.siblings * c.twins > 0)

    singles = [k for k in kids if not k.kin]
    assert near(share(sum(k.family is not None for k in singles), len(singles)), c.family_name, n)
    boys = [k for k in singles if k.sex == "male"]
    prefixed = sum(k.given[1].startswith("محمد ") for k in boys)
    assert near(share(prefixed, len(boys)), c.muhammad_prefix, len(boys))
    # Zipf: the commonest boy's name (Ali) is carried by 1 / H(n, skew) of boys.
    weights = [1 / rank**c.name_skew for rank in range(1, len(namepool.BOYS) + 1)]
    ali = sum(k.given[1].removeprefix("محمد ") == "علی" for k in boys)
    assert near(share(ali, len(boys)), weights[0] / sum(weights), len(boys))

    per_child = Counter(r["truth"] for r in records)
    assert set(per_child.values()) == set(range(1, c.max_records + 1))
    assert set(per_child) == set(range(n))


def test_max_records_limits_the_records_of_a_child() -> None:
    records = make(2000, groundtruth.conditions_parse("standard,max_records=2"))
    assert set(Counter(r["truth"] for r in records).values()) == {1, 2}


def test_names_follow_the_skew_set() -> None:
    even = children(6000, groundtruth.conditions_parse("standard,name_skew=0"))
    skewed = children(6000, groundtruth.conditions_parse("standard,name_skew=1.2"))

    def commonest(kids: list[Child]) -> float:
        counts = Counter(k.given[1].removeprefix("محمد ") for k in kids if k.sex == "female")
        return counts.most_common(1)[0][1] / sum(counts.values())

    assert commonest(even) < 0.02 and commonest(skewed) > 0.15


# --- Look-alikes ---------------------------------------------------------------------


def groups(kids: list[Child], *kinds: str) -> list[list[Child]]:
    out: dict[int, list[Child]] = defaultdict(list)
    for k in kids:
        if k.kin in kinds:
            out[k.group].append(k)
    return list(out.values())


def test_siblings_and_twins_are_distinct_children_of_one_father() -> None:
    _, kids = population("hard")
    families = groups(kids, "sibling", "twin")
    assert len(families) > 500
    twins = 0
    for family in families:
        assert len(family) >= 2 and len({k.truth for k in family}) == len(family)
        assert len({(k.father, k.father_usual, k.family, k.district) for k in family}) == 1
        assert len({k.given[1] for k in family}) == len(family)  # different given names
        for older, younger in pairwise(family):
            gap = abs((younger.date_of_birth - older.date_of_birth).days)
            if younger.kin == "twin" and gap == 0:
                twins += 1
                assert older.kin == "twin"
                # Registered together: consecutive B-forms, one digit apart.
                assert older.b_form[:5] == younger.b_form[:5]
                assert abs(int(older.b_form[6:13]) - int(younger.b_form[6:13])) == 1
            else:
                assert 365 <= gap <= 4 * 365
    assert twins > 20
    paired = [f for f in families if {"Hassan", "Hussain"} <= {k.given[0][0] for k in f}]
    assert paired  # Hassan and Hussain: different names, different children
    records, _ = population("hard")
    truths = {k.truth for f in families for k in f}
    assert len({r["truth"] for r in records if r["truth"] in truths}) == len(truths)


def test_cousins_share_family_name_district_and_their_fathers_second_word() -> None:
    _, kids = population("hard")
    clans = groups(kids, "cousin")
    assert len(clans) > 300
    for clan in clans:
        assert len({(k.family, k.district) for k in clan}) == 1 and clan[0].family is not None
        fathers = [k.father[1] for k in clan]
        assert len(set(fathers)) == len(fathers)
        assert len({f.split(" ")[-1] for f in fathers}) == 1


def test_namesakes_are_unrelated_children_of_one_name_nearby() -> None:
    _, kids = population("hard")
    namesakes = groups(kids, "namesake")
    assert len(namesakes) > 200
    for group in namesakes:
        assert len({(k.given, k.sex, k.district) for k in group}) == 1
        births = [k.date_of_birth for k in group]
        assert (max(births) - min(births)).days <= 2 * 365
    assert sum(len({k.father for k in g}) > 1 for g in namesakes) > 0.7 * len(namesakes)


def test_standard_has_no_look_alikes_made_on_purpose() -> None:
    _, kids = population("standard")
    assert all(k.kin == "" and k.group == -1 for k in kids)


# --- Urdu-only departments -----------------------------------------------------------


def test_urdu_only_departments_write_names_in_urdu_script_only() -> None:
    records, _ = population("urdu")
    only = set(groundtruth.URDU.urdu_only)
    assert len(only) == 2
    theirs = [r for r in records if r["record_type"] in only]
    assert len(theirs) > 5000
    for r in theirs:
        for field in ("child_name", "guardian_name"):
            assert urdu(r[field]) and not LATIN_LETTER.search(r[field]), r
    others = [r for r in records if r["record_type"] not in only]
    assert sum(urdu(r["child_name"]) for r in others) / len(others) < 0.3
    hard_records, _ = population("hard")
    assert not all(urdu(r["child_name"]) for r in hard_records if r["record_type"] in only)


# --- Parsing -------------------------------------------------------------------------


def test_conditions_parse_reads_a_preset_and_overrides() -> None:
    assert groundtruth.conditions_parse("hard") == groundtruth.HARD
    assert groundtruth.conditions_parse(" standard ") == groundtruth.STANDARD
    c = groundtruth.conditions_parse("hard,dob_missing=0.6, typo=1/5,siblings=30%,age_error=3")
    assert (c.dob_missing, c.typo, c.siblings, c.age_error) == (0.6, 0.2, 0.3, 3)
    assert c.cousins == groundtruth.HARD.cousins
    c = groundtruth.conditions_parse("standard,urdu=0.5,urdu.probation=0")
    assert c.urdu_rate("police_report") == 0.5 and c.urdu_rate("probation") == 0
    c = groundtruth.conditions_parse("urdu,urdu_only=probation+cci_admission")
    assert c.urdu_only == ("probation", "cci_admission") and c.urdu_rate("probation") == 1
    assert groundtruth.conditions_parse("urdu,urdu_only=none").urdu_only == ()
    for text in ("hard", "urdu,typo=0.2", "standard,urdu.probation=0.5,siblings=0.1"):
        c = groundtruth.conditions_parse(text)
        assert groundtruth.conditions_parse(groundtruth.conditions_text(c)) == c
    assert groundtruth.conditions_text(groundtruth.URDU) == "urdu"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "preset"),
        ("nightmare", "unknown preset 'nightmare'"),
        ("hard,typo", "field=value"),
        ("hard,typos=0.2", "unknown field 'typos'"),
        ("hard,typo=often", "typo takes a number"),
        ("hard,typo=1.5", "typo: a share from 0 to 1"),
        ("hard,dob_missing=-0.1", "dob_missing: a share from 0 to 1"),
        ("hard,urdu.jail=0.5", "unknown record type 'jail'"),
        ("hard,typo.police_report=0.5", "unknown field 'typo.police_report'"),
        ("hard,urdu_only=jail", "urdu_only: unknown record type"),
        ("hard,max_records=0", "max_records: a whole number 1 to 6"),
        ("hard,age_error=two", "age_error takes a whole number"),
        ("hard,siblings=0.6,cousins=0.6", "siblings + cousins + namesakes exceed 1"),
        ("hard,name_skew=9", "name_skew"),
    ],
)
def test_conditions_parse_refuses_what_it_cannot_read(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        groundtruth.conditions_parse(text)


def test_conditions_refuse_rates_out_of_range_when_built_in_code() -> None:
    with pytest.raises(ValueError, match="typo"):
        dataclasses.replace(groundtruth.STANDARD, typo=2.0)
    with pytest.raises(ValueError, match="urdu"):
        dataclasses.replace(groundtruth.STANDARD, urdu=(("police_report", 0.5),))


# --- The name pool -------------------------------------------------------------------


def test_the_name_pool_is_wide_and_keeps_different_names_apart() -> None:
    assert len(namepool.BOYS) >= 300 and len(namepool.GIRLS) >= 200
    assert len(namepool.FATHER_SECOND) >= 50
    assert all(len(f) >= 10 for f in namepool.FAMILY_BY_PROVINCE.values())
    pools = [
        namepool.BOYS,
        namepool.GIRLS,
        namepool.FATHERS,
        namepool.FATHER_SECOND,
        namepool.GIRL_SECOND,
        *namepool.FAMILY_BY_PROVINCE.values(),
    ]
    for pool in pools:
        spellings = Counter(s.casefold() for latin, _ in pool for s in latin)
        assert [s for s, n in spellings.items() if n > 1] == []
        assert len({u for _, u in pool}) == len(pool)
        for latin, written in pool:
            assert all(s.isascii() and s[0].isupper() for s in latin)
            assert urdu(written) and not LATIN_LETTER.search(written)
    by_spelling = {s: u for latin, u in namepool.BOYS for s in latin}
    assert by_spelling["Hasan"] == by_spelling["Hassan"] != by_spelling["Husain"]
    assert by_spelling["Ayaz"] == by_spelling["Ayyaz"]
    assert by_spelling["Umar"] == by_spelling["Omer"]
    girls = {s: u for latin, u in namepool.GIRLS for s in latin}
    assert girls["Zara"] == girls["Zahra"] == girls["Zehra"]
    assert girls["Ayesha"] == girls["Aisha"] == girls["Aysha"]
    # A respelling never turns a name into another one of the pool.
    for pool in (namepool.BOYS, namepool.GIRLS):
        owner = {s: u for latin, u in pool for s in latin}
        for latin, written in pool:
            for s in latin:
                for r in groundtruth._respellings(s):
                    assert owner.get(r, written) == written, (s, r)
    assert "Schahid" in groundtruth._respellings("Shahid")
    assert "Rahmatulla" in groundtruth._respellings("Rahmatullah")
    assert "Hussain" not in groundtruth._respellings("Hasan")
