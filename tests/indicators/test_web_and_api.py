"""Pages and API of the indicators: who may see them, bad input, exports and DHIS2."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cpmis.audit.models import AuditEvent
from cpmis.indicators import dhis2, exports
from cpmis.indicators.tables import Category, Cell, PublishedTable
from tests.conftest import api_as, web_as


@pytest.mark.parametrize("who", ["cpo", "supervisor", "focal_point", "outsider", "auditor"])
def test_only_analysts_see_indicators(client, personas, who):
    user = getattr(personas, who)
    web_as(client, user)
    assert client.get("/indicators/dashboard/?indicator=CAS01&period=2025").status_code == 403
    assert client.get("/indicators/export.xlsx?indicator=CAS01&period=2025").status_code == 403
    api = api_as(user)
    assert api.get("/api/indicators/table/?indicator=CAS01&period=2025").status_code == 403


def test_the_dashboard_shows_figures_never_a_child(client, personas, year):
    from cpmis.people.models import Child

    web_as(client, personas.analyst)
    page = client.get(f"/indicators/dashboard/?indicator=CAS02&period={year}&breakdown=sex")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Disclosure control" in html
    for child in Child.objects.exclude(name_latin="")[:50]:
        assert child.name_latin not in html
        assert str(child.uuid) not in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("indicator=NOPE&period=2025", "indicator"),
        ("indicator=CAS01&period=2025&breakdown=shoe_size", "breakdown"),
        ("indicator=CMP01&period=2025&breakdown=age_band", "breakdown"),
        ("indicator=CAS01&period=2999", "period"),
        ("indicator=CAS01&period=9999-Q4", "period"),
        ("indicator=CAS01&period=2024&district=%00", "district"),
        ("indicator=CAS01&period=25-1", "period"),
        ("indicator=CAS01&period=2025&district=PK999", "district"),
        ("indicator=CAS01&period=2025&jurisdiction=XX", "jurisdiction"),
        ("indicator=CAS01&period=2025&category=weapons", "category"),
        ("indicator=CAS02&period=2025&category=other", "category"),
        ("indicator=MLA01&period=2025&district=PK617", "district"),
        ("indicator=CAS01&period=2025&district=PK617&jurisdiction=PK-KP", "district"),
        ("indicator=CAS01&period=", "period"),
        ("", "period"),
    ],
)
def test_bad_selections_are_refused_with_the_field_named(client, personas, query, field):
    api = api_as(personas.analyst)
    response = api.get(f"/api/indicators/table/?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json() or "indicator" in response.json()
    web_as(client, personas.analyst)
    assert client.get(f"/indicators/export.csv?{query}").status_code == 400
    if query:  # with nothing asked, the dashboard opens on its defaults
        page = client.get(f"/indicators/dashboard/?{query}")
        assert page.status_code == 400
        assert "errors" in page.content.decode()


@pytest.mark.clock  # next year is "next year" in Pakistan's time, even on New Year's Eve
def test_a_future_period_says_so(personas):
    api = api_as(personas.analyst)
    future = timezone.localdate().year + 1
    body = api.get(f"/api/indicators/table/?indicator=CAS01&period={future}-Q1").json()
    assert "has not begun" in body["period"][0]


def test_an_empty_selection_is_a_table_of_true_zeros(client, personas, db):
    web_as(client, personas.analyst)
    page = client.get("/indicators/dashboard/?indicator=CAS01&period=2003&district=PK617")
    assert page.status_code == 200
    assert "No records match this selection" in page.content.decode()


def test_api_table_and_catalogue(personas, year):
    api = api_as(personas.analyst)
    listed = api.get("/api/indicators/").json()
    assert {i["code"] for i in listed} >= {"CMP01", "CAS01", "PRT01", "JUS03", "PRV02"}
    body = api.get(f"/api/indicators/table/?indicator=PRT01&period={year}").json()
    assert body["measure"] == "share" and body["note"].startswith("Disclosure control")
    assert body["columns"][-1]["key"] == "*"
    assert all("suppressed" in c for row in body["cells"] for c in row)


def test_exports_are_audited_and_carry_the_note(client, personas, year):
    web_as(client, personas.analyst)
    response = client.get(f"/indicators/export.xlsx?indicator=CAS01&period={year}&breakdown=sex")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any(str(v).startswith("Cases opened, by sex") for v in values)
    assert any("Disclosure control" in str(v) for v in values)
    response = client.get(f"/indicators/export.csv?indicator=CAS01&period={year}")
    text = response.content.decode("utf-8-sig")
    assert "Disclosure control" in text
    assert (
        AuditEvent.objects.filter(action="indicators.export", actor_username="analyst").count() == 2
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT = "/api/indicators/export/?indicator=CAS01&period=2025&breakdown=sex"


def test_the_api_exports_a_table_as_csv(personas):
    response = api_as(personas.analyst).get(f"{EXPORT}&format=csv")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="cpmis-CAS01-2025.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith("Cases opened, by sex")
    assert rows[2][0] == "Sex" and rows[-2][0] == "Total"
    assert "Disclosure control" in rows[-1][0]
    assert AuditEvent.objects.filter(action="indicators.export", actor_username="analyst").exists()


def test_the_api_exports_a_table_as_xlsx(personas):
    response = api_as(personas.analyst).get(f"{EXPORT}&format=xlsx")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert str(values[0]).startswith("Cases opened, by sex")
    assert any("Disclosure control" in str(v) for v in values)


def test_the_api_export_refuses_another_format_naming_the_field(personas):
    response = api_as(personas.analyst).get(f"{EXPORT}&format=pdf")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "format" in response.json()


@pytest.mark.parametrize("who", ["cpo", "focal_point", "outsider"])
def test_the_api_export_is_refused_to_a_role_without_figures(personas, who):
    api = api_as(getattr(personas, who))
    assert api.get(f"{EXPORT}&format=csv").status_code == 403


def test_drf_still_takes_format_on_the_other_indicator_endpoints(personas):
    api = api_as(personas.analyst)
    table = "/api/indicators/table/?indicator=CAS01&period=2025"
    assert api.get(f"{table}&format=json")["Content-Type"] == "application/json"
    assert api.get(f"{table}&format=api")["Content-Type"].startswith("text/html")
    assert api.get(f"{table}&format=csv").status_code == 404  # no such renderer there


def test_spreadsheet_exports_neutralise_formulas():
    cells = {("=HYPERLINK(1)", "*"): Cell(12, False, "12"), ("*", "*"): Cell(12, False, "12")}
    table = PublishedTable(
        indicator_code="T",
        indicator_name="T",
        unit="cases",
        measure="count",
        title="@SUM(A1)",
        period_label="2025",
        row_dimension="sex",
        row_heading="+cmd",
        rows=[Category("=HYPERLINK(1)", "=HYPERLINK(1)"), Category("*", "Total")],
        columns=[Category("*", "Total")],
        cells=cells,
        note="-note",
    )
    rows = list(csv.reader(io.StringIO(exports.table_csv([table]).decode("utf-8-sig"))))
    flat = [v for row in rows for v in row]
    assert "'@SUM(A1)" in flat and "'=HYPERLINK(1)" in flat and "'+cmd" in flat
    sheet = load_workbook(io.BytesIO(exports.table_xlsx([table]))).active
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not any(t[:1] in "=+-@" for t in texts)


def test_the_annex_workbook_has_every_table(client, personas, year):
    web_as(client, personas.analyst)
    response = client.get(f"/indicators/annex.xlsx?year={year}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [r[0] for r in sheet.iter_rows(values_only=True) if r[0] and " — " in str(r[0])]
    assert len(titles) > 100
    assert client.get("/indicators/annex.xlsx?year=2025-Q1").status_code == 400


def test_dhis2_payload_is_valid_and_holds_no_suppressed_figure(personas, year):
    api = api_as(personas.analyst)
    payload = api.get(f"/api/indicators/dhis2/?period={year}").json()
    import jsonschema

    jsonschema.validate(payload, dhis2.DATA_VALUE_SET_SCHEMA)
    assert payload["period"] == str(year) and payload["dataValues"]
    from cpmis.indicators.catalogue import catalogue

    config = dhis2.example_mapping()
    sensitive = {
        entry["dataElement"]
        for code, entry in config["dataElements"].items()
        if catalogue()[code].sensitive and catalogue()[code].measure != "share"
    }
    counts = [int(v["value"]) for v in payload["dataValues"] if v["dataElement"] in sensitive]
    assert counts and all(n == 0 or n >= 10 for n in counts)  # small counts never leave
    assert len(
        {(v["dataElement"], v["orgUnit"], v["categoryOptionCombo"]) for v in payload["dataValues"]}
    ) == len(payload["dataValues"])
    quarter = api.get(f"/api/indicators/dhis2/?period={year}-Q2").json()
    assert quarter["period"] == f"{year}Q2"


def test_a_mapping_pointing_at_a_missing_code_is_refused(personas):
    config = json.loads(json.dumps(dhis2.example_mapping()))
    config["dataElements"]["CAS01"]["dataElement"] = "zzzzzzzzzzz"
    config["dataElements"]["CAS01"]["categoryOptionCombos"].pop("sale")
    config["dataElements"]["NOPE1"] = {"dataElement": "abc", "disaggregation": "total"}
    api = api_as(personas.administrator)
    response = api.put("/api/indicators/dhis2/mapping/", {"config": config}, format="json")
    assert response.status_code == 400
    problems = " ".join(response.json()["config"])
    assert "'zzzzzzzzzzz' is not among the DHIS2 dataElements" in problems
    assert "no categoryOptionCombo for opsc_category 'sale'" in problems
    assert "NOPE1: no indicator has this code" in problems
    assert (
        api.put("/api/indicators/dhis2/mapping/", {"config": "{"}, format="json").status_code == 400
    )


def test_administrators_change_the_mapping_and_analysts_cannot(client, personas):
    config = dhis2.example_mapping()
    assert (
        api_as(personas.analyst)
        .put("/api/indicators/dhis2/mapping/", {"config": config}, format="json")
        .status_code
        == 403
    )
    admin = api_as(personas.administrator)
    response = admin.put("/api/indicators/dhis2/mapping/", {"config": config}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 1
    assert AuditEvent.objects.filter(action="indicators.dhis2_mapping_set").exists()
    web_as(client, personas.administrator)
    page = client.post("/indicators/dhis2/mapping/", {"config": "not json"})
    assert page.status_code == 400 and "not valid JSON" in page.content.decode()


@pytest.mark.clock
def test_choosing_a_province_pages_and_files_list_its_districts_only(client, personas, year):
    from cpmis.reference.models import District

    web_as(client, personas.analyst)
    punjab = list(District.objects.filter(jurisdiction__iso_code="PK-PB"))
    others = District.objects.exclude(jurisdiction__iso_code="PK-PB")
    page = client.get(f"/indicators/dashboard/?indicator=CAS01&period={year}&ou=PK-PB")
    assert page.status_code == 200
    html = page.content.decode()
    tables = html.split("<table")
    places = next(t for t in tables if "by district" in t.split("</caption>")[0])
    assert places.count("<tr") == len(punjab) + 2  # heading, districts, total
    assert all(
        d.name_en not in places for d in others if d.name_en not in {p.name_en for p in punjab}
    )
    assert 'value="PK-PB" selected' in html  # the picker shows the chosen place
    text = client.get(
        f"/indicators/export.csv?indicator=CAS01&period={year}&ou=PK-PB&breakdown=sex"
    ).content.decode("utf-8-sig")
    assert "Cases opened, by district" in text
    assert sum(1 for line in text.splitlines() if any(d.name_en in line for d in punjab)) >= len(
        punjab
    )
    assert not any(
        d.name_en in text for d in others[:20] if d.name_en not in {p.name_en for p in punjab}
    )
    legacy = client.get(f"/indicators/dashboard/?indicator=CAS01&period={year}&jurisdiction=PK-PB")
    assert 'value="PK-PB" selected' in legacy.content.decode()


@pytest.mark.clock
def test_a_relative_period_is_shown_with_its_window(client, personas, year):
    web_as(client, personas.analyst)
    page = client.get("/indicators/dashboard/?indicator=CAS01&period=LAST_12_MONTHS")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Last 12 months (Jun 2025 – May 2026)" in html
    assert 'value="LAST_12_MONTHS" selected' in html
    assert "DHIS2 dataValueSets" not in html  # DHIS2 takes a year, a quarter or a month
    response = client.get("/indicators/export.csv?indicator=CAS01&period=LAST_12_MONTHS")
    assert response["Content-Disposition"] == (
        'attachment; filename="cpmis-CAS01-2025-06_2026-05-total.csv"'
    )
    assert "Jun 2025" in response.content.decode("utf-8-sig")


def test_a_district_outside_the_scope_is_refused_on_the_page(client, db):
    from cpmis.accounts.roles import Role, ScopeLevel
    from tests.conftest import make_user

    kp = make_user(
        "kp.analyst",
        {"role": Role.ANALYST, "scope_level": ScopeLevel.JURISDICTION, "jurisdiction": "PK-KP"},
    )
    web_as(client, kp)
    page = client.get("/indicators/dashboard/?indicator=CAS01&period=2025&ou=PK617")
    assert page.status_code == 400
    assert "is outside the places you see" in page.content.decode()
    assert (
        client.get("/indicators/export.xlsx?indicator=CAS01&period=2025&ou=PK617").status_code
        == 400
    )
    response = api_as(kp).get("/api/indicators/table/?indicator=CAS01&period=2025&ou=PK617")
    assert response.status_code == 400 and "ou" in response.json()
