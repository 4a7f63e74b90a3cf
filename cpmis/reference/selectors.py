"""Reads of reference data (public to every signed-in user: it names no person)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from .models import Department, District, InstitutionType, Jurisdiction


def jurisdiction_list() -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.all()


def district_list(*, jurisdiction: str | None = None) -> QuerySet[District]:
    qs = District.objects.select_related("jurisdiction")
    if jurisdiction:
        qs = qs.filter(jurisdiction__iso_code=jurisdiction)
    return qs


def department_list() -> QuerySet[Department]:
    return Department.objects.all()


def institution_type_list() -> QuerySet[InstitutionType]:
    return InstitutionType.objects.all()


DISTRICT_CACHE_SECONDS = 300


def district_by_pcode(pcode: str) -> District | None:
    """One district with its jurisdiction, through the cache (reference data changes only
    when the shipped files are loaded again; ``reference_data_load`` clears the cache).
    ``pcode`` must already be checked for shape (no NUL bytes)."""
    key = f"reference:district:{pcode}"
    district = cache.get(key)
    if district is None:
        district = District.objects.select_related("jurisdiction").filter(pcode=pcode).first()
        if district is not None:
            cache.set(key, district, DISTRICT_CACHE_SECONDS)
    return district
