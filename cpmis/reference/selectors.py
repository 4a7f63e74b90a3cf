"""Reads of reference data (public to every signed-in user: it names no person)."""

from __future__ import annotations

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
