"""The stored blocking keys stand for the blocking rules: every pair of rows that a rule of
the model compares shares a stored key of one and a probe key of the other, so that a new
batch finds through the key index every known record it would be compared with."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from cpmis.linkage import groundtruth, model


def _rows() -> list[dict[str, Any]]:
    """Hard conditions (respelled, swapped, moved, dates missing) in two districts of one
    province and one of another, so that every rule has pairs to bring together."""
    records = groundtruth.records_make(
        300,
        seed=7,
        districts_by_province={"PK-PB": ["PK601", "PK602"], "PK-SD": ["PK701"]},
        today=date(2026, 11, 28),
        conditions=groundtruth.conditions_parse("hard"),
    )
    return [model.features(i, r) for i, r in enumerate(records)]


def _rule_pairs(rows: list[dict[str, Any]]) -> dict[str, set[tuple[int, int]]]:
    """Each blocking rule's pairs (i < j), as the rule's own SQL selects them."""
    frame = pd.DataFrame(rows, columns=list(model.FEATURE_COLUMNS))
    connection = duckdb.connect()
    connection.register("f", frame)
    out: dict[str, set[tuple[int, int]]] = {}
    for rule in model.settings().create_settings_dict("duckdb")[
        "blocking_rules_to_generate_predictions"
    ]:
        sql = rule["blocking_rule"]
        for column in rule.get("arrays_to_explode") or []:
            sql = sql.replace(
                f'l."{column}" = r."{column}"',
                f'len(list_intersect(l."{column}", r."{column}")) > 0',
            )
        found = connection.execute(
            "SELECT l.unique_id, r.unique_id FROM f AS l, f AS r "  # noqa: S608 - the model's
            f"WHERE l.unique_id <> r.unique_id AND ({sql})"
        ).fetchall()
        out[rule["blocking_rule"]] = {(min(a, b), max(a, b)) for a, b in found}
    return out


def test_every_pair_a_rule_compares_shares_a_key() -> None:
    rows = _rows()
    keys = [model.blocking_key_sets(row) for row in rows]
    by_rule = _rule_pairs(rows)
    # Every rule brings some pairs together here, so that a rule without its key shows.
    assert all(by_rule.values()), [rule for rule, pairs in by_rule.items() if not pairs]
    for rule, pairs in by_rule.items():
        missed = [
            (a, b) for a, b in pairs if not (keys[a][0] & keys[b][1] or keys[b][0] & keys[a][1])
        ]
        assert not missed, (rule, [(rows[a], rows[b]) for a, b in missed[:2]])


def test_a_swap_with_both_names_misspelt_in_another_district_is_compared() -> None:
    """Kamran s/o Tanvir Ghani against Tanvir s/o Kaman, born the same day, in the next
    district: no name agrees, nor a swap of them, but the initials do, in either order."""
    common = {
        "sex": "male",
        "date_of_birth": date(2014, 3, 9),
        "age_years": None,
        "record_date": date(2026, 6, 1),
        "b_form_number": "",
    }
    one = model.features(
        "a",
        {**common, "child_name": "Kamran", "guardian_name": "Tanvir Ghani", "district": "PK601"},
    )
    other = model.features(
        "b", {**common, "child_name": "Tanvir", "guardian_name": "Kaman", "district": "PK602"}
    )
    assert one["initials"] == other["initials"]
    assert model.blocking_keys(one) & model.blocking_keys(other, probe=True)
    assert model.blocking_keys(other) & model.blocking_keys(one, probe=True)
