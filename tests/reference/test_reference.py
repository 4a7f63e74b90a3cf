"""Reference data ships complete, loads idempotently, and is served read-only."""

from __future__ import annotations

from cpmis.reference.models import Department, District, InstitutionType, Jurisdiction
from cpmis.reference.services import reference_data_load
from tests.conftest import Personas, api_as


def test_all_jurisdictions_with_iso_codes() -> None:
    assert dict(Jurisdiction.objects.values_list("short_name", "iso_code")) == {
        "ICT": "PK-IS",
        "Punjab": "PK-PB",
        "Sindh": "PK-SD",
        "KP": "PK-KP",
        "Balochistan": "PK-BA",
        "AJK": "PK-JK",
        "GB": "PK-GB",
    }


def test_every_district_with_a_code_names_and_jurisdiction() -> None:
    assert District.objects.count() == 160
    counts = {j.short_name: j.districts.count() for j in Jurisdiction.objects.all()}
    assert counts == {
        "AJK": 10,
        "Balochistan": 35,
        "GB": 14,
        "ICT": 1,
        "KP": 35,
        "Punjab": 36,
        "Sindh": 29,
    }
    for d in District.objects.select_related("jurisdiction"):
        assert d.pcode.startswith(d.jurisdiction.pcode) and len(d.pcode) == 5
        assert d.name_ur, d
    assert District.objects.get(pcode="PK617").name_ur == "لاہور"
    # the former FATA agencies are KP districts
    assert (
        District.objects.filter(name_en__icontains="Waziristan", pcode__startswith="PK5").count()
        == 2
    )


def test_departments_and_institution_types_cite_the_report() -> None:
    codes = set(Department.objects.values_list("code", flat=True))
    assert {
        "police",
        "fia",
        "prosecution",
        "courts",
        "probation",
        "prisons",
        "child_care",
        "health",
        "education",
        "social_welfare",
        "ombudsman",
        "helpline",
    } <= codes
    types = set(InstitutionType.objects.values_list("code", flat=True))
    assert {
        "cpu",
        "child_protection_centre",
        "drop_in_centre",
        "welfare_home",
        "nigehban_centre",
        "sweet_home",
        "borstal",
        "juvenile_jail",
    } <= types
    assert all(t.report_paragraphs for t in InstitutionType.objects.all())


def test_loading_again_changes_nothing() -> None:
    result = reference_data_load()
    assert sum(result.created.values()) == 0 and sum(result.updated.values()) == 0
    assert District.objects.count() == 160


def test_reference_api_for_signed_in_users(personas: Personas) -> None:
    client = api_as(personas.analyst)
    districts = client.get("/api/reference/districts/", {"jurisdiction": "PK-IS"}).json()
    assert districts == [
        {"pcode": "PK401", "name_en": "Islamabad", "name_ur": "اسلام آباد", "jurisdiction": "PK-IS"}
    ]
    assert len(client.get("/api/reference/jurisdictions/").json()) == 7
    assert api_as(None).get("/api/reference/districts/").status_code in {401, 403}
