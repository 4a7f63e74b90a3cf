"""Agreement on a common name, and a swap of common names, weigh less than on rare ones: the
weights come from the population being linked (``model.term_frequencies``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cpmis.linkage import model, services


def _record(child: str, father: str, age: int) -> dict[str, Any]:
    return {
        "child_name": child,
        "guardian_name": father,
        "sex": "female",
        "date_of_birth": None,
        "age_years": age,
        "record_date": date(2026, 6, 1),
        "district": "PK101",
        "b_form_number": "",
    }


def _population() -> list[dict[str, Any]]:
    """200 girls called Fatima whose fathers are called Ghulam Ali, 20 of their records
    written the other way round; one Zunaira d/o Tariq Jamil, and one record of hers swapped."""
    rows = [_record("Fatima", "Ghulam Ali", 5 + i % 8) for i in range(200)]
    rows += [_record("Ghulam Ali", "Fatima", 5 + i % 8) for i in range(20)]
    rows += [_record("Zunaira", "Tariq Jamil", 9), _record("Tariq Jamil", "Zunaira", 9)]
    rows += [_record("Zunaira", "Tariq Jamil", 9)]
    return rows


def _probabilities() -> dict[tuple[int, int], float]:
    return _scored([model.features(i, r) for i, r in enumerate(_population())])


def _scored(rows: list[dict[str, Any]]) -> dict[tuple[int, int], float]:
    """Every pair of ``rows`` scored by the shipped model, keyed (smaller id, larger id)."""
    shipped = services.modelfile.load(services.SHIPPED_MODEL)
    scoring = model.score_population(
        shipped.splink,
        rows,
        threshold=0.0,
        partners=model.expected_partners(shipped.splink, shipped.trained_on, len(rows)),
        estimate=False,
    )
    return {(min(a, b), max(a, b)): p for a, b, p in scoring.pairs}


@pytest.fixture(scope="module")
def probabilities() -> dict[tuple[int, int], float]:
    return _probabilities()


def test_agreeing_on_a_rare_name_says_more_than_on_a_common_one(
    probabilities: dict[tuple[int, int], float],
) -> None:
    # Two Fatimas of nine (ages 9 and 9: i = 4 and 12) against the two Zunairas, also nine.
    common, rare = probabilities[(4, 12)], probabilities[(220, 222)]
    assert model.logit2(rare) - model.logit2(common) > 3


def test_a_swap_of_rare_names_says_more_than_a_swap_of_common_ones(
    probabilities: dict[tuple[int, int], float],
) -> None:
    # Fatima (9) against a Ghulam Ali whose father is Fatima (9: i = 200 + 4), and Zunaira
    # against the swapped record of hers.
    common, rare = probabilities[(4, 204)], probabilities[(220, 221)]
    assert model.logit2(rare) - model.logit2(common) > 3


def test_a_swap_weighs_by_the_names_written_each_way() -> None:
    counts = {"FTM|GLM": 200, "GLM|FTM": 20, "ZNR|TRK": 1, "TRK|ZNR": 1, "ALI|BLL": 5}
    shares = model.swap_shares(counts, 1000)
    assert shares == pytest.approx({"FTM|GLM": 2 * 200 * 20 / 220 / 1000, "TRK|ZNR": 1 / 1000})
    # Never written the other way round: no figure, and no swap to weigh.
    assert "ALI|BLL" not in shares and "BLL|ALI" not in shares
    assert model.swap_shares(counts, 0) == {}


def test_a_row_asks_for_its_names_written_the_other_way_round() -> None:
    row = model.features(1, _record("Fatima", "Ghulam Ali", 9))
    keys = set(model.frequency_keys(row))
    given, father = row["given"], row["father_given"]
    assert ("given_father", f"{given}|{father}") in keys
    assert ("given_father", f"{father}|{given}") in keys
    assert row["swap_pair"] == "|".join(sorted((given, father)))


def test_two_family_names_after_one_first_name_say_two_families() -> None:
    """Hira Soomro and Hira Laghari, same father's name, district and age: the first word
    agrees, and the family names say two families (about 4.4 bits less than a family name
    written on one record only, Hira Soomro against Hira); a family name spelled otherwise
    (Soomro / Sumro, Khosa / کھوسہ) is one family."""
    names = ["Hira Soomro", "Hira Laghari", "Hira", "Hira Sumro", "Umar Khosa", "عمر کھوسہ"]
    rows = [model.features(i, _record(name, "Muhammad Bilal", 9)) for i, name in enumerate(names)]
    rows += [model.features(10 + i, _record("Hira", f"Father{i}", 9)) for i in range(30)]
    p = _scored(rows)
    two_families, one_written = p[(0, 1)], p[(0, 2)]
    assert model.logit2(one_written) - model.logit2(two_families) > 4
    assert model.logit2(p[(0, 3)]) > model.logit2(one_written)  # Sumro: the same name
    assert p[(4, 5)] > one_written  # Khosa in both scripts


def test_a_swap_with_one_name_misspelt_is_compared_and_scored() -> None:
    """Kamran s/o Ghulam Nabbil, and a record written the other way round with his name
    misspelt: Ghulam Nabil s/o Kamrab. The exact swap misses it; blocking brings the two
    together (by the stored keys too) and the misspelt-swap level links them."""
    shipped = services.modelfile.load(services.SHIPPED_MODEL)
    one = model.features(0, {**_record("Kamran", "Ghulam Nabbil", 9), "sex": "male"})
    other = model.features(1, {**_record("Ghulam Nabil", "Kamrab", 9), "sex": "male"})
    assert one["father"] == other["name"] and one["given"] != other["father_given"]
    assert model.blocking_keys(one) & model.blocking_keys(other, probe=True)
    assert model.blocking_keys(other) & model.blocking_keys(one, probe=True)
    pairs = model.score(shipped.splink, [one, other], threshold=0.0, partners=1.0)
    assert pairs and pairs[0][2] > 0.5
