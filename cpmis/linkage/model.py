"""The linkage model: which records are the same child, built for this population with Splink.

A record (a department's record, or a registry child) becomes one row of *features*; Splink
compares pairs of rows that share a blocking key and scores each pair with a match
probability, from m and u probabilities it estimated without labels (u by random sampling,
m by expectation maximisation). Then ``clustering.py`` turns scored pairs into children.

Features, and why:

- **Names through the phonetic key** (``people/phonetic.py``): Urdu and Latin spellings,
  Muhammad / Mohammad / Md, ي/ی, ك/ک, ه/ہ all meet. "Muhammad" itself is dropped from the
  key when the name has another word: a quarter of records drop or abbreviate it, and it
  says little (most boys and fathers carry it). ``given`` is the first remaining word,
  ``name`` all of them joined (a family or tribal name included), for similarity.
- **Swapped names**: a level for given and father's names exchanged.
- **Birth**: the exact date, the same date with day and month swapped, then the distance of
  birth years, where a record with only an age gets its birth year estimated from the age
  and the record's date (an estimated age can be two years off).
- **Place**: district, else province. **Sex**. **B-form**: exact, or one digit off.

The original spelling is kept on the record; features are derived and thrown away.
"""

from __future__ import annotations

import functools
import json
import math
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rapidfuzz.distance import OSA
from xxhash import xxh3_64_intdigest as _xxh3_64

from cpmis.people.phonetic import word_key
from cpmis.people.search import normalize_name

# Bump when what features() derives for the comparisons changes: a model file is made for
# one format (``modelfile``).
FEATURE_FORMAT = 5
# Bump when the blocking rules or their keys change (``blocking_key_sets``), or a column
# only the blocking reads (1: the date of birth in the district, or with initials; 2: the
# keys hashed with XXH3, not blake2b).
KEYS_REVISION = 2
# The format of the features and keys stored with each record and child: those of another
# format are derived again before they are compared. Grows with either of the two above.
STORED_FORMAT = FEATURE_FORMAT + KEYS_REVISION
# "Muhammad" and "Ghulam" as written (normalised): by spelling, not by phonetic key, whose
# MHMD is also Mahmood's and محمود's.
_PREFIXES = frozenset(
    normalize_name(word)
    for word in [
        "muhammad",
        "mohammad",
        "muhammed",
        "mohammed",
        "mohamed",
        "mohamad",
        "muhamad",
        "mohammod",
        "muhammod",
        "mohd",
        "muhd",
        "mhd",
        "md",
        "m",
        "ghulam",
        "gulam",
        "ghulaam",
        "محمد",
        "غلام",
    ]
)
# Mistyped (Mhoammad, Gohulam): one edit (a swap counts one) from these, in words of seven
# letters or more, so that shorter names one letter away (Ghulab) stay names.
_PREFIX_FUZZY = ("muhammad", "mohammad", "muhammed", "mohammed", "ghulam")
# Ghulam's key (Gulaam, Gullam, Golam), and Ghulam one edit off in a word ending in m (Guam,
# Ghuam, Guhlam): no other name is either (Gulab, one letter from Gulam, ends otherwise).
_GHULAM_KEY = word_key("Ghulam")
_GHULAM_FUZZY = ("ghulam", "gulam")
# "Abdul Rehman" is one name: "Abd" and its article join the next word, as Urdu writes
# عبدالرحمن. By spelling: Abdullah, Obaidullah and Ubaid share the key of Abdul or Abd, and
# are whole names ("Abdullah Khan" is not a name "Abdullahkhan").
_JOINS_NEXT = frozenset(
    normalize_name(word) for word in ("abdul", "abdur", "abdus", "abdal", "abdel", "abd", "عبد")
)
# "Saif Ullah" is Saifullah (سیف اللہ, سیف‌اللہ): "Ullah" joins the word before it, whose
# name it completes, keyed as the name written without the space.
_JOINS_PREVIOUS = frozenset(normalize_name(word) for word in ("ullah", "ulla", "اللہ"))
# Muhammad's key, shared with Mahmood / Mehmood / Mahmud: told apart by the vowel before the
# final d (Muhammad, Muahmad, Mohamed; but Mahmood, Mahmud).
_MUHAMMAD_KEY = word_key("Muhammad")
_MUHAMMAD_ENDING = re.compile(r"[ae]d$")
# Hasan, Husain and Hasnain are three names (often given to twins, as a pair) that the
# phonetic key folds into one, HSN. Told apart by their spelling here (the key stays as it
# is for people search), in a word that ends in the n: Hasnain and Husnain carry a second n
# (حسنین), Husain a y or i between the s and the n (حسین, Hussein, Hossain); Hasan neither
# (حسن, Hassan). Husna (حسنیٰ) and Hasina end otherwise and keep HSN. A mistyped one lands
# one letter from the others, where the blocking and the comparisons still find it.
_HSN_KEY = word_key("Hasan")
_HUSAIN_VOWELS = frozenset("iyی")  # i, y and ی (normalised from ي and ى)


def _key_split(key: str, spelling: str) -> str:
    """The phonetic key, with the names it folds together that are different names told
    apart: Hasan HSN, Husain HSYN, Hasnain HSNYN."""
    if key != _HSN_KEY or not spelling.endswith(("n", "\u0646")):
        return key
    if spelling.count("n") + spelling.count("\u0646") >= 2:  # n, ن
        return "HSNYN"
    if _HUSAIN_VOWELS.intersection(spelling):
        return "HSYN"
    return key


FEATURE_COLUMNS = (
    "unique_id",
    "given",
    "name",
    "name_rest",
    "name_spelling",
    "father",
    "father_given",
    "father_spelling",
    "dob",
    "dob_swapped",
    "birth_year",
    "district",
    "province",
    "sex",
    "b_form",
    "given_near",
    "father_near",
    "b_form_head",
    "b_form_tail",
    "given_father",
    "swap_pair",
    "initial",
    "initials",
)
# Keys this short have too many neighbours one letter away to block on them.
NEAR_MIN = 3


@functools.lru_cache(maxsize=1 << 16)
def _words(name: str) -> tuple[tuple[str, str], ...]:
    """The name's words as (key, spelling): "Abdul Rehman" as one word (Urdu writes
    عبدالرحمن as one), the prefixes that say little (Muhammad, Ghulam) dropped when another
    word remains. Kept for the most recent names: a population repeats its names."""
    words: list[tuple[str, str]] = []
    prefixes: list[bool] = []
    for token in (name or "").split():
        for spelling, key, prefix in _token_words(token):
            if words and spelling in _JOINS_PREVIOUS and words[-1][1] not in _JOINS_NEXT:
                # Ullah's key less its opening vowel, as in the word written whole (SF + L).
                last_key, last_spelling = words[-1]
                words[-1] = (last_key + key.lstrip("A"), last_spelling + spelling)
                prefixes[-1] = _prefix(*words[-1])
            elif words and words[-1][1] in _JOINS_NEXT:
                last_key, last_spelling = words[-1]
                words[-1] = (last_key + key, last_spelling + spelling)
                prefixes[-1] = _prefix(*words[-1])
            else:
                words.append((key, spelling))
                prefixes.append(prefix)
    rest = tuple(w for w, prefix in zip(words, prefixes, strict=True) if not prefix)
    return rest or tuple(words)


@functools.lru_cache(maxsize=1 << 17)
def _token_words(token: str) -> tuple[tuple[str, str, bool], ...]:
    """The words of one token of a name as written (split on spaces), normalised, each with
    its phonetic key and whether it is a prefix (Muhammad, Ghulam): the costly part of a
    record's features, done once a word. A population of a million records writes a few ten
    thousand words, in far fewer combinations than names."""
    out = []
    for spelling in normalize_name(token).split():
        key = word_key(spelling)
        if key:
            key = _key_split(key, spelling)
            out.append((spelling, key, _prefix(key, spelling)))
    return tuple(out)


def _prefix(key: str, spelling: str) -> bool:
    """Muhammad or Ghulam, however abbreviated or mistyped."""
    if spelling in _PREFIXES:
        return True
    if not spelling.isascii():
        return False
    if key == _MUHAMMAD_KEY and _MUHAMMAD_ENDING.search(spelling):
        return True  # Muahmad, Mohammed, Muhamad: Muhammad's letters, a Muhammad's ending
    if key == _GHULAM_KEY or (
        spelling.startswith("g")
        and spelling.endswith("m")
        and any(OSA.distance(spelling, form, score_cutoff=1) <= 1 for form in _GHULAM_FUZZY)
    ):
        return True
    return len(spelling) >= 7 and any(
        OSA.distance(spelling, form, score_cutoff=1) <= 1 for form in _PREFIX_FUZZY
    )


def near(key: str | None) -> list[str]:
    """The key and every key one letter shorter: two keys one letter apart (a letter
    changed, added or dropped: Zara ZR / Zahra ZHR, Ayaz AYZ / Ayus AYS) share one of
    these, so blocking on them brings such pairs together. Short keys stand alone."""
    return list(_near(key)) if key else []


@functools.lru_cache(maxsize=1 << 16)
def _near(key: str) -> tuple[str, ...]:
    if len(key) < NEAR_MIN:
        return (key,)
    return tuple(sorted({key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}))


@functools.lru_cache(maxsize=1 << 16)
def _name_parts(name: str) -> tuple[str | None, str | None, str | None, str | None]:
    """What the features take from a name: its first word's key, its words' keys, the keys
    of the words after the first, and its spellings (each joined; None when empty)."""
    words = _words(name)
    return (
        words[0][0] if words else None,
        "".join(k for k, _ in words) or None,
        "".join(k for k, _ in words[1:]) or None,
        "".join(w for _, w in words) or None,
    )


def _year_fraction(day: date) -> float:
    return day.year + (day.timetuple().tm_yday - 0.5) / 366


@functools.lru_cache(maxsize=1 << 15)
def _date_forms(day: date) -> tuple[str, str | None, float]:
    """A date of birth as the features write it, the date with day and month swapped (when
    that is another date), and its year with the fraction gone by."""
    swapped = None
    if day.day <= 12 and day.day != day.month:
        swapped = date(day.year, day.day, day.month).isoformat()
    return day.isoformat(), swapped, _year_fraction(day)


def features(uid: Any, record: Mapping[str, Any]) -> dict[str, Any]:
    """One row for Splink from a record's common columns (department record or child)."""
    given_key, name, name_rest, name_spelling = _name_parts(record.get("child_name") or "")
    father_first, father_key, _, father_spelling = _name_parts(record.get("guardian_name") or "")
    dob: date | None = record.get("date_of_birth")
    age = record.get("age_years")
    birth_year: float | None = None
    iso = swapped = None
    if dob is not None:
        iso, swapped, birth_year = _date_forms(dob)
    elif age is not None and record.get("record_date") is not None:
        birth_year = _date_forms(record["record_date"])[2] - age - 0.5
    district = record.get("district") or None
    sex = record.get("sex")
    written = record.get("b_form_number") or ""
    b_form = written if written.isdigit() else "".join(ch for ch in written if ch.isdigit())
    return {
        "unique_id": uid,
        "given": given_key,
        "name": name,
        # The words after the first (a second name, a family or tribal name).
        "name_rest": name_rest,
        "name_spelling": name_spelling,
        "father": father_key,
        "father_given": father_first,
        "father_spelling": father_spelling,
        "dob": iso,
        "dob_swapped": swapped,
        "birth_year": birth_year,
        "district": district,
        "province": district[:3] if district else None,
        "sex": sex if sex in ("female", "male", "transgender") else None,
        "b_form": b_form or None,
        "given_near": near(given_key),
        "father_near": near(father_key),
        # One mistyped digit leaves one half whole.
        "b_form_head": b_form[:7] if len(b_form) == 13 else None,
        "b_form_tail": b_form[7:] if len(b_form) == 13 else None,
        # The first words of the child's and the father's names, in order (counted in the
        # population: ``frequencies``) and in either order (what a swap of the two agrees on).
        "given_father": f"{given_key}|{father_first}" if given_key and father_first else None,
        "swap_pair": "|".join(sorted((given_key, father_first)))
        if given_key and father_first
        else None,
        # The child's initial, and the initials of the two names in either order (a swap with
        # both names misspelt keeps them): blocking columns, not compared.
        "initial": given_key[0] if given_key else None,
        "initials": "".join(sorted((given_key[0], father_first[0])))
        if given_key and father_first
        else None,
    }


def _same_key(column: str) -> list[Any]:
    """The same key, split by spelling: spelled alike (or in different scripts), or two
    Latin spellings far apart that the key folds together (Amir / Umar, Hasnain / Hussain).

    Built from Splink's own levels (And, Not, Jaro-Winkler) and one regular expression in
    DuckDB SQL that Splink translates, so the same settings render for Spark too."""
    import splink.comparison_level_library as cll

    spelling = f"{column}_spelling"
    latin = [
        cll.CustomLevel(
            f"regexp_matches({spelling}_{side}, '^[a-z0-9]+$')", base_dialect_str="duckdb"
        )
        for side in "lr"
    ]
    # Weighed by how common the key is in the population linked (``term_frequencies``):
    # two records agreeing on Muhammad Ali say less than two agreeing on a rare name.
    frequency: dict[str, Any] = {
        "tf_adjustment_column": column,
        "tf_adjustment_weight": 1.0,
        "disable_tf_exact_match_detection": True,
    }
    return [
        cll.And(
            cll.CustomLevel(f"{column}_l = {column}_r"),
            cll.Not(cll.And(*latin, cll.Not(cll.JaroWinklerLevel(spelling, 0.85)))),
        ).configure(label_for_charts="same key, alike spelling", **frequency),
        cll.CustomLevel(
            f"{column}_l = {column}_r", label_for_charts="same key, different Latin spelling"
        ).configure(**frequency),
    ]


_SWAP = (
    "((father_l = name_r AND given_l = father_given_r) "
    "OR (name_l = father_r AND father_given_l = given_r)) AND given_l <> given_r"
)
# The same with the first words one letter apart: one of the two names also misspelt
# ("Kamran s/o Ghulam Nabbil" against "Ghulam Nabil s/o Kamrab"), which the exact swap misses.
_SWAP_MISSPELT = (
    "((father_l = name_r AND levenshtein(given_l, father_given_r) <= 1) "
    "OR (name_l = father_r AND levenshtein(father_given_l, given_r) <= 1)) "
    "AND given_l <> given_r"
)
# Its m and u, fixed without the truth (standard preset, 200,000 children): of a child's
# pairs of records with one B-form number, first words one edit apart are 328 for 9,138
# alike (q = 0.0347), so a swap is misspelt on one side or the other in 2q / (1 - q) of the
# exact swap's share (m); random pairs where one's whole father's name is the other's whole
# name and the first words are one edit apart: 2.5e-5 (u).
SWAP_MISSPELT_RATIO = 2 * 0.0347 / (1 - 0.0347)
SWAP_MISSPELT_U = 2.5e-5
SWAP_M = 0.07115  # the exact swap level's m, as learnt (models v2 to v5)


def _swapped_misspelt() -> Any:
    import splink.comparison_level_library as cll

    return cll.CustomLevel(
        _SWAP_MISSPELT,
        label_for_charts="given and father's names swapped, one of them misspelt",
    ).configure(
        m_probability=SWAP_M * SWAP_MISSPELT_RATIO,
        u_probability=SWAP_MISSPELT_U,
        fix_m_probability=True,
        fix_u_probability=True,
    )


def _swapped(*, weighed: bool = True) -> Any:
    import splink.comparison_level_library as cll

    # One side's whole father's name is the other's whole name, and the first words match
    # the other way (a family name may be written on one record only): first words alone
    # would take "Zubair s/o Allah Ditta" for "Ali s/o Zubair Aslam".
    # And the child's first names differ: "Ali s/o Ali" against "Ali Khattak s/o Muhammad
    # Ali" is not a swap, and the father's level already counts the fathers' agreement.
    level = cll.CustomLevel(_SWAP, label_for_charts="given and father's names swapped")
    if not weighed:
        return level
    # Weighed by how often the population itself writes this child and father the other way
    # round (``swap_frequencies``): Fatima d/o Ghulam Ali against a Ghulam Ali whose father
    # is Fatima is common where both names are; a rare pair swapped says much more.
    return level.configure(
        tf_adjustment_column="swap_pair",
        tf_adjustment_weight=1.0,
        disable_tf_exact_match_detection=True,
    )


# The level "first word the same, the other words different" (see ``_family_differs``):
# of a child's pairs of records with the same first word and not the same name, the share
# whose further words differ (measured on records that share a B-form number, 40 of 2,167
# on the standard preset's 200,000 children), and of two random records with one first
# word, the share (39.8 %, same population). Neither uses the truth.
FAMILY_DIFFERS_MATCH_SHARE = 0.0185
FAMILY_DIFFERS_RANDOM_SHARE = 0.398
FIRST_WORD_M = 0.203  # the first-word level's m, as learnt (models v2 to v5)
FIRST_WORD_U = 0.002585


def _family_differs() -> Any:
    """Both names go on after the same first word, and what follows differs by more than a
    letter and is not part of the other (Hira Soomro / Hira Laghari, but not Fatima Bibi
    Baloch / Fatima Baloch, nor Khosa / کھوسہ): two families' children, most often. Weighed
    by the first word's frequency like the level below it; as Splink's adjustment replaces
    the level's u by that frequency, the m carries the share of random pairs with other
    words that differ, so that the weight is log2(m' / (share × frequency))."""
    import splink.comparison_level_library as cll

    return cll.CustomLevel(
        "given_l = given_r AND name_rest_l IS NOT NULL AND name_rest_r IS NOT NULL "
        "AND instr(name_rest_l, name_rest_r) = 0 AND instr(name_rest_r, name_rest_l) = 0 "
        "AND levenshtein(name_rest_l, name_rest_r) > 1",
        label_for_charts="first word the same, the other words different",
    ).configure(
        m_probability=FIRST_WORD_M * FAMILY_DIFFERS_MATCH_SHARE / FAMILY_DIFFERS_RANDOM_SHARE,
        u_probability=FIRST_WORD_U * FAMILY_DIFFERS_RANDOM_SHARE,
        fix_m_probability=True,
        fix_u_probability=True,
        tf_adjustment_column="given",
        tf_adjustment_weight=1.0,
        disable_tf_exact_match_detection=True,
    )


def blocking_rules() -> list[Any]:
    """Which pairs are compared at all: each rule is a route by which two records of one
    child meet, so that a record missing one thing (a date of birth, a B-form) or with one
    thing spelled otherwise (a letter, the script, the district) still meets the others.

    - the names: the child's and the father's keys with the province, one of the two keys
      allowed a letter off (``*_near``), or the whole name in the district;
    - the father's name as its own route: with the district and sex (siblings meet here too,
      and are told apart by the comparisons), or with the date of birth;
    - the date of birth with the child's name;
    - names swapped (given and father's), and one record's whole name as the other's
      father's name in the district (a swap with one name misspelt);
    - the date of birth with sex (both names misspelt or otherwise written): in the district,
      or in the province with the child's first name's initial, or with the initials of the
      child's and father's names in either order (a swap, both names misspelt). Not with sex
      and province alone: a province's records share a date of birth and sex by the
      hundred, and the pairs grow as the square of the population (19.6 million of about 50
      million at a million records in one province; about 4 million by these three rules);
    - the B-form: whole, or either half (one mistyped digit leaves a half whole).
    """
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    return [
        block_on("given", "father", "province"),
        block_on("given_near", "father", "province", arrays_to_explode=["given_near"]),
        block_on("given", "father_near", "province", arrays_to_explode=["father_near"]),
        block_on("name", "district"),
        block_on("father", "district", "sex"),
        block_on("given", "dob"),
        block_on("father", "dob"),
        CustomRule(
            "l.given = r.father_given AND l.father_given = r.given AND l.province = r.province"
        ),
        # One side of a swap whole, the other misspelt: either way round.
        CustomRule("l.father = r.name AND l.district = r.district AND l.sex = r.sex"),
        CustomRule("l.name = r.father AND l.district = r.district AND l.sex = r.sex"),
        block_on("dob", "sex", "district"),
        block_on("initial", "dob", "sex", "province"),
        block_on("initials", "dob", "sex", "province"),
        block_on("b_form"),
        block_on("b_form_head"),
        block_on("b_form_tail"),
    ]


def _hashed(text: str) -> int:
    """A blocking key as a signed 64-bit number (stored and indexed compactly). XXH3: stable
    across machines and releases (its output is specified), a third of blake2b's cost; a
    batch of a million derives some twenty million keys."""
    value = _xxh3_64(text.encode())
    return value - _TWO_64 if value >= _TWO_63 else value


_TWO_63, _TWO_64 = 1 << 63, 1 << 64


def blocking_key_sets(row: Mapping[str, Any]) -> tuple[set[int], set[int]]:
    """The keys of ``blocking_rules()`` for one feature row, (stored, probe): two rows that
    some rule compares share a stored key of one and a probe key of the other (the same but
    for the swapped-names rules, looked up the other way round). A few pairs that no rule
    compares share one too (names a letter off on both sides), and are read for nothing. The
    stored keys are kept with each linked record, so that a new batch reads only the known
    records it could be compared with. About sixteen a record: each kind of key costs an
    entry in an index of tens of millions.

    Each key hashes its kind and its parts (feature values, all text), joined by a unit
    separator; there is none where a part is missing, as a rule never pairs on a missing
    value. Written out rule by rule: a batch of a million derives twenty million."""
    get = row.get
    given, father, province = get("given"), get("father"), get("province")
    district, sex, name, dob = get("district"), get("sex"), get("name"), get("dob")
    b_form, head, tail = get("b_form"), get("b_form_head"), get("b_form_tail")
    initial, initials = get("initial"), get("initials")
    texts = []
    if name and district:
        texts.append(f"nd\x1f{name}\x1f{district}")
    if dob:
        if given:
            texts.append(f"gd\x1f{given}\x1f{dob}")
        if father:
            texts.append(f"fd\x1f{father}\x1f{dob}")
        if sex:
            if district:
                texts.append(f"dsd\x1f{dob}\x1f{sex}\x1f{district}")
            if province:
                if initial:
                    texts.append(f"dsgp\x1f{dob}\x1f{sex}\x1f{initial}\x1f{province}")
                if initials:
                    texts.append(f"dsip\x1f{dob}\x1f{sex}\x1f{initials}\x1f{province}")
    if b_form:
        texts.append(f"b\x1f{b_form}")
    if head:
        texts.append(f"bh\x1f{head}")
    if tail:
        texts.append(f"bt\x1f{tail}")
    # The three routes by both names and the province under one key: the two names, or one
    # of them a letter off (each ``near`` list holds the key itself, once here).
    if father and province:
        texts += [
            f"gf\x1f{near_key}\x1f{father}\x1f{province}"
            for near_key in get("given_near") or ()
            if near_key
        ]
    if given and province:
        texts += [
            f"gf\x1f{given}\x1f{near_key}\x1f{province}"
            for near_key in get("father_near") or ()
            if near_key
        ]
    # The father's name with the district and sex, met by the other's father's name or name
    # (a swap, one side misspelt), and the name met by the father's name. A name met by a
    # name comes too, which the name and district route reads anyway.
    if district and sex:
        if father:
            texts.append(f"xds\x1f{father}\x1f{district}\x1f{sex}")
        if name:
            texts.append(f"xds\x1f{name}\x1f{district}\x1f{sex}")
    keys = {_hashed(text) for text in texts}
    father_given = get("father_given")
    if given and father_given and province:
        return keys | {_hashed(f"sw\x1f{given}\x1f{father_given}\x1f{province}")}, keys | {
            _hashed(f"sw\x1f{father_given}\x1f{given}\x1f{province}")
        }
    return keys, set(keys)


def blocking_keys(row: Mapping[str, Any], *, probe: bool = False) -> set[int]:
    """The stored (or ``probe``) keys of one feature row (``blocking_key_sets``)."""
    return blocking_key_sets(row)[1 if probe else 0]


# The level "two full dates that differ" (see ``settings``): of a child's pairs of records,
# the share that carry two full dates, and of those the share with one date mistyped; of
# random pairs, the share with two full dates (as the v2 model's training population had).
FULL_DATES_MATCH_SHARE = 0.43
DOB_MISTYPED = 0.02
FULL_DATES_RANDOM_SHARE = 0.44


def settings() -> Any:
    """The model's comparisons and blocking rules (Splink settings, untrained)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=1e-5,
        comparisons=[
            cl.CustomComparison(
                output_column_name="name",
                comparison_levels=[
                    cll.NullLevel("name"),
                    *_same_key("name"),
                    _swapped(),
                    _swapped_misspelt(),
                    _family_differs(),
                    cll.ExactMatchLevel("given").configure(
                        label_for_charts="first word the same (a family name on one only)",
                        tf_adjustment_column="given",
                        tf_adjustment_weight=1.0,
                        disable_tf_exact_match_detection=True,
                    ),
                    cll.JaroWinklerLevel("name", 0.92),
                    cll.JaroWinklerLevel("name", 0.8),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="father",
                comparison_levels=[
                    cll.NullLevel("father"),
                    *_same_key("father"),
                    # Counted once, under the child's name: here it weighs nothing.
                    cll.CustomLevel(
                        _SWAP_MISSPELT,
                        label_for_charts="given and father's names swapped (one may be misspelt)",
                    ).configure(is_null_level=True),
                    cll.JaroWinklerLevel("father", 0.92),
                    cll.JaroWinklerLevel("father", 0.8),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="birth",
                comparison_levels=[
                    cll.CustomLevel("birth_year_l IS NULL OR birth_year_r IS NULL").configure(
                        is_null_level=True
                    ),
                    cll.ExactMatchLevel("dob"),
                    cll.CustomLevel(
                        "dob_l = dob_swapped_r OR dob_swapped_l = dob_r",
                        label_for_charts="day and month swapped",
                    ),
                    # Two full dates, neither equal nor swapped: another child, unless one
                    # date was mistyped. Not learnt (training meets too few such pairs of one
                    # child): taken as 2 % of a child's pairs of full dates (m), against the
                    # share of random pairs with two full dates, nearly all of which differ (u).
                    cll.CustomLevel(
                        "dob_l IS NOT NULL AND dob_r IS NOT NULL",
                        label_for_charts="two full dates that differ",
                    ).configure(
                        m_probability=FULL_DATES_MATCH_SHARE * DOB_MISTYPED,
                        u_probability=FULL_DATES_RANDOM_SHARE,
                        fix_m_probability=True,
                        fix_u_probability=True,
                    ),
                    cll.CustomLevel(
                        "abs(birth_year_l - birth_year_r) <= 1.0", label_for_charts="within a year"
                    ),
                    cll.CustomLevel(
                        "abs(birth_year_l - birth_year_r) <= 2.6",
                        label_for_charts="within an estimated age's error",
                    ),
                    cll.CustomLevel(
                        "abs(birth_year_l - birth_year_r) <= 5.0",
                        label_for_charts="within two estimated ages' error",
                    ),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="place",
                comparison_levels=[
                    cll.NullLevel("district"),
                    cll.ExactMatchLevel("district"),
                    cll.ExactMatchLevel("province"),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="sex",
                comparison_levels=[
                    cll.NullLevel("sex"),
                    cll.ExactMatchLevel("sex"),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="b_form",
                comparison_levels=[
                    cll.NullLevel("b_form"),
                    cll.ExactMatchLevel("b_form"),
                    # One digit off: rarely met by random sampling, so its u is not learnt
                    # but set after training (``b_form_near_u``); this is a placeholder.
                    cll.LevenshteinLevel("b_form", 1).configure(
                        u_probability=1e-10, fix_u_probability=True
                    ),
                    cll.ElseLevel(),
                ],
            ),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def duckdb_api() -> Any:
    """Splink's DuckDB backend on an in-memory database that spills, when memory runs short,
    into the system's temporary directory (DuckDB's default is ``.tmp`` in the working
    directory, which may be the application's)."""
    import duckdb
    from splink import DuckDBAPI

    spill = Path(tempfile.gettempdir()) / "cpmis-duckdb"
    spill.mkdir(mode=0o700, exist_ok=True)
    return DuckDBAPI(connection=duckdb.connect(config={"temp_directory": str(spill)}))


def train(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Estimate the model on feature rows, without labels; return its Splink JSON."""
    import pandas as pd
    from splink import Linker, block_on

    frame = pd.DataFrame(list(rows), columns=list(FEATURE_COLUMNS))
    linker = Linker(frame, settings(), db_api=duckdb_api(), set_up_basic_logging=False)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given", "father", "dob"), block_on("b_form")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=3e6, seed=2026)
    # Each EM pass fixes some comparisons by its blocking rule and learns the others.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given", "father_given", "district"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob", "sex"), estimate_without_term_frequencies=True
    )
    return b_form_near_u(json.loads(json.dumps(linker.misc.save_model_to_json())))


# A B-form number has 13 × 9 numbers one digit away and one equal to it.
B_FORM_NEIGHBOURS = 13 * 9


def b_form_near_u(splink: dict[str, Any]) -> dict[str, Any]:
    """Set the chance that two different children's B-forms are one digit apart: whatever
    makes two children's numbers coincide (a number copied from a sibling's, a placeholder,
    a clerk's slip) meets each of a number's 117 neighbours at least as often as the number
    itself, so u is 117 times the learnt u of an exact match. Twins' consecutive serial
    numbers make it commoner still; a chance of 1e-10 (two random numbers) let one
    mistyped digit outweigh an exact match and merge twins."""
    for comparison in splink["comparisons"]:
        if comparison["output_column_name"] != "b_form":
            continue
        levels = {lv.get("label_for_charts", ""): lv for lv in comparison["comparison_levels"]}
        exact = next(lv for label, lv in levels.items() if label.startswith("Exact match"))
        near = next(lv for label, lv in levels.items() if label.startswith("Levenshtein"))
        near["u_probability"] = min(1.0, B_FORM_NEIGHBOURS * float(exact["u_probability"]))
    return splink


def for_dialect(model: Mapping[str, Any], dialect: str) -> dict[str, Any]:
    """A trained model with its SQL rendered again for another Splink backend (a saved model
    holds SQL of the backend it was trained on): the conditions come from ``settings()``,
    the m and u probabilities from the model, level by level."""
    fresh = settings().create_settings_dict(dialect)
    rendered: dict[str, Any] = json.loads(json.dumps(model))
    rendered["sql_dialect"] = dialect
    rendered["comparisons"] = fresh["comparisons"]
    rendered["blocking_rules_to_generate_predictions"] = fresh[
        "blocking_rules_to_generate_predictions"
    ]
    for new, old in zip(fresh["comparisons"], model["comparisons"], strict=True):
        if new["output_column_name"] != old["output_column_name"]:
            raise ValueError(f"{new['output_column_name']} is not {old['output_column_name']}")
        for new_level, old_level in zip(
            new["comparison_levels"], old["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability"):
                if key in old_level:
                    new_level[key] = old_level[key]
    return rendered


def _linker(
    model: Mapping[str, Any],
    frames: list[Any],
    link_type: str,
    db_api: Any = None,
    term_frequencies: Mapping[str, Mapping[str, float]] | None = None,
    blocking: str | None = None,
) -> Any:
    import pandas as pd
    from splink import Linker

    db_api = db_api if db_api is not None else duckdb_api()
    dialect = db_api.sql_dialect.sql_dialect_str
    # Conditions and blocking rules from this code, rendered for the backend; m and u from
    # the model (a model file checked against these comparisons before it was installed).
    trained = for_dialect(model, dialect)
    trained["link_type"] = link_type
    if blocking is not None:
        trained["blocking_rules_to_generate_predictions"] = [
            {"blocking_rule": blocking, "sql_dialect": dialect}
        ]
        trained["additional_columns_to_retain"] = ["cohort"]
    # Weights of evidence only: the population's prior is applied after (score_population).
    trained["probability_two_random_records_match"] = 0.5
    linker = Linker(
        frames if len(frames) > 1 else frames[0],
        trained,
        db_api=db_api,
        input_table_aliases=["new", "known"][: len(frames)] if len(frames) > 1 else None,
        set_up_basic_logging=False,
    )
    for column, shares in (term_frequencies or {}).items():
        # Typed, as a lookup may be empty (no swap written both ways in a small batch), and
        # an empty column would otherwise be read as numbers.
        lookup = pd.DataFrame(
            {
                column: pd.Series(list(shares), dtype=object),
                f"tf_{column}": pd.Series(list(shares.values()), dtype="float64"),
            }
        )
        linker.table_management.register_term_frequency_lookup(lookup, column, overwrite=True)
    return linker


# Name keys whose frequency in the population tempers their weight: two records agreeing on
# a common name (Muhammad Ali, Fatima) say less than two agreeing on a rare one. The child's
# and father's first words in order (``given_father``) weigh a swap of the two (``swap_pair``).
FREQUENCY_COLUMNS = ("name", "given", "father", "given_father")


def frequency_keys(row: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """The (column, key) counts a row's comparisons need: its own keys, and its child's and
    father's first words the other way round (how often the population writes them swapped)."""
    for column in FREQUENCY_COLUMNS:
        if row.get(column):
            yield column, row[column]
    if row.get("given_father"):
        given, _, father = row["given_father"].partition("|")
        yield "given_father", f"{father}|{given}"


Counts = dict[str, tuple[dict[str, int], int]]  # column → (count of each key, total)


def frequencies(rows: Iterable[Mapping[str, Any]]) -> Counts:
    """How many of ``rows`` carry each name key, per column of ``FREQUENCY_COLUMNS``."""
    from collections import Counter

    counts = {column: Counter[str]() for column in FREQUENCY_COLUMNS}
    for row in rows:
        for column in FREQUENCY_COLUMNS:
            if row.get(column):
                counts[column][row[column]] += 1
    return {column: (dict(counter), sum(counter.values())) for column, counter in counts.items()}


# Two given-name keys are one name written two ways when, of the B-form numbers written
# on several records with the rarer key, at least this share also carry the other (Usman
# and Uthman: about half); a typo turns a few per cent of a name's records into any one
# other key. Seen on at least ``VARIANT_MIN_FORMS`` numbers.
VARIANT_SHARE = 0.1
VARIANT_MIN_FORMS = 2


def b_form_variants(rows: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """Pairs of different given-name keys that the population writes for one child, learnt
    from records with one B-form number (siblings never share one): two spellings of one
    name (Usman / Uthman) that no key folds together. A record with the child's and
    father's names swapped is left out of the pairs, and so is a key that one B-form
    carries only by a typo (``VARIANT_SHARE``)."""
    from collections import Counter, defaultdict

    by_form: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for row in rows:
        if row.get("b_form") and row.get("given"):
            by_form[row["b_form"]].append((row["given"], row.get("father_given")))
    carried: Counter[str] = Counter()
    together: Counter[tuple[str, str]] = Counter()
    for written in by_form.values():
        if len(written) < 2:
            continue
        carried.update({given for given, _ in written})
        seen: set[tuple[str, str]] = set()
        for i, (given_a, father_a) in enumerate(written):
            for given_b, father_b in written[i + 1 :]:
                if given_a in (given_b, father_b) or given_b == father_a:
                    continue  # one name, or one record swapped
                seen.add((min(given_a, given_b), max(given_a, given_b)))
        together.update(seen)
    return {
        (a, b)
        for (a, b), n in together.items()
        if n >= VARIANT_MIN_FORMS and n >= VARIANT_SHARE * min(carried[a], carried[b])
    }


# How many records' worth of the model's own chance agreement a key's count is shrunk
# towards: a district's first few hundred records, where one family's records are a large
# share, cannot say that a name is common; a national population of a million can.
TF_PSEUDO_RECORDS = 10_000


def term_frequencies(model: Mapping[str, Any], counts: Counts) -> dict[str, dict[str, float]]:
    """Each key's share of the population, shrunk towards the model's own chance agreement
    (the u of the column's level) by ``TF_PSEUDO_RECORDS`` records: a population of a
    few records cannot say that a name is common."""
    typical: dict[str, float] = {}
    for comparison in for_dialect(model, "duckdb")["comparisons"]:
        for level in comparison.get("comparison_levels", []):
            column = level.get("tf_adjustment_column")
            if column and column not in typical and level.get("u_probability"):
                typical[column] = float(level["u_probability"])
    out: dict[str, dict[str, float]] = {}
    k = TF_PSEUDO_RECORDS
    for column in FREQUENCY_COLUMNS:
        by_key, total = counts.get(column, ({}, 0))
        u = typical.get(column)
        if u is None:
            continue
        out[column] = {key: (n + k * u) / (total + k) for key, n in by_key.items()}
    if "swap_pair" in typical:
        by_key, total = counts.get("given_father", ({}, 0))
        u = typical["swap_pair"]
        out["swap_pair"] = {
            pair: (share * total + k * u) / (total + k)
            for pair, share in swap_shares(by_key, total).items()
        }
    return out


def swap_shares(given_father: Mapping[str, int], total: int) -> dict[str, float]:
    """For each pair of first words {x, y} written both ways: the chance agreement of a swap
    between them, the harmonic mean 2ab / (a + b) of the shares a (x s/o y) and b (y s/o x).

    Two records written one each way are one child with one record swapped in about
    m (a + b) / 2 of matching pairs (m: the swap level's share of a child's pairs), and two
    children in a·b of random pairs: the ratio is m over the harmonic mean. So a swap of
    common names that the population often writes the other way weighs little, and one
    between a common and a rarely reversed pair weighs as its rarer side."""
    out: dict[str, float] = {}
    if total <= 0:
        return out
    for key, a in given_father.items():
        x, _, y = key.partition("|")
        if x >= y:
            continue
        b = given_father.get(f"{y}|{x}", 0)
        if a > 0 and b > 0:
            out[f"{x}|{y}"] = 2 * a * b / (a + b) / total
    return out


# Pairs whose weight of evidence (log2 of the Bayes factor, the prior left out) is below
# this cannot reach even a 1-in-1,000 chance at ten times the expected prior: not kept.
MIN_PROBABILITY_KEPT = 0.001
# How much a run's own estimate of the partners per record is trusted: as much as this many
# records that have exactly the model's own figure (a batch of ten records says little).
PRIOR_PSEUDO_RECORDS = 1000


def logit2(p: float) -> float:
    return math.log2(p / (1 - p))


def _sigmoid2(weights: Any, shift: float) -> Any:
    import numpy as np

    return 1.0 / (1.0 + np.exp2(-(weights + shift)))


def expected_partners(
    splink: Mapping[str, Any], trained_on: int, population: int | None = None
) -> float:
    """How many other records of one child a record has, on average, before the run looks
    at its own population: the prior of the population the model was trained on times its
    records. A smaller population is taken as a sample of one that size (each record has
    proportionally fewer of its child's others), so its prior stays the model's own."""
    prior = float(splink.get("probability_two_random_records_match") or 1e-5)
    partners = prior * max(trained_on - 1, 1)
    if population is not None and population < trained_on:
        partners *= max(population - 1, 1) / max(trained_on - 1, 1)
    return partners


@dataclass
class Scoring:
    """Scored pairs, and the prior the run derived for its own population: ``partners``
    (other records of the same child per record) and ``prior`` (the chance that two records
    drawn at random from the population are one child: partners / (population - 1))."""

    pairs: list[tuple[Any, Any, float]]
    prior: float
    partners: float
    population: int
    compared: int  # pairs kept for the estimate (weight of evidence above the floor)
    term_frequencies: Mapping[str, Mapping[str, float]]


def prior_estimate(
    weights: Any,
    new_in_pair: Any,
    *,
    new: int,
    population: int,
    partners: float,
    pseudo: int = PRIOR_PSEUDO_RECORDS,
) -> tuple[float, float]:
    """The prior of this population, by expectation maximisation with the m and u of the
    model fixed: the expected matches among the compared pairs (each counted for the new
    records in it) give the partners per new record, shrunk towards the model's default
    ``partners`` by ``pseudo`` records; the prior is partners / (population - 1). Pairs
    never compared count as non-matches (their evidence is too weak to matter).
    Returns (prior, partners)."""
    import numpy as np

    span = max(population - 1, 1)
    rho = partners
    for _ in range(100):
        prior = min(rho / span, 0.5)
        expected = float(np.dot(_sigmoid2(weights, logit2(prior)), new_in_pair))
        updated = (expected + partners * pseudo) / (new + pseudo)
        if abs(updated - rho) <= 1e-6 * max(rho, 1e-9):
            rho = updated
            break
        rho = updated
    return min(rho / span, 0.5), rho


def score_population(
    model: Mapping[str, Any],
    new: Iterable[Mapping[str, Any]],
    known: Iterable[Mapping[str, Any]] = (),
    *,
    threshold: float,
    partners: float,
    population: int | None = None,
    counts: Counts | None = None,
    estimate: bool = True,
    db_api: Any = None,
) -> Scoring:
    """Pairs scoring at least ``threshold``: each new row against the others and against the
    known rows (never known against known: those are already linked). The model's m and u
    give each pair its weight of evidence; the prior is this population's own
    (``prior_estimate``): ``population`` is every record already linked plus the new ones
    (default: the rows given), ``partners`` the model's default, ``counts`` the
    population's name keys (default: those of the rows given; see ``term_frequencies``).
    Without ``estimate`` the prior is at most partners / (population - 1) as given (a
    population smaller than the one the model was trained on: a few look-alike records
    cannot raise it). DuckDB unless another Splink backend (``db_api``, e.g.
    ``SparkAPI``) is given."""
    import numpy as np

    columns = list(FEATURE_COLUMNS)
    new_frame = frame_of(new, columns)
    known_frame = frame_of(known, columns)
    if population is None:
        population = len(new_frame) + len(known_frame)
    population = max(population, len(new_frame) + len(known_frame))
    if counts is None:
        counts = frequencies([*new_frame.to_dict("records"), *known_frame.to_dict("records")])
    shares = term_frequencies(model, counts)
    start_prior = min(partners / max(population - 1, 1), 0.05)
    floor = logit2(MIN_PROBABILITY_KEPT) - logit2(min(0.5, 10 * start_prior))
    found: list[tuple[list[Any], list[Any], Any, int]] = []
    if len(new_frame) > 1:
        linker = _linker(model, [new_frame], "dedupe_only", db_api, shares)
        result = linker.inference.predict(threshold_match_weight=floor)
        found.append((*_weights(result), 2))
    if len(new_frame) and len(known_frame):
        linker = _linker(model, [new_frame, known_frame], "link_only", db_api, shares)
        result = linker.inference.predict(threshold_match_weight=floor)
        found.append((*_weights(result), 1))
    if not found:
        return Scoring([], start_prior, partners, population, 0, shares)
    weights = np.concatenate([w for _, _, w, _ in found])
    new_in_pair = np.concatenate([np.full(len(w), c, dtype=float) for _, _, w, c in found])
    prior, rho = prior_estimate(
        weights, new_in_pair, new=len(new_frame), population=population, partners=partners
    )
    ceiling = min(partners / max(population - 1, 1), 0.5)
    if not estimate and prior > ceiling:
        # A population smaller than the model's own: a few look-alike records cannot raise
        # the prior above the model's.
        prior, rho = ceiling, partners
    pairs: list[tuple[Any, Any, float]] = []
    for left, right, w, _ in found:
        probability = _sigmoid2(w, logit2(prior))
        keep = np.flatnonzero(probability >= threshold)
        pairs += [(left[i], right[i], float(probability[i])) for i in keep]
    return Scoring(pairs, prior, rho, population, len(weights), shares)


def score(
    model: Mapping[str, Any],
    new: Iterable[Mapping[str, Any]],
    known: Iterable[Mapping[str, Any]] = (),
    *,
    threshold: float,
    partners: float | None = None,
    population: int | None = None,
    db_api: Any = None,
) -> list[tuple[Any, Any, float]]:
    """The pairs of ``score_population`` (``partners`` defaults to the model's own prior
    times the rows given, as if it had been trained on them)."""
    new = list(new)
    known = list(known)
    if partners is None:
        partners = expected_partners(model, len(new) + len(known))  # as if trained on these
    return score_population(
        model,
        new,
        known,
        threshold=threshold,
        partners=partners,
        population=population,
        db_api=db_api,
    ).pairs


def frame_of(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Any:
    """Feature rows (dicts) as a pandas DataFrame of ``columns``, built a column at a time.
    From a million dicts at once pandas holds the interpreter's lock for seconds, and a
    job's progress thread waits that long; a column at a time it is let go between them."""
    import pandas as pd

    listed = rows if isinstance(rows, list) else list(rows)
    if not listed:
        return pd.DataFrame([], columns=list(columns))  # untyped, as from no dicts
    return pd.DataFrame({column: [row.get(column) for row in listed] for column in columns})


def score_within(
    model: Mapping[str, Any],
    rows: Mapping[Any, Mapping[str, Any]],
    cohorts: list[list[Any]],
    *,
    prior: float,
    term_frequencies: Mapping[str, Mapping[str, float]] | None = None,
    db_api: Any = None,
) -> list[tuple[Any, Any, float]]:
    """Every pair inside each cohort (a list of ids of ``rows``; an id in one cohort only),
    scored with the model at the run's ``prior``, however low."""

    # The rows as they are, their cohorts a column beside them (not a copy of each row).
    frame = frame_of([rows[uid] for cohort in cohorts for uid in cohort], FEATURE_COLUMNS)
    frame["cohort"] = [index for index, cohort in enumerate(cohorts) for _ in cohort]
    if frame["unique_id"].duplicated().any():
        raise ValueError("A record is in two cohorts.")
    linker = _linker(
        model, [frame], "dedupe_only", db_api, term_frequencies, blocking="l.cohort = r.cohort"
    )
    left, right, weights = _weights(linker.inference.predict())
    probability = _sigmoid2(weights, logit2(prior))
    return [(left[i], right[i], float(probability[i])) for i in range(len(left))]


def _weights(result: Any) -> tuple[list[Any], list[Any], Any]:
    """(left ids, right ids, weights of evidence without the prior)."""
    frame = result.as_pandas_dataframe()
    return (
        frame["unique_id_l"].tolist(),
        frame["unique_id_r"].tolist(),
        frame["match_weight"].to_numpy(dtype=float),
    )
