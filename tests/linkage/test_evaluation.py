"""The ground truth for linkage and the measures used to judge a linkage against it."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from cpmis.linkage import evaluation, groundtruth

PROVINCES = {
    "PK-PB": [f"PK6{i:02d}" for i in range(36)],
    "PK-KP": [f"PK5{i:02d}" for i in range(30)],
}
TODAY = date(2026, 11, 28)


def make(n: int, seed: int = 7) -> list[dict[str, Any]]:
    return groundtruth.records_make(n, seed=seed, districts_by_province=PROVINCES, today=TODAY)


def test_the_same_seed_gives_the_same_records() -> None:
    assert make(200) == make(200)
    assert make(200) != make(200, seed=8)


def test_children_are_seen_by_one_to_four_departments_with_the_corruptions_at_their_rates() -> None:
    records = make(4000)
    per_child = Counter(r["truth"] for r in records)
    assert set(per_child.values()) <= {1, 2, 3, 4} and len(set(per_child.values())) == 4
    police = [r for r in records if r["record_type"] == "police_report"]
    urdu = sum(1 for r in police if any("\u0600" <= ch <= "\u06ff" for ch in r["child_name"]))
    assert 0.28 < urdu / len(police) < 0.39
    no_dob = sum(1 for r in records if r["date_of_birth"] is None) / len(records)
    assert 0.28 < no_dob < 0.39
    assert all(r["age_years"] is not None for r in records if r["date_of_birth"] is None)
    with_b_form = sum(1 for r in records if r["b_form_number"]) / len(records)
    assert 0.15 < with_b_form < 0.25
    assert all(r["b_form_number"].startswith("00") for r in records if r["b_form_number"])


def test_pair_and_cluster_scores_on_a_small_case() -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    perfect = evaluation.pair_scores(truth, truth)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    # one child split in two, and c wrongly joined to b
    predicted = [1, 1, 2, 3, 3, 3]
    pairs = evaluation.pair_scores(truth, predicted)
    assert pairs.precision == pytest.approx(2 / 4)  # (0,1), (3,4) right of 4 pairs made
    assert pairs.recall == pytest.approx(2 / 4)  # of a's 3 pairs and b's 1
    clusters = evaluation.cluster_scores(truth, predicted)
    assert (clusters.precision, clusters.recall) == (0.0, 0.0)
    alone = evaluation.cluster_scores(truth, list(range(6)))
    assert alone.precision == pytest.approx(1 / 6) and alone.recall == pytest.approx(1 / 3)


def test_the_exact_match_baseline_is_precise_but_misses_most_links() -> None:
    records = make(3000)
    truth = [r["truth"] for r in records]
    pairs = evaluation.pair_scores(truth, evaluation.exact_match(records))
    assert pairs.precision > 0.9
    assert pairs.recall < 0.5  # script, spelling, missing dates: what linkage must overcome


@pytest.mark.django_db
def test_the_evaluation_command_prints_every_measure() -> None:
    out = StringIO()
    call_command("linkage_evaluate", children=300, stdout=out)
    text = out.getvalue()
    assert "exact name + DOB + district" in text and "pair F1" in text and "clus F1" in text
