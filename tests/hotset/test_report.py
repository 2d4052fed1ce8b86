"""The daily production report: pure maths with worked numbers, then the API (JSON and CSV)."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from hotset import report as rp
from hotset import services
from tests.hotset.factories import local

CALL = datetime(2025, 3, 10, 7, 0, tzinfo=UTC)
RULES = rp.LabourRules()


def at(hhmm: str) -> datetime:
    hours, mins = hhmm.split(":")
    return CALL.replace(hour=int(hours), minute=int(mins))


def done(id, kind, planned, start, end, **fields):
    return rp.Row(id=id, kind=kind, planned_minutes=planned, status="completed", actual_start=at(start),
                  actual_end=at(end), **fields)  # fmt: skip


def worked_day() -> rp.Day:
    rows = (
        done(1, "block", 150, "07:00", "09:30", block_type="crew_call", label="Crew call"),
        done(2, "block", 0, "09:30", "09:30", block_type="first_shot", label="First shot"),
        done(3, "scene", 42, "09:30", "10:20", scene_number="1A", set_name="Kitchen", pages_eighths=12, setups=3),
        done(4, "scene", 30, "10:20", "10:40", scene_number="2B", pages_eighths=6, setups=2, is_partial=True),
        done(5, "scene", 150, "10:40", "13:40", scene_number="3C", pages_eighths=10, setups=4),
        done(6, "block", 30, "13:40", "14:10", block_type="meal", label="Meal"),
        rp.Row(id=7, kind="scene", planned_minutes=60, status="skipped", scene_number="4D", pages_eighths=8, setups=1),
        done(8, "scene", 60, "14:10", "15:00", scene_number="5E", pages_eighths=4, setups=1),
        done(9, "block", 0, "15:00", "15:00", block_type="camera_wrap", label="Camera wrap"),
        rp.Row(id=10, kind="scene", planned_minutes=30, scene_number="6F", pages_eighths=3, setups=1),
    )
    return rp.Day(
        rows=rows,
        call_time=CALL,
        status="wrapped",
        planned_wrap=at("16:00"),
        crew_call_confirmed_at=at("07:00"),
        first_shot_confirmed_at=at("09:30"),
        wrapped_at=at("15:30"),
    )


def test_worked_report():
    r = rp.build(worked_day(), RULES, now=at("18:00"))
    assert r["final"] is True
    assert (r["general_call_time"], r["crew_call_confirmed_at"]) == (at("07:00").isoformat(), at("07:00").isoformat())
    assert r["first_shot_at"] == at("09:30").isoformat()
    assert r["meals"] == [
        {
            "item_id": 6,
            "label": "Meal",
            "start": at("13:40").isoformat(),
            "end": at("14:10").isoformat(),
            "minutes": 30,
            "shorter_than_rule": False,
            "qualifies": True,
            "penalties": 2,
        }
    ]
    assert (r["camera_wrap_at"], r["wrap_at"]) == (at("15:00").isoformat(), at("15:30").isoformat())
    assert (r["scenes_completed"], r["scenes_partial"], r["scenes_not_shot"]) == (3, 1, 2)
    assert [s["scene_number"] for s in r["scenes"]["not_shot"]] == ["4D", "6F"]
    # Pages: 12 + 10 + 4 = 26 eighths = 3 2/8 shot; 6 partial; 8 + 3 not shot.
    assert (r["pages_shot_eighths"], r["pages_shot"]) == (26, "3 2/8")
    assert (r["pages_partial_eighths"], r["pages_not_shot_eighths"], r["pages_scheduled_eighths"]) == (6, 11, 43)
    assert r["setups"] == 3 + 2 + 4 + 1  # completed and partial scenes
    # Variance: 0 + 0 − 8 + 10 − 30 + 0 + 10 + 0 = −18; wrapped 30 min before the planned 16:00.
    assert r["cumulative_variance_minutes"] == -18
    assert r["wrap_variance_minutes"] == 30
    assert r["day_length_minutes"] == 510 and r["over_max_day"] is False
    # Meal due 13:00; started 13:40 → 40 min late (past the 12-min grace) → 2 penalties of 30 min.
    assert r["meal_penalties"] == 2
    assert r["meal_periods"] == [
        {
            "number": 1,
            "due_at": at("13:00").isoformat(),
            "meal_start": at("13:40").isoformat(),
            "late_minutes": 40,
            "penalties": 2,
        }
    ]
    assert (r["overtime_minutes"], r["extended_wrap"], r["turnaround"], r["scenes_moved"]) == (0, None, None, [])


@pytest.mark.parametrize(
    ("meal_start", "penalties"),
    [("12:30", 0), ("13:10", 0), ("13:12", 0), ("13:13", 1), ("13:30", 1), ("13:31", 2), ("14:30", 3)],
)
def test_one_meal_penalties(meal_start, penalties):
    periods = rp.meal_penalties(
        clock_start=CALL, meals=[(at(meal_start), at(meal_start) + timedelta(minutes=30))], end=at("18:00"), rules=RULES
    )
    assert periods[0]["penalties"] == penalties
    assert len(periods) == 1  # 18:00 is before the second meal is due


def test_no_meal_and_a_second_meal_period():
    # No meal, wrap 14:00: 60 min past 13:00 → 2.
    assert rp.meal_penalties(clock_start=CALL, meals=[], end=at("14:00"), rules=RULES)[0]["penalties"] == 2
    assert rp.meal_penalties(clock_start=CALL, meals=[], end=at("13:12"), rules=RULES) == []
    # Meal 12:00–12:30, then the next is due 18:30; wrap 19:45 → 75 min → 3.
    periods = rp.meal_penalties(clock_start=CALL, meals=[(at("12:00"), at("12:30"))], end=at("19:45"), rules=RULES)
    assert [p["penalties"] for p in periods] == [0, 3]
    assert periods[1]["meal_start"] is None and periods[1]["due_at"] == at("18:30")
    # A meal still going on at ``end`` ends the count.
    assert (
        rp.meal_penalties(clock_start=CALL, meals=[(at("13:40"), None)], end=at("14:00"), rules=RULES)[0]["penalties"]
        == 2
    )


@given(st.integers(-120, 600), st.integers(0, 60), st.integers(1, 90))
def test_penalties_follow_the_rule(late, grace, interval):
    rules = rp.LabourRules(grace_minutes=grace, meal_penalty_interval_minutes=interval)
    start = CALL + timedelta(hours=6, minutes=late)
    (period,) = rp.meal_penalties(
        clock_start=CALL, meals=[(start, start + timedelta(minutes=30))], end=start + timedelta(minutes=30), rules=rules
    )
    assert period["penalties"] == (0 if late <= grace else math.ceil(late / interval))


def test_a_day_that_never_started_has_no_penalties():
    day = rp.Day(rows=(rp.Row(id=1, kind="block", planned_minutes=30, block_type="meal"),), call_time=CALL,
                 status="not_started")  # fmt: skip
    r = rp.build(day, RULES, now=at("23:00"))
    assert (r["meal_penalties"], r["day_length_minutes"], r["final"]) == (0, 0, False)
    in_progress = rp.build(rp.Day(rows=day.rows, call_time=CALL, status="in_progress"), RULES, now=at("14:00"))
    assert in_progress["meal_penalties"] == 2  # no meal by 14:00: 60 min past 13:00


def test_pages_and_csv_cells():
    assert [rp.pages(n) for n in (0, 3, 8, 12, 26)] == ["0", "3/8", "1", "1 4/8", "3 2/8"]
    day = worked_day()
    rows = (*day.rows[:2], rp.Row(id=99, kind="scene", planned_minutes=5, scene_number="=SUM(A1)"))
    text = rp.to_csv(rp.build(rp.Day(rows=rows, call_time=CALL, status="in_progress"), RULES, now=at("10:00")))
    assert "'=SUM(A1)" in text  # no formula injection


# --- API ------------------------------------------------------------------------------------

BASE = "/api/v1/hotset"


@pytest.fixture
def wrapped_day(session, add_item, at_local):
    add_item(150, "block", block_type="crew_call")
    a = add_item(42, scene_number="1A", set_name="Kitchen", pages_eighths=12, setups=3)
    meal = add_item(30, "block", block_type="meal")
    b = add_item(60, scene_number="2B", set_name="Street", pages_eighths=6, setups=2)
    add_item(30, scene_number="3C", pages_eighths=4, setups=1)
    at_local("16:00")
    services.confirm_crew_call(session=session, user=None, at=local("07:00"), now=timezone.now())
    services.confirm_first_shot(session=session, user=None, at=local("09:30"), now=timezone.now())
    services.complete_item(item=a, at=local("13:20"), now=timezone.now())  # long scene: the meal is late
    services.start_item(item=meal, at=local("13:20"), now=timezone.now())
    services.complete_item(item=meal, at=local("13:50"), now=timezone.now())
    services.start_item(item=b, at=local("13:50"), now=timezone.now())
    services.complete_item(item=b, at=local("14:40"), partial=True, now=timezone.now())
    services.wrap_session(session=session, at=local("15:00"), now=timezone.now())
    return session


@pytest.mark.django_db
def test_report_json(api_as, wrapped_day):
    r = api_as("producer").get(f"{BASE}/sessions/{wrapped_day.pk}/report/")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["final"] is True
    assert body["crew_call_confirmed_at"] == "2025-06-10T07:00:00+01:00"
    assert body["wrap_at"] == "2025-06-10T15:00:00+01:00"
    assert body["meals"][0]["start"] == "2025-06-10T13:20:00+01:00"
    assert (body["scenes_completed"], body["scenes_partial"], body["scenes_not_shot"]) == (1, 1, 1)
    assert (body["pages_shot_eighths"], body["pages_shot"], body["setups"]) == (12, "1 4/8", 5)
    # 13:20 is 20 min past the 13:00 due time (past the 12-min grace) → 1 penalty.
    assert (body["meal_penalties"], body["meal_periods"][0]["late_minutes"]) == (1, 20)
    # Variance: crew call 0 (07:00–09:30), 1A 42 − 230 = −188, meal 0, 2B 60 − 50 = +10.
    assert body["cumulative_variance_minutes"] == -178


@pytest.mark.django_db
def test_report_csv(api_as, wrapped_day):
    r = api_as("first_ad").get(f"{BASE}/sessions/{wrapped_day.pk}/report/", {"format": "csv"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    summary = {row[0]: row[1] for row in rows if len(row) == 2}
    assert summary["Meal penalties"] == "1"
    assert summary["Pages shot"] == "1 4/8"
    assert summary["Wrap"] == "2025-06-10T15:00:00+01:00"
    assert ["1A", "Kitchen", "completed", "1 4/8", "12", "3", "42", "230"] in rows
    assert ["3C", "", "not shot", "4/8", "4", "1", "30", ""] in rows
    # Asking by Accept header works too.
    r = api_as("producer").get(f"{BASE}/sessions/{wrapped_day.pk}/report/", HTTP_ACCEPT="text/csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")


@pytest.mark.django_db
def test_report_errors(api, api_as, session):
    assert api.get(f"{BASE}/sessions/{session.pk}/report/").status_code == 401
    assert api_as("first_ad").get(f"{BASE}/sessions/999999/report/").status_code == 404
    assert api_as("first_ad").get(f"{BASE}/sessions/999999/report/", {"format": "csv"}).status_code == 404
    assert api_as("first_ad").get(f"{BASE}/sessions/{session.pk}/report/", {"format": "xml"}).status_code == 404
    r = api_as("first_ad").get(f"{BASE}/sessions/{session.pk}/report/")
    assert r.status_code == 200 and r.json()["final"] is False  # before wrap: an interim report


# --- the report's penalties against a minute-by-minute count of SPEC §1's rule -----------------


def _brute_force_penalties(clock_start, meals, wrap, rules) -> int:
    """Walks the day minute by minute: the clock runs from call (or the end of the last real meal);
    at due + k·interval, still without a real meal, one more interval has started; a real meal
    starting within the grace forgives its stretch. Meals are (start, end) in whole minutes."""
    due_after = rules.meal_due_hours_after_call * 60
    since = 0
    started = 0  # intervals started in the current stretch
    total = 0
    minute_of = {int((start - clock_start).total_seconds() // 60): (start, end) for start, end in meals}
    end_minute = int((wrap - clock_start).total_seconds() // 60)
    t = 0
    while t < end_minute:
        meal = minute_of.get(t)
        if meal is not None and t >= since and (meal[1] - meal[0]).total_seconds() >= rules.meal_minutes * 60:
            if t > since + due_after + rules.grace_minutes:
                total += started
            since, started = int((meal[1] - clock_start).total_seconds() // 60), 0
            t += 1
            continue
        if t >= since + due_after and (t - since - due_after) % rules.meal_penalty_interval_minutes == 0:
            started += 1
        t += 1
    if end_minute > since + due_after + rules.grace_minutes:
        total += started
    return total


@st.composite
def logged_days(draw):
    """A wrapped day: call 07:00, scenes and meals back to back (some meals short), random rules."""
    rules = rp.LabourRules(
        meal_due_hours_after_call=draw(st.integers(2, 7)),
        meal_minutes=draw(st.sampled_from([20, 30, 45])),
        grace_minutes=draw(st.integers(0, 30)),
        meal_penalty_interval_minutes=draw(st.sampled_from([15, 30, 60])),
    )
    rows, cursor = [], CALL
    for index in range(draw(st.integers(1, 12))):
        is_meal = draw(st.booleans())
        length = draw(st.integers(0, 60) if is_meal else st.integers(10, 240))
        end = cursor + timedelta(minutes=length)
        kind, block = ("block", "meal") if is_meal else ("scene", "")
        rows.append(
            rp.Row(
                id=index + 1,
                kind=kind,
                block_type=block,
                planned_minutes=length,
                status="completed",
                actual_start=cursor,
                actual_end=end,
            )  # fmt: skip
        )
        cursor = end + timedelta(minutes=draw(st.integers(0, 20)))
    wrap = cursor + timedelta(minutes=draw(st.integers(0, 120)))
    day = rp.Day(rows=tuple(rows), call_time=CALL, status="wrapped", crew_call_confirmed_at=CALL, wrapped_at=wrap)
    return day, rules


@given(logged_days())
def test_report_penalties_equal_a_minute_by_minute_count(case):
    day, rules = case
    meals = [(r.actual_start, r.actual_end) for r in day.rows if r.block_type == "meal"]
    expected = _brute_force_penalties(CALL, meals, day.wrapped_at, rules)
    assert rp.build(day, rules, now=day.wrapped_at)["meal_penalties"] == expected
