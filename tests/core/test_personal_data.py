"""Every model of cpmis declares, field by field, what is personal data."""

from __future__ import annotations

import pytest
from django.apps import apps


def cpmis_models() -> list[type]:
    # History tables (django-simple-history) mirror a classified model: checked with it.
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("cpmis.") and not hasattr(m, "instance_type")
    ]


def test_there_are_models_to_check() -> None:
    assert len(cpmis_models()) >= 7


HISTORY_FIELDS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}


@pytest.mark.parametrize(
    "model",
    [m for m in apps.get_models() if hasattr(m, "instance_type")],
    ids=lambda m: m._meta.label,
)
def test_history_tables_mirror_a_classified_model(model: type) -> None:
    base = model.instance_type  # type: ignore[attr-defined]
    mirrored = {f.name for f in model._meta.concrete_fields} - HISTORY_FIELDS
    assert mirrored <= set(base.PERSONAL_DATA) | set(base.NOT_PERSONAL_DATA)


@pytest.mark.parametrize("model", cpmis_models(), ids=lambda m: m._meta.label)
def test_every_field_is_classified_exactly_once(model: type) -> None:
    fields = {f.name for f in model._meta.concrete_fields}
    personal = set(getattr(model, "PERSONAL_DATA", ()))
    other = set(getattr(model, "NOT_PERSONAL_DATA", ()))
    assert not personal & other, f"{model.__name__}: in both lists: {personal & other}"
    missing = fields - personal - other
    assert not missing, f"{model.__name__}: classify {sorted(missing)} as personal data or not"
    stale = (personal | other) - fields
    assert not stale, f"{model.__name__}: no such fields {sorted(stale)}"
