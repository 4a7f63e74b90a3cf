"""The roles of domain.md and what each may do.

A role is held at a scope (national, a jurisdiction or a district, optionally a department).
What a role may see within its scope is decided in ``cpmis.access``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CPO = "cpo", _("Child Protection Officer")
    SUPERVISOR = "supervisor", _("CPU supervisor / district manager")
    COMPLAINT_OFFICER = "complaint_officer", _("Complaint officer")
    FOCAL_POINT = "focal_point", _("Department focal point")
    ANALYST = "analyst", _("Commission analyst")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Auditor")


class ScopeLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    JURISDICTION = "jurisdiction", _("Province / territory")
    DISTRICT = "district", _("District")


# Capabilities are named "<noun>.<verb>"; later issues add theirs here.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CPO: frozenset(
        {
            "child.view",
            "child.register",
            "child.change",
            "case.view",
            "case.work",
            "complaint.view",
            "complaint.triage",
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            "child.view",
            "child.register",
            "child.change",
            "child.assign",
            "case.view",
            "case.work",
            "case.supervise",
            "complaint.view",
            "complaint.register",
            "complaint.triage",
            "linkage.review",
            # Whoever reviews linkage decides whether two registry children are one.
            "child.merge",
            "report.view",
            "report.comment",
            "oversight.view",
        }
    ),
    # A complaint office registers complaints and sends them to a district; the district's
    # CPU triages them.
    Role.COMPLAINT_OFFICER: frozenset({"complaint.view", "complaint.register", "complaint.route"}),
    # A department's focal point submits its department's records and sees its submissions.
    Role.FOCAL_POINT: frozenset(
        {"exchange.submit", "exchange.view", "oversight.view", "oversight.respond"}
    ),
    # Analysts see figures, never a child: indicators pass the disclosure control.
    Role.ANALYST: frozenset(
        {
            "aggregates.view",
            "report.view",
            "report.edit",
            "report.comment",
            "oversight.view",
            "oversight.edit",
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            "users.manage",
            "reference.view",
            # The institutions directory is reference data (domain.md: administrators keep it).
            "institution.manage",
            "audit.view",
            "legal.edit",
            "settings.edit",
            "linkage.manage",
            "indicators.configure",
        }
    ),
    Role.AUDITOR: frozenset({"audit.view"}),
}

# Roles whose view of a child is limited to their own caseload, not their whole scope.
CASELOAD_ROLES = frozenset({Role.CPO})

# Roles that never need a second factor: they see aggregates only, never a named child.
ROLES_WITHOUT_2FA = frozenset({Role.ANALYST})
