"""Whether two records agree, without their values: what a reviewer who may not see a
candidate child is shown, and what a merge proposal can say of two children.

Both sides go through ``model.features()``, so names meet through the phonetic key
(Urdu and Latin spellings, "Muhammad" dropped, ي/ی folded) exactly as the model compares
them, and a date of birth is compared like the model's birth levels. The result holds
codes from ``Agreement`` only, never a value of either side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import Levenshtein

from . import model

FIELDS = ("date_of_birth", "b_form", "name", "father")
# An estimated age is off by up to two years either way (``model.settings()``, birth).
ESTIMATE_ERROR_YEARS = 2.6


class Agreement(models.TextChoices):
    """How a field of one side compares with the other's. The order within each field is
    from the strongest agreement down."""

    AGREES = "agrees", _("agrees")
    FIRST_NAME_AGREES = "first_name_agrees", _("first name agrees, not the rest")
    NAMES_SWAPPED = "names_swapped", _("given and father's names swapped")
    SAME_DATE = "same_date", _("same date")
    DAY_MONTH_SWAPPED = "day_month_swapped", _("day and month swapped")
    WITHIN_A_YEAR = "within_a_year", _("within a year")
    WITHIN_ESTIMATE = "within_estimate", _("within the error of an estimated age")
    SAME = "same", _("same")
    ONE_DIGIT_OFF = "one_digit_off", _("one digit off")
    DIFFERS = "differs", _("differs")
    MISSING = "missing", _("one side missing")


# For choosing the best of several rows of one side (a child's Latin and Urdu names).
_RANK = {code: rank for rank, code in enumerate(Agreement)}


def compare(
    record_common: Mapping[str, Any], candidate_common: Mapping[str, Any]
) -> dict[str, str]:
    """How a record agrees with a candidate, field by field (``FIELDS``), as ``Agreement``
    codes. Both arguments are common columns, as ``model.features()`` takes them
    (``child_name``, ``guardian_name``, ``date_of_birth``, ``age_years``, ``record_date``,
    ``b_form_number``, …)."""
    a = model.features("a", record_common)
    b = model.features("b", candidate_common)
    return {
        "date_of_birth": _birth(a, b),
        "b_form": _b_form(a["b_form"], b["b_form"]),
        "name": _name(a, b, "name", "given", swapped=True),
        "father": _name(a, b, "father", "father_given", swapped=False),
    }


def compare_best(
    record_common: Mapping[str, Any], candidate_commons: Iterable[Mapping[str, Any]]
) -> dict[str, str]:
    """``compare`` against a side written several ways (a child's name in each script): for
    each field, the strongest agreement. All ``MISSING`` when there is no row."""
    best: dict[str, str] = dict.fromkeys(FIELDS, Agreement.MISSING)
    for candidate in candidate_commons:
        for field, code in compare(record_common, candidate).items():
            if _RANK[Agreement(code)] < _RANK[Agreement(best[field])]:
                best[field] = Agreement(code)
    return best


def record_common(record: Any) -> dict[str, Any]:
    """A department record's common columns, as the linkage compares a record."""
    return {
        "child_name": record.child_name,
        "guardian_name": record.guardian_name,
        "sex": record.sex,
        "date_of_birth": record.date_of_birth,
        "age_years": record.age_years,
        "record_date": record.record_date,
        "district": record.district.pcode,
        "b_form_number": record.b_form_number,
    }


def child_commons(child: Any) -> list[dict[str, Any]]:
    """A registry child's common columns, one row per script its name is written in (as
    the linkage compares a child). An estimated date of birth counts as an age on the day
    the child was registered, not as a date."""
    from cpmis.people.services import age_on

    registered = child.registered_at.date()
    estimated = child.date_of_birth_estimated
    common = {
        "sex": child.sex,
        "date_of_birth": None if estimated else child.date_of_birth,
        "age_years": age_on(child.date_of_birth, registered) if estimated else None,
        "record_date": registered,
        "district": child.district.pcode,
        "b_form_number": child.b_form_number,
    }
    rows = [
        {**common, "child_name": name, "guardian_name": guardian}
        for name, guardian in (
            (child.name_latin, child.guardian_name_latin),
            (child.name_urdu, child.guardian_name_urdu),
        )
        if name
    ]
    return rows or [{**common, "child_name": "", "guardian_name": ""}]


def children_agree(a: Any, b: Any) -> dict[str, str]:
    """Whether two registry children agree on name, father's name, date of birth and B-form,
    as "agree"/"disagree" (a field either lacks is left out): for a merge proposal's evidence
    (``cpmis.people.hooks``). Each child is compared as written in each of its scripts, the
    strongest agreement kept; dates agree only when the same or with day and month swapped."""
    agreeing = {
        "name": {Agreement.AGREES, Agreement.FIRST_NAME_AGREES},
        "father": {Agreement.AGREES, Agreement.FIRST_NAME_AGREES},
        "date_of_birth": {Agreement.SAME_DATE, Agreement.DAY_MONTH_SWAPPED},
        "b_form": {Agreement.SAME},
    }
    best: dict[str, str] = {}
    for row in child_commons(a):
        for field, code in compare_best(row, child_commons(b)).items():
            if code != Agreement.MISSING and best.get(field) != "agree":
                best[field] = "agree" if code in agreeing[field] else "disagree"
    return best


def label(code: str) -> Any:
    """The translatable label of an ``Agreement`` code."""
    return Agreement(code).label


def _birth(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    if a["birth_year"] is None or b["birth_year"] is None:
        return Agreement.MISSING
    if a["dob"] is not None and a["dob"] == b["dob"]:
        return Agreement.SAME_DATE
    if a["dob"] is not None and (a["dob"] == b["dob_swapped"] or a["dob_swapped"] == b["dob"]):
        return Agreement.DAY_MONTH_SWAPPED
    distance = abs(a["birth_year"] - b["birth_year"])
    if distance <= 1.0:
        return Agreement.WITHIN_A_YEAR
    # Only an estimate (an age, no date) can be this far off and still be the same child.
    if (a["dob"] is None or b["dob"] is None) and distance <= ESTIMATE_ERROR_YEARS:
        return Agreement.WITHIN_ESTIMATE
    return Agreement.DIFFERS


def _b_form(a: str | None, b: str | None) -> str:
    if not a or not b:
        return Agreement.MISSING
    if a == b:
        return Agreement.SAME
    if Levenshtein.distance(a, b, score_cutoff=1) <= 1:
        return Agreement.ONE_DIGIT_OFF
    return Agreement.DIFFERS


def _name(
    a: Mapping[str, Any], b: Mapping[str, Any], full: str, first: str, *, swapped: bool
) -> str:
    if (
        swapped
        and all((a["given"], a["father_given"], b["given"], b["father_given"]))
        and a["given"] != b["given"]
        and (a["given"], a["father_given"]) == (b["father_given"], b["given"])
    ):
        return Agreement.NAMES_SWAPPED
    if not a[full] or not b[full]:
        return Agreement.MISSING
    if a[full] == b[full]:
        return Agreement.AGREES
    if a[first] and a[first] == b[first]:
        return Agreement.FIRST_NAME_AGREES
    return Agreement.DIFFERS
