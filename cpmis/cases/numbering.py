"""Case numbers people can read: ``PB-LHR-2026-000123``.

Jurisdiction (the ISO 3166-2 suffix), a three-letter abbreviation of the district, the year the
case was opened (Pakistan time) and a sequence under that prefix. The sequence is counted per
prefix, not per district, so two districts whose abbreviations coincide still never share a
number. A number is given once, at opening, and kept for life (a transfer does not renumber).
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cpmis.reference.models import District

from .models import CaseNumberCounter

_VOWELS = set("AEIOUY")
NUMBER_PATTERN = re.compile(r"^[A-Z]{2}-[A-Z]{3}-\d{4}-\d{6}$")


def district_abbreviation(name: str) -> str:
    """First letter, then the consonants that follow (LAHORE → LHR, PESHAWAR → PSH)."""
    letters = [c for c in name.upper() if "A" <= c <= "Z"]
    if not letters:
        return "XXX"
    picked = [letters[0]] + [c for c in letters[1:] if c not in _VOWELS]
    if len(picked) < 3:
        picked += [c for c in letters[1:] if c in _VOWELS]
    return "".join(picked[:3]).ljust(3, "X")


def prefix_for(district: District, opened_at: datetime) -> str:
    jurisdiction = district.jurisdiction.iso_code.split("-")[-1][:2]
    year = timezone.localtime(opened_at).year
    return f"{jurisdiction}-{district_abbreviation(district.name_en)}-{year}"


def take(prefix: str, count: int = 1) -> list[str]:
    """``count`` new numbers under ``prefix``; the counter row is locked until the caller's
    transaction ends, so concurrent openings wait for each other instead of colliding."""
    with transaction.atomic():
        CaseNumberCounter.objects.get_or_create(prefix=prefix)
        counter = CaseNumberCounter.objects.select_for_update().get(prefix=prefix)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
    return [f"{prefix}-{n:06d}" for n in range(first, first + count)]


def next_number(district: District, opened_at: datetime) -> str:
    return take(prefix_for(district, opened_at))[0]


def normalise(text: str) -> str:
    """What a person typed when searching for a number: spaces dropped, upper case."""
    return re.sub(r"\s+", "", text or "").upper()
