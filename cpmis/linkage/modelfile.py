"""A linkage model file (the one cpmis ships, or one exported by ``linkage_train --write``):
written by ``dump``, read back only through ``load``, which refuses with a clear message a
file that was edited by hand or made for another version of cpmis.

A file is JSON with ``splink`` (the trained Splink model), ``link_threshold``,
``review_threshold``, ``trained_on``, ``source``, ``feature_format`` and ``sha256``, the
SHA-256 of ``json.dumps(splink, sort_keys=True)`` (what ``LinkageModel.sha256`` holds).
What is checked follows ``model.FEATURE_FORMAT`` and ``model.settings()`` as they are in
this code, so a change of the comparisons makes older files refused rather than misread.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import model

REQUIRED = (
    "splink",
    "link_threshold",
    "review_threshold",
    "trained_on",
    "source",
    "feature_format",
    "sha256",
)
RETRAIN = "train a new model with `cpmis manage linkage_train`"


class ModelFileError(ValueError):
    """The model file cannot be used; the message says why, for an operator."""


@dataclass(frozen=True)
class ModelFile:
    splink: dict[str, Any]
    link_threshold: float
    review_threshold: float
    trained_on: int
    source: str
    feature_format: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def install_kwargs(self) -> dict[str, Any]:
        """The arguments of ``services.model_install`` (other than the actor)."""
        return {
            "splink": self.splink,
            "trained_on": self.trained_on,
            "source": self.source,
            "link_threshold": self.link_threshold,
            "review_threshold": self.review_threshold,
        }


def checksum(splink: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(splink, sort_keys=True).encode()).hexdigest()


def dump(
    splink: Mapping[str, Any],
    *,
    link_threshold: float,
    review_threshold: float,
    trained_on: int,
    source: str,
) -> dict[str, Any]:
    """A model file's content (to write as JSON), checked as ``load`` will check it."""
    # As JSON holds it (lists, not tuples), so that the checksum is that of the file.
    native = json.loads(json.dumps(splink))
    content = {
        "feature_format": model.FEATURE_FORMAT,
        "link_threshold": link_threshold,
        "review_threshold": review_threshold,
        "sha256": checksum(native),
        "source": source,
        "splink": native,
        "trained_on": trained_on,
    }
    load(content)
    return content


def dumps(content: Mapping[str, Any]) -> str:
    """The text of a model file, as cpmis ships it."""
    return json.dumps(content, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def load(path_or_dict: str | Path | Mapping[str, Any]) -> ModelFile:
    """A model file, checked: readable JSON with every key, unedited (its checksum),
    made for this cpmis's features and comparisons, with sensible thresholds and
    probabilities. Raises ``ModelFileError`` otherwise, its message prefixed by the path."""
    if isinstance(path_or_dict, Mapping):
        content: Any = path_or_dict
        where = ""
    else:
        path = Path(path_or_dict)
        where = f"{path}: "
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ModelFileError(f"{where}no such model file.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"{where}the model file cannot be read ({exc}).") from None
        try:
            content = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelFileError(
                f"{where}the model file is not JSON ({exc.msg}, line {exc.lineno} column "
                f"{exc.colno}): it is not a model file, or it was cut short or edited."
            ) from None
    try:
        return _check(content)
    except ModelFileError as exc:
        raise ModelFileError(f"{where}{exc}") from None


def _check(content: Any) -> ModelFile:
    if not isinstance(content, Mapping):
        raise ModelFileError("this is not a model file: it holds no JSON object.")
    missing = [key for key in REQUIRED if key not in content]
    if missing:
        raise ModelFileError(
            f"the model file lacks {', '.join(missing)}: it is not a model file of this "
            f"cpmis; {RETRAIN}."
        )
    splink = content["splink"]
    if not isinstance(splink, dict):
        raise ModelFileError("this is not a model file: its splink is not an object.")
    if content["sha256"] != checksum(splink):
        raise ModelFileError("the model file was edited: its checksum does not match.")
    made_for = content["feature_format"]
    if made_for != model.FEATURE_FORMAT or type(made_for) is not int:
        raise ModelFileError(
            f"this model was made for features of format {made_for}; this cpmis derives "
            f"format {model.FEATURE_FORMAT}: {RETRAIN}."
        )
    _check_comparisons(splink)
    link, review = content["link_threshold"], content["review_threshold"]
    if not (_number(link) and _number(review) and 0 < review <= link < 1):
        raise ModelFileError(
            f"the model's thresholds are review {review!r} and link {link!r}: they must be "
            "numbers with 0 < review ≤ link < 1."
        )
    _check_probabilities(splink)
    trained_on, source = content["trained_on"], content["source"]
    if type(trained_on) is not int or trained_on < 0:
        raise ModelFileError("the model file's trained_on must be a count of records.")
    if not isinstance(source, str):
        raise ModelFileError("the model file's source must be text.")
    return ModelFile(
        splink=splink,
        link_threshold=float(link),
        review_threshold=float(review),
        trained_on=trained_on,
        source=source,
        feature_format=made_for,
        sha256=content["sha256"],
    )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _shape(comparisons: Any) -> list[tuple[Any, int]] | None:
    """(output column, number of levels) of each comparison; None if malformed."""
    if not isinstance(comparisons, list):
        return None
    shape = []
    for comparison in comparisons:
        if not isinstance(comparison, dict):
            return None
        levels = comparison.get("comparison_levels")
        if not isinstance(levels, list) or not all(isinstance(lv, dict) for lv in levels):
            return None
        shape.append((comparison.get("output_column_name"), len(levels)))
    return shape


def _check_comparisons(splink: Mapping[str, Any]) -> None:
    expected = _shape(model.settings().create_settings_dict("duckdb")["comparisons"])
    found = _shape(splink.get("comparisons"))
    if found != expected:
        described = (
            ", ".join(f"{name} ({n} levels)" for name, n in found) if found else "none readable"
        )
        wanted = ", ".join(f"{name} ({n} levels)" for name, n in expected or [])
        raise ModelFileError(
            "this model was made for another version of cpmis's comparisons: it has "
            f"{described}; this cpmis has {wanted}: {RETRAIN}."
        )


def _check_probabilities(splink: Mapping[str, Any]) -> None:
    """Every m and u a probability in (0, 1]; a level that weighs (not a null level) has
    both, or the model was never trained."""
    prior = splink.get("probability_two_random_records_match")
    if prior is not None and not (_number(prior) and 0 < prior <= 1):
        raise ModelFileError(
            f"the model's probability that two records match is {prior!r}: it must be a "
            "number in (0, 1]."
        )
    for comparison in splink["comparisons"]:
        name = comparison["output_column_name"]
        for index, level in enumerate(comparison["comparison_levels"]):
            for key in ("m_probability", "u_probability"):
                if key not in level:
                    if level.get("is_null_level"):
                        continue
                    raise ModelFileError(
                        f"level {index} of the comparison {name} has no {key}: the model was "
                        f"not trained; {RETRAIN}."
                    )
                value = level[key]
                if not (_number(value) and 0 < value <= 1):
                    raise ModelFileError(
                        f"level {index} of the comparison {name} has {key} {value!r}: it must "
                        "be a number in (0, 1]."
                    )
