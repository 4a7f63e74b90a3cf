"""Tracking codes: what a person who complained keeps to check the status.

A code is 10 random symbols of Crockford's base-32 alphabet (50 bits: unguessable, and with
the status page rate-limited per address, out of reach of enumeration) and one check symbol
computed with the Luhn mod N algorithm (N = 32), which catches every single mistyped symbol
and every swap of two neighbouring symbols but one (0 and Z, a known blind spot of Luhn
mod N). It is shown as ``XXXX-XXXX-XXX``: short enough to read over the phone. The alphabet
has no I, L, O or U; when a code is read back, I and L are taken as 1, O as 0, case, spaces
and dashes are ignored, and Urdu or Arabic digits become Latin ones.

Only a keyed hash of the code is stored (HMAC-SHA256 with the server's secret key, and its
fallbacks while a key is rotated), so a copy of the database does not reveal the codes.
"""

from __future__ import annotations

import hmac
import secrets
from hashlib import sha256

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 10
LENGTH = RANDOM_LENGTH + 1
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_READ_BACK = str.maketrans(
    {
        "I": "1",
        "L": "1",
        "O": "0",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Extended (Urdu) digits
    }
)
_SALT = b"cpmis.complaints.tracking"


def check_symbol(body: str) -> str:
    """Luhn mod N over ``body`` (symbols of ALPHABET)."""
    n = len(ALPHABET)
    factor = 2
    total = 0
    for ch in reversed(body):
        addend = factor * _INDEX[ch]
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_symbol(body)


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def canonical(typed: str) -> str | None:
    """The code as stored, or None when what was typed cannot be a valid code."""
    if not isinstance(typed, str) or len(typed) > 40:
        return None
    cleaned = "".join(ch for ch in typed.upper().translate(_READ_BACK) if ch not in " -_.\t")
    if len(cleaned) != LENGTH or any(ch not in _INDEX for ch in cleaned):
        return None
    if check_symbol(cleaned[:-1]) != cleaned[-1]:
        return None
    return cleaned


def _digest(code: str, secret: str) -> str:
    key = sha256(_SALT + secret.encode()).digest()
    return hmac.new(key, code.encode(), sha256).hexdigest()


def digest(code: str) -> str:
    """The stored form of a canonical code (under the current secret key)."""
    return _digest(code, settings.SECRET_KEY)


def digests(code: str) -> list[str]:
    """Its stored form under the current key and each fallback key (for lookups)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_digest(code, k) for k in keys]
