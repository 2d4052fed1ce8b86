"""Issue 9, finding 5: one out-of-range time must not break a session (SPEC §1 "Times").

Times outside the years 1900–2200 are refused at the edge (400, nothing written); rows
stored before that check (or straight to the database) make the session's reads answer 409
naming what to correct, and the dashboard page still renders, with that message.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from hotset import services
from hotset.models import ProductionDay, ScheduleItem
from tests.hotset.factories import local, refresh

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotset"
YEARS = "Must be between the years 1900 and 2200."
FAR_MOMENTS = ["9999-12-31T00:00:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59Z", "1899-12-31T23:59:00Z"]


@pytest.fixture
def ad(api_as):
    return api_as("first_ad")


def _reads(session) -> list[str]:
    return [
        f"{BASE}/sessions/{session.pk}/projection/",
        f"{BASE}/sessions/{session.pk}/suggestions/",
        f"{BASE}/sessions/{session.pk}/report/",
        f"{BASE}/sessions/{session.pk}/report/?format=csv",
    ]


def _initial(response) -> dict:
    html = response.content.decode()
    marker = '<script id="hs-initial" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


# --- refused at the edge ---------------------------------------------------------------------


@pytest.mark.parametrize("duration", [30, 1440])
def test_item_with_planned_start_9999_is_400_and_writes_nothing(ad, session, at_local, duration):
    # On main: 201 (then every read 500s), or — a 1,440-minute item, whose end lands in the
    # year 10000 — a 500 on the create itself, from the projection it publishes.
    at_local("10:00")
    url = f"{BASE}/sessions/{session.pk}/items/"
    for start in ("9999-12-31T00:00:00", "0001-01-01T00:00:00Z", "2201-01-01T00:00:00"):
        r = ad.post(url, {"kind": "scene", "planned_duration_minutes": duration, "planned_start": start}, format="json")
        assert r.status_code == 400, (start, r.content)
        assert r.json()["errors"] == {"planned_start": [YEARS]}
    assert not ScheduleItem.objects.filter(session=session).exists()


def test_item_planned_start_patch_to_9999_is_400_and_unchanged(ad, session, standard_day, at_local):
    at_local("10:00")
    item = standard_day["1A"]
    r = ad.patch(f"{BASE}/items/{item.pk}/", {"planned_start": "9999-12-31T00:00:00"}, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["errors"] == {"planned_start": [YEARS]}
    assert refresh(item).planned_start is None


def test_a_1440_minute_item_works_and_longer_is_400(ad, session, standard_day, at_local):
    # An item lasts at most a day: 1,440 minutes — even at the last hour of the years allowed.
    at_local("10:00")
    url = f"{BASE}/sessions/{session.pk}/items/"
    for start in (None, "2025-06-10T20:00:00", "2200-12-31T23:00:00"):
        body = {"kind": "scene", "planned_duration_minutes": 1440, **({"planned_start": start} if start else {})}
        r = ad.post(url, body, format="json")
        assert r.status_code == 201, (start, r.content)
    for path in _reads(session):
        assert ad.get(path).status_code == 200, path
    r = ad.post(url, {"kind": "scene", "planned_duration_minutes": 1441}, format="json")
    assert r.status_code == 400
    assert "planned_duration_minutes" in r.json()["errors"]


@pytest.mark.parametrize(
    "body",
    [
        {"date": "9999-12-31", "general_call_time": "9999-12-31T07:00:00", "planned_wrap": "9999-12-31T19:00:00"},
        {"date": "9999-12-31"},
        {"general_call_time": "0001-01-01T07:00:00Z"},
        {"planned_wrap": "9999-12-31T19:00:00"},
    ],
)
def test_day_patch_to_9999_is_400_and_unchanged(ad, day, session, body):
    before = ProductionDay.objects.filter(pk=day.pk).values().get()
    r = ad.patch(f"{BASE}/days/{day.pk}/", body, format="json")
    assert r.status_code == 400, r.content
    errors = r.json()["errors"]
    assert errors and all(messages == [YEARS] for messages in errors.values()), errors
    assert set(errors) <= set(body)
    assert ProductionDay.objects.filter(pk=day.pk).values().get() == before


def test_day_create_far_out_is_400_and_writes_nothing(ad, project):
    body = {
        "project": project.pk,
        "date": "0001-01-01",
        "day_number": 7,
        "general_call_time": "0001-01-01T07:00:00Z",
        "planned_wrap": "0001-01-01T19:00:00Z",
    }
    r = ad.post(f"{BASE}/days/", body, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["errors"] == {"date": [YEARS], "general_call_time": [YEARS], "planned_wrap": [YEARS]}
    assert not ProductionDay.objects.filter(project=project).exists()


@pytest.mark.parametrize("moment", FAR_MOMENTS)
def test_query_at_out_of_range_is_400_on_every_read(ad, session, standard_day, at_local, moment):
    at_local("10:00")
    services.start_session(session=session, user=ad.user, at=local("07:00"), now=timezone.now())
    for path in _reads(session):
        sep = "&" if "?" in path else "?"
        r = ad.get(f"{path}{sep}at={moment}")
        assert r.status_code == 400, (path, moment, r.content)
        if "csv" not in path:
            assert r.json() == {"detail": "Invalid input.", "errors": {"at": [YEARS]}}


def test_query_at_at_the_edges_of_the_years_is_fine(ad, session, standard_day, at_local):
    at_local("10:00")
    for moment in ("1900-01-01T00:00:00Z", "2200-12-31T23:59:59Z", "2025-06-10T09:00:00Z"):
        r = ad.get(f"{BASE}/sessions/{session.pk}/projection/", {"at": moment})
        assert r.status_code == 200, (moment, r.content)
    r = ad.get(f"{BASE}/sessions/{session.pk}/projection/", {"at": "not a time"})
    assert r.status_code == 400
    assert "at" in r.json()["errors"]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "1899-12-31T23:00:00Z"])
def test_action_at_out_of_range_is_400_and_changes_nothing(ad, session, standard_day, at_local, moment):
    at_local("10:00")
    r = ad.post(f"{BASE}/sessions/{session.pk}/start/", {"at": moment}, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["errors"] == {"at": [YEARS]}
    assert refresh(session).status == "not_started"
    services.start_session(session=session, user=ad.user, at=local("07:00"), now=timezone.now())
    item = standard_day["crew_call"]
    r = ad.post(f"{BASE}/items/{item.pk}/start/", {"at": moment}, format="json")
    assert r.status_code == 400, r.content
    assert refresh(item).status == "pending"


# --- rows stored before the check ------------------------------------------------------------


@pytest.fixture
def running(ad, session, standard_day, at_local):
    """A day in progress at 10:00 (crew call block running), before anything is corrupted."""
    at_local("10:00")
    services.start_session(session=session, user=ad.user, at=local("07:00"), now=timezone.now())
    services.start_item(item=standard_day["crew_call"], user=ad.user, at=local("07:00"), now=timezone.now())
    return standard_day


def _assert_reads_name(ad, session, field: str, needle: str):
    for path in _reads(session):
        r = ad.get(path)
        assert r.status_code == 409, (path, r.status_code, r.content[:300])
        if "csv" in path:
            assert needle in r.content.decode()
            continue
        body = r.json()
        assert "outside the years 1900–2200" in body["detail"]
        assert any(needle in message for message in body["errors"][field]), body


def _assert_dashboard_renders(make_user, session, needle: str):
    client = Client()
    client.force_login(make_user("first_ad"))
    r = client.get(f"/dash/hotset/{session.pk}/")
    assert r.status_code == 200
    initial = _initial(r)
    assert needle in initial["problem"]
    assert initial["projection"]["items"] == []
    assert needle in r.content.decode().split('id="hs-error"', 1)[1].split("</p>", 1)[0]


def test_stored_item_at_9999_answers_409_naming_it_and_the_page_renders(ad, make_user, session, running):
    item = running["3C"]
    ScheduleItem.objects.filter(pk=item.pk).update(
        planned_start=datetime(9999, 12, 31, tzinfo=UTC), planned_duration_minutes=1440
    )
    _assert_reads_name(ad, session, "items", f"Item {item.pk} (Sc. 3C): planned start 9999-12-31")
    _assert_dashboard_renders(make_user, session, f"Item {item.pk} (Sc. 3C)")
    # Correcting the item brings the session back.
    r = ad.patch(f"{BASE}/items/{item.pk}/", {"planned_start": None}, format="json")
    assert r.status_code == 200, r.content
    for path in _reads(session):
        assert ad.get(path).status_code == 200, path


def test_stored_item_longer_than_a_day_answers_409(ad, session, running):
    item = running["3C"]
    ScheduleItem.objects.filter(pk=item.pk).update(planned_duration_minutes=2**31 - 1)
    ScheduleItem.objects.filter(pk=running["2B"].pk).update(planned_duration_minutes=2**31 - 1)
    _assert_reads_name(ad, session, "items", f"Item {item.pk} (Sc. 3C): planned duration 2147483647 min")


def test_stored_day_at_9999_answers_409_naming_it_and_the_page_renders(ad, make_user, day, session, running):
    ProductionDay.objects.filter(pk=day.pk).update(
        date=datetime(9999, 12, 31).date(),
        general_call_time=datetime(9999, 12, 31, 20, 0, tzinfo=UTC),
        planned_wrap=None,
    )
    _assert_reads_name(ad, session, "general_call_time", "The general call time 9999-12-31T20:00:00+00:00")
    _assert_dashboard_renders(make_user, session, "The general call time 9999-12-31")


def test_stored_call_at_the_calendars_end_in_an_eastern_zone_still_renders(
    ad, make_user, project, day, session, running
):
    # 9999-12-31 23:00 UTC is already the year 10000 in Tokyo: not even the session's own
    # times can be shown in the project's zone, yet the page renders and names the problem.
    Project = type(project)
    Project.objects.filter(pk=project.pk).update(timezone="Asia/Tokyo")
    ProductionDay.objects.filter(pk=day.pk).update(
        date=datetime(9999, 12, 31).date(),
        general_call_time=datetime(9999, 12, 31, 23, 0, tzinfo=UTC),
        planned_wrap=None,
    )
    _assert_reads_name(ad, session, "general_call_time", "The general call time 9999-12-31T23:00:00+00:00")
    _assert_dashboard_renders(make_user, session, "The general call time 9999-12-31")
