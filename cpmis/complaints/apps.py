from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "cpmis.complaints"
    label = "complaints"
    verbose_name = "Complaints"
