"""Department batches: validated row by row, written all together or not at all, reported,
and repeatable without changing anything."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from openpyxl import Workbook

from cpmis.accounts.roles import Role, ScopeLevel
from cpmis.audit.models import AuditEvent
from cpmis.exchange import services, standard
from cpmis.exchange.models import DepartmentRecord, Submission
from tests.conftest import LAHORE, PESHAWAR, api_as, make_user, web_as

POLICE = standard.schema("police_report")
assert POLICE is not None
HEADER = POLICE.field_names


def row(**overrides: Any) -> dict[str, str]:
    values = {
        "department_record_id": "FIR-LHR-001",
        "record_date": "2026-03-01",
        "district": LAHORE,
        "child_name": "عائشہ",
        "guardian_relation": "d/o",
        "guardian_name": "Muhammad Aslam",
        "sex": "female",
        "date_of_birth": "",
        "age_years": "11",
        "b_form_number": "",
        "fir_number": "112/26",
        "police_station": "Model Town",
        "offence_sections": "PPC s.369-A; PPC 377-B",
        "accused_count": "2",
    }
    values.update(overrides)
    return values


def csv_bytes(
    rows: list[dict[str, str]],
    *,
    header: list[str] = HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow(r)
    return buffer.getvalue().encode(encoding)


def send(actor: Any, content: bytes, **options: Any) -> services.Outcome:
    batch = services.Batch(
        record_type=options.pop("record_type", "police_report"),
        source=options.pop("source", "csv"),
        content=content,
        filename="batch.csv",
        **options,
    )
    return services.submission_receive(actor=actor, batch=batch)


def test_a_valid_batch_is_written_whole_and_audited(personas: Any) -> None:
    outcome = send(
        personas.focal_point, csv_bytes([row(), row(department_record_id="FIR-LHR-002")])
    )
    s = outcome.submission
    assert (s.status, s.rows_total, s.rows_created, s.rows_rejected) == ("accepted", 2, 2, 0)
    record = DepartmentRecord.objects.get(department_record_id="FIR-LHR-001")
    assert record.child_name == "عائشہ" and record.district.pcode == LAHORE
    assert record.data["offence_sections"] == ["PPC s.369-A", "PPC s.377-B"]
    assert record.data["accused_count"] == 2
    event = AuditEvent.objects.get(action="exchange.submission")
    assert event.detail["created"] == 2 and "عائشہ" not in str(event.detail)


def test_the_same_file_again_changes_nothing_and_a_correction_updates_the_record(
    personas: Any,
) -> None:
    content = csv_bytes([row()])
    first = send(personas.focal_point, content)
    again = send(personas.focal_point, content)
    assert again.repeated and again.submission == first.submission
    assert Submission.objects.count() == 1 and DepartmentRecord.objects.count() == 1
    # the same record in another file, unchanged, then corrected
    same = send(personas.focal_point, csv_bytes([row(), row(department_record_id="FIR-2")]))
    assert (same.submission.rows_unchanged, same.submission.rows_created) == (1, 1)
    fixed = send(personas.focal_point, csv_bytes([row(accused_count="3")]))
    assert fixed.submission.rows_updated == 1
    record = DepartmentRecord.objects.get(department_record_id="FIR-LHR-001")
    assert record.version == 2 and record.data["accused_count"] == 3
    assert DepartmentRecord.objects.count() == 2


def test_bad_rows_are_reported_and_the_good_ones_kept(personas: Any) -> None:
    future = (date.today() + timedelta(days=3)).isoformat()
    rows = [
        row(department_record_id="OK-1"),
        row(department_record_id="BAD-SEX", sex="girl"),
        row(department_record_id="BAD-DATE", record_date=future),
        row(department_record_id="BAD-DISTRICT", district="PK999999"),
        row(department_record_id="OUT-OF-SCOPE", district=PESHAWAR),
        row(department_record_id="BAD-SECTION", offence_sections="PPC s.9999"),
        row(department_record_id="OK-1", fir_number="again"),
        row(department_record_id="ADULT", date_of_birth="2000-01-01", age_years=""),
        row(department_record_id="=HYPERLINK(1)", child_name="=cmd|' /C calc'!A0"),
    ]
    s = send(personas.focal_point, csv_bytes(rows)).submission
    assert s.status == "partial" and s.rows_created == 1 and s.rows_rejected == 8
    by_row = {(e["row"], e["column"]): e["reason"] for e in s.row_errors}
    assert "not one of" in by_row[(3, "sex")]
    assert by_row[(4, "record_date")] == "in the future"
    assert by_row[(5, "district")] == "no district has this p-code"
    assert "outside the province" in by_row[(6, "district")]
    assert "not in the legal catalogue: PPC s.9999" in by_row[(7, "offence_sections")]
    assert "the same record ID as row 2" in by_row[(8, "department_record_id")]
    assert "not a child" in by_row[(9, "date_of_birth")]
    assert list(DepartmentRecord.objects.values_list("department_record_id", flat=True)) == ["OK-1"]
    client = web_as(Client(), personas.focal_point)
    report = client.get(f"/exchange/submissions/{s.uuid}/errors.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in report and ",=HYPERLINK" not in report
    again = client.get(f"/exchange/submissions/{s.uuid}/rows.csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(again)))
    assert lines[0] == HEADER and len(lines) == 9
    assert "'=cmd|' /C calc'!A0" in again  # the rows to correct are guarded too
    page = client.get(f"/exchange/submissions/{s.uuid}/").content.decode()
    assert "the same record ID as row 2" in page


@pytest.mark.parametrize(
    ("declared", "encoded"),
    [
        ("auto", lambda text: text.encode("utf-8")),
        ("auto", lambda text: b"\xef\xbb\xbf" + text.encode("utf-8")),
        ("auto", lambda text: text.encode("utf-16")),  # with its byte-order mark
        ("windows-1256", lambda text: text.encode("cp1256")),
    ],
)
def test_the_encodings_excel_writes(personas: Any, declared: str, encoded: Any) -> None:
    # Arabic yeh and heh, as older systems (and Windows-1256, which has no Urdu yeh) write
    text = csv_bytes([row(child_name="عائشه بي بي")]).decode("utf-8")
    s = send(personas.focal_point, encoded(text), encoding=declared).submission
    assert s.status == "accepted", (s.file_errors, s.row_errors)
    assert DepartmentRecord.objects.get().child_name.startswith("عائش")


def test_a_file_that_is_not_utf8_is_never_guessed(personas: Any) -> None:
    text = csv_bytes([row()]).decode("utf-8")
    s = send(personas.focal_point, text.encode("cp1256")).submission
    assert s.status == "rejected" and "Windows-1256" in s.file_errors[0]
    assert not DepartmentRecord.objects.exists()


def test_delimiters_and_columns(personas: Any) -> None:
    s = send(personas.focal_point, csv_bytes([row()], delimiter=";")).submission
    assert s.status == "accepted"
    missing = [c for c in HEADER if c != "police_station"]
    s = send(personas.focal_point, csv_bytes([row()], header=missing)).submission
    assert s.status == "rejected" and "Missing columns: police_station" in s.file_errors[0]
    s = send(
        personas.focal_point, csv_bytes([row()], header=[*HEADER, "favourite_colour"])
    ).submission
    assert "Columns not in the standard: favourite_colour" in s.file_errors[0]
    s = send(personas.focal_point, b"just some text\nand more\n").submission
    assert "not the template's header" in s.file_errors[0]


@pytest.mark.parametrize(
    ("fmt", "written", "meant"),
    [
        ("dmy", "03/04/2026", date(2026, 4, 3)),
        ("dmy_short", "03-04-26", date(2026, 4, 3)),
        ("iso", "2026-04-03", date(2026, 4, 3)),
    ],
)
def test_dates_are_read_in_the_declared_format_only(
    personas: Any, fmt: str, written: str, meant: date
) -> None:
    s = send(personas.focal_point, csv_bytes([row(record_date=written)]), date_format=fmt)
    assert s.submission.status == "accepted"
    assert DepartmentRecord.objects.get().record_date == meant
    other = "iso" if fmt != "iso" else "dmy"
    refused = send(
        personas.focal_point,
        csv_bytes([row(record_date=written, department_record_id="X2")]),
        date_format=other,
    ).submission
    assert refused.status == "rejected" and refused.row_errors[0]["column"] == "record_date"


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "records"
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_with_real_date_cells(personas: Any) -> None:
    values = row()
    cells = [values[c] for c in HEADER]
    cells[HEADER.index("record_date")] = date(2026, 2, 1)
    cells[HEADER.index("age_years")] = 12
    s = send(personas.focal_point, _xlsx([cells]), source="xlsx", date_format="dmy").submission
    assert s.status == "accepted", (s.file_errors, s.row_errors)
    assert DepartmentRecord.objects.get().record_date == date(2026, 2, 1)


def test_corrupt_and_bomb_xlsx_are_refused_unread(personas: Any) -> None:
    s = send(personas.focal_point, b"PK\x03\x04 not really a zip", source="xlsx").submission
    assert s.status == "rejected" and "XLSX" in s.file_errors[0]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    s = send(personas.focal_point, bomb.getvalue(), source="xlsx").submission
    assert s.status == "rejected" and "compressed suspiciously" in s.file_errors[0]
    truncated = _xlsx([[row()[c] for c in HEADER]])[:-200]
    s = send(personas.focal_point, truncated, source="xlsx").submission
    assert s.status == "rejected"
    assert not DepartmentRecord.objects.exists()


def test_a_failure_while_writing_leaves_nothing(personas: Any, monkeypatch: Any) -> None:
    real = services.writing._Writer.finish

    def crash(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # the rows are written …
        raise RuntimeError("the process dies here")  # … and then it fails

    monkeypatch.setattr(services.writing._Writer, "finish", crash)
    with pytest.raises(RuntimeError):
        send(personas.focal_point, csv_bytes([row(), row(department_record_id="B")]))
    assert not DepartmentRecord.objects.exists() and not Submission.objects.exists()
    assert not AuditEvent.objects.filter(action="exchange.submission").exists()


class Stop(Exception):
    pass


def test_a_batch_stopped_while_its_rows_are_written_leaves_nothing(
    personas: Any, monkeypatch: Any
) -> None:
    # On PostgreSQL rows are written as they are validated, a chunk at a time (here a row):
    # a job cancelled mid-way has sent some; none stays, and the connection serves on.
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(services.writing, "STREAM_CHUNK", 1)
    seen: list[dict[str, Any]] = []

    def progress(stage: str | None = None, **counts: Any) -> None:
        seen.append(counts)
        if counts.get("validated", 0) >= 4:
            raise Stop

    rows = [row(department_record_id=f"FIR-{i}") for i in range(8)]
    batch = services.Batch(record_type="police_report", source="csv", content=csv_bytes(rows))
    with pytest.raises(Stop):
        services.submission_receive(actor=personas.focal_point, batch=batch, progress=progress)
    assert not DepartmentRecord.objects.exists() and not Submission.objects.exists()
    if services.writing.streams():
        assert seen[-1]["written"] >= 1  # some rows had reached the database
    s = services.submission_receive(actor=personas.focal_point, batch=batch).submission
    assert (s.status, s.rows_created) == ("accepted", 8)


@pytest.mark.skipif(not services.writing.streams(), reason="PostgreSQL writes on a thread")
def test_a_database_error_while_rows_are_streamed_is_djangos_and_leaves_nothing(
    personas: Any, monkeypatch: Any
) -> None:
    from django.db import DatabaseError

    monkeypatch.setattr(services.writing, "STREAM_CHUNK", 1)
    real = services.writing._StreamWriter.__init__

    def failing(self: Any, *args: Any) -> None:
        real(self, *args)
        self._upsert = "SELECT 1 / 0"  # every chunk's upsert fails in the server

    monkeypatch.setattr(services.writing._StreamWriter, "__init__", failing)
    rows = [row(department_record_id=f"FIR-{i}") for i in range(5)]
    with pytest.raises(DatabaseError):
        send(personas.focal_point, csv_bytes(rows))
    monkeypatch.undo()
    assert not DepartmentRecord.objects.exists() and not Submission.objects.exists()
    assert send(personas.focal_point, csv_bytes(rows)).submission.rows_created == 5


def test_only_the_departments_focal_point_submits_and_sees(personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        send(personas.cpo, csv_bytes([row()]))
    with pytest.raises(PermissionDenied):  # police may not send court outcomes
        send(personas.focal_point, b"x", record_type="court_outcome")
    s = send(personas.focal_point, csv_bytes([row()])).submission
    health = make_user(
        "focal.health",
        {
            "role": Role.FOCAL_POINT,
            "scope_level": ScopeLevel.JURISDICTION,
            "jurisdiction": "PK-PB",
            "department": "health",
        },
    )
    kp_police = make_user(
        "focal.kp",
        {
            "role": Role.FOCAL_POINT,
            "scope_level": ScopeLevel.JURISDICTION,
            "jurisdiction": "PK-KP",
            "department": "police",
        },
    )
    for outsider in (health, kp_police, personas.cpo, personas.analyst):
        assert api_as(outsider).get(f"/api/exchange/submissions/{s.uuid}/").status_code in (
            403,
            404,
        )
    assert (
        api_as(personas.focal_point).get(f"/api/exchange/submissions/{s.uuid}/").status_code == 200
    )


def test_json_batches_with_an_idempotency_key(personas: Any) -> None:
    api = api_as(personas.focal_point)
    body = {
        "record_type": "police_report",
        "idempotency_key": "batch-2026-03-01",
        "records": [row()],
    }
    first = api.post("/api/exchange/submissions/", body, format="json")
    assert first.status_code == 201, first.content
    assert first.data["rows_created"] == 1
    again = api.post("/api/exchange/submissions/", body, format="json")
    assert again.status_code == 200 and again.data["repeated"] is True
    other = dict(body, records=[row(accused_count="5")])
    assert api.post("/api/exchange/submissions/", other, format="json").status_code == 409
    header_key = api.post(
        "/api/exchange/submissions/",
        {"record_type": "police_report", "records": [row(department_record_id="N2")]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="header-key-0001",
    )
    assert header_key.status_code == 201
    bad = api.post(
        "/api/exchange/submissions/",
        {"record_type": "police_report", "records": [{"department_record_id": "x", "bogus": 1}]},
        format="json",
    )
    assert bad.status_code == 201 and bad.data["status"] == "rejected"
    assert "bogus" in bad.data["file_errors"][0]


def test_upload_page_and_file_api(personas: Any) -> None:
    client = web_as(Client(), personas.focal_point)
    assert "Police FIR" in client.get("/exchange/submit/").content.decode()
    upload = io.BytesIO(csv_bytes([row()]))
    upload.name = "fir.csv"
    response = client.post(
        "/exchange/submit/",
        {"record_type": "police_report", "date_format": "iso", "encoding": "auto", "file": upload},
    )
    assert response.status_code == 302
    s = Submission.objects.get()
    assert s.filename == "fir.csv" and s.rows_created == 1
    assert "Submissions" in client.get("/exchange/submissions/").content.decode()
    api = api_as(personas.focal_point)
    upload = io.BytesIO(csv_bytes([row(department_record_id="API-1")]))
    upload.name = "api.csv"
    created = api.post(
        "/api/exchange/submissions/",
        {"record_type": "police_report", "file": upload},
        format="multipart",
    )
    assert created.status_code == 201 and created.data["rows_created"] == 1


def test_the_page_sent_by_script_gets_where_to_go(personas: Any) -> None:
    """upload.js sends the form itself (to show the upload's progress) and is told the
    submission's page; errors come back as the form, as without the script."""
    client = web_as(Client(), personas.focal_point)
    page = client.get("/exchange/submit/").content.decode()
    assert "data-upload-progress" in page and "cpmis/upload.js" in page
    upload = io.BytesIO(csv_bytes([row()]))
    upload.name = "fir.csv"
    response = client.post(
        "/exchange/submit/",
        {"record_type": "police_report", "date_format": "iso", "encoding": "auto", "file": upload},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 200
    assert response.json() == {
        "location": f"/exchange/submissions/{Submission.objects.get().uuid}/"
    }
    refused = client.post(
        "/exchange/submit/",
        {"record_type": "police_report"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert refused.status_code == 400 and b"<form" in refused.content


@override_settings(CPMIS_MAX_UPLOAD_BYTES=2048)
def test_a_file_over_the_limit_is_refused_unread(personas: Any) -> None:
    client = web_as(Client(), personas.focal_point)
    upload = io.BytesIO(b"x" * 5000)
    upload.name = "big.csv"
    response = client.post("/exchange/submit/", {"record_type": "police_report", "file": upload})
    assert response.status_code == 400 and b"too large" in response.content
    assert not Submission.objects.exists()


def test_an_unsupported_schema_version_names_the_one_to_use(personas: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        send(personas.focal_point, csv_bytes([row()]), schema_major=7)
    assert "use version 1" in str(refused.value)


def test_hostile_values_never_fail_with_a_500(personas: Any) -> None:
    from tests.core.test_hostile_input import NASTY

    api = api_as(personas.focal_point)
    base: dict[str, Any] = {"record_type": "police_report", "records": [row()]}
    for name in ("record_type", "schema_version", "date_format", "idempotency_key", "records"):
        for value in NASTY:
            response = api.post("/api/exchange/submissions/", {**base, name: value}, format="json")
            assert response.status_code < 500, (name, value, response.content[:200])
    for column in HEADER:
        for value in NASTY:
            records = [row(**{column: value})]  # type: ignore[arg-type]
            response = api.post(
                "/api/exchange/submissions/",
                {"record_type": "police_report", "records": records},
                format="json",
            )
            assert response.status_code < 500, (column, value, response.content[:200])
    client = web_as(Client(), personas.focal_point)
    for value in ("\x00", "x" * 300, "../../etc/passwd", "<script>"):
        assert client.get(f"/exchange/submissions/{value}/").status_code == 404
        assert client.get(f"/exchange/submissions/{value}/errors.csv").status_code == 404
        upload = io.BytesIO(value.encode())
        upload.name = value[:50] + ".csv"
        response = client.post(
            "/exchange/submit/",
            {"record_type": value, "date_format": value, "encoding": value, "file": upload},
        )
        assert response.status_code < 500


def _focal(username: str, **scope: str) -> Any:
    level = ScopeLevel.DISTRICT if "district" in scope else ScopeLevel.JURISDICTION
    return make_user(
        username, {"role": Role.FOCAL_POINT, "scope_level": level, "department": "police", **scope}
    )


def test_another_provinces_focal_point_cannot_touch_a_record(personas: Any) -> None:
    send(personas.focal_point, csv_bytes([row()]))
    kp = _focal("focal.kp", jurisdiction="PK-KP")
    # the same department record ID in KP is KP's own record, never Punjab's
    s = send(kp, csv_bytes([row(district=PESHAWAR, child_name="X")])).submission
    assert (s.rows_created, s.rows_updated) == (1, 0)
    punjab = DepartmentRecord.objects.get(jurisdiction__iso_code="PK-PB")
    assert punjab.child_name == "عائشہ" and punjab.version == 1
    # and the same file from KP is not "received before" because Punjab sent it
    again = send(kp, csv_bytes([row()]))  # Lahore rows: outside KP
    assert not again.repeated and again.submission.status == "rejected"


def test_a_district_focal_point_reports_for_their_district_only(personas: Any) -> None:
    lahore_only = _focal("focal.lahore", district=LAHORE)
    s = send(lahore_only, csv_bytes([row(), row(department_record_id="K", district="PK614")]))
    assert s.submission.rows_created == 1
    assert "outside" in s.submission.row_errors[0]["reason"]
    assert (
        api_as(lahore_only).get(f"/api/exchange/submissions/{s.submission.uuid}/").status_code
        == 200
    )
    other = send(personas.focal_point, csv_bytes([row(department_record_id="PB-2")])).submission
    assert api_as(lahore_only).get(f"/api/exchange/submissions/{other.uuid}/").status_code == 404


def test_reported_rows_are_the_files_own_line_numbers(personas: Any) -> None:
    text = (
        csv_bytes([row()]).decode()
        + "\n\n"
        + csv_bytes([row(department_record_id="B", sex="x")]).decode().split("\n", 1)[1]
    )
    s = send(personas.focal_point, text.encode()).submission
    assert s.row_errors[0]["row"] == 5  # header 1, row 2, two blank lines, then line 5


@pytest.mark.parametrize(
    "content",
    [
        b"\xef\xbb\xbfdepartment_record_id\xff,x\n",  # a UTF-8 mark, then not UTF-8
        b"\xff\xfea\x00b",  # UTF-16 with an odd number of bytes
        "\ufeffid\ud800".encode("utf-16-le", "surrogatepass"),  # a lone surrogate
    ],
)
def test_damaged_unicode_is_a_file_error(personas: Any, content: bytes) -> None:
    s = send(personas.focal_point, content).submission
    assert s.status == "rejected" and s.file_errors


def test_lone_surrogates_in_json_are_refused_not_crashed(personas: Any) -> None:
    api = api_as(personas.focal_point)
    body = (
        '{"record_type": "police_report", '
        '"records": [{"department_record_id": "S1", "child_name": "\\ud800"}]}'
    )
    response = api.post("/api/exchange/submissions/", body, content_type="application/json")
    assert response.status_code == 201 and response.data["status"] == "rejected"


def test_utf8_declared_as_windows_1256_is_refused(personas: Any) -> None:
    s = send(personas.focal_point, csv_bytes([row()]), encoding="windows-1256").submission
    assert s.status == "rejected" and "UTF-8" in s.file_errors[0]
    assert not send(personas.focal_point, csv_bytes([row()])).repeated  # declared anew: read


def test_rows_to_correct_keep_the_batchs_date_format(personas: Any) -> None:
    values = row(sex="x")
    cells = [values[c] for c in HEADER]
    cells[HEADER.index("record_date")] = date(2026, 2, 1)
    s = send(personas.focal_point, _xlsx([cells]), source="xlsx", date_format="dmy").submission
    assert s.rejected_rows[0]["record_date"] == "01/02/2026"


def test_sections_in_another_order_are_the_same_record(personas: Any) -> None:
    send(personas.focal_point, csv_bytes([row(offence_sections="PPC s.377-B; PPC s.369-A")]))
    s = send(
        personas.focal_point,
        csv_bytes([row(offence_sections="PPC s.369-A;PPC s.377-B"), row(department_record_id="Z")]),
    ).submission
    assert s.rows_unchanged == 1


@override_settings()
def test_reading_stops_beyond_the_row_limit(personas: Any, monkeypatch: Any) -> None:
    from cpmis.exchange import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [row(department_record_id=f"R{i}") for i in range(5)]
    s = send(personas.focal_point, csv_bytes(rows)).submission
    assert s.status == "rejected" and "More than 3 rows" in s.file_errors[0]
