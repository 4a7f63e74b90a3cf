from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "cpmis.reference"
    label = "reference"
    verbose_name = "Reference data"
