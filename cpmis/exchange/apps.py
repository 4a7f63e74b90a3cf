from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "cpmis.exchange"
    label = "exchange"
    verbose_name = "Department data exchange"

    def ready(self) -> None:
        from .jobs import register_kinds

        register_kinds()
