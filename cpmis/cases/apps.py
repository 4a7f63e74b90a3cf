from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cpmis.cases"
    label = "cases"
    verbose_name = "Case management"
