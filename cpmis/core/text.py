"""What free text a person types may hold: one rule for every form, serializer and service.

Refused: Unicode's control characters (C0 but tab and line breaks, DEL and C1) and lone
surrogates. PostgreSQL refuses NUL; the others are invisible on a page, garble CSV and DOCX
exports, and cannot be written as JSON. The validator raises Django's ``ValidationError``,
which forms, models, services and DRF serializers (``validators=[no_control_characters]``)
all report as a field error.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_MESSAGE = "Text may not contain control characters."


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def no_control_characters(text: str) -> None:
    """A validator: refuse text holding a control character (code ``control_characters``)."""
    if has_control_characters(text):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")


def check_text(text: str, *, field: str) -> None:
    """Refuse ``text`` as the value of ``field`` if it holds a control character."""
    if has_control_characters(text):
        raise ValidationError({field: [CONTROL_MESSAGE]}, code="control_characters")
