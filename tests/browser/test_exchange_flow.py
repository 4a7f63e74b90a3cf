"""A focal point uploads a batch with mistakes, downloads the error report and the rows to
correct, fixes them and uploads them again: every row lands once. Then a supervisor decides
the review-queue pair the linkage left: the girl of these records may be one already in the
registry."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.actors import LINKAGE
from cpmis.exchange import standard
from cpmis.exchange.models import DepartmentRecord
from cpmis.linkage.models import RecordLink, ReviewItem
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


@pytest.fixture
def supervisor(transactional_db: Any) -> Any:
    """A Punjab supervisor, a registry girl like the one in the batch but of another district,
    two years older by her estimated age, her father's name a letter off (Asim, not Aslam),
    and the shipped model with a review band wide enough to send her to review."""
    from cpmis.linkage import services as linkage
    from cpmis.people.services import child_register
    from cpmis.reference.models import District

    user = make_user(
        "punjab.supervisor",
        {"role": Role.SUPERVISOR, "scope_level": ScopeLevel.JURISDICTION, "jurisdiction": "PK-PB"},
    )
    child_register(
        actor=user,
        district=District.objects.get(pcode="PK601"),
        sex="female",
        estimated_age_years=14,
        name_latin="Zainab",
        guardian_name_latin="Muhammad Asim",
    )
    linkage.model_rethreshold(
        actor=LINKAGE, link_threshold=0.9, review_threshold=0.5, source="browser test: wider band"
    )
    return user


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
    page: Any,
    live_server: Any,
    sign_in: Any,
    submit: Any,
    focal: Any,
    supervisor: Any,
    tmp_path: Path,
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

    # The linkage put the batch's girl between its thresholds: a supervisor decides.
    assert ReviewItem.objects.filter(status="open").count() == 4
    sign_in(page, supervisor.username)
    page.goto(f"{live_server.url}/linkage/reviews/")
    first = ReviewItem.objects.filter(status="open").order_by("created_at", "pk").first()
    assert first is not None
    submit(page, page.locator(f"a[href='/linkage/reviews/{first.pk}/']"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Is this the same child?")
    table = page.get_by_role("table", name="Department record and registry child side by side")
    expect(table).to_contain_text("Zainab")
    expect(table).to_contain_text("Lahore")
    submit(page, page.get_by_role("button", name="Same child: link"))
    expect(page.locator("main")).to_contain_text("Decided.")
    first.refresh_from_db()
    assert first.status == "same"
    girl = first.candidate
    linked = RecordLink.objects.filter(child=girl, undone_at=None, method="review")
    assert linked.filter(record=first.record).exists()
    # Her page now lists the department records, with their source and date.
    page.goto(f"{live_server.url}/children/{girl.uuid}/")
    expect(page.locator("main")).to_contain_text(first.record.department_record_id)
