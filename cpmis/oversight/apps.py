from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "cpmis.oversight"
    label = "oversight"
    verbose_name = "Oversight registers"
