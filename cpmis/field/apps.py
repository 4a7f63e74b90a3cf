from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "cpmis.field"
    label = "field"
    verbose_name = _("Field devices and offline casework")

    def ready(self) -> None:
        from cpmis.accounts.signals import user_deactivated

        user_deactivated.connect(_end_devices, weak=False, dispatch_uid="field.end_devices")


def _end_devices(sender: Any, *, actor: Any, user: Any, **kwargs: Any) -> None:
    """A disabled account's phones end: each deletes its offline store at its next contact."""
    from .services import devices_end_for_disabled

    devices_end_for_disabled(actor=actor, user=user)
