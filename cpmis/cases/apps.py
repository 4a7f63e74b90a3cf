from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cpmis.cases"
    label = "cases"
    verbose_name = "Case management"

    def ready(self) -> None:
        from .jobs import register_kinds

        register_kinds()
