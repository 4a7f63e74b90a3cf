"""Synthetic ground truth for linking department records to one child.

Children are made from ``namepool`` (a few hundred Pakistani given names, fathers' names and
family or tribal names by province, each with its Latin spellings and Urdu spelling); each
is seen by one to four departments, each department writing its own record of the child,
corrupted the way such records are. Every record carries ``truth`` (the child's id);
nothing else tells two records apart but what a department would write. The same seed and
conditions give the same records.

Every rate is a field of ``Conditions``; ``PRESETS`` names four sets and
``conditions_parse("hard,typo=0.2")`` reads one from a command line. The *standard* rates
(the issue's, as before this module had conditions) are given first, then *hard*'s in
brackets where they differ; *lookalike* is *standard*'s records in *hard*'s population
(common names, siblings, twins, cousins, namesakes); *urdu* is *hard* with police and court
records written in Urdu script only.

The population:

- names drawn with Zipf-like frequency: the name of rank r weighs 1 / r ** ``name_skew``, 0
  (every name as common as another, as before) [1.0: Muhammad Ali, Fatima and Ayesha very
  common, about one boy's or girl's name in six the commonest]; "Muhammad" before a third of
  boys' names, a second part for a fifth of girls' ("Fatima Bibi");
- a father's name: a common whole name ("Muhammad Aslam", "Allah Ditta") for a third, else
  a given name after "Muhammad" or "Ghulam" or before a second word ("Bilal Ahmed");
- a family or tribal name of the province for two children in three;
- look-alikes, none [a quarter of the children have siblings, 15 % cousins, 10 % an
  unrelated namesake]: *siblings* share father (and his usual spelling), family name and
  district, with different first names ("Ali" and "Muhammad Ali" are one), and are born
  one to four years apart, or the same day for twins [one younger
  sibling in ten], who may bear paired names (Hassan and Hussain) and whose B-forms are
  consecutive; *cousins* share family name and district, their fathers (brothers) the
  second word of their names ("Tariq Mehmood", "Khalid Mehmood"); *namesakes* are
  unrelated children of the same name and sex in the same district born within a year of
  each other (one in five of the same father's name).

The records' corruptions:

- written in Urdu script: a third of police records, a fifth of court and school records, a
  tenth of the others [the same; *urdu*: all police and court records]; an Urdu name in a
  variant spelling (ه for ہ, ي for ی, ة for a final ہ, ی left out, words run together)
  never [three in ten];
- a Latin name spelled afresh among its usual spellings on a record in three (0.35: two
  records of a child then spell its names alike as often as with the former, smaller pool)
  [every record], else in the family's usual spelling; respelled by a transliteration rule
  (Schahid, Ayyaz, Rahmatulla, Rahmat Ullah, Abdulrehman, Kasim) never [15 %], by a rule
  that never turns a name into another of the pool (Hasan into Husain);
- "Muhammad" dropped or abbreviated (Md, Mohd, M.) in a quarter [35 %] of the names that
  start with it, mistyped (Muahmad, Mohamad, Mhd) in none [10 %];
- a typo (an inserted, dropped, doubled or swapped letter) in one Latin name in eight
  [a quarter];
- the family name written on four records in five [70 %];
- given and father's names swapped in one record in 24 [10 %];
- no date of birth but an estimated age, up to two years off either way, in a third
  [half] of records; day and month of the date of birth swapped in one in twenty [ten]
  of the rest (when the day allows);
- another district of the same province (standing in for a neighbouring one: the
  reference data has no adjacency) in one record in 24 [10 %] (with the swap above: the
  issue's "one in twelve, either", half and half);
- the B-form number on one record in five [15 %], one digit wrong on one in ten [15 %] of
  those;
- at most four records per child (``max_records``).
"""

from __future__ import annotations

import csv
import dataclasses
import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cpmis.linkage import namepool
from cpmis.linkage.namepool import Name

DEPARTMENTS = [
    # (record type, share of children seen, chance a name is written in Urdu script as standard)
    ("police_report", 0.7, 1 / 3),
    ("court_outcome", 0.35, 1 / 5),
    ("cci_admission", 0.3, 1 / 10),
    ("health_examination", 0.35, 1 / 10),
    ("education_referral", 0.25, 1 / 5),
    ("probation", 0.1, 1 / 10),
]
RECORD_TYPES = tuple(d[0] for d in DEPARTMENTS)
MUHAMMAD_FORMS = namepool.MUHAMMAD_ABBREVIATIONS

Draw = Callable[[], float]  # a bound rng.random: a float in [0, 1)


@dataclass(frozen=True)
class Conditions:
    """Every rate of the population and of the records' corruptions (see the module's
    docstring). Shares are between 0 and 1."""

    # Records: script and spelling.
    urdu: tuple[tuple[str, float], ...] = tuple((d[0], d[2]) for d in DEPARTMENTS)
    urdu_only: tuple[str, ...] = ()  # record types whose clerks write names in Urdu only
    urdu_variant: float = 0.0  # an Urdu name in a variant spelling (ه, ي, ة, ی left out…)
    spelling_varies: float = 0.35  # a Latin spelling chosen afresh, not the family's usual one
    transliteration: float = 0.0  # a Latin name respelled (Schahid, Ayyaz, Abdulrehman…)
    muhammad_dropped: float = 0.25  # "Muhammad" dropped or abbreviated (Md, Mohd, M.)
    muhammad_mistyped: float = 0.0  # "Muhammad" mistyped (Muahmad, Mohamad, Mhd)
    typo: float = 1 / 8  # a Latin name with a letter inserted, dropped, doubled or swapped
    family_written: float = 0.8  # the family or tribal name written, when the child has one
    names_swapped: float = 1 / 24  # given and father's names exchanged
    # Records: date of birth, place, B-form.
    dob_missing: float = 1 / 3  # no date of birth, an estimated age instead
    age_error: int = 2  # how many years an estimated age may be off, either way
    dob_swapped: float = 1 / 20  # day and month exchanged (when the day allows)
    other_district: float = 1 / 24  # another district of the province
    b_form: float = 1 / 5  # the B-form number written
    b_form_typo: float = 1 / 10  # of those, one digit wrong
    max_records: int = 4  # records per child, at most
    # The population.
    name_skew: float = 0.0  # Zipf exponent of name frequency (0: all names equally common)
    muhammad_prefix: float = 1 / 3  # boys with "Muhammad" before their name
    girl_second_name: float = 1 / 5  # girls with a second part ("Fatima Bibi")
    family_name: float = 2 / 3  # children carrying a family or tribal name of their province
    siblings: float = 0.0  # children with a brother or sister in the population
    twins: float = 0.0  # of a child's younger siblings, the chance each is a twin
    cousins: float = 0.0  # children with a cousin in the population
    namesakes: float = 0.0  # children with an unrelated namesake nearby

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in _INTEGERS:
                low, high = _INTEGERS[f.name]
                if type(value) is not int or not low <= value <= high:
                    raise ValueError(f"condition {f.name}: a whole number {low} to {high}")
            elif f.name == "name_skew":
                if not isinstance(value, int | float) or not 0 <= value <= 3:
                    raise ValueError("condition name_skew: a number from 0 (even) to 3")
            elif f.name == "urdu":
                kinds = [t for t, _ in value]
                if sorted(kinds) != sorted(RECORD_TYPES) or not all(
                    isinstance(r, int | float) and 0 <= r <= 1 for _, r in value
                ):
                    raise ValueError("condition urdu: a share from 0 to 1 for each record type")
            elif f.name == "urdu_only":
                unknown = [t for t in value if t not in RECORD_TYPES]
                if unknown:
                    raise ValueError(
                        f"condition urdu_only: unknown record type(s) {', '.join(unknown)}; "
                        f"record types are {', '.join(RECORD_TYPES)}"
                    )
            elif not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValueError(f"condition {f.name}: a share from 0 to 1, not {value!r}")
        if self.muhammad_dropped + self.muhammad_mistyped > 1:
            raise ValueError("conditions muhammad_dropped + muhammad_mistyped exceed 1")
        if self.siblings + self.cousins + self.namesakes > 1:
            raise ValueError("conditions siblings + cousins + namesakes exceed 1")

    def urdu_rate(self, record_type: str) -> float:
        if record_type in self.urdu_only:
            return 1.0
        return dict(self.urdu).get(record_type, 0.0)


_INTEGERS = {"age_error": (0, 5), "max_records": (1, len(DEPARTMENTS))}

STANDARD = Conditions()
HARD = dataclasses.replace(
    STANDARD,
    urdu_variant=0.3,
    spelling_varies=1.0,
    transliteration=0.15,
    muhammad_dropped=0.35,
    muhammad_mistyped=0.1,
    typo=0.25,
    family_written=0.7,
    names_swapped=0.1,
    dob_missing=0.5,
    dob_swapped=0.1,
    other_district=0.1,
    b_form=0.15,
    b_form_typo=0.15,
    name_skew=1.0,
    siblings=0.25,
    twins=0.1,
    cousins=0.15,
    namesakes=0.1,
)
URDU = dataclasses.replace(HARD, urdu_only=("police_report", "court_outcome"))
# The standard records' corruptions in hard's population: common names and look-alike
# children (siblings, twins, cousins, namesakes), what the issue asked the generator to add.
LOOKALIKE = dataclasses.replace(
    STANDARD,
    name_skew=HARD.name_skew,
    siblings=HARD.siblings,
    twins=HARD.twins,
    cousins=HARD.cousins,
    namesakes=HARD.namesakes,
)
PRESETS: dict[str, Conditions] = {
    "standard": STANDARD,
    "lookalike": LOOKALIKE,
    "hard": HARD,
    "urdu": URDU,
}


def conditions_parse(text: str) -> Conditions:
    """Conditions from a preset's name and overrides: ``hard`` or
    ``hard,dob_missing=0.6,typo=0.2``. A share may be written 0.25, 1/4 or 25%;
    ``urdu=0.5`` sets every department's Urdu share, ``urdu.police_report=0.5`` one;
    ``urdu_only=police_report+court_outcome`` (or ``urdu_only=none``)."""
    parts = [p.strip() for p in (text or "").split(",")]
    if not parts[0]:
        raise ValueError(f"conditions: give a preset ({', '.join(PRESETS)}), then field=value")
    preset, overrides = parts[0], parts[1:]
    if preset not in PRESETS:
        raise ValueError(f"conditions: unknown preset {preset!r}; presets are {', '.join(PRESETS)}")
    conditions = PRESETS[preset]
    names = [f.name for f in dataclasses.fields(Conditions)]
    for part in overrides:
        field, equals, value = part.partition("=")
        field, value = field.strip(), value.strip()
        if not equals or not field:
            raise ValueError(f"conditions: expected field=value after the preset, not {part!r}")
        base, _, department = field.partition(".")
        if base not in names or (department and base != "urdu"):
            raise ValueError(
                f"conditions: unknown field {field!r}; fields are {', '.join(names)} "
                f"(and urdu.<record type>)"
            )
        if department and department not in RECORD_TYPES:
            raise ValueError(
                f"conditions: unknown record type {department!r} in {field!r}; "
                f"record types are {', '.join(RECORD_TYPES)}"
            )
        new: Any
        if base == "urdu_only":
            new = tuple(
                t.strip() for t in value.split("+") if t.strip() and t.strip().lower() != "none"
            )
        elif base in _INTEGERS:
            try:
                new = int(value)
            except ValueError:
                raise ValueError(
                    f"conditions: {field} takes a whole number, not {value!r}"
                ) from None
        else:
            share = _number(field, value)
            if base == "urdu":
                new = tuple(
                    (t, share if not department or t == department else r)
                    for t, r in conditions.urdu
                )
            else:
                new = share
        conditions = dataclasses.replace(conditions, **{base: new})  # validates
    return conditions


def _number(field: str, value: str) -> float:
    try:
        if value.endswith("%"):
            return float(value[:-1]) / 100
        if "/" in value:
            top, _, bottom = value.partition("/")
            return float(top) / float(bottom)
        return float(value)
    except (ValueError, ZeroDivisionError):
        raise ValueError(
            f"conditions: {field} takes a number (0.25, 1/4 or 25%), not {value!r}"
        ) from None


def conditions_text(conditions: Conditions) -> str:
    """The shortest ``conditions_parse`` text for these conditions: the nearest preset and
    the fields that differ from it."""
    best = ""
    for name, preset in PRESETS.items():
        parts = [name]
        for f in dataclasses.fields(Conditions):
            mine, theirs = getattr(conditions, f.name), getattr(preset, f.name)
            if mine == theirs:
                continue
            if f.name == "urdu":
                parts += [
                    f"urdu.{t}={r:g}" for (t, r), (_, o) in zip(mine, theirs, strict=True) if r != o
                ]
            elif f.name == "urdu_only":
                parts.append(f"urdu_only={'+'.join(mine) or 'none'}")
            else:
                parts.append(f"{f.name}={mine:g}")
        text = ",".join(parts)
        if not best or len(text) < len(best):
            best = text
    return best


# --- The population -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
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
    # Which Latin spelling the family usually writes (an index into the spellings).
    given_usual: int = 0
    father_usual: int = 0
    family_usual: int = 0
    # Look-alikes: the truth of the group's first child, and how they are related.
    group: int = -1
    kin: str = ""  # "", "sibling", "twin", "cousin" or "namesake"


class _Pool:
    """Names drawn with Zipf-like frequencies: the name of rank r weighs 1 / r ** skew."""

    def __init__(self, names: Sequence[Name], skew: float) -> None:
        self.names = list(names)
        total = 0.0
        self.cumulative = []
        for rank in range(1, len(self.names) + 1):
            total += 1 / rank**skew
            self.cumulative.append(total)
        self.total = total

    def draw(self, rand: Draw) -> Name:
        i = bisect_right(self.cumulative, rand() * self.total)
        return self.names[min(i, len(self.names) - 1)]


class _Pools:
    def __init__(self, skew: float) -> None:
        self.boys = _Pool(namepool.BOYS, skew)
        self.girls = _Pool(namepool.GIRLS, skew)
        self.girl_second = _Pool(namepool.GIRL_SECOND, skew)
        self.fathers = _Pool(namepool.FATHERS, skew)
        self.father_second = _Pool(namepool.FATHER_SECOND, skew)
        self.family = {p: _Pool(ns, skew) for p, ns in namepool.FAMILY_BY_PROVINCE.items()}


_POOLS: dict[float, _Pools] = {}
_COMPOSED: dict[tuple[str, str, str], Name] = {}
_TWIN_NAMES = {
    names[0][0]: names for names in (*namepool.BOYS, *namepool.GIRLS)
}  # by first Latin spelling


def _compose(kind: str, first: Name, second: Name) -> Name:
    key = (kind, first[1], second[1])
    name = _COMPOSED.get(key)
    if name is None:
        latin = tuple(f"{a} {b}" for a in first[0] for b in second[0])
        name = _COMPOSED[key] = (latin, f"{first[1]} {second[1]}")
    return name


def _usual(rand: Draw, name: Name) -> int:
    """The spelling a family usually writes: the first (most usual) more often."""
    return int(rand() ** 2 * len(name[0]))


def _first_word(name: Name) -> str:
    """The word a family calls a child by: "Ali" of "Muhammad Ali", "Zaynab" of "Zaynab
    Bibi". Brothers and sisters differ in it (no family names two children Ali and Muhammad
    Ali)."""
    words = [w for w in name[1].split() if w != namepool.MUHAMMAD[1]]
    return words[0] if words else name[1]


def _given(rand: Draw, pools: _Pools, c: Conditions, girl: bool) -> Name:
    if girl:
        name = pools.girls.draw(rand)
        if rand() < c.girl_second_name:
            second = pools.girl_second.draw(rand)
            if second[1] != name[1]:
                name = _compose("g", name, second)
        return name
    name = pools.boys.draw(rand)
    if rand() < c.muhammad_prefix:
        name = _compose("m", namepool.MUHAMMAD, name)
    return name


def _father(rand: Draw, pools: _Pools) -> Name:
    """A common whole name for a third, else a given name with a second word ("Bilal
    Ahmed"), or after "Muhammad" or "Ghulam"."""
    roll = rand()
    if roll < 1 / 3:
        return pools.fathers.draw(rand)
    given = pools.boys.draw(rand)
    if roll < 0.5:
        return _compose("m", namepool.MUHAMMAD, given)
    if roll < 0.6:
        return _compose("h", namepool.GHULAM, given)
    second = pools.father_second.draw(rand)
    return _compose("f", given, second) if second[1] != given[1] else given


def _b_form(rand: Draw, girl: bool, area: str = "") -> str:
    """A 13-digit number, "00" first so that it is never a real one; the last digit odd
    for a boy and even for a girl, as NADRA's."""
    area = area or f"00{int(rand() * 1000):03d}"
    serial = f"{int(rand() * 10_000_000):07d}"
    last = 2 * int(rand() * 5) + (0 if girl else 1)
    return f"{area}-{serial}-{last}"


class _Maker:
    """Makes children one by one or in groups of look-alikes."""

    def __init__(
        self, rng: random.Random, by_province: dict[str, list[str]], today: date, c: Conditions
    ) -> None:
        self.rand = rng.random
        self.c = c
        self.provinces = [tuple(ds) for ds in by_province.values() if ds]
        self.province_cumulative: list[int] = []
        total = 0
        for ds in self.provinces:
            total += len(ds)
            self.province_cumulative.append(total)
        self.today = today.toordinal()
        self.youngest = self.today - 2 * 365
        self.oldest = self.today - (17 * 365 + 300)
        if c.name_skew not in _POOLS:
            _POOLS[c.name_skew] = _Pools(c.name_skew)
        self.pools = _POOLS[c.name_skew]
        self.out: list[Child] = []

    def place(self) -> tuple[str, tuple[str, ...]]:
        rand = self.rand
        districts = self.provinces[
            bisect_right(self.province_cumulative, int(rand() * self.province_cumulative[-1]))
        ]
        return districts[int(rand() * len(districts))], districts

    def family(self, district: str, *, always: bool = False) -> Name | None:
        pool = self.pools.family.get(district[2:3])
        if pool is None or not (always or self.rand() < self.c.family_name):
            return None
        return pool.draw(self.rand)

    def born(self, near: int | None = None, spread: int = 0) -> int:
        rand = self.rand
        if near is None:
            return self.oldest + int(rand() * (self.youngest - self.oldest + 1))
        day = near + int(rand() * (2 * spread + 1)) - spread
        return max(self.oldest, min(self.youngest, day))

    def add(
        self,
        *,
        given: Name,
        girl: bool,
        father: Name,
        family: Name | None,
        born: int,
        place: tuple[str, tuple[str, ...]],
        b_form: str = "",
        father_usual: int | None = None,
        family_usual: int | None = None,
        group: int = -1,
        kin: str = "",
    ) -> Child:
        rand = self.rand
        child = Child(
            truth=len(self.out),
            given=given,
            father=father,
            family=family,
            sex="female" if girl else "male",
            date_of_birth=date.fromordinal(born),
            district=place[0],
            province_districts=place[1],
            b_form=b_form or _b_form(rand, girl),
            given_usual=_usual(rand, given),
            father_usual=_usual(rand, father) if father_usual is None else father_usual,
            family_usual=(
                (_usual(rand, family) if family else 0) if family_usual is None else family_usual
            ),
            group=group,
            kin=kin,
        )
        self.out.append(child)
        return child

    def single(self) -> Child:
        rand, pools = self.rand, self.pools
        girl = rand() < 0.5
        place = self.place()
        return self.add(
            given=_given(rand, pools, self.c, girl),
            girl=girl,
            father=_father(rand, pools),
            family=self.family(place[0]),
            born=self.born(),
            place=place,
        )

    def siblings(self, size: int) -> None:
        """Same father (and his usual spelling), family name and district; different given
        names; births one to four years apart, or a twin's the same day."""
        rand, pools = self.rand, self.pools
        first = self.single()
        group = first.truth
        self.out[-1] = first = dataclasses.replace(first, group=group, kin="sibling")
        births = [first.date_of_birth.toordinal()]
        for _ in range(size - 1):
            previous = self.out[-1]
            twin = rand() < self.c.twins
            girl = rand() < 0.5
            if twin:
                born = births[-1]
            else:
                gap = 365 + int(rand() * 3 * 365)
                born = births[-1] + (gap if rand() < 0.5 else -gap)
                if not self.oldest <= born <= self.youngest:
                    born = births[-1] - (born - births[-1])
                born = max(self.oldest, min(self.youngest, born))
            taken = {_first_word(c.given) for c in self.out[group:]}
            given = _given(rand, pools, self.c, girl)
            for _ in range(8):
                if _first_word(given) not in taken:
                    break
                given = _given(rand, pools, self.c, girl)
            area = previous.b_form[:5]
            b_form = _b_form(rand, girl, area)
            if twin:
                # Registered together: the next serial number (one digit off).
                serial = int(previous.b_form[6:13])
                b_form = f"{area}-{(serial + 1) % 10_000_000:07d}-{b_form[-1]}"
                sex, one, other = namepool.TWIN_NAMES[int(rand() * len(namepool.TWIN_NAMES))]
                older = {_first_word(c.given) for c in self.out[group:-1]}
                if (
                    rand() < 1 / 3  # Hassan and Hussain, Fatima and Zahra
                    and _first_word(_TWIN_NAMES[one]) not in older
                    and _first_word(_TWIN_NAMES[other]) not in older
                ):
                    girl = sex == "female"
                    digit = str(2 * int(rand() * 5) + (0 if girl else 1))  # odd: a boy
                    self.out[-1] = dataclasses.replace(
                        previous,
                        given=_TWIN_NAMES[one],
                        given_usual=0,
                        sex=sex,
                        b_form=previous.b_form[:-1] + digit,
                        kin="twin",
                    )
                    given = _TWIN_NAMES[other]
                    b_form = b_form[:-1] + digit
                else:
                    self.out[-1] = dataclasses.replace(previous, kin="twin")
            births.append(born)
            self.add(
                given=given,
                girl=girl,
                father=first.father,
                family=first.family,
                born=born,
                place=(first.district, first.province_districts),
                b_form=b_form,
                father_usual=first.father_usual,
                family_usual=first.family_usual,
                group=group,
                kin="twin" if twin else "sibling",
            )

    def cousins(self, size: int) -> None:
        """Same family name and district; fathers who are brothers: different first
        words, the same second word (their father's: "Tariq Mehmood", "Khalid Mehmood")."""
        rand, pools = self.rand, self.pools
        place = self.place()
        family = self.family(place[0], always=True)
        family_usual = _usual(rand, family) if family else 0
        second = pools.father_second.draw(rand)
        fathers: set[str] = {second[1]}
        near = self.born()
        group = len(self.out)
        for _ in range(size):
            given_father = pools.boys.draw(rand)
            for _ in range(8):
                if given_father[1] not in fathers:
                    break
                given_father = pools.boys.draw(rand)
            fathers.add(given_father[1])
            girl = rand() < 0.5
            self.add(
                given=_given(rand, pools, self.c, girl),
                girl=girl,
                father=_compose("f", given_father, second),
                family=family,
                born=self.born(near, 4 * 365),
                place=place,
                family_usual=family_usual,
                group=group,
                kin="cousin",
            )

    def namesakes(self, size: int) -> None:
        """Unrelated children of the same name and sex in the same district, born within a
        year of each other; half share the family name, one in five the father's name."""
        rand, pools = self.rand, self.pools
        first = self.single()
        group = first.truth
        self.out[-1] = first = dataclasses.replace(first, group=group, kin="namesake")
        girl = first.sex == "female"
        near = first.date_of_birth.toordinal()
        place = (first.district, first.province_districts)
        for _ in range(size - 1):
            self.add(
                given=first.given,
                girl=girl,
                father=first.father if rand() < 1 / 5 else _father(rand, pools),
                family=first.family if rand() < 0.5 else self.family(place[0]),
                born=self.born(near, 365),
                place=place,
                group=group,
                kin="namesake",
            )


# (sizes, their weights) of look-alike groups, and the mean size
_GROUPS = {
    "siblings": ((2, 3, 4), (0.6, 0.3, 0.1)),
    "cousins": ((2, 3), (0.7, 0.3)),
    "namesakes": ((2, 3), (0.8, 0.2)),
}


def children_make(
    n: int,
    *,
    seed: int,
    districts_by_province: dict[str, list[str]],
    today: date,
    conditions: Conditions = STANDARD,
) -> list[Child]:
    """``n`` children; look-alike groups (siblings, cousins, namesakes) in the shares the
    conditions set, each group's children next to each other."""
    rng = random.Random(seed)
    rand = rng.random
    maker = _Maker(rng, districts_by_province, today, conditions)
    # A draw starts a group of kind k with a chance proportional to share_k / mean size_k,
    # so that the share of *children* in each kind is the share asked for.
    shares = [getattr(conditions, kind) for kind in _GROUPS]
    means = [sum(s * w for s, w in zip(*_GROUPS[k], strict=True)) for k in _GROUPS]
    starts = [share / mean for share, mean in zip(shares, means, strict=True)]
    per_draw = sum(starts) + 1 - sum(shares)
    thresholds: list[float] = []
    running = 0.0
    for start in starts:
        running += start / per_draw
        thresholds.append(running)
    makers = [maker.siblings, maker.cousins, maker.namesakes]
    size_tables = [_GROUPS[k] for k in _GROUPS]
    while len(maker.out) < n:
        roll = rand()
        for kind, threshold in enumerate(thresholds):
            if roll < threshold:
                sizes, weights = size_tables[kind]
                pick, size = rand(), sizes[-1]
                for s, w in zip(sizes, weights, strict=True):
                    if pick < w:
                        size = s
                        break
                    pick -= w
                size = min(size, n - len(maker.out))
                if size >= 2:
                    makers[kind](size)
                else:
                    maker.single()
                break
        else:
            maker.single()
    return maker.out


# --- The records ----------------------------------------------------------------------

_VOWELS = frozenset("aeiouAEIOU")
_URDU_RULES = (("ہ", "ه"), ("ی", "ي"), ("ک", "ك"), ("ٰ", ""), ("ّ", ""), ("ھ", "ہ"))


def _identities() -> dict[str, frozenset[str]]:
    """Each one-word Latin spelling's name(s), by Urdu spelling: a respelling may not turn
    one name into another (Hasan into Husain)."""
    out: dict[str, set[str]] = {}
    pools = [
        namepool.BOYS,
        namepool.GIRLS,
        namepool.GIRL_SECOND,
        namepool.FATHER_SECOND,
        *namepool.FAMILY_BY_PROVINCE.values(),
    ]
    for pool in pools:
        for spellings, urdu in pool:
            for spelling in spellings:
                if " " not in spelling:
                    out.setdefault(spelling.casefold(), set()).add(urdu)
    return {k: frozenset(v) for k, v in out.items()}


_IDENTITY = _identities()
_RESPELLED: dict[str, tuple[str, ...]] = {}
_URDU_RESPELLED: dict[str, tuple[str, ...]] = {}


def _word_respellings(word: str) -> list[str]:
    """How a clerk may transliterate the word differently: sh as sch, ee as i and i as ee,
    oo/ou as u, a doubled letter single and a single one doubled, -ullah as -ulla, a final
    -a as -ah, v as w, q as k."""
    if len(word) < 3 or word in namepool.MUHAMMAD_SPELLINGS or not word.isalpha():
        return []
    found = []
    if word.startswith("Sh"):
        found.append("Sch" + word[2:])
    if word[0] == "Q":
        found.append("K" + word[1:])
    for old, new in (("ee", "i"), ("oo", "u"), ("ou", "u"), ("ullah", "ulla"), ("v", "w")):
        i = word.find(old, 1)
        if i > 0:
            found.append(word[:i] + new + word[i + len(old) :])
    for i in range(1, len(word) - 1):
        a, b, n = word[i - 1], word[i], word[i + 1]
        if b == "i" and a not in _VOWELS and n not in _VOWELS:
            found.append(word[:i] + "ee" + word[i + 1 :])
            break
    for i in range(1, len(word) - 1):
        if word[i] == word[i + 1] and word[i] not in _VOWELS:
            found.append(word[:i] + word[i + 1 :])
            break
    for i in range(1, len(word) - 1):
        a, b, n = word[i - 1], word[i], word[i + 1]
        if b not in _VOWELS and b not in "hwy" and a in _VOWELS and n in _VOWELS:
            found.append(word[: i + 1] + word[i:])
            break
    if word.endswith("a"):
        found.append(word + "h")
    mine = _IDENTITY.get(word.casefold(), frozenset())
    out = []
    for new in found:
        theirs = _IDENTITY.get(new.casefold())
        if new != word and new not in out and (theirs is None or theirs == mine):
            out.append(new)
    return out


def _respellings(name: str) -> tuple[str, ...]:
    """A Latin name's respellings, one change each (cached: names repeat)."""
    found = _RESPELLED.get(name)
    if found is not None:
        return found
    words = name.split(" ")
    out: list[str] = []
    for j, word in enumerate(words):
        out += [" ".join([*words[:j], new, *words[j + 1 :]]) for new in _word_respellings(word)]
    for j in range(len(words) - 1):
        first, second = words[j], words[j + 1]
        if first in ("Abdul", "Abdur", "Abdus") or second == "Ullah":  # written together
            out.append(" ".join([*words[:j], first + second.lower(), *words[j + 2 :]]))
    for j, word in enumerate(words):  # and apart: Rahmatullah as Rahmat Ullah
        i = word.find("ullah", 2)
        if i > 0 and word[:i] != "Abd":
            out.append(" ".join([*words[:j], word[:i], "Ullah", *words[j + 1 :]]))
    found = _RESPELLED[name] = tuple(dict.fromkeys(out))
    return found


def _urdu_respellings(name: str) -> tuple[str, ...]:
    """An Urdu name's variants: the spellings records show (namepool's), ه for ہ, ي for ی,
    ك for ک, ة for a final ہ, the superscript alef and shadda left out (cached)."""
    found = _URDU_RESPELLED.get(name)
    if found is not None:
        return found
    out: list[str] = []
    padded = f" {name} "
    for standard, alternates in namepool.URDU_ALTERNATES.items():
        if f" {standard} " in padded:
            out += [padded.replace(f" {standard} ", f" {alt} ").strip() for alt in alternates]
    for old, new in _URDU_RULES:
        if old in name:
            out.append(name.replace(old, new))
    words = name.split(" ")
    for j, word in enumerate(words):
        if word.endswith("ہ") and not word.endswith(("اہ", "لہ")) and len(word) > 2:
            out.append(" ".join([*words[:j], word[:-1] + "ة", *words[j + 1 :]]))
    found = _URDU_RESPELLED[name] = tuple(x for x in dict.fromkeys(out) if x != name)
    return found


def _typo(rand: Draw, word: str) -> str:
    i = 1 + int(rand() * (len(word) - 2))
    kind = int(rand() * 4)
    if kind == 0:
        return word[:i] + word[i + 1 :]  # dropped
    if kind == 1:
        return word[:i] + word[i] + word[i:]  # doubled
    if kind == 2:
        return word[:i] + "aeiouy"[int(rand() * 6)] + word[i:]  # inserted
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped


_MUHAMMAD_STARTS = tuple(f"{m} " for m in namepool.MUHAMMAD_SPELLINGS)


def _latin(rand: Draw, spellings: tuple[str, ...], usual: int, c: Conditions) -> str:
    n = len(spellings)
    varies = n > 1 and rand() < c.spelling_varies
    name = spellings[int(rand() * n)] if varies else spellings[usual]
    if c.transliteration and rand() < c.transliteration:
        options = _respellings(name)
        if options:
            name = options[int(rand() * len(options))]
    if name.startswith(_MUHAMMAD_STARTS):
        roll = rand()
        if roll < c.muhammad_dropped:
            form = MUHAMMAD_FORMS[int(rand() * len(MUHAMMAD_FORMS))]
            rest = name.split(" ", 1)[1]
            name = f"{form} {rest}" if form else rest
        elif roll < c.muhammad_dropped + c.muhammad_mistyped:
            mistyped = namepool.MUHAMMAD_MISTYPED
            name = mistyped[int(rand() * len(mistyped))] + name[name.index(" ") :]
    if rand() < c.typo:
        words = name.split(" ")
        long = [j for j, w in enumerate(words) if len(w) >= 4]
        if long:
            j = long[int(rand() * len(long))]
            words[j] = _typo(rand, words[j])
            name = " ".join(words)
    return name


def _urdu(rand: Draw, name: str, c: Conditions) -> str:
    if c.urdu_variant and rand() < c.urdu_variant:
        options = _urdu_respellings(name)
        if options:
            return options[int(rand() * len(options))]
    return name


_B_FORM_DIGITS = (2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 14)  # not the first two ("00")


def record_make(
    rng: random.Random,
    child: Child,
    record_type: str,
    urdu_rate: float,
    number: int,
    today: date,
    *,
    conditions: Conditions = STANDARD,
) -> dict[str, Any]:
    """One department's record of the child, corrupted as the conditions say."""
    c = conditions
    rand = rng.random
    family = child.family
    if rand() < urdu_rate or record_type in c.urdu_only:
        given = child.given[1]
        if family is not None and rand() < c.family_written:
            given += " " + family[1]
        given = _urdu(rand, given, c)
        father = _urdu(rand, child.father[1], c)
    else:
        given = _latin(rand, child.given[0], child.given_usual, c)
        if family is not None and rand() < c.family_written:
            spellings = family[0]
            if len(spellings) > 1 and rand() < c.spelling_varies:
                given += " " + spellings[int(rand() * len(spellings))]
            else:
                given += " " + spellings[child.family_usual]
        father = _latin(rand, child.father[0], child.father_usual, c)
    if rand() < c.names_swapped:
        given, father = father, given
    district = child.district
    if rand() < c.other_district:
        districts = child.province_districts
        if len(districts) > 1:
            while district == child.district:
                district = districts[int(rand() * len(districts))]
    record_day = today.toordinal() - int(rand() * 701)
    born = child.date_of_birth
    dob: date | None = born
    age: int | None = None
    if rand() < c.dob_missing:
        true_age = (record_day - born.toordinal()) // 365
        error = c.age_error
        age = max(0, min(17, true_age + int(rand() * (2 * error + 1)) - error))
        dob = None
    elif rand() < c.dob_swapped and born.day <= 12 and born.day != born.month:
        dob = date(born.year, born.day, born.month)
    b_form = ""
    if rand() < c.b_form:
        b_form = child.b_form
        if rand() < c.b_form_typo:
            i = _B_FORM_DIGITS[int(rand() * len(_B_FORM_DIGITS))]
            b_form = b_form[:i] + str((int(b_form[i]) + 1) % 10) + b_form[i + 1 :]
    return {
        "record_type": record_type,
        "department_record_id": f"{record_type}-{number}",
        "record_date": date.fromordinal(record_day),
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
    conditions: Conditions = STANDARD,
) -> list[dict[str, Any]]:
    """The records of ``n_children`` children, each seen by one to ``max_records``
    departments. The same seed and conditions give the same records."""
    rng = random.Random(seed + 1)
    rand = rng.random
    departments = [(t, seen, conditions.urdu_rate(t)) for t, seen, _ in DEPARTMENTS]
    most = conditions.max_records
    records: list[dict[str, Any]] = []
    append = records.append
    for child in children_make(
        n_children,
        seed=seed,
        districts_by_province=districts_by_province,
        today=today,
        conditions=conditions,
    ):
        seen = [d for d in departments if rand() < d[1]][:most] or departments[:1]
        for record_type, _, urdu_rate in seen:
            append(
                record_make(
                    rng, child, record_type, urdu_rate, len(records), today, conditions=conditions
                )
            )
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
