"""The stripboard as a spreadsheet (issue 16): a session's items exported and imported as CSV
and XLSX through the API, pages in eighths ("2 3/8"), keys within the session, all or nothing."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hotset import services
from hotset.models import ScheduleItem
from hotset.spreadsheets import eighths, pages_text
from tests.hotset.factories import local

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotset"
FIELDS = (
    "position", "kind", "block_type", "title", "scene_number", "set_name", "location", "int_ext", "day_night",
    "description", "pages_eighths", "setups", "planned_start", "planned_duration_minutes", "notes",
)  # fmt: skip


@pytest.fixture
def ad(api_as):
    return api_as("first_ad")


def _items(session) -> list[tuple]:
    return list(ScheduleItem.objects.filter(session=session).order_by("position").values_list(*FIELDS))


def _upload(client, session, content: bytes, fmt="csv", dry_run=False):
    url = f"{BASE}/sessions/{session.pk}/items/import/" + ("?dry_run=1" if dry_run else "")
    return client.post(url, {"file": SimpleUploadedFile(f"strips.{fmt}", content)}, format="multipart")


def _dress(standard_day):
    now = timezone.now()
    session = standard_day["1A"].session
    services.update_item(
        item=standard_day["1A"], now=now, int_ext="int", day_night="day", description="=SUM(A1) is a formula",
        planned_start=local("09:35"),
    )  # fmt: skip
    services.update_item(item=standard_day["3C"], now=now, int_ext="ext", day_night="night", pages_eighths=19)
    # A second meal: blocks of one type and title are told apart by their order.
    services.add_item(
        session=session, values={"kind": "block", "block_type": "meal", "planned_duration_minutes": 15}, now=now
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_stripboard_round_trips_into_an_empty_session(ad, session, standard_day, fmt):
    _dress(standard_day)
    before = _items(session)
    r = ad.get(f"{BASE}/sessions/{session.pk}/items/export/?format={fmt}")
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="stripboard-day-1-2025-06-10.{fmt}"'
    content = r.content
    ScheduleItem.objects.filter(session=session).delete()
    r = _upload(ad, session, content, fmt)
    assert r.status_code == 200, r.json()
    assert (r.json()["create"], r.json()["refused"]) == (len(before), [])
    assert _items(session) == before
    r = _upload(ad, session, content, fmt)  # the same file again: nothing to do
    assert (r.json()["create"], r.json()["update"], r.json()["skip"]) == (0, 0, len(before))
    assert _items(session) == before


def test_the_export_reads_like_a_stripboard(ad, session, standard_day):
    _dress(standard_day)
    rows = list(csv.DictReader(io.StringIO(ad.get(f"{BASE}/sessions/{session.pk}/items/export/").content.decode())))
    scene = next(r for r in rows if r["scene_number"] == "3C")
    assert (scene["pages"], scene["pages_eighths"], scene["int_ext"], scene["day_night"]) == (
        "2 3/8",
        "19",
        "ext",
        "night",
    )
    first = next(r for r in rows if r["scene_number"] == "1A")
    assert first["planned_start"] == "2025-06-10T09:35:00+01:00"  # the project's zone, with its offset
    assert first["description"] == "'=SUM(A1) is a formula"  # a spreadsheet shows it, never runs it
    book = openpyxl.load_workbook(io.BytesIO(ad.get(f"{BASE}/sessions/{session.pk}/items/export/?format=xlsx").content))
    assert [c.value for c in book.active[1]][:6] == ["id", "session", "position", "kind", "block_type", "label"]


def test_pages_read_as_a_stripboard_writes_them(ad, session):
    content = (
        b"kind,scene_number,set_name,int_ext,day_night,pages,setups,planned_duration_minutes,planned_start\n"
        b"scene,12,Kitchen,INT,DAY,2 3/8,4,45,2025-06-10 09:30\n"
        b"scene,13,Kitchen,int,night,3/8,1,10,\n"
        b"scene,14,Street,ext,day,2,2,20,\n"
    )
    r = _upload(ad, session, content)
    assert r.status_code == 400  # "INT" / "DAY": the API's values are int / day
    assert {(x["row"], x["field"]) for x in r.json()["refused"]} == {(2, "int_ext"), (2, "day_night")}
    assert ScheduleItem.objects.count() == 0
    r = _upload(ad, session, content.replace(b"INT,DAY", b"int,day"))
    assert r.status_code == 200, r.json()
    rows = list(
        ScheduleItem.objects.filter(session=session).order_by("position").values_list("scene_number", "pages_eighths")
    )
    assert rows == [("12", 19), ("13", 3), ("14", 16)]
    assert ScheduleItem.objects.get(scene_number="12").planned_start == local("09:30")  # read in London time


def test_a_bad_row_refuses_the_whole_file_naming_row_and_field(ad, session, standard_day):
    before = _items(session)
    content = (
        b"kind,scene_number,pages,planned_duration_minutes\n"
        b"scene,1A,1 4/8,50\n"  # an update of 1A
        b"scene,99,2 9/8,30\n"  # not pages
        b"scene,100,1,2000\n"  # over a day
        b"sceen,101,1,5\n"  # no such kind
    )
    r = _upload(ad, session, content)
    assert r.status_code == 400
    refused = {(x["row"], x["field"]) for x in r.json()["refused"]}
    assert refused == {(3, "pages"), (4, "planned_duration_minutes"), (5, "kind")}
    assert _items(session) == before  # 1A untouched, nothing added
    r = _upload(ad, session, content, dry_run=True)
    assert r.status_code == 200 and r.json()["update"] == 1 and r.json()["written"] is False


def test_a_wrapped_day_refuses_an_import(ad, session, standard_day):
    services.confirm_crew_call(session=session, user=None, at=local("07:00"), now=local("07:00"))
    services.wrap_session(session=session, user=None, at=local("18:00"), now=local("18:00"))
    r = _upload(ad, session, b"kind,scene_number,planned_duration_minutes\nscene,77,30\n")
    assert r.status_code == 400
    assert "wrapped" in r.json()["refused"][0]["reason"].lower()
    assert not ScheduleItem.objects.filter(scene_number="77").exists()


def test_only_those_who_edit_the_schedule_import(api_as, session, standard_day):
    crew = api_as("crew")
    assert crew.get(f"{BASE}/sessions/{session.pk}/items/export/").status_code == 200  # the crew reads the day
    r = _upload(crew, session, b"kind,scene_number,planned_duration_minutes\nscene,77,30\n")
    assert r.status_code == 403
    assert api_as("first_ad").get(f"{BASE}/sessions/999999/items/export/").status_code == 404


@pytest.mark.parametrize(
    ("text", "value"), [("2 3/8", 19), ("3/8", 3), ("2", 16), (" 1  4/8 ", 12), ("0", 0), ("7/8", 7)]
)
def test_pages_in_eighths(text, value):
    assert eighths(text) == value
    assert eighths(pages_text(value)) == value


@pytest.mark.parametrize("text", ["", "2 8/8", "1.5", "two", "3/4", "-1"])
def test_what_is_not_pages(text):
    with pytest.raises(ValueError):
        eighths(text)


def test_the_admin_imports_a_stripboard_into_the_day_chosen_on_the_form(make_user, session, standard_day):
    import re

    from django.test import Client

    client = Client()
    client.force_login(make_user(None, is_staff=True, is_superuser=True))
    page = client.get("/admin/hotset/scheduleitem/import/")
    assert b'name="session"' in page.content  # the shoot day is chosen on the form
    content = b"kind,scene_number,pages,planned_duration_minutes\nscene,1A,2,42\nscene,88,1 1/8,20\n"
    preview = client.post(
        "/admin/hotset/scheduleitem/import/",
        {"import_file": SimpleUploadedFile("strips.csv", content), "format": "0", "session": session.pk},
    )
    html = preview.content.decode()
    assert "Preview" in html and "New" in html and "Update" in html
    assert not ScheduleItem.objects.filter(scene_number="88").exists()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert hidden["session"] == str(session.pk)
    assert client.post("/admin/hotset/scheduleitem/process_import/", hidden).status_code == 302
    assert ScheduleItem.objects.get(session=session, scene_number="88").pages_eighths == 9
    assert ScheduleItem.objects.get(session=session, scene_number="1A").pages_eighths == 16
    # Without a day on the form, each row names its session.
    preview = client.post(
        "/admin/hotset/scheduleitem/import/",
        {"import_file": SimpleUploadedFile("strips.csv", b"kind,scene_number,planned_duration_minutes\nscene,90,5\n"),
         "format": "0"},
    )  # fmt: skip
    assert "Name the session (its id) of each row." in preview.content.decode()
