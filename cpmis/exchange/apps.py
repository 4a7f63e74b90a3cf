from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "cpmis.exchange"
    label = "exchange"
    verbose_name = "Department data exchange"
