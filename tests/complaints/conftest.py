from __future__ import annotations

from typing import Any

import pytest

from cpmis.reference.models import Jurisdiction
from tests.factories import complaint_input

__all__ = ["complaint_input"]  # the tests of this package import it from here


@pytest.fixture
def punjab(db: Any) -> Jurisdiction:
    return Jurisdiction.objects.get(iso_code="PK-PB")
