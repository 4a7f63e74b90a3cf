"""The linkage model's features, its thresholds, and clustering that does not chain."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cpmis.linkage import clustering, model, services


def features(uid: Any = 0, **values: Any) -> dict[str, Any]:
    record = {
        "child_name": "Ayesha",
        "guardian_name": "Muhammad Aslam",
        "sex": "female",
        "date_of_birth": date(2015, 3, 1),
        "age_years": None,
        "record_date": date(2026, 3, 1),
        "district": "PK617",
        "b_form_number": "",
    }
    record.update(values)
    return model.features(uid, record)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Muhammad Bilal", "Bilal"),  # Muhammad dropped
        ("Mohd Bilal", "محمد بلال"),  # abbreviated, and Urdu script
        ("Mhoammad Bilal", "Bilal"),  # a mistyped Muhammad is still a prefix
        ("Ghulam Abbas", "Abbas"),
        ("Gulaam Abbas", "Abbas"),  # Ghulam spelled otherwise, or a letter off
        ("Guam Abbas", "Abbas"),
        ("Guhlam Abbas", "Abbas"),
        ("Abdul Rehman", "عبدالرحمن"),  # two words in Latin, one in Urdu
        ("Karim Bux", "Karim Bakhsh"),
        ("علی", "علي"),  # Urdu ی and Arabic ي
        ("کاشف", "كاشف"),  # Urdu ک and Arabic ك
        ("فاطمہ", "فاطمه"),  # Urdu ہ and Arabic ه
        ("Saif Ullah", "Saifullah"),  # Ullah joins the word it completes
        ("Ubaid Ullah Khan", "عبیداللہ خان"),
        ("Nasar Ullah", "نصر اللہ"),
        ("Hussain", "حسین"),
        ("Hasnain", "حسنين"),
        ("Hassan", "حسن"),
        ("Husna", "حسنیٰ"),  # a girl's name, not Husain
    ],
)
def test_spellings_of_one_name_meet(one: str, other: str) -> None:
    assert features(child_name=one)["name"] == features(child_name=other)["name"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Hassan", "Hussain"),  # the phonetic key folds these three names into one
        ("Hasan", "Hasnain"),
        ("Husain", "Husnain"),
        ("حسن", "حسین"),
        ("حسین", "حسنین"),
        ("Allah Ditta", "Ditta"),  # Allah opens a name: it joins nothing before it
    ],
)
def test_different_names_stay_apart(one: str, other: str) -> None:
    assert features(child_name=one)["name"] != features(child_name=other)["name"]


def test_a_lone_muhammad_is_kept_and_the_original_is_not_touched() -> None:
    assert features(child_name="Muhammad")["name"] == "MHMD"
    row = features(child_name="Hammad Ali")  # not a Muhammad, though one letter off
    assert row["given"] == "HMD"


def test_birth_from_a_date_or_from_an_age() -> None:
    exact = features()
    assert exact["dob"] == "2015-03-01" and exact["dob_swapped"] == "2015-01-03"
    estimated = features(date_of_birth=None, age_years=11)
    assert estimated["dob"] is None
    assert abs(estimated["birth_year"] - exact["birth_year"]) < 1
    assert features(date_of_birth=None)["birth_year"] is None


def test_conflicts() -> None:
    base = features()
    assert not clustering.conflict(base, features(date_of_birth=date(2015, 1, 3)))  # swapped
    assert clustering.conflict(base, features(sex="male"))
    assert clustering.conflict(base, features(date_of_birth=date(2013, 3, 1)))
    assert not clustering.conflict(base, features(date_of_birth=None, age_years=13))
    assert clustering.conflict(base, features(date_of_birth=None, age_years=4))
    one = features(b_form_number="35202-1234567-1")
    assert not clustering.conflict(one, features(b_form_number="35202-1234568-1"))
    assert clustering.conflict(one, features(b_form_number="35202-9994567-1"))


def _siblings_rule(*rows: dict[str, Any], common: tuple[str, ...] = ("HN", "HR")) -> Any:
    """The rule for a population of 1,000 named records where ``common`` are each
    borne by 100, and the given keys of ``rows`` once each otherwise."""
    counts = dict.fromkeys(common, 100)
    for row in rows:
        counts.setdefault(row["given"], 1)
    return clustering.siblings_apart(counts, 1000, model.b_form_variants(rows))


def test_twins_with_two_common_names_are_not_one_child() -> None:
    """Hina and Hira, twins: the same father, district and date of birth. The model
    weighs those as if two random children shared them; two established names of the
    population one letter apart are two children, not one child's name mistyped."""
    hina, hira = features("a", child_name="Hina"), features("b", child_name="Hira")
    apart = _siblings_rule(hina, hira)
    assert apart(hina, hira)
    outcome = clustering.cluster(
        [("a", "b", 0.99)],
        {"a": hina, "b": hira},
        ["a", "b"],
        {},
        link=0.9,
        review=0.5,
        apart=apart,
    )
    assert outcome.labels()["a"] != outcome.labels()["b"]
    assert len(outcome.review) == 1  # a person may still say they are one child
    # Without the rule, the pair links.
    plain = clustering.cluster(
        [("a", "b", 0.99)], {"a": hina, "b": hira}, ["a", "b"], {}, link=0.9, review=0.5
    )
    assert plain.labels()["a"] == plain.labels()["b"]


def test_what_the_siblings_rule_leaves_to_the_model() -> None:
    hina = features("a", child_name="Hina")
    # A rare spelling is a misspelling of the common name, not a second child.
    hinna = features("b", child_name="Hima")
    assert not _siblings_rule(hina, hinna)(hina, hinna)
    # Another father: not siblings (the model's comparisons decide).
    other = features("c", child_name="Hira", guardian_name="Tariq Mehmood")
    assert not _siblings_rule(hina, other)(hina, other)
    # The same B-form number: one child, whatever the names.
    one = features("d", child_name="Hina", b_form_number="3520212345671")
    two = features("e", child_name="Hira", b_form_number="3520212345671")
    assert not _siblings_rule(one, two)(one, two)
    # An h written or not (Zara / Zahra) is one name's spellings.
    zara, zahra = features("f", child_name="Zara"), features("g", child_name="Zahra")
    assert not _siblings_rule(zara, zahra, common=("ZR", "ZHR"))(zara, zahra)
    # Two keys the population writes on B-form numbers of one child are one name (Usman,
    # Uthman), learnt from two numbers here.
    written = [
        features(f"u{i}", child_name=name, b_form_number=f"352021234567{i // 2}")
        for i, name in enumerate(["Usman", "Uthman", "Usman", "Uthman"])
    ]
    u1, u2 = features("j", child_name="Usman"), features("k", child_name="Uthman")
    assert u1["given"] != u2["given"]
    rule = _siblings_rule(*written, u1, u2, common=(u1["given"], u2["given"]))
    assert not rule(u1, u2)
    # Seen on one number only (a typo), they stay two names.
    rule = _siblings_rule(*written[:2], u1, u2, common=(u1["given"], u2["given"]))
    assert rule(u1, u2)


def test_a_misspelt_swap_between_two_common_names_is_two_children() -> None:
    """Sana d/o Ghulam Ali against Ghulam Ali whose father is written Rania: a swap with
    one name misspelt, or two girls. Sana and Rania both established: two girls."""
    sana = features("a", child_name="Sana", guardian_name="Ghulam Ali")
    other = features("b", child_name="Ghulam Ali", guardian_name="Rania")
    assert other["name"] == sana["father"] and sana["given"] != other["father_given"]
    assert _siblings_rule(sana, other, common=("SN", "RN"))(sana, other)
    # Rania rare in this population: a misspelling of Sana, the swap stands.
    assert not _siblings_rule(sana, other, common=("SN",))(sana, other)


def test_a_swapped_record_teaches_no_variant() -> None:
    """Ayesha d/o Aslam and, on the same B-form numbers, Aslam d/o Ayesha: a swap, not
    Aslam as a spelling of Ayesha."""
    rows = [
        features(f"s{i}", b_form_number=f"352021234567{i // 2}", **names)
        for i, names in enumerate([{}, {"child_name": "Aslam", "guardian_name": "Ayesha"}] * 2)
    ]
    assert model.b_form_variants(rows) == set()


def test_one_weak_record_does_not_chain_two_children() -> None:
    """B (no date of birth) scores high with both A and C, but A and C were born years
    apart: B joins the stronger, and C stays apart."""
    rows = {
        "A": features("A", date_of_birth=date(2012, 5, 5)),
        "B": features("B", date_of_birth=None, age_years=None),
        "C": features("C", date_of_birth=date(2018, 9, 9)),
    }
    pairs = [("A", "B", 0.99), ("B", "C", 0.98)]
    outcome = clustering.cluster(pairs, rows, ["A", "B", "C"], {}, link=0.9, review=0.5)
    labels = outcome.labels()
    assert labels["A"] == labels["B"] != labels["C"]
    # Plain connected components would have made one child of all three.


def test_a_record_between_two_children_goes_to_a_person() -> None:
    """B, with no date of birth, matches A and C about equally well; A and C were born a
    year apart and are two children (namesakes of one father). B is at most one of them:
    the chance it is A's is A's odds over one plus both odds, about one half, so B joins
    neither automatically and waits for a person with its best candidate."""
    rows = {
        "A": features("A", date_of_birth=date(2012, 5, 5)),
        "B": features("B", date_of_birth=None, age_years=13),
        "C": features("C", date_of_birth=date(2013, 6, 9)),
    }
    pairs = [("A", "B", 0.99), ("B", "C", 0.98)]

    def score_within(cohorts: list[list[Any]]) -> list[tuple[Any, Any, float]]:
        return [("A", "C", 0.001)] if any({"A", "C"} <= set(c) for c in cohorts) else []

    outcome = clustering.cluster_cohesive(
        pairs, rows, ["A", "B", "C"], {}, link=0.9, review=0.5, score_within=score_within
    )
    labels = outcome.labels()
    assert len({labels["A"], labels["B"], labels["C"]}) == 3
    ((kind, target, probability),) = outcome.review.values()
    assert kind == "group" and outcome.groups[int(target)] == ["A"] and probability < 0.9
    # One strong candidate and one weak: B is A's.
    lopsided = clustering.cluster_cohesive(
        [("A", "B", 0.9999), ("B", "C", 0.95)],
        rows,
        ["A", "B", "C"],
        {},
        link=0.9,
        review=0.5,
        score_within=score_within,
    ).labels()
    assert lopsided["A"] == lopsided["B"] != lopsided["C"]


def test_existing_children_are_never_merged_automatically() -> None:
    rows = {k: features(k) for k in ("x1", "y1", "new")}
    known = {"x1": 1, "y1": 2}
    pairs = [("new", "x1", 0.99), ("new", "y1", 0.98)]
    outcome = clustering.cluster(pairs, rows, ["new"], known, link=0.9, review=0.5)
    assert outcome.existing == {0: 1}


def test_a_forbidden_child_is_neither_linked_nor_proposed() -> None:
    rows = {k: features(k) for k in ("x1", "new")}
    pairs = [("new", "x1", 0.99)]
    outcome = clustering.cluster(
        pairs, rows, ["new"], {"x1": 1}, link=0.9, review=0.5, forbidden={("new", 1)}
    )
    assert outcome.existing == {} and outcome.review == {} and outcome.new == [0]


def test_between_the_thresholds_a_group_waits_for_review() -> None:
    rows = {k: features(k) for k in ("x1", "new")}
    outcome = clustering.cluster(
        [("new", "x1", 0.7)], rows, ["new"], {"x1": 1}, link=0.9, review=0.5
    )
    assert outcome.review == {0: ("child", 1, 0.7)} and outcome.new == []


def test_thresholds_maximise_the_f1_the_model_expects() -> None:
    # Ten near-certain pairs, a few likely, many unlikely: the link threshold falls where
    # adding pairs stops raising expected F1, and never below one half.
    probabilities = [0.999] * 10 + [0.8] * 4 + [0.55] * 2 + [0.1] * 50
    link, review = services.thresholds_choose(probabilities)
    assert link == 0.55
    assert review == services.REVIEW_FLOOR
    assert services.thresholds_choose([0.45] * 10)[0] == services.LINK_FLOOR


@pytest.mark.parametrize("name", ["Mahmood Ali", "محمود علی", "Ghulab Khan", "Gulab Khan"])
def test_names_like_muhammad_or_ghulam_are_names(name: str) -> None:
    first = name.split()[0]
    assert features(child_name=name)["given"] == features(child_name=first)["given"]
    assert features(child_name=name)["given"] != features(child_name=name.split()[1])["given"]


def test_a_registry_child_is_preferred_to_a_group_not_yet_registered() -> None:
    """r1 may be child 9 (0.6) or the same as r2 (0.7), which is itself reviewed against
    child 9: r1 goes to review against child 9 rather than becoming a duplicate."""
    rows = {k: features(k) for k in ("x9", "r1", "r2")}
    pairs = [("r1", "x9", 0.6), ("r1", "r2", 0.7), ("r2", "x9", 0.75)]
    outcome = clustering.cluster(pairs, rows, ["r1", "r2"], {"x9": 9}, link=0.9, review=0.5)
    assert outcome.review == {0: ("child", 9, 0.6), 1: ("child", 9, 0.75)}
    assert outcome.new == []


def test_a_group_that_cannot_be_registered_waits_and_is_nobody_s_candidate() -> None:
    rows = {k: features(k) for k in ("a", "b")}
    outcome = clustering.cluster(
        [("a", "b", 0.7)],
        rows,
        ["a", "b"],
        {},
        link=0.9,
        review=0.5,
        registrable=lambda uids: uids != ["a"],
    )
    assert outcome.waiting == [0] and outcome.new == [1] and outcome.review == {}


def test_a_b_form_one_digit_off_weighs_less_than_an_exact_one() -> None:
    """Twins registered together have B-forms one digit apart: that must not weigh more
    than the same number, as it did when its chance among different children was taken as
    two random numbers' (1e-10)."""
    shipped = services.modelfile.load(services.SHIPPED_MODEL).splink
    trained = model.b_form_near_u(
        {"comparisons": [c for c in shipped["comparisons"] if c["output_column_name"] == "b_form"]}
    )

    def weight(splink: dict[str, Any], prefix: str) -> float:
        (comparison,) = (c for c in splink["comparisons"] if c["output_column_name"] == "b_form")
        level = next(
            lv
            for lv in comparison["comparison_levels"]
            if lv.get("label_for_charts", "").startswith(prefix)
        )
        return float(level["m_probability"]) / float(level["u_probability"])

    for splink in (shipped, trained):
        assert 1 < weight(splink, "Levenshtein") < weight(splink, "Exact match")


@pytest.mark.parametrize(
    ("name", "given"),
    [
        ("Abdullah Khan", "Abdullah"),  # a whole name, not the prefix Abdul
        ("Obaidullah Baloch", "Obaidullah"),
        ("Ubaid Khan", "Ubaid"),
        ("عبداللہ خان", "عبداللہ"),
    ],
)
def test_names_with_the_key_of_abdul_do_not_swallow_the_next_word(name: str, given: str) -> None:
    assert features(child_name=name)["given"] == features(child_name=given)["given"]


def test_feature_rows_make_the_frame_pandas_makes_of_them_whole() -> None:
    """``frame_of`` builds a column at a time (letting go of the interpreter's lock between
    columns) the frame pandas builds from the dicts at once: the same values and types,
    empty columns and no rows included."""
    import pandas as pd
    import pandas.testing

    rows = [
        model.features(
            "a",
            {
                "child_name": "Ayesha Bibi",
                "guardian_name": "Mohd Aslam",
                "sex": "female",
                "date_of_birth": date(2013, 4, 2),
                "district": "PK0521",
                "b_form_number": "3520212345671",
            },
        ),
        model.features(
            "b",
            {
                "child_name": "عائشہ",
                "sex": "female",
                "age_years": 11,
                "record_date": date(2025, 1, 5),
            },
        ),
    ]
    columns = list(model.FEATURE_COLUMNS)
    for given in (rows, []):
        pandas.testing.assert_frame_equal(
            model.frame_of(iter(given), columns), pd.DataFrame(given, columns=columns)
        )


def test_pairs_sorted_in_runs_come_in_the_order_of_one_sort(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``clustering.sorted_in_runs`` (runs merged, so that no one sort holds the
    interpreter's lock for long) gives ``sorted``'s order, ties and all."""
    import random

    rng = random.Random(7)
    pairs = [
        (f"r{rng.randrange(50)}", f"c{rng.randrange(50)}", rng.choice((0.9, 0.5, 0.99)))
        for _ in range(1_000)
    ]

    def key(p: tuple[str, str, float]) -> tuple[float, str]:
        return (-p[2], p[0])  # ties left to the order given

    monkeypatch.setattr(clustering, "SORT_RUN", 64)
    assert clustering.sorted_in_runs(pairs, key) == sorted(pairs, key=key)
    assert clustering.sorted_in_runs(pairs[:10], key) == sorted(pairs[:10], key=key)


def test_only_the_components_of_torn_records_are_clustered_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After the cohesive pass, the records that match two children about equally well
    ("torn") are held back and the clustering runs again: only over the components that
    hold one. The outcome is the one a run over every record gives. A generated population:
    half of it registry children (some registered twice, to be proposed as one), the rest
    new records."""
    import json

    from cpmis.linkage import groundtruth

    records = groundtruth.records_make(
        6000,
        seed=11,
        districts_by_province={"PK-PB": [f"PK6{i:02d}" for i in range(36)]},
        today=date(2026, 11, 28),
    )
    rows = {f"r{i}": model.features(f"r{i}", r) for i, r in enumerate(records)}
    known = {
        f"r{i}": f"{r['truth']}{'b' if i % 4 == 0 else ''}"
        for i, r in enumerate(records)
        if i % 2 == 0
    }
    new = [uid for uid in rows if uid not in known]
    shipped = json.loads(services.SHIPPED_MODEL.read_text(encoding="utf-8"))
    link, review = shipped["link_threshold"], shipped["review_threshold"]
    scoring = model.score_population(
        shipped["splink"],
        [rows[uid] for uid in new],
        [rows[uid] for uid in known],
        threshold=review,
        partners=model.expected_partners(shipped["splink"], shipped["trained_on"], len(rows)),
        estimate=False,
    )

    def run() -> clustering.Outcome:
        return clustering.cluster_cohesive(
            scoring.pairs,
            rows,
            new,
            known,
            link=link,
            review=review,
            score_within=lambda cohorts: model.score_within(
                shipped["splink"], rows, cohorts, prior=scoring.prior
            ),
        )

    torn: list[set[Any]] = []
    ambiguous = clustering.ambiguous
    monkeypatch.setattr(
        clustering, "ambiguous", lambda *a, **k: torn.append(ambiguous(*a, **k)) or torn[-1]
    )
    outcome = run()
    assert torn[0], "no record is torn: the test proves nothing"
    components: set[Any] = set()
    component = clustering._components(outcome)
    components.update(component(label) for label in outcome.labels().values())
    assert len(components) > 100  # most of the population is clustered once only
    monkeypatch.setattr(clustering, "_components", lambda outcome: lambda label: "all")
    whole = run()
    for name in ("groups", "existing", "review", "new", "waiting", "oversized", "merges"):
        assert getattr(outcome, name) == getattr(whole, name), name
    assert outcome.merges and outcome.existing and outcome.review
    assert any(kind == "group" for kind, _, _ in outcome.review.values())
