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


# Letters an Arabic keyboard types where Urdu has its own: Arabic yeh (ي) and alef maksura (ى)
# for Urdu's ی, Arabic kaf (ك) for Urdu's ک. They look alike, but a search, a sort and the
# linkage would treat the two spellings as different names. Only these unambiguous ones are
# mapped (Arabic heh ه may stand for ہ or ھ: left as typed).
_ARABIC_KEYBOARD = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})


def urdu_letters(text: str) -> str:
    """``text`` with the Arabic keyboard's yeh and kaf written as Urdu's."""
    return text.translate(_ARABIC_KEYBOARD)


# Urdu (۰–۹) and Arabic (٠–٩) digits, as an Urdu keyboard types them, for Western ones.
_DIGITS = str.maketrans(
    {**{chr(0x06F0 + d): str(d) for d in range(10)}, **{chr(0x0660 + d): str(d) for d in range(10)}}
)


def western_digits(text: str) -> str:
    """``text`` with Urdu and Arabic-Indic digits written as 0–9 (numbers are stored so)."""
    return text.translate(_DIGITS)
