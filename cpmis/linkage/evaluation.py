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


def splink_generic(records: Sequence[dict[str, Any]], *, threshold: float = 0.95) -> list[Hashable]:
    """The second baseline: Splink with its default comparisons for a name, a date of birth
    and a district, trained the usual way, clustered at Splink's customary 0.95."""
    import pandas as pd
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    from . import model

    frame = pd.DataFrame(
        [
            {
                "unique_id": i,
                "child_name": normalize_name(r["child_name"]) or None,
                "dob": r["date_of_birth"].isoformat() if r.get("date_of_birth") else None,
                "district": r["district"],
            }
            for i, r in enumerate(records)
        ]
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("child_name"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("district"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("child_name", "district"),
            block_on("dob"),
        ],
    )
    linker = Linker(frame, settings, db_api=model.duckdb_api(), set_up_basic_logging=False)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    # EM on pairs sharing a date of birth (learns name and district), then a name and a
    # district (learns the date): blocking on the district alone would compare every pair of
    # a district, 600 million of them for 200,000 children.
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("child_name", "district")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = (
        linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
        .as_duckdbpyrelation()
        .select("unique_id, cluster_id")
        .fetchall()
    )
    found = dict(clusters)
    return [found.get(i, ("alone", i)) for i in range(len(records))]


@dataclass
class ModelResult:
    labels: list[Hashable]
    reviewed: list[Hashable]  # as if every review item were decided rightly
    review_groups: int
    review_records: int
    link_threshold: float
    review_threshold: float
    seconds: dict[str, float]


def cpmis_model(records: Sequence[dict[str, Any]]) -> ModelResult:
    """cpmis's model exactly as production runs it: the shipped model file, this
    population's own prior, the model's thresholds, clustered without chaining (every pair
    inside a cluster scored). Nothing here looks at the truth."""
    import json
    import time

    from . import clustering, model
    from .services import SHIPPED_MODEL

    shipped = json.loads(SHIPPED_MODEL.read_text(encoding="utf-8"))
    link, review = shipped["link_threshold"], shipped["review_threshold"]
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    rows = [model.features(i, r) for i, r in enumerate(records)]
    seconds["features"] = time.perf_counter() - started
    mark = time.perf_counter()
    scoring = model.score_population(
        shipped["splink"],
        rows,
        threshold=review,
        partners=model.expected_partners(shipped["splink"], shipped["trained_on"], len(rows)),
        estimate=len(rows) >= shipped["trained_on"],
    )
    seconds["scoring"] = time.perf_counter() - mark
    mark = time.perf_counter()
    by_id = {row["unique_id"]: row for row in rows}
    given, named = model.frequencies(rows)["given"]
    outcome = clustering.cluster_cohesive(
        scoring.pairs,
        by_id,
        range(len(rows)),
        {},
        link=link,
        review=review,
        score_within=lambda cohorts: model.score_within(
            shipped["splink"],
            by_id,
            cohorts,
            prior=scoring.prior,
            term_frequencies=scoring.term_frequencies,
        ),
        apart=clustering.siblings_apart(given, named, model.b_form_variants(rows)),
    )
    seconds["clustering"] = time.perf_counter() - mark
    by_record = outcome.labels()
    labels = [by_record[i] for i in range(len(records))]
    # The same, had every review group been decided as the truth says (what a careful
    # reviewer would do): a group joins its candidate when they are the same child.
    reviewed = list(labels)
    truth_of_group = {i: records[g[0]]["truth"] for i, g in enumerate(outcome.groups)}
    review_records = 0
    for index, (kind, target, _) in outcome.review.items():
        review_records += len(outcome.groups[index])
        if kind != "group" or truth_of_group[index] != truth_of_group[int(target)]:  # type: ignore[call-overload]
            continue
        for uid in outcome.groups[index]:
            reviewed[uid] = ("new", target)
    return ModelResult(
        labels,
        reviewed,
        len(outcome.review),
        review_records,
        link,
        review,
        seconds,
    )


@dataclass
class Method:
    label: str
    pairs: Scores
    clusters: Scores
    note: str


@dataclass
class Comparison:
    records: int
    methods: list[Method]
    model: ModelResult


def compare(records: Sequence[dict[str, Any]], *, generic: bool = True) -> Comparison:
    """Every method on the same records, scored against their truth."""
    import time

    truth = [r["truth"] for r in records]
    runs: list[tuple[str, list[Hashable], str]] = []
    timer = time.perf_counter()
    exact = exact_match(records)
    runs.append(("exact name + DOB + district", exact, f"{time.perf_counter() - timer:.1f} s"))
    if generic:
        timer = time.perf_counter()
        labels = splink_generic(records)
        runs.append(("Splink, generic model", labels, f"{time.perf_counter() - timer:.1f} s"))
    timer = time.perf_counter()
    result = cpmis_model(records)
    runs.append(("cpmis model (automatic)", result.labels, f"{time.perf_counter() - timer:.1f} s"))
    runs.append(("  … and reviews decided", result.reviewed, "(as the truth says)"))
    return Comparison(
        len(records),
        [
            Method(label, pair_scores(truth, p), cluster_scores(truth, p), note)
            for label, p, note in runs
        ],
        result,
    )


def comparison_lines(comparison: Comparison) -> list[str]:
    lines = [
        f"{'method':<28} {'pair P':>7} {'pair R':>7} {'pair F1':>8} "
        f"{'clus P':>7} {'clus R':>7} {'clus F1':>8}"
    ]
    for m in comparison.methods:
        lines.append(
            f"{m.label:<28} {m.pairs.precision:7.3f} {m.pairs.recall:7.3f} {m.pairs.f1:8.3f} "
            f"{m.clusters.precision:7.3f} {m.clusters.recall:7.3f} {m.clusters.f1:8.3f}  "
            f"{m.note}"
        )
    result = comparison.model
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    lines.append(
        f"cpmis model: link at p ≥ {result.link_threshold:.3f}, review at p ≥ "
        f"{result.review_threshold:.3f} (chosen from the model's own probabilities); "
        f"{result.review_groups:,} review items ({result.review_records:,} records, "
        f"{result.review_records / max(comparison.records, 1):.1%}); {steps}"
    )
    return lines


def blocking_missed(rows: Sequence[dict[str, Any]], truth: Sequence[Hashable]) -> tuple[int, int]:
    """(true pairs that no blocking rule of the model brings together, all true pairs):
    pairs never compared can never be linked, whatever the model says. ``rows`` are feature
    rows whose ``unique_id`` is their index in ``truth``."""
    import duckdb
    import pandas as pd

    from . import model

    frame = pd.DataFrame(list(rows), columns=list(model.FEATURE_COLUMNS))
    connection = duckdb.connect()
    connection.register("f", frame)
    rules = model.settings().create_settings_dict("duckdb")[
        "blocking_rules_to_generate_predictions"
    ]
    by_child: dict[Hashable, list[int]] = defaultdict(list)
    for index, child in enumerate(truth):
        by_child[child].append(index)
    true_pairs = pd.DataFrame(
        [(a, b) for ids in by_child.values() for i, a in enumerate(ids) for b in ids[i + 1 :]],
        columns=["a", "b"],
    )
    connection.register("t", true_pairs)
    conditions = []
    for rule in rules:
        sql = rule["blocking_rule"]
        for column in rule.get("arrays_to_explode") or []:
            # An exploded array's equality: the two lists share an element.
            sql = sql.replace(
                f'l."{column}" = r."{column}"',
                f'len(list_intersect(l."{column}", r."{column}")) > 0',
            )
        conditions.append(f"({sql})")
    # The model's own blocking rules; nothing from outside.
    query = (
        "SELECT count(*) FROM t JOIN f AS l ON l.unique_id = t.a "  # noqa: S608
        "JOIN f AS r ON r.unique_id = t.b WHERE NOT coalesce("
        + " OR ".join(conditions)
        + ", false)"
    )
    missed = connection.execute(query).fetchone()
    return int(missed[0] if missed else 0), len(true_pairs)
