from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "cpmis.reporting"
    label = "reporting"
    verbose_name = "The UN report"

    def ready(self) -> None:
        from .jobs import register_kinds

        register_kinds()
