from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "cpmis.backups"
    label = "backups"
    verbose_name = "Backups"

    def ready(self) -> None:
        from .jobs import register_kinds

        register_kinds()
