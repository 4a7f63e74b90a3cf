from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cpmis.core"
    label = "core"
    verbose_name = "cpmis core"
