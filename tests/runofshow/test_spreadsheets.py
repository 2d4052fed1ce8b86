"""A show's rundown as a spreadsheet (issue 16): segments with their cues as columns, in the
show's zone, round trips in CSV and XLSX, keys (segment order, cue kind and number), one bad
cue refusing the file."""

from __future__ import annotations

import csv
import io
import zoneinfo
from datetime import date, datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from runofshow import services
from runofshow.models import Cue, Segment

pytestmark = pytest.mark.django_db

BASE = "/api/v1/runofshow"


@pytest.fixture
def caller(api_as):
    return api_as("show_caller")


@pytest.fixture
def show():
    session = services.create_session(name="Awards", date=date(2030, 5, 1), timezone="America/Los_Angeles")
    start = timezone.make_aware(datetime(2030, 5, 1, 19, 0), timezone=zoneinfo.ZoneInfo(session.timezone))
    opening = services.create_segment(session=session, name="Opening", duration=10, start_time=start, type="other")
    services.create_segment(session=session, name="Best Score", duration=20, notes="=1+1 is not a formula here")
    services.create_cue(segment=opening, number="1", kind="lighting", offset_seconds=0, description="House to half")
    services.create_cue(segment=opening, number="1", kind="audio", offset_seconds=-5, description="Walk-in fades")
    services.create_cue(segment=opening, number="2.5", kind="lighting", offset_seconds=300)
    return session


def _rundown(session) -> list[tuple]:
    segments = list(
        Segment.objects.filter(session=session)
        .order_by("order")
        .values_list("order", "name", "start_time", "duration", "type", "notes")
    )
    cues = sorted(
        Cue.objects.filter(segment__session=session).values_list(
            "segment__order", "kind", "number", "offset_seconds", "description"
        )
    )
    return segments + cues


def _upload(client, session, content: bytes, fmt="csv", dry_run=False):
    url = f"{BASE}/sessions/{session.pk}/segments/import/" + ("?dry_run=1" if dry_run else "")
    return client.post(url, {"file": SimpleUploadedFile(f"rundown.{fmt}", content)}, format="multipart")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_rundown_round_trips_with_its_cues(caller, show, fmt):
    before = _rundown(show)
    r = caller.get(f"{BASE}/sessions/{show.pk}/segments/export/?format={fmt}")
    assert r.status_code == 200
    content = r.content
    Segment.objects.filter(session=show).delete()
    r = _upload(caller, show, content, fmt)
    assert r.status_code == 200, r.json()
    assert r.json()["create"] == 2
    assert _rundown(show) == before
    r = _upload(caller, show, content, fmt)
    assert (r.json()["create"], r.json()["update"], r.json()["skip"]) == (0, 0, 2)


def test_cues_are_columns_and_times_are_in_the_shows_zone(caller, show):
    rows = list(csv.DictReader(io.StringIO(caller.get(f"{BASE}/sessions/{show.pk}/segments/export/").content.decode())))
    assert rows[0]["start_time"] == "2030-05-01T19:00:00-07:00"
    assert "cues" not in rows[0]
    cues = {(rows[0][f"cue_{n}_kind"], rows[0][f"cue_{n}_number"]) for n in (1, 2, 3)}
    assert cues == {("lighting", "1"), ("audio", "1"), ("lighting", "2.5")}
    assert rows[1]["cue_1_number"] == ""
    assert rows[1]["notes"] == "'=1+1 is not a formula here"
    book = openpyxl.load_workbook(
        io.BytesIO(caller.get(f"{BASE}/sessions/{show.pk}/segments/export/?format=xlsx").content)
    )
    assert "cue_3_description" in [c.value for c in book.active[1]]


def test_an_import_adds_segments_and_cues_and_changes_only_what_differs(caller, show):
    content = (
        b"order,name,start_time,duration,type,cue_1_kind,cue_1_number,cue_1_offset_seconds,cue_1_description\n"
        b"1,Opening,2030-05-01 19:00,12,other,lighting,1,0,House out\n"  # duration and a cue's text change
        b"3,Red carpet,,15,other,video,7,30,Roll VT\n"  # new, after Best Score
    )
    r = _upload(caller, show, content)
    assert r.status_code == 200, r.json()
    assert (r.json()["create"], r.json()["update"]) == (1, 1)
    opening = Segment.objects.get(session=show, order=1)
    assert opening.duration == 12
    assert opening.cues.get(kind="lighting", number="1").description == "House out"
    assert opening.cues.count() == 3  # cues the file does not list are kept
    carpet = Segment.objects.get(session=show, order=3)
    assert carpet.start_time == Segment.objects.get(session=show, order=2).end_time  # chained, as the API does
    assert list(carpet.cues.values_list("kind", "number", "offset_seconds")) == [("video", "7", 30)]


def test_a_bad_cue_refuses_the_whole_file(caller, show):
    before = _rundown(show)
    content = (
        b"order,name,duration,cue_1_kind,cue_1_number,cue_1_offset_seconds\n"
        b"1,Opening,11,lighting,9,0\n"
        b"5,Finale,10,lasers,1,0\n"  # no such cue kind
        b"6,Encore,0,lighting,1,999999\n"  # no duration, offset out of range
    )
    r = _upload(caller, show, content)
    assert r.status_code == 400
    refused = {(x["row"], x["field"]) for x in r.json()["refused"]}
    assert refused == {(3, "cue_1_kind"), (4, "duration")}
    assert _rundown(show) == before


def test_readers_export_and_editors_import(api_as, show):
    director = api_as("director")
    assert director.get(f"{BASE}/sessions/{show.pk}/segments/export/").status_code == 200
    assert _upload(director, show, b"order,name,duration\n9,X,5\n").status_code == 403
    assert api_as("crew").get(f"{BASE}/sessions/{show.pk}/segments/export/").status_code == 403
    assert not Segment.objects.filter(name="X").exists()


def test_an_admin_export_reads_the_rundown_in_a_few_queries_however_long(
    make_user, show, django_assert_max_num_queries
):
    from django.test import Client

    for n in range(20):
        segment = services.create_segment(session=show, name=f"Extra {n}", duration=5)
        services.create_cue(segment=segment, number="1", kind="lighting")
    client = Client()
    client.force_login(make_user(None, is_staff=True, is_superuser=True))
    chosen = {f"segmentresource_{name}": "on" for name in ("order", "name", "start_time", "cue_1_number")}
    with django_assert_max_num_queries(15):
        r = client.post("/admin/runofshow/segment/export/", {"format": "0", "resource": "0", **chosen})
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert len(rows) == 22 and rows[-1]["cue_1_number"] == "1"
