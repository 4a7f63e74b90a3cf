"""A model file edited by hand or made for another version of cpmis is refused with a clear
message, and nothing is installed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections

from cpmis.linkage import model, modelfile, services
from cpmis.linkage.management.commands.linkage_model import Command
from cpmis.linkage.modelfile import ModelFileError
from cpmis.linkage.models import LinkageModel


def trained_splink() -> dict[str, Any]:
    """Splink settings of this cpmis's comparisons, as if trained: every level that weighs
    has an m and a u."""
    splink: dict[str, Any] = model.settings().create_settings_dict("duckdb")
    for comparison in splink["comparisons"]:
        levels = comparison["comparison_levels"]
        for index, level in enumerate(levels):
            if not level.get("is_null_level"):
                level["m_probability"] = 0.9 if index == 1 else 0.1 / len(levels)
                level["u_probability"] = 0.001 if index == 1 else 0.999 / len(levels)
    return splink


def valid() -> dict[str, Any]:
    return modelfile.dump(
        trained_splink(),
        link_threshold=0.8,
        review_threshold=0.3,
        trained_on=20_000,
        source="tests",
    )


def write(tmp_path: Path, content: Any) -> Path:
    path = tmp_path / "model.json"
    path.write_text(
        content if isinstance(content, str) else modelfile.dumps(content), encoding="utf-8"
    )
    return path


def resigned(content: dict[str, Any]) -> dict[str, Any]:
    """A file changed and its checksum made to match again: made, not edited."""
    return {**content, "sha256": modelfile.checksum(content["splink"])}


def test_a_valid_model_round_trips_through_a_file(tmp_path: Path) -> None:
    content = valid()
    assert content["feature_format"] == model.FEATURE_FORMAT
    assert content["sha256"] == modelfile.checksum(content["splink"])
    loaded = modelfile.load(write(tmp_path, content))
    assert loaded.as_dict() == content
    assert modelfile.load(content) == loaded
    assert loaded.install_kwargs()["splink"] == content["splink"]


def test_an_edited_probability_breaks_the_checksum(tmp_path: Path) -> None:
    content = valid()
    content["splink"]["comparisons"][0]["comparison_levels"][1]["m_probability"] = 0.99
    with pytest.raises(ModelFileError, match="was edited: its checksum does not match"):
        modelfile.load(write(tmp_path, content))


def test_a_model_for_other_features_is_refused() -> None:
    content = {**valid(), "feature_format": model.FEATURE_FORMAT - 1}
    with pytest.raises(ModelFileError) as refused:
        modelfile.load(content)
    assert str(refused.value) == (
        f"this model was made for features of format {model.FEATURE_FORMAT - 1}; this cpmis "
        f"derives format {model.FEATURE_FORMAT}: train a new model with "
        "`cpmis manage linkage_train`."
    )


def test_a_removed_comparison_or_level_is_refused() -> None:
    removed = copy.deepcopy(valid())
    del removed["splink"]["comparisons"][-1]
    fewer_levels = copy.deepcopy(valid())
    del fewer_levels["splink"]["comparisons"][0]["comparison_levels"][-2]
    renamed = copy.deepcopy(valid())
    renamed["splink"]["comparisons"][0]["output_column_name"] = "surname"
    for content in (removed, fewer_levels, renamed):
        with pytest.raises(ModelFileError, match="another version of cpmis's comparisons"):
            modelfile.load(resigned(content))


@pytest.mark.parametrize(
    ("link", "review"),
    [(0.3, 0.8), (1.0, 0.3), (0.8, 0.0), ("0.8", 0.3), (None, 0.3), (True, 0.3), (0.8, -0.1)],
)
def test_bad_thresholds_are_refused(link: Any, review: Any) -> None:
    content = {**valid(), "link_threshold": link, "review_threshold": review}
    with pytest.raises(ModelFileError, match="0 < review ≤ link < 1"):
        modelfile.load(content)


@pytest.mark.parametrize("value", [0, 1.5, -0.1, None, "0.5", float("nan")])
def test_a_probability_out_of_range_is_refused(value: Any) -> None:
    content = copy.deepcopy(valid())
    content["splink"]["comparisons"][1]["comparison_levels"][1]["u_probability"] = value
    with pytest.raises(ModelFileError, match=r"must be a number in \(0, 1\]"):
        modelfile.load(resigned(content))


def test_an_untrained_level_is_refused() -> None:
    content = copy.deepcopy(valid())
    del content["splink"]["comparisons"][2]["comparison_levels"][1]["m_probability"]
    with pytest.raises(ModelFileError, match="has no m_probability: the model was not trained"):
        modelfile.load(resigned(content))


@pytest.mark.parametrize("text", ["", "{not json", '{"splink": {}', "[1, 2]", "null"])
def test_what_is_not_a_model_file_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ModelFileError, match="model file") as refused:
        modelfile.load(write(tmp_path, text))
    assert str(tmp_path) in str(refused.value)


def test_missing_keys_are_named(tmp_path: Path) -> None:
    content = valid()
    del content["sha256"], content["feature_format"]
    with pytest.raises(ModelFileError, match="lacks feature_format, sha256"):
        modelfile.load(write(tmp_path, content))
    with pytest.raises(ModelFileError, match="no such model file"):
        modelfile.load(tmp_path / "absent.json")


def test_dump_refuses_to_write_a_bad_model() -> None:
    splink = trained_splink()
    del splink["comparisons"][0]
    with pytest.raises(ModelFileError, match="another version"):
        modelfile.dump(splink, link_threshold=0.8, review_threshold=0.3, trained_on=1, source="x")


def run_command(
    *argv: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """The command as an operator runs it: message and exit status, as ``cpmis manage``."""
    # run_from_argv closes the connections when done: not the test's, inside its transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    code = 0
    try:
        Command().run_from_argv(["cpmis", "linkage_model", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "the model file is not JSON"),
        ({"edit": "m"}, "the model file was edited: its checksum does not match"),
        ({"feature_format": -1}, "this model was made for features of format -1"),
        ({"link_threshold": 2}, "0 < review ≤ link < 1"),
    ],
)
def test_the_command_refuses_with_a_message_and_installs_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: Any,
    message: str,
) -> None:
    if isinstance(content, dict):
        changes, content = dict(content), valid()
        if changes.pop("edit", None):
            content["splink"]["comparisons"][0]["comparison_levels"][1]["m_probability"] = 0.5
        content.update(changes)
    path = write(tmp_path, content)
    for action in ("--check", "--install"):
        code, out, err = run_command(action, str(path), capsys=capsys, monkeypatch=monkeypatch)
        assert code != 0 and message in err and "Traceback" not in err + out
    assert "Nothing was installed." in err
    assert not LinkageModel.objects.exists()


@pytest.mark.django_db
def test_the_command_checks_and_installs_a_valid_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, valid())
    code, out, _ = run_command("--check", str(path), capsys=capsys, monkeypatch=monkeypatch)
    assert code == 0 and "a valid model file" in out and not LinkageModel.objects.exists()
    call_command("linkage_model", "--install", str(path))
    installed = LinkageModel.objects.get()
    assert installed.sha256 == json.loads(path.read_text())["sha256"]
    assert (installed.link_threshold, installed.review_threshold) == (0.8, 0.3)
    assert installed.feature_format == model.FEATURE_FORMAT


@pytest.mark.django_db
def test_training_writes_a_model_file_that_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "model_fit", lambda rows: (trained_splink(), 0.8123456, 0.3))
    path = tmp_path / "model.v9.json"
    call_command("linkage_train", "--synthetic", "1000", "--write", str(path))
    loaded = modelfile.load(path)
    assert loaded.link_threshold == 0.812346 and loaded.trained_on > 1000  # records, not children
    assert loaded.source == "1,000 synthetic children (seed 7)"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
