from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cpmis.core"
    label = "core"
    verbose_name = "cpmis core"

    def ready(self) -> None:
        from .logging import install_redacting_record_factory

        install_redacting_record_factory()
