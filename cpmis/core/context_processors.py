from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cpmis import access


def cpmis(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "capabilities": access.capabilities(user) if user is not None else set(),
        # offline casework on a phone is a Child Protection Officer's (cpmis.field)
        "is_cpo": access.is_cpo(user) if user is not None else False,
    }
