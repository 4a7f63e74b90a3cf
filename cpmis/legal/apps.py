from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "cpmis.legal"
    label = "legal"
    verbose_name = "The law as data"
