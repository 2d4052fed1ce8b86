"""The shoot-day calendar feed of a project (iCalendar): call to wrap, at a secret, rotatable URL."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from config.logging import redact
from hotset import calendar, services
from hotset.models import Project
from tests.hotset.factories import DAY, LONDON, build_item, local, refresh

pytestmark = pytest.mark.django_db

DAY2 = DAY + timedelta(days=1)


def feed_url(project: Project, token: str | None = None) -> str:
    return f"/api/v1/hotset/projects/{project.pk}/calendar.ics?token={token or project.calendar_token}"


def events_of(response) -> dict[str, dict]:
    assert response.status_code == 200
    parsed = Calendar.from_ical(response.content)
    return {
        str(c["uid"]): {
            "start": c.decoded("dtstart"),
            "end": c.decoded("dtend"),
            "tzid": c["dtstart"].params.get("TZID"),
            "summary": str(c["summary"]),
            "location": str(c.get("location", "")),
            "description": str(c["description"]),
        }  # fmt: skip
        for c in parsed.walk("VEVENT")
    }


def uid(day) -> str:
    return f"hotset-day-{day.pk}@setdesk"


@pytest.fixture
def day2(project):
    return services.create_production_day(
        project=project, date=DAY2, day_number=2, general_call_time=local("06:30", DAY2),
        planned_wrap=local("18:30", DAY2), location="Backlot, Shepperton",
    )  # fmt: skip


def test_the_feed_lists_each_shoot_day_from_call_to_planned_wrap(project, day, day2):
    response = Client().get(feed_url(project))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = events_of(response)
    assert list(events) == [uid(day), uid(day2)]
    first, second = events[uid(day)], events[uid(day2)]
    assert (first["start"], first["end"]) == (local("07:00"), local("19:00"))
    assert (second["start"], second["end"]) == (local("06:30", DAY2), local("18:30", DAY2))
    # In the project's zone, with its VTIMEZONE, so every calendar app shows 07:00 in London.
    assert first["tzid"] == "Europe/London" and first["start"].tzinfo.key == "Europe/London"
    parsed = Calendar.from_ical(response.content)
    assert [str(tz["tzid"]) for tz in parsed.walk("VTIMEZONE")] == ["Europe/London"]
    assert first["summary"] == "The Long Shot — Day 1"
    assert (first["location"], second["location"]) == ("Stage 4", "Backlot, Shepperton")
    assert "shoot day 1" in first["description"] and "Status: scheduled." in first["description"]
    assert "ends at the planned wrap: 19:00" in first["description"]


def test_only_the_projects_own_days_are_in_its_feed(project, day):
    other = services.create_project(name="Another Show", timezone_name="UTC")
    services.create_production_day(project=other, date=DAY, day_number=1, general_call_time=local("08:00"))
    assert list(events_of(Client().get(feed_url(project)))) == [uid(day)]
    assert len(events_of(Client().get(feed_url(other)))) == 1


def test_an_edited_day_keeps_its_uid_and_the_event_shows_the_edit(project, day, day2):
    before = events_of(Client().get(feed_url(project)))
    services.update_production_day(
        day=day, now=timezone.now(), general_call_time=local("08:15"), planned_wrap=local("20:00"), location="Stage 7"
    )
    after = events_of(Client().get(feed_url(project)))
    assert list(after) == list(before)  # the calendar app updates the events, no copy
    edited = after[uid(day)]
    assert (edited["start"], edited["end"], edited["location"]) == (local("08:15"), local("20:00"), "Stage 7")
    assert after[uid(day2)] == before[uid(day2)]


def test_a_moved_day_keeps_its_uid(project, day):
    later = DAY + timedelta(days=7)
    services.update_production_day(
        day=day, now=timezone.now(), date=later, general_call_time=local("07:00", later),
        planned_wrap=local("19:00", later),
    )  # fmt: skip
    events = events_of(Client().get(feed_url(project)))
    assert list(events) == [uid(day)]
    assert events[uid(day)]["start"] == local("07:00", later)


def test_a_wrapped_day_ends_at_its_actual_wrap(project, day, session):
    services.start_session(session=session, at=local("06:45"), now=local("06:45"))
    in_progress = events_of(Client().get(feed_url(project)))[uid(day)]
    assert in_progress["end"] == local("19:00") and "Status: shooting." in in_progress["description"]
    services.wrap_session(session=session, at=local("20:10"), now=local("20:10"))
    wrapped = events_of(Client().get(feed_url(project)))[uid(day)]
    assert (wrapped["start"], wrapped["end"]) == (local("07:00"), local("20:10"))
    assert "Status: wrapped." in wrapped["description"]
    assert "planned wrap 19:00 · wrapped 20:10" in wrapped["description"]
    assert "ends at the actual wrap: 20:10" in wrapped["description"]


def test_an_extended_day_ends_at_its_extended_wrap(project, day):
    services.update_production_day(day=day, now=timezone.now(), extended_wrap=local("20:00"))
    event = events_of(Client().get(feed_url(project)))[uid(day)]
    assert event["end"] == local("20:00")
    assert "planned wrap 19:00 · extended to 20:00" in event["description"]


def test_without_a_planned_wrap_the_schedule_then_the_longest_day_ends_the_event(project):
    bare = services.create_production_day(project=project, date=DAY, day_number=1, general_call_time=local("07:00"))
    assert events_of(Client().get(feed_url(project)))[uid(bare)]["end"] == local("19:00")  # call + max_day_hours
    services.update_settings(project=project, max_day_hours=10)
    assert events_of(Client().get(feed_url(project)))[uid(bare)]["end"] == local("17:00")

    session = services.create_session(production_day=bare)
    build_item(session, 150, "block", block_type="crew_call")
    build_item(session, 42, scene_number="1A")
    event = events_of(Client().get(feed_url(project)))[uid(bare)]
    assert event["end"] == local("10:12")  # the end of the planned schedule: 07:00 + 150 + 42 min
    assert "end of the planned schedule" in event["description"]


def test_a_night_shoot_ends_on_the_next_day(project):
    night = services.create_production_day(
        project=project, date=DAY, day_number=1, general_call_time=local("18:00"), planned_wrap=local("05:00", DAY2)
    )
    event = events_of(Client().get(feed_url(project)))[uid(night)]
    assert (event["start"], event["end"]) == (local("18:00"), local("05:00", DAY2))
    assert "planned wrap 05:00 on Wed 11 Jun" in event["description"]


def test_the_project_zone_gives_the_times_whatever_zone_they_were_written_in(day):
    project = services.update_project(project=day.project, timezone="America/New_York")
    event = events_of(Client().get(feed_url(refresh(project))))[uid(day)]
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert event["start"] == local("07:00") and event["start"].tzinfo.key == "America/New_York"
    assert event["start"] == datetime(2025, 6, 10, 2, 0, tzinfo=new_york)


def test_a_wrong_missing_or_rotated_token_is_a_404(project, day):
    old = project.calendar_token
    client = Client()
    assert client.get(feed_url(project, "nope")).status_code == 404
    assert client.get(feed_url(project, "ünïcode-☃")).status_code == 404
    assert client.get(f"/api/v1/hotset/projects/{project.pk}/calendar.ics").status_code == 404
    assert client.get(f"/api/v1/hotset/projects/{project.pk}/calendar.ics?token=").status_code == 404
    assert client.get(f"/api/v1/hotset/projects/999999/calendar.ics?token={old}").status_code == 404
    other = services.create_project(name="Another Show")
    assert client.get(feed_url(other, old)).status_code == 404  # a token opens its own project only
    rotated = services.rotate_project_calendar_token(project=project)
    assert rotated.calendar_token != old and refresh(project).calendar_token == rotated.calendar_token
    refused = client.get(feed_url(project, old))
    assert refused.status_code == 404 and old.encode() not in refused.content
    assert client.get(feed_url(project)).status_code == 200
    assert client.post(feed_url(project)).status_code == 405


def test_every_project_has_its_own_token(project):
    services.create_project(name="Another Show")
    tokens = list(Project.objects.values_list("calendar_token", flat=True))
    assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(t) >= 40 for t in tokens)


def test_the_token_never_reaches_a_log_line(project):
    line = f'"GET {feed_url(project)} HTTP/1.1" 200'
    assert project.calendar_token not in redact(line)


def test_a_stored_time_out_of_range_leaves_the_day_out_instead_of_failing(project, day):
    from hotset.models import ProductionDay

    far = services.create_production_day(
        project=project, date=DAY2, day_number=2, general_call_time=local("07:00", DAY2)
    )
    ProductionDay.objects.filter(pk=far.pk).update(general_call_time=datetime(9999, 12, 31, 20, tzinfo=UTC))
    ProductionDay.objects.filter(pk=day.pk).update(planned_wrap=datetime(9999, 12, 31, 23, tzinfo=UTC))
    events = events_of(Client().get(feed_url(project)))
    assert list(events) == [uid(day)]
    assert events[uid(day)]["end"] == local("19:00")  # the out-of-range wrap counts as unset


def test_the_admin_shows_the_link_and_rotates_it(project, make_user):
    client = Client()
    client.force_login(make_user(None, is_staff=True, is_superuser=True))
    page = client.get(f"/admin/hotset/project/{project.pk}/change/").content.decode()
    assert feed_url(project).replace("&", "&amp;") in page or feed_url(project) in page
    old = project.calendar_token
    response = client.post(
        "/admin/hotset/project/", {"action": "rotate_calendar_links", "_selected_action": [project.pk]}
    )
    assert response.status_code == 302
    assert refresh(project).calendar_token != old
    assert client.get(feed_url(project, old)).status_code == 404
    assert client.get(feed_url(project)).status_code == 200


def test_a_project_made_in_the_admin_gets_a_working_link(make_user):
    client = Client()
    client.force_login(make_user(None, is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/hotset/project/add/",
        {
            "name": "Admin Made", "timezone": "Europe/London",
            "hotset_settings-TOTAL_FORMS": "0", "hotset_settings-INITIAL_FORMS": "0",
            "hotset_settings-MIN_NUM_FORMS": "0", "hotset_settings-MAX_NUM_FORMS": "1",
        },
    )  # fmt: skip
    assert response.status_code == 302
    project = Project.objects.get(name="Admin Made")
    assert len(project.calendar_token) >= 40
    assert Client().get(feed_url(project)).status_code == 200


def test_rotating_needs_the_change_permission(project, make_user):
    from django.contrib.auth.models import Permission

    viewer = make_user(None, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_project"))
    client = Client()
    client.force_login(viewer)
    old = project.calendar_token
    client.post("/admin/hotset/project/", {"action": "rotate_calendar_links", "_selected_action": [project.pk]})
    assert refresh(project).calendar_token == old


# --- the pure module --------------------------------------------------------------------------


def _day(**fields) -> calendar.ShootDay:
    values = {
        "day_id": 1, "day_number": 1, "date": DAY, "call": local("07:00"), "location": "", "status": "",
        **fields,
    }  # fmt: skip
    return calendar.ShootDay(**values)


@pytest.mark.parametrize(
    ("fields", "end", "basis"),
    [
        ({"planned_wrap": local("19:00")}, local("19:00"), calendar.PLANNED_WRAP),
        ({"planned_wrap": local("19:00"), "extended_wrap": local("20:00")}, local("20:00"), calendar.EXTENDED_WRAP),
        (
            {"planned_wrap": local("19:00"), "status": "wrapped", "actual_wrap": local("18:20")},
            local("18:20"),
            calendar.ACTUAL_WRAP,
        ),
        # A wrap time without a wrapped session (not possible today) is not trusted.
        ({"planned_wrap": local("19:00"), "actual_wrap": local("18:20")}, local("19:00"), calendar.PLANNED_WRAP),
        ({}, local("19:00"), calendar.MAX_DAY),
    ],
)
@pytest.mark.django_db(False)
def test_the_end_is_the_best_wrap_known(fields, end, basis):
    assert calendar.day_end(_day(**fields), max_day_hours=12) == (end, basis)


@pytest.mark.django_db(False)
def test_a_stored_max_day_outside_the_rules_is_held_to_a_day():
    assert calendar.day_end(_day(), max_day_hours=10**9) == (local("07:00") + timedelta(hours=24), calendar.MAX_DAY)
    assert calendar.day_end(_day(), max_day_hours=0) == (local("08:00"), calendar.MAX_DAY)


@pytest.mark.django_db(False)
def test_an_example_event_reads_as_documented():
    body = calendar.feed(
        project_name="The Long Shot",
        zone=LONDON,
        days=[_day(day_id=42, day_number=3, location="Stage 4", planned_wrap=local("19:00"), status="not_started")],
        max_day_hours=12,
        now=datetime(2025, 6, 1, 9, 0, tzinfo=UTC),
    ).decode()
    assert "UID:hotset-day-42@setdesk" in body
    assert "DTSTART;TZID=Europe/London:20250610T070000" in body
    assert "DTEND;TZID=Europe/London:20250610T190000" in body
    assert "DTSTAMP:20250601T090000Z" in body
    assert "SUMMARY:The Long Shot — Day 3" in body
    assert "LOCATION:Stage 4" in body
