"""Who reads which part of the audit trail: a national holder of audit.view all of it; a
provincial administrator what the accounts of their province did."""

from __future__ import annotations

import pytest

from cpmis import access
from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.audit.models import AuditEvent
from cpmis.audit.services import audit_record
from tests.conftest import Personas, api_as, make_user

pytestmark = pytest.mark.django_db


def test_a_provincial_administrator_reads_only_their_provinces_accounts(
    personas: Personas,
) -> None:
    punjab_admin = make_user(
        "punjab.auditing",
        {
            "role": Role.ADMINISTRATOR,
            "scope_level": ScopeLevel.JURISDICTION,
            "jurisdiction": "PK-PB",
        },
    )
    audit_record(actor=personas.cpo, action="test.lahore", object_id="in-punjab")  # Lahore CPO
    audit_record(actor=personas.other_cpo, action="test.peshawar", object_id="in-kp")
    seen = set(access.audit_events_visible_to(punjab_admin).values_list("action", flat=True))
    assert "test.lahore" in seen and "test.peshawar" not in seen
    national = set(
        access.audit_events_visible_to(personas.auditor).values_list("action", flat=True)
    )
    assert {"test.lahore", "test.peshawar"} <= national
    body = api_as(punjab_admin).get("/api/audit/events/").content.decode()
    assert "in-punjab" in body and "in-kp" not in body
    assert AuditEvent.objects.filter(action="test.peshawar").exists()
