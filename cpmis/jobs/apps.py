from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "cpmis.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from .housekeeping import register_kinds

        register_kinds()
