"""Spreadsheet import / export of the rotations records (issue 16), through the API against
PostgreSQL: round trips into an empty database (CSV and XLSX), dry runs, a bad row refusing
the whole file with its row and field named, and re-imports that change nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rotations import services
from rotations.models import Employee, Event, RotationAssignment, ScheduleException, TimeOff
from tests.rotations.factories import make_employee, make_event

pytestmark = pytest.mark.django_db

BASE = "/api/v1/rotations"
LISTS = ["employees", "time-off", "events", "rotation-assignments", "exceptions"]


@pytest.fixture
def coordinator(api_as):
    return api_as("coordinator")


def _world():
    ana = make_employee("Ana Reyes", "core", "lead", external_id="E-001")
    ben = make_employee("Ben Osei", "supervisor", "core", "lead", "juicer", external_id="E-002", max_events_per_day=2)
    cleo = make_employee("=Cleo, the formula", "juicer", external_id="E-003", available_weekdays=[0, 2, 4])
    services.create_time_off(employee=ana, start_date=date(2025, 10, 8), end_date=date(2025, 10, 9), reason="Dentist")
    services.create_time_off(employee=cleo, start_date=date(2025, 10, 13), end_date=date(2025, 10, 13))
    core = make_event(101, "core", date(2025, 10, 6), date(2025, 10, 10), location="Hall A")
    make_event(102, "supervisor", date(2025, 10, 6), date(2025, 10, 10), parent=101)
    make_event(103, "juicer", date(2025, 10, 7), date(2025, 10, 7), minutes=45)
    services.update_event(
        event=core, assigned_employee=ana, scheduled_at=timezone.make_aware(datetime(2025, 10, 7, 10, 0))
    )
    services.create_rotation_assignment(weekday=0, rotation_type="juicer", employee=cleo)
    services.create_rotation_assignment(weekday=2, rotation_type="primary_lead", employee=ben)
    services.create_schedule_exception(date=date(2025, 10, 8), rotation_type="juicer", employee=ben, reason="Swap")


def _rows() -> dict:
    """Every record as comparable tuples, by natural keys (no database ids)."""
    return {
        "employees": sorted(
            (name, external_id, sorted(quals), *rest)  # a set: the API keeps it sorted
            for name, external_id, quals, *rest in Employee.objects.values_list(
                "name",
                "external_id",
                "qualifications",
                "active",
                "max_events_per_day",
                "max_events_per_week",
                "available_weekdays",
            )
        ),
        "time-off": sorted(TimeOff.objects.values_list("employee__external_id", "start_date", "end_date", "reason")),
        "events": sorted(
            Event.objects.values_list(
                "project_ref_num",
                "name",
                "event_type",
                "start_date",
                "due_date",
                "estimated_minutes",
                "location",
                "status",
                "assigned_employee__external_id",
                "scheduled_at",
                "parent_event_id",
            )
        ),
        "rotation-assignments": sorted(
            RotationAssignment.objects.values_list("weekday", "rotation_type", "employee__external_id")
        ),
        "exceptions": sorted(
            ScheduleException.objects.values_list("date", "rotation_type", "employee__external_id", "reason")
        ),
    }


def _export(client, name, fmt="csv") -> bytes:
    r = client.get(f"{BASE}/{name}/export/?format={fmt}")
    assert r.status_code == 200, r.content
    assert r["Content-Disposition"] == f'attachment; filename="{name}.{fmt}"'
    return r.content


def _import(client, name, content: bytes, fmt="csv", dry_run=False):
    upload = SimpleUploadedFile(f"{name}.{fmt}", content)
    return client.post(
        f"{BASE}/{name}/import/" + ("?dry_run=1" if dry_run else ""), {"file": upload}, format="multipart"
    )


def _wipe():
    Event.objects.filter(parent_event__isnull=False).delete()
    Event.objects.all().delete()
    for model in (ScheduleException, RotationAssignment, TimeOff, Employee):
        model.objects.all().delete()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_list_round_trips_into_an_empty_database(coordinator, fmt):
    _world()
    before = _rows()
    files = {name: _export(coordinator, name, fmt) for name in LISTS}
    _wipe()
    for name in LISTS:  # employees first: the others name them by external id
        r = _import(coordinator, name, files[name], fmt)
        assert r.status_code == 200, (name, r.json())
        assert r.json()["refused"] == [] and r.json()["written"] is True
    assert _rows() == before
    # The same files again change nothing.
    for name in LISTS:
        r = _import(coordinator, name, files[name], fmt)
        assert r.status_code == 200, (name, r.json())
        assert (r.json()["create"], r.json()["update"]) == (0, 0), (name, r.json())
    assert _rows() == before


def test_export_columns_are_the_lists_field_names_and_formulas_are_quoted(coordinator):
    _world()
    content = _export(coordinator, "employees").decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert list(rows[0]) == [
        "id",
        "name",
        "external_id",
        "qualifications",
        "active",
        "max_events_per_day",
        "max_events_per_week",
        "available_weekdays",
        "time_off",
        "created_at",
        "updated_at",
    ]
    ana = next(r for r in rows if r["external_id"] == "E-001")
    assert (ana["qualifications"], ana["time_off"]) == ("core, lead", "2025-10-08–2025-10-09 (Dentist)")
    assert any(r["name"] == "'=Cleo, the formula" for r in rows)  # a spreadsheet will not run it
    book = openpyxl.load_workbook(io.BytesIO(_export(coordinator, "events", "xlsx")))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["id", "project_ref_num", "name", "type"]
    refs = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert refs.index(101) < refs.index(102)  # the core event before its supervisor event


def test_a_dry_run_reports_and_writes_nothing(coordinator):
    content = (
        b"name,external_id,qualifications,available_weekdays,max_events_per_day\n"
        b'Dee Park,E-010,"core, digital","Mon, Tue, Wed",2\n'
        b"Eli Moss,E-011,juicer,,\n"
    )
    r = _import(coordinator, "employees", content, dry_run=True)
    assert r.status_code == 200, r.json()
    assert r.json() == {"create": 2, "update": 0, "skip": 0, "refused": [], "written": False}
    assert Employee.objects.count() == 0
    r = _import(coordinator, "employees", content)
    assert r.json()["written"] is True
    dee = Employee.objects.get(external_id="E-010")
    assert (dee.qualifications, dee.available_weekdays, dee.max_events_per_day) == (["core", "digital"], [0, 1, 2], 2)
    assert Employee.objects.get(external_id="E-011").available_weekdays == []


def test_one_bad_row_refuses_the_file_and_names_the_row_and_field(coordinator):
    make_employee("Ana Reyes", "core", external_id="E-001")
    content = (
        b"name,external_id,qualifications,max_events_per_day\n"
        b'Ana Reyes,E-001,"core, lead",3\n'
        b"Fay Lin,E-020,core,\n"
        b"Gus Hale,E-021,astronaut,99\n"
    )
    r = _import(coordinator, "employees", content)
    assert r.status_code == 400
    body = r.json()
    assert body["written"] is False and body["detail"].startswith("Nothing imported")
    fields = {(x["row"], x["field"]) for x in body["refused"]}
    assert fields == {(4, "qualifications"), (4, "max_events_per_day")}
    assert Employee.objects.count() == 1
    assert Employee.objects.get().qualifications == ["core"]  # row 2 was not half-applied


def test_the_services_rules_refuse_rows_too(coordinator):
    ana = make_employee("Ana Reyes", "core", external_id="E-001")
    services.create_rotation_assignment(weekday=0, rotation_type="juicer", employee=make_employee("J", "juicer"))
    # A rotation needs the qualification; an event's supervisor parent must be a core event.
    r = _import(coordinator, "rotation-assignments", b"weekday,rotation_type,employee_external_id\nTue,juicer,E-001\n")
    assert r.status_code == 400
    assert r.json()["refused"][0]["row"] == 2
    assert RotationAssignment.objects.filter(employee=ana).count() == 0
    r = _import(coordinator, "time-off", b"employee_external_id,start_date,end_date\nE-404,2025-10-01,2025-10-02\n")
    assert r.status_code == 400
    assert r.json()["refused"] == [
        {"row": 2, "field": "employee_external_id", "reason": "No employee with external id E-404."}
    ]
    r = _import(coordinator, "time-off", b"employee_external_id,start_date,end_date\nE-001,2025-10-05,2025-10-01\n")
    assert r.status_code == 400 and TimeOff.objects.count() == 0


def test_bad_files_are_400_and_change_nothing(coordinator):
    for content, name in [
        (b"", "employees.csv"),
        (b"\xff\xfe\x00bad", "employees.csv"),
        (b"PK\x03\x04 not really a workbook", "employees.xlsx"),
    ]:
        r = coordinator.post(
            f"{BASE}/employees/import/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
        )
        assert r.status_code == 400, (name, r.content)
        assert "file" in r.json()["errors"]
    r = coordinator.post(f"{BASE}/employees/import/", {}, format="multipart")
    assert r.status_code == 400 and "file" in r.json()["errors"]
    assert coordinator.get(f"{BASE}/employees/export/?format=pdf").status_code in (400, 404)
    assert Employee.objects.count() == 0


def test_readers_export_but_do_not_import(api_as):
    producer = api_as("producer")
    assert producer.get(f"{BASE}/employees/export/").status_code == 200
    r = _import(producer, "employees", b"name,external_id\nZed,E-1\n")
    assert r.status_code == 403
    assert api_as(None).get(f"{BASE}/employees/export/").status_code == 403
    assert Employee.objects.count() == 0


def _hidden_inputs(html: str) -> dict:
    import re

    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def test_the_admin_previews_an_import_then_writes_it_on_confirm(make_user):
    from django.test import Client

    client = Client()
    client.force_login(make_user("coordinator", is_staff=True))
    make_employee("Ana Reyes", "core", external_id="E-001")
    page = client.get("/admin/rotations/employee/")
    assert b"/admin/rotations/employee/import/" in page.content
    assert b"/admin/rotations/employee/export/" in page.content
    content = b'name,external_id,qualifications\nAna Reyes,E-001,"core, lead"\nBea Cruz,E-030,juicer\n'
    preview = client.post(
        "/admin/rotations/employee/import/",
        {"import_file": SimpleUploadedFile("staff.csv", content), "format": "0"},
    )
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Preview" in html and "New" in html and "Update" in html and "Bea Cruz" in html
    assert Employee.objects.count() == 1  # the preview writes nothing
    confirm = client.post("/admin/rotations/employee/process_import/", _hidden_inputs(html))
    assert confirm.status_code == 302
    assert Employee.objects.get(external_id="E-030").qualifications == ["juicer"]
    assert Employee.objects.get(external_id="E-001").qualifications == ["core", "lead"]


def test_the_admin_preview_names_the_refused_row_and_field(make_user):
    from django.test import Client

    client = Client()
    client.force_login(make_user("coordinator", is_staff=True))
    content = b"name,external_id,qualifications,max_events_per_week\nBea Cruz,E-030,juicer,999\n"
    preview = client.post(
        "/admin/rotations/employee/import/",
        {"import_file": SimpleUploadedFile("staff.csv", content), "format": "0"},
    )
    html = preview.content.decode()
    assert "Some rows failed to validate" in html
    assert "max_events_per_week" in html and "less than or equal to 250" in html
    assert "process_import" not in html  # nothing to confirm
    assert Employee.objects.count() == 0


def test_the_admin_exports_xlsx(make_user):
    from django.test import Client

    client = Client()
    client.force_login(make_user("producer", is_staff=True))
    make_employee("Ana Reyes", "core", external_id="E-001")
    page = client.get("/admin/rotations/employee/export/")
    assert page.status_code == 200
    assert b"employeeresource_qualifications" in page.content  # the columns to choose from
    chosen = {f"employeeresource_{name}": "on" for name in ("name", "external_id", "qualifications")}
    r = client.post("/admin/rotations/employee/export/", {"format": "1", "resource": "0", **chosen})
    assert r.status_code == 200, r.content[:500]
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert [c.value for c in book.active[1]] == ["name", "external_id", "qualifications"]
    assert [c.value for c in book.active[2]] == ["Ana Reyes", "E-001", "core"]


def test_the_files_name_says_what_it_is(coordinator):
    # A CSV whose first header happens to start like a zip archive is still a CSV.
    r = _import(coordinator, "employees", b"PK\x03\x04note,name,external_id\nx,Zoe Ray,E-100\n", "csv", dry_run=True)
    assert r.status_code == 200 and r.json()["create"] == 1, r.json()
    r = coordinator.post(
        f"{BASE}/employees/import/",
        {"file": SimpleUploadedFile("staff", b"name,external_id\nZoe,E-1\n")},
        format="multipart",
    )
    assert r.status_code == 200 and r.json()["create"] == 1  # no name: read by its first bytes
    r = coordinator.post(
        f"{BASE}/employees/import/", {"file": SimpleUploadedFile("staff.xls", b"x")}, format="multipart"
    )
    assert r.status_code == 400 and r.json()["errors"]["file"] == ["Save the sheet as CSV or XLSX."]


def test_an_error_to_an_xlsx_export_is_json(api_as):
    r = api_as(None).get(f"{BASE}/employees/export/?format=xlsx")
    assert r.status_code == 403
    assert r["Content-Type"].startswith("application/json") and "detail" in r.json()
