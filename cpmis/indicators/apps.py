from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "cpmis.indicators"
    label = "indicators"
    verbose_name = "Indicators and statistics"

    def ready(self) -> None:
        from .jobs import register_kinds

        register_kinds()
