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

import json
import tempfile
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from rapidfuzz.distance import OSA

from cpmis.people.phonetic import name_keys, word_key
from cpmis.people.search import normalize_name

# Bump when what features() derives changes: stored features of another format are derived
# again before they are compared.
FEATURE_FORMAT = 2
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
_JOINS_NEXT = {name_keys(word)[0] for word in ("Abdul", "Abdur", "Abd")}
FEATURE_COLUMNS = (
    "unique_id",
    "given",
    "name",
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
)


def _words(name: str) -> list[tuple[str, str]]:
    """The name's words as (key, spelling): "Abdul Rehman" as one word (Urdu writes
    عبدالرحمن as one), the prefixes that say little (Muhammad, Ghulam) dropped when another
    word remains."""
    words: list[tuple[str, str]] = []
    for spelling in normalize_name(name or "").split():
        key = word_key(spelling)
        if not key:
            continue
        if words and words[-1][0] in _JOINS_NEXT:
            words[-1] = (words[-1][0] + key, words[-1][1] + spelling)
        else:
            words.append((key, spelling))
    rest = [w for w in words if not _prefix(*w)]
    return rest or words


def _prefix(key: str, spelling: str) -> bool:
    """Muhammad or Ghulam, however abbreviated or mistyped."""
    if spelling in _PREFIXES:
        return True
    return (
        spelling.isascii()
        and len(spelling) >= 7
        and any(OSA.distance(spelling, form, score_cutoff=1) <= 1 for form in _PREFIX_FUZZY)
    )


def _year_fraction(day: date) -> float:
    return day.year + (day.timetuple().tm_yday - 0.5) / 366


def features(uid: Any, record: Mapping[str, Any]) -> dict[str, Any]:
    """One row for Splink from a record's common columns (department record or child)."""
    given = _words(record.get("child_name") or "")
    father = _words(record.get("guardian_name") or "")
    dob: date | None = record.get("date_of_birth")
    age = record.get("age_years")
    birth_year: float | None = None
    if dob is not None:
        birth_year = _year_fraction(dob)
    elif age is not None and record.get("record_date") is not None:
        birth_year = _year_fraction(record["record_date"]) - age - 0.5
    swapped = None
    if dob is not None and dob.day <= 12 and dob.day != dob.month:
        swapped = date(dob.year, dob.day, dob.month).isoformat()
    district = record.get("district") or None
    sex = record.get("sex")
    b_form = "".join(ch for ch in (record.get("b_form_number") or "") if ch.isdigit())
    return {
        "unique_id": uid,
        "given": given[0][0] if given else None,
        "name": "".join(k for k, _ in given) or None,
        "name_spelling": "".join(w for _, w in given) or None,
        "father": "".join(k for k, _ in father) or None,
        "father_given": father[0][0] if father else None,
        "father_spelling": "".join(w for _, w in father) or None,
        "dob": dob.isoformat() if dob else None,
        "dob_swapped": swapped,
        "birth_year": birth_year,
        "district": district,
        "province": district[:3] if district else None,
        "sex": sex if sex in ("female", "male", "transgender") else None,
        "b_form": b_form or None,
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
    return [
        cll.And(
            cll.CustomLevel(f"{column}_l = {column}_r"),
            cll.Not(cll.And(*latin, cll.Not(cll.JaroWinklerLevel(spelling, 0.85)))),
        ).configure(label_for_charts="same key, alike spelling"),
        cll.CustomLevel(
            f"{column}_l = {column}_r", label_for_charts="same key, different Latin spelling"
        ),
    ]


def _swapped() -> Any:
    import splink.comparison_level_library as cll

    return cll.CustomLevel(
        "given_l = father_given_r AND father_given_l = given_r",
        label_for_charts="given and father's names swapped",
    )


def settings() -> Any:
    """The model's comparisons and blocking rules (Splink settings, untrained)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

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
                    cll.ExactMatchLevel("given").configure(
                        label_for_charts="first word the same (a family name on one only)"
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
                    _swapped().configure(is_null_level=True),
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
                    # One digit off: never met by random sampling, so its u is set: about
                    # 13 × 9 numbers of 10^13 are one digit from a given one.
                    cll.LevenshteinLevel("b_form", 1).configure(
                        u_probability=1e-10, fix_u_probability=True
                    ),
                    cll.ElseLevel(),
                ],
            ),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given", "father", "province", "sex"),
            block_on("name", "district"),
            block_on("father", "district", "sex"),
            block_on("given", "dob"),
            block_on("father", "dob"),
            CustomRule(
                "l.given = r.father_given AND l.father_given = r.given AND l.province = r.province"
            ),
            block_on("b_form"),
        ],
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
    return json.loads(json.dumps(linker.misc.save_model_to_json()))


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


def _linker(model: Mapping[str, Any], frames: list[Any], link_type: str, db_api: Any = None) -> Any:
    from splink import Linker

    db_api = db_api if db_api is not None else duckdb_api()
    dialect = db_api.sql_dialect.sql_dialect_str
    trained = (
        dict(model)
        if model.get("sql_dialect", "duckdb") == dialect
        else for_dialect(model, dialect)
    )
    trained["link_type"] = link_type
    return Linker(
        frames if len(frames) > 1 else frames[0],
        trained,
        db_api=db_api,
        input_table_aliases=["new", "known"][: len(frames)] if len(frames) > 1 else None,
        set_up_basic_logging=False,
    )


def score(
    model: Mapping[str, Any],
    new: Iterable[Mapping[str, Any]],
    known: Iterable[Mapping[str, Any]] = (),
    *,
    threshold: float,
    db_api: Any = None,
) -> list[tuple[Any, Any, float]]:
    """Pairs scoring at least ``threshold``: each new row against the others and against the
    known rows (never known against known: those are already linked). DuckDB unless another
    Splink backend (``db_api``, e.g. ``SparkAPI``) is given."""
    import pandas as pd

    columns = list(FEATURE_COLUMNS)
    new_frame = pd.DataFrame(list(new), columns=columns)
    known_frame = pd.DataFrame(list(known), columns=columns)
    pairs: list[tuple[Any, Any, float]] = []
    if len(new_frame) > 1:
        result = _linker(model, [new_frame], "dedupe_only", db_api).inference.predict(
            threshold_match_probability=threshold
        )
        pairs += _pairs(result)
    if len(new_frame) and len(known_frame):
        result = _linker(model, [new_frame, known_frame], "link_only", db_api).inference.predict(
            threshold_match_probability=threshold
        )
        pairs += _pairs(result)
    return pairs


def _pairs(result: Any) -> list[tuple[Any, Any, float]]:
    frame = result.as_pandas_dataframe()
    return list(
        zip(
            frame["unique_id_l"].tolist(),
            frame["unique_id_r"].tolist(),
            frame["match_probability"].astype(float).tolist(),
            strict=True,
        )
    )
