"""A batch's report is stored in English and shown in the reader's language: every reason is
found back from its template, and every text of the standard is listed for translation."""

from __future__ import annotations

import json
from importlib.resources import files

from cpmis.exchange import reasons, schema_text, services, standard
from cpmis.exchange.reasons import say


def test_every_text_of_the_standard_is_listed_for_translation() -> None:
    listed = set(schema_text.TEXTS)
    for name in standard.SUPPORTED:
        for major in standard.SUPPORTED[name]:
            text = files("cpmis.exchange").joinpath("schemas", f"{name}.v{major}.json")
            descriptor = json.loads(text.read_text("utf-8"))
            texts = [descriptor["title"], descriptor["description"]]
            texts += [f[k] for f in descriptor["fields"] for k in ("title", "description")]
            missing = [t for t in texts if t and t not in listed]
            assert not missing, f"add to cpmis/exchange/schema_text.py: {missing}"


def test_a_stored_reason_is_found_back_with_its_values() -> None:
    stored = say(reasons.NOT_IN_CATALOGUE, sections="PPC s. 9999; X 1")
    assert stored == "not in the legal catalogue: PPC s. 9999; X 1 (see /legal/)"
    assert reasons.parse(stored) == [(reasons.NOT_IN_CATALOGUE, {"sections": "PPC s. 9999; X 1"})]
    assert reasons.parse(reasons.REQUIRED) == [(reasons.REQUIRED, {})]
    assert reasons.parse(say(reasons.OUTSIDE_RANGE, minimum=0, maximum="")) == [
        (reasons.OUTSIDE_RANGE, {"minimum": "0", "maximum": ""})
    ]
    # a message of another module is not one of ours: translated as it is
    assert reasons.parse("Enter 13 digits in the form 12345-1234567-1.") is None
    assert reasons.localize("Enter 13 digits in the form 12345-1234567-1.").startswith("Enter")


def test_a_files_problems_joined_in_one_text_are_each_found() -> None:
    rt = standard.schema("police_report")
    assert rt is not None
    header = [c for c in rt.field_names if c != "police_station"] + ["colour", "colour"]
    stored = " ".join(services._header_problems(rt, header))
    assert reasons.parse(stored, joined=True) == [
        (reasons.MISSING_COLUMNS, {"columns": "police_station"}),
        (reasons.EXTRA_COLUMNS, {"columns": "colour, colour"}),
        (reasons.DUPLICATED_COLUMNS, {"columns": "colour"}),
    ]
    assert reasons.localize(stored, joined=True) == stored  # English: unchanged
    assert reasons.parse(reasons.NOT_THE_HEADER, joined=True) == [(reasons.NOT_THE_HEADER, {})]
