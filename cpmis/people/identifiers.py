"""NADRA identifiers: the CNIC and the child's B-form / CRC number share one 13-digit form.

Written 5-7-1 (``35202-1234567-1``); accepted with or without dashes or spaces, in Latin,
Urdu or Arabic digits, and stored in the dashed Latin form. The last digit encodes sex (odd
male, even female) on CNICs, but it is not checked against the record: data entry errors
there are common and a refusal would block registration of a child in need.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_DIGITS = re.compile(r"^[0-9]{13}$")
# Urdu keyboards type Extended Arabic-Indic digits (۳۵۲...); Arabic ones type ٣٥٢...
_TO_ASCII_DIGITS = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
)


def normalize_nadra_number(value: str) -> str:
    """Return the 5-7-1 form, or raise ValidationError with a message a clerk understands."""
    raw = (value or "").strip().translate(_TO_ASCII_DIGITS)
    digits = re.sub(r"[\s-]", "", raw)
    dashed_ok = re.fullmatch(r"[0-9]{5}-[0-9]{7}-[0-9]", raw) is not None
    if not _DIGITS.match(digits) or ("-" in raw and not dashed_ok):
        raise ValidationError(
            _("Enter 13 digits in the form 12345-1234567-1."), code="invalid_nadra_number"
        )
    if digits == "0" * 13:
        raise ValidationError(
            _("This number is not a real identifier."), code="invalid_nadra_number"
        )
    return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"


def validate_nadra_number(value: str) -> None:
    if value:
        normalize_nadra_number(value)
