from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cpmis.cases"
    label = "cases"
    verbose_name = _("Case management")

    def ready(self) -> None:
        from .jobs import register_kinds

        register_kinds()
