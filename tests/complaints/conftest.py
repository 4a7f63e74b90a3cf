from __future__ import annotations

from typing import Any

import pytest

from cpmis.complaints import services
from cpmis.reference.models import District, Jurisdiction
from tests.conftest import LAHORE


def complaint_input(**overrides: Any) -> services.ComplaintInput:
    lahore = District.objects.select_related("jurisdiction").get(pcode=LAHORE)
    values: dict[str, Any] = {
        "channel": "helpline",
        "jurisdiction": lahore.jurisdiction,
        "district": lahore,
        "narrative": "A girl of about nine is kept at a house and made to work.",
        "concerns": ["child_labour"],
        "children": [services.ChildInput(name="Ayesha", sex="female", age_years=10)],
    }
    values.update(overrides)
    return services.ComplaintInput(**values)


@pytest.fixture
def punjab(db: Any) -> Jurisdiction:
    return Jurisdiction.objects.get(iso_code="PK-PB")
