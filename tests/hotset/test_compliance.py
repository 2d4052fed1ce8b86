"""Hot set numbers a 1st AD and a payroll accountant can trust (issue 10): project-zone times for
every naive input, a late start that never reads "ahead", the pre-call reminder without auto-start."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from hotset import selectors, services
from hotset.models import Notification
from tests.hotset.factories import local, refresh

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotset"
LA = zoneinfo.ZoneInfo("America/Los_Angeles")
LA_DAY = date(2025, 8, 5)  # PDT: UTC−7


def la(hhmm: str) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime(LA_DAY.year, LA_DAY.month, LA_DAY.day, hours, minutes, tzinfo=LA)


@pytest.fixture
def la_session(db):
    project = services.create_project(name="Sunset Boulevard", timezone_name="America/Los_Angeles")
    day = services.create_production_day(
        project=project, date=LA_DAY, day_number=1, general_call_time=la("07:00"), planned_wrap=la("19:00")
    )
    session = services.create_session(production_day=day)
    for values in (
        {"kind": "block", "block_type": "crew_call", "planned_duration_minutes": 60},
        {"kind": "scene", "scene_number": "1", "planned_duration_minutes": 120},
    ):
        services.add_item(session=session, values=values, now=timezone.now())
    return session


@pytest.fixture
def ad(api_as):
    return api_as("first_ad")


# --- times without an offset are the project's ------------------------------------------------


def test_an_action_time_without_offset_is_read_in_the_project_zone(ad, la_session, time_machine):
    time_machine.move_to(la("12:00"), tick=False)
    r = ad.post(f"{BASE}/sessions/{la_session.pk}/confirm-crew-call/", {"at": "2025-08-05T07:00:00"}, format="json")
    assert r.status_code == 200, r.json()
    assert refresh(la_session).crew_call_confirmed_at == la("07:00")
    assert r.json()["crew_call_confirmed_at"] == "2025-08-05T07:00:00-07:00"
    report = ad.get(f"{BASE}/sessions/{la_session.pk}/report/").json()
    assert report["meal_penalties"] == 0  # 07:00 to 12:00 LA: the meal is not even due


def test_an_item_action_time_without_offset_is_read_in_the_project_zone(ad, la_session, time_machine):
    time_machine.move_to(la("12:00"), tick=False)
    item = la_session.items.order_by("position").last()
    r = ad.post(f"{BASE}/items/{item.pk}/start/", {"at": "2025-08-05T08:15:00"}, format="json")
    assert r.status_code == 200, r.json()
    assert refresh(item).actual_start == la("08:15")
    r = ad.post(f"{BASE}/items/{item.pk}/complete/", {"at": "2025-08-05T10:15:00", "partial": True}, format="json")
    assert r.status_code == 200, r.json()
    assert refresh(item).actual_end == la("10:15")


def test_projection_at_without_offset_is_read_in_the_project_zone(ad, la_session):
    r = ad.get(f"{BASE}/sessions/{la_session.pk}/projection/", {"at": "2025-08-05T07:30:00"})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["at"] == "2025-08-05T07:30:00-07:00"
    assert body["expected_item_id"] == la_session.items.order_by("position").first().pk


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00", "9999-12-31T23:59:59"])
def test_projection_at_the_calendars_edge_is_a_400(ad, la_session, moment):
    r = ad.get(f"{BASE}/sessions/{la_session.pk}/projection/", {"at": moment})
    assert r.status_code == 400, r.content
    assert "at" in r.json()["errors"]


# --- a late start never reads "ahead" ---------------------------------------------------------


def test_a_crew_call_nine_hours_late_is_behind_in_both_figures(session, standard_day):
    crew_call = standard_day["crew_call"]
    late = local("16:00")  # planned call 07:00
    services.confirm_crew_call(session=session, user=None, at=late, now=timezone.now())
    services.complete_item(item=refresh(crew_call), at=late, now=timezone.now())  # the 150-min block "done" in 0 min
    data = selectors.projection(session.pk, now=late)
    assert data["realtime_deviation_minutes"] < 0
    assert data["cumulative_variance_minutes"] == -540 + 150
    assert data["cumulative_variance_minutes"] < 0
    report = selectors.report(refresh(session), now=late)
    assert report["cumulative_variance_minutes"] == -540 + 150


def test_a_crew_call_confirmed_early_counts_as_time_gained(session, standard_day):
    services.confirm_crew_call(session=session, user=None, at=local("06:50"), now=timezone.now())
    data = selectors.projection(session.pk, now=local("07:00"))
    assert data["cumulative_variance_minutes"] == 10


# --- the pre-call reminder follows notifications alone ----------------------------------------


def test_the_pre_call_reminder_is_sent_with_auto_start_off(session, make_user):
    make_user("first_ad")
    services.update_settings(project=session.production_day.project, auto_start_enabled=False)
    services.auto_start_sessions(now=local("06:00"))
    services.auto_start_sessions(now=local("06:01"))
    assert list(Notification.objects.values_list("kind", flat=True)) == ["pre_call"]
    assert refresh(session).status == "not_started"


def test_no_pre_call_reminder_with_notifications_off(session, make_user):
    make_user("first_ad")
    services.update_settings(
        project=session.production_day.project, auto_start_enabled=False, notifications_enabled=False
    )
    services.auto_start_sessions(now=local("06:00"))
    assert not Notification.objects.exists()


def test_times_in_responses_carry_the_offset(ad, la_session):
    body = ad.get(f"{BASE}/sessions/{la_session.pk}/projection/", {"at": "2025-08-05T14:30:00Z"}).json()
    assert body["at"] == "2025-08-05T07:30:00-07:00"
    assert datetime.fromisoformat(body["general_call_time"]).astimezone(UTC) == la("07:00").astimezone(UTC)


# --- meals: only a real meal stops the clock; every meal counts ------------------------------


def _log(session, block, start, end):
    item = services.add_item(session=session, values=block, now=timezone.now())
    services.start_item(item=item, at=start, now=timezone.now())
    services.complete_item(item=refresh(item), at=end, now=timezone.now())
    return item


def test_a_walking_lunch_does_not_stop_the_meal_clock(la_session):
    """SPEC §1's example: call 07:00, a 5-min walking lunch at 13:10, wrap 16:30 → 7 penalties."""
    services.confirm_crew_call(session=la_session, user=None, at=la("07:00"), now=timezone.now())
    services.complete_item(item=la_session.items.order_by("position").first(), at=la("08:00"), now=timezone.now())
    scene = la_session.items.order_by("position").last()
    services.start_item(item=scene, at=la("08:00"), now=timezone.now())
    services.complete_item(item=refresh(scene), at=la("13:10"), now=timezone.now())
    _log(la_session, {"kind": "block", "block_type": "meal", "planned_duration_minutes": 5}, la("13:10"), la("13:15"))
    services.wrap_session(session=refresh(la_session), at=la("16:30"), now=timezone.now())
    report = selectors.report(refresh(la_session), now=la("18:00"))
    assert report["meal_penalties"] == 7
    assert report["meals"][0]["qualifies"] is False
    assert [(p["number"], p["meal_start"], p["penalties"]) for p in report["meal_periods"]] == [(1, None, 7)]


def test_a_second_meal_late_costs_penalties_live_and_in_the_report(session, add_item):
    meal = {"kind": "block", "block_type": "meal", "planned_duration_minutes": 30}
    services.confirm_crew_call(session=session, user=None, at=local("07:00"), now=timezone.now())
    _log(session, {"kind": "scene", "planned_duration_minutes": 300}, local("07:00"), local("12:00"))
    _log(session, meal, local("12:00"), local("12:30"))  # first meal on time; the next is due 18:30
    _log(session, {"kind": "scene", "planned_duration_minutes": 390}, local("12:30"), local("19:00"))
    add_item(120)  # still to shoot: the projected wrap is 21:00, no second meal planned
    live = selectors.projection(session.pk, now=local("19:00"))["labour"]
    assert (live["meal_number"], live["meal_due_at"], live["meal_penalty_at"]) == (
        2,
        local("18:30").isoformat(),
        local("18:42").isoformat(),
    )
    assert live["projected_meal_penalties"] == 5  # 18:30 → 21:00: 150 min
    services.wrap_session(session=refresh(session), at=local("19:45"), now=timezone.now())
    report = selectors.report(refresh(session), now=local("20:00"))
    assert [(p["number"], p["penalties"]) for p in report["meal_periods"]] == [(1, 0), (2, 3)]
    assert report["meal_penalties"] == 3


def test_the_labour_block_counts_day_length_and_turnaround_to_the_next_call(session, standard_day):
    day = session.production_day
    services.create_production_day(
        project=day.project, date=date(2025, 6, 11), day_number=2, general_call_time=local("06:00", date(2025, 6, 11))
    )
    services.confirm_crew_call(session=session, user=None, at=local("07:00"), now=timezone.now())
    services.update_item(item=standard_day["3C"], planned_duration_minutes=600, now=timezone.now())  # wrap 21:12
    labour = selectors.projection(session.pk, now=local("07:00"))["labour"]
    assert labour["max_day_at"] == local("19:00").isoformat()
    assert labour["max_day_minutes"] == 12 * 60
    assert labour["day_length_minutes"] == 14 * 60 + 12
    assert labour["turnaround"] == {
        "next_call": local("06:00", date(2025, 6, 11)).isoformat(),
        "rest_minutes": 8 * 60 + 48,
        "short_by_minutes": 72,
    }


def test_the_labour_block_has_no_turnaround_without_a_next_day(session, standard_day):
    assert selectors.projection(session.pk, now=local("07:00"))["labour"]["turnaround"] is None


# --- the report: moved scenes, overtime against the original plan ----------------------------


def test_overtime_counts_from_the_original_planned_wrap_after_an_extension(session, standard_day):
    services.confirm_crew_call(session=session, user=None, at=local("07:00"), now=timezone.now())
    services.update_production_day(day=session.production_day, extended_wrap=local("20:00"), now=timezone.now())
    services.wrap_session(session=refresh(session), at=local("20:15"), now=timezone.now())
    report = selectors.report(refresh(session), now=local("21:00"))
    assert report["planned_wrap"] == local("19:00").isoformat()
    assert report["extended_wrap"] == local("20:00").isoformat()
    assert report["overtime_minutes"] == 75
