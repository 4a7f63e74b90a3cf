"""A focal point uploads a batch with mistakes, downloads the error report and the rows to
correct, fixes them and uploads them again: every row lands once."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.exchange import standard
from cpmis.exchange.models import DepartmentRecord
from tests.conftest import LAHORE, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def focal(transactional_db: Any) -> Any:
    from cpmis.legal.loader import legal_data_load
    from cpmis.legal.models import Statute

    if not Statute.objects.exists():
        legal_data_load()
    return make_user(
        "focal.lhr",
        {
            "role": Role.FOCAL_POINT,
            "scope_level": ScopeLevel.JURISDICTION,
            "jurisdiction": "PK-PB",
            "department": "police",
        },
    )


def _csv(rows: list[dict[str, str]]) -> bytes:
    rt = standard.schema("police_report")
    assert rt is not None
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=rt.field_names)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _row(i: int, **overrides: str) -> dict[str, str]:
    values = {
        "department_record_id": f"FIR-{i}",
        "record_date": "01/03/2026",
        "district": LAHORE,
        "child_name": "زینب" if i % 2 else "Zainab",
        "guardian_relation": "d/o",
        "guardian_name": "Muhammad Aslam",
        "sex": "female",
        "date_of_birth": "",
        "age_years": "12",
        "b_form_number": "",
        "fir_number": f"{i}/26",
        "police_station": "Model Town",
        "offence_sections": "PPC s.369-A",
        "accused_count": "1",
    }
    values.update(overrides)
    return values


def test_upload_with_errors_download_the_report_and_send_the_corrections(
    page: Any, live_server: Any, sign_in: Any, submit: Any, focal: Any, tmp_path: Path
) -> None:
    first = tmp_path / "firs.csv"
    first.write_bytes(_csv([_row(1), _row(2, sex="F"), _row(3, record_date="2026-03-01"), _row(4)]))
    sign_in(page, focal.username)
    page.goto(f"{live_server.url}/exchange/submit/")
    page.get_by_label("Record type").select_option("police_report")
    page.get_by_label("Dates in the file are written").select_option("dmy")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(first))
    submit(page, page.get_by_role("button", name="Submit"))
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "partial")
    expect(page.locator("[data-count=created]")).to_have_text("2")
    expect(page.locator("[data-count=rejected]")).to_have_text("2")

    with page.expect_download() as report:
        page.get_by_role("link", name="Download the error report").click()
    lines = Path(report.value.path()).read_text("utf-8-sig").splitlines()
    assert lines[0] == "row,column,value,reason"
    assert any(line.startswith("3,sex,F,") for line in lines)
    assert any(line.startswith("4,record_date,2026-03-01,") for line in lines)

    with page.expect_download() as rows:
        page.get_by_role("link", name="Download the rejected rows to correct").click()
    rejected = list(csv.DictReader(io.StringIO(Path(rows.value.path()).read_text("utf-8-sig"))))
    assert [r["department_record_id"] for r in rejected] == ["FIR-2", "FIR-3"]
    for r in rejected:  # the focal point corrects them
        r["sex"] = "female"
        r["record_date"] = "01/03/2026"
    fixed = tmp_path / "firs-fixed.csv"
    fixed.write_bytes(_csv(rejected))

    page.goto(f"{live_server.url}/exchange/submit/")
    page.get_by_label("Dates in the file are written").select_option("dmy")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(fixed))
    submit(page, page.get_by_role("button", name="Submit"))
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "accepted")
    expect(page.locator("[data-count=created]")).to_have_text("2")
    assert sorted(DepartmentRecord.objects.values_list("department_record_id", flat=True)) == [
        "FIR-1",
        "FIR-2",
        "FIR-3",
        "FIR-4",
    ]
