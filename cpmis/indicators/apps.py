from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "cpmis.indicators"
    label = "indicators"
    verbose_name = "Indicators and statistics"
