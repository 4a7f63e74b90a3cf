"""Every model of cpmis declares, field by field, what is personal data."""

from __future__ import annotations

import pytest
from django.apps import apps


def cpmis_models() -> list[type]:
    return [m for m in apps.get_models() if m.__module__.startswith("cpmis.")]


def test_there_are_models_to_check() -> None:
    assert len(cpmis_models()) >= 7


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
