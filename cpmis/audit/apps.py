from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cpmis.audit"
    label = "audit"
    verbose_name = "Audit trail"
