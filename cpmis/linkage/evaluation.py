"""How well a linkage recovers the children behind records: precision, recall and F1 of the
pairs of records put together, and of whole clusters (a cluster counts when it is exactly a
child's set of records), against the ground truth; and the simplest baseline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cpmis.people.search import normalize_name


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total


def _groups(labels: Sequence[Hashable]) -> list[list[int]]:
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        groups[label].append(i)
    return list(groups.values())


def _pairs(groups: Iterable[list[int]]) -> int:
    return sum(len(g) * (len(g) - 1) // 2 for g in groups)


def pair_scores(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> Scores:
    """Of the pairs put together, how many are the same child (precision); of the pairs that
    are, how many were put together (recall)."""
    together: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    for t, p in zip(truth, predicted, strict=True):
        together[(t, p)] += 1
    true_pos = _pairs([0] * n for n in together.values())
    predicted_pairs = _pairs(_groups(predicted))
    true_pairs = _pairs(_groups(truth))
    return Scores(
        true_pos / predicted_pairs if predicted_pairs else 1.0,
        true_pos / true_pairs if true_pairs else 1.0,
    )


def cluster_scores(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> Scores:
    """Of the clusters made, how many are exactly one child's records; of the children, how
    many were recovered exactly."""
    true_sets = {frozenset(g) for g in _groups(truth)}
    made = [frozenset(g) for g in _groups(predicted)]
    exact = sum(1 for g in made if g in true_sets)
    return Scores(exact / len(made) if made else 1.0, exact / len(true_sets) if true_sets else 1.0)


def exact_match(records: Sequence[dict[str, Any]]) -> list[Hashable]:
    """The baseline: the same normalised name, date of birth and district, or alone."""
    labels: list[Hashable] = []
    for i, r in enumerate(records):
        if r.get("date_of_birth") is None:
            labels.append(("alone", i))
        else:
            labels.append((normalize_name(r["child_name"]), r["date_of_birth"], r["district"]))
    return labels
