"""The data standard: valid Frictionless Table Schemas, documented, with templates that agree."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import frictionless
import pytest
from django.test import Client
from openpyxl import load_workbook

from cpmis.exchange import standard
from cpmis.reference.models import Department
from tests.conftest import web_as

COMMON = [
    "department_record_id",
    "record_date",
    "district",
    "child_name",
    "guardian_relation",
    "guardian_name",
    "sex",
    "date_of_birth",
    "age_years",
    "b_form_number",
]


def test_every_record_type_the_issue_names_is_in_the_standard() -> None:
    assert set(standard.SUPPORTED) == {
        "police_report",
        "fia_case",
        "court_outcome",
        "probation",
        "juvenile_custody",
        "cci_admission",
        "health_examination",
        "education_referral",
    }


@pytest.mark.parametrize("name", list(standard.SUPPORTED))
def test_each_schema_is_a_valid_table_schema_keyed_by_the_department_record_id(
    name: str,
) -> None:
    for major in standard.SUPPORTED[name]:
        rt = standard.schema(name, major)
        assert rt is not None
        report = frictionless.Schema.validate_descriptor(rt.descriptor)
        assert report.valid, [e.message for e in report.errors]
        assert rt.descriptor["primaryKey"] == ["department_record_id"]
        assert rt.field_names[: len(COMMON)] == COMMON
        assert rt.version.startswith(f"{major}.")
        for field in rt.fields:
            assert field["title"] and field["description"], field["name"]


@pytest.mark.django_db
def test_each_schema_names_a_department_of_the_reference_data() -> None:
    codes = set(Department.objects.values_list("code", flat=True))
    assert {rt.department for rt in standard.record_types()} <= codes


def test_unknown_types_and_versions_are_absent() -> None:
    assert standard.schema("nonsense") is None
    assert standard.schema("police_report", 99) is None


def _sample_row(rt: standard.RecordType) -> dict[str, str]:
    values = {
        "department_record_id": "LHR-2026-0001",
        "record_date": "2026-03-01",
        "district": "PK617",
        "child_name": "عائشہ",
        "guardian_relation": "d/o",
        "guardian_name": "Muhammad Aslam",
        "sex": "female",
        "age_years": "11",
    }
    for field in rt.fields:
        c = field.get("constraints", {})
        if field["name"] in values or not c.get("required"):
            continue
        if "enum" in c:
            values[field["name"]] = c["enum"][0]
        elif field["type"] == "integer":
            values[field["name"]] = str(c.get("minimum", 1))
        else:
            values[field["name"]] = "PPC s.369-A" if field["name"] == "offence_sections" else "X1"
    return values


@pytest.mark.parametrize("name", list(standard.SUPPORTED))
def test_a_file_made_from_the_csv_template_passes_the_reference_validator(name: str) -> None:
    rt = standard.schema(name)
    assert rt is not None
    template = standard.template_csv(rt)
    assert template.startswith("\ufeff".encode())  # Excel reads Urdu as UTF-8 with a BOM
    header = next(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    assert header == rt.field_names
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    writer.writerow(_sample_row(rt))
    resource = frictionless.Resource(
        buffer.getvalue().encode("utf-8"),
        format="csv",
        schema=frictionless.Schema.from_descriptor(rt.descriptor),
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])
    bad = dict(_sample_row(rt), sex="girl", age_years="40")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    writer.writerow(bad)
    resource = frictionless.Resource(
        buffer.getvalue().encode("utf-8"),
        format="csv",
        schema=frictionless.Schema.from_descriptor(rt.descriptor),
    )
    assert not resource.validate().valid


def test_the_xlsx_template_has_the_header_drop_downs_and_field_notes() -> None:
    rt = standard.schema("court_outcome")
    assert rt is not None
    book = load_workbook(io.BytesIO(standard.template_xlsx(rt)))
    records, notes = book["records"], book["fields"]
    assert [c.value for c in records[1]] == rt.field_names
    lists = [v.formula1 for v in records.data_validations.dataValidation]
    assert '"investigated,prosecuted,convicted,acquitted,withdrawn"' in lists
    documented = [row[0] for row in notes.iter_rows(min_row=2, values_only=True) if row[0]]
    assert documented[: len(rt.field_names)] == rt.field_names


@pytest.mark.django_db
def test_pages_and_downloads(client: Client, personas: Any) -> None:
    assert client.get("/exchange/standard/").status_code == 302  # signed in only
    web_as(client, personas.focal_point)
    page = client.get("/exchange/standard/").content.decode()
    for rt in standard.record_types():
        assert rt.title in page
    detail = client.get("/exchange/standard/court_outcome/").content.decode()
    assert "sentence_prison_months" in detail and "acquitted" in detail
    assert client.get("/exchange/standard/court_outcome/v1.csv").status_code == 200
    assert client.get("/exchange/standard/court_outcome/v1.xlsx").status_code == 200
    body = client.get("/exchange/standard/court_outcome/v1.json").content
    assert json.loads(body)["name"] == "court_outcome"
    assert client.get("/exchange/standard/nonsense/").status_code == 404
    assert client.get("/exchange/standard/court_outcome/v9.csv").status_code == 404


@pytest.mark.django_db
def test_api_lists_record_types_and_serves_schemas(personas: Any) -> None:
    from tests.conftest import api_as

    api = api_as(personas.focal_point)
    listed = api.get("/api/exchange/record-types/").data
    assert {r["name"] for r in listed} == set(standard.SUPPORTED)
    schema = api.get("/api/exchange/record-types/police_report/v1/").data
    assert schema["primaryKey"] == ["department_record_id"]
    assert api.get("/api/exchange/record-types/police_report/v7/").status_code == 404
    assert api_as(None).get("/api/exchange/record-types/").status_code in (401, 403)
