from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "cpmis.complaints"
    label = "complaints"
    verbose_name = "Complaints"

    def ready(self) -> None:
        from .jobs import register_kinds

        register_kinds()
