from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cpmis.demo"
    label = "demo"
    verbose_name = "Synthetic demo data"
