"""hotset/timeline.py: worked examples and properties (hypothesis). Pure: no database."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hotset import timeline as tl
from hotset.timeline import COMPLETED, IN_PROGRESS, PENDING, SKIPPED, Interval, Item

CALL = datetime(2025, 3, 10, 7, 0, tzinfo=UTC)


def at(hhmm: str) -> datetime:
    hours, mins = hhmm.split(":")
    return CALL.replace(hour=int(hours), minute=int(mins))


def m(n: int) -> timedelta:
    return timedelta(minutes=n)


# --- worked examples --------------------------------------------------------------


def test_spec_example_scene_1a_still_shooting_at_1030_is_18_behind():
    # Crew call 07:00–09:30 (150 min), then scene 1A planned 09:30–10:12 (42 min), then 2B.
    items = [
        Item(1, 150, COMPLETED, actual_start=at("07:00"), actual_end=at("09:30")),
        Item(2, 42, IN_PROGRESS, actual_start=at("09:30")),
        Item(3, 30),
    ]
    p = tl.project(items, call_time=CALL, now=at("10:30"))
    assert p.items[1].planned == Interval(at("09:30"), at("10:12"))
    assert p.schedule_position == at("10:12")
    assert p.realtime_deviation_minutes == -18
    assert p.cumulative_variance_minutes == 0
    assert p.current_item_id == 2
    assert p.expected_item_id == 3  # 10:30 falls in 2B's planned 10:12–10:42
    assert p.next_item_id == 3
    # 1A runs on until now; 2B chains from it.
    assert p.items[1].projected == Interval(at("09:30"), at("10:30"))
    assert p.items[2].projected == Interval(at("10:30"), at("11:00"))
    assert p.projected_wrap == at("11:00")
    assert p.planned_end == at("10:42")
    assert p.wrap_variance_minutes == -18
    assert p.items[1].elapsed_minutes == 60


def test_in_progress_item_within_plan_is_on_schedule():
    items = [Item(1, 60, IN_PROGRESS, actual_start=at("07:00")), Item(2, 30)]
    p = tl.project(items, call_time=CALL, now=at("07:40"))
    assert p.realtime_deviation_minutes == 0
    assert p.items[0].projected == Interval(at("07:00"), at("08:00"))
    assert p.items[1].projected == Interval(at("08:00"), at("08:30"))


def test_late_start_of_the_current_item_is_behind_even_within_its_duration():
    items = [Item(1, 60, IN_PROGRESS, actual_start=at("07:15"))]
    p = tl.project(items, call_time=CALL, now=at("07:45"))
    assert p.schedule_position == at("07:30")
    assert p.realtime_deviation_minutes == -15


def test_cumulative_variance_signs():
    items = [
        Item(1, 30, COMPLETED, actual_start=at("07:00"), actual_end=at("07:20")),  # +10 saved
        Item(2, 30, COMPLETED, actual_start=at("07:20"), actual_end=at("08:05")),  # −15 over
        Item(3, 30, SKIPPED),
        Item(4, 30),
    ]
    p = tl.project(items, call_time=CALL, now=at("08:05"))
    assert [r.variance_minutes for r in p.items] == [10, -15, None, None]
    assert p.cumulative_variance_minutes == -5
    # Nothing in progress: position = planned end of the last completed item (08:00).
    assert p.schedule_position == at("08:00")
    assert p.realtime_deviation_minutes == -5
    # Skipped takes no time; pending 4 starts now.
    assert p.items[2].projected == Interval(at("08:05"), at("08:05"))
    assert p.items[3].projected == Interval(at("08:05"), at("08:35"))


def test_ahead_when_idle_before_the_planned_end_of_the_last_completed_item():
    items = [Item(1, 60, COMPLETED, actual_start=at("07:00"), actual_end=at("07:40")), Item(2, 30)]
    p = tl.project(items, call_time=CALL, now=at("07:45"))
    assert p.realtime_deviation_minutes == 15
    assert p.cumulative_variance_minutes == 20


def test_before_the_day_starts_nothing_is_ahead_and_projection_equals_plan():
    items = [Item(1, 60), Item(2, 30, planned_start=at("09:00")), Item(3, 15)]
    p = tl.project(items, call_time=CALL, now=at("05:00"))
    assert p.realtime_deviation_minutes == 0
    assert [r.projected for r in p.items] == [r.planned for r in p.items]
    assert p.items[1].planned == Interval(at("09:00"), at("09:30"))
    assert p.items[2].planned == Interval(at("09:30"), at("09:45"))
    assert p.expected_item_id is None and p.current_item_id is None
    assert p.next_item_id == 1


def test_late_to_start_is_behind():
    items = [Item(1, 60), Item(2, 30)]
    p = tl.project(items, call_time=CALL, now=at("07:20"))
    assert p.realtime_deviation_minutes == -20
    assert p.expected_item_id == 1
    assert p.items[0].projected == Interval(at("07:20"), at("08:20"))


def test_pending_item_with_a_later_explicit_start_waits_for_it():
    items = [
        Item(1, 30, COMPLETED, actual_start=at("07:00"), actual_end=at("07:30")),
        Item(2, 60, planned_start=at("09:00")),
    ]
    p = tl.project(items, call_time=CALL, now=at("07:30"))
    assert p.items[1].projected == Interval(at("09:00"), at("10:00"))


def test_out_of_order_work_never_overlaps_in_the_projection():
    # 2 was shot before 1; 1 is still to do and 3 must come after it.
    items = [Item(1, 60), Item(2, 30, COMPLETED, actual_start=at("07:00"), actual_end=at("07:30")), Item(3, 30)]
    p = tl.project(items, call_time=CALL, now=at("07:30"))
    assert p.items[0].projected == Interval(at("07:30"), at("08:30"))
    assert p.items[2].projected == Interval(at("08:30"), at("09:00"))


def test_no_items():
    p = tl.project([], call_time=CALL, now=at("08:00"))
    assert p.projected_wrap is None and p.planned_end is None
    assert p.realtime_deviation_minutes == 0 and p.cumulative_variance_minutes == 0


def test_minutes_rounds_half_up_both_signs():
    assert tl.minutes(timedelta(seconds=89)) == 1
    assert tl.minutes(timedelta(seconds=90)) == 2
    assert tl.minutes(timedelta(seconds=-90)) == -1
    assert tl.minutes(timedelta(seconds=-91)) == -2


def test_state_at_forgets_what_happened_later():
    items = [
        Item(1, 30, COMPLETED, actual_start=at("07:00"), actual_end=at("07:30")),
        Item(2, 30, COMPLETED, actual_start=at("07:30"), actual_end=at("08:10")),
        Item(3, 30, SKIPPED, skipped_at=at("08:10")),
        Item(4, 30, IN_PROGRESS, actual_start=at("08:10")),
    ]
    then = tl.state_at(items, at("07:50"))
    assert [i.status for i in then] == [COMPLETED, IN_PROGRESS, PENDING, PENDING]
    assert then[1].actual_end is None and then[3].actual_start is None
    p = tl.project(then, call_time=CALL, now=at("07:50"))
    assert p.current_item_id == 2
    assert p.realtime_deviation_minutes == 0  # 20 min into a 30 min item planned 07:30


def test_module_imports_no_django():
    source = Path(tl.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "math", "collections", "dataclasses", "datetime", "typing"}


# --- properties ---------------------------------------------------------------------

durations = st.integers(min_value=0, max_value=180)


@st.composite
def plans(draw, min_size=0, max_size=12):
    """Pending items: durations, some with explicit planned starts (minutes after call)."""
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    items = []
    for i in range(n):
        explicit = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=900)))
        items.append(Item(i + 1, draw(durations), planned_start=CALL + m(explicit) if explicit is not None else None))
    return items


@st.composite
def days_in_progress(draw):
    """A day worked in order: some items done (actual durations and gaps drawn), maybe one in
    progress, the rest pending or skipped; ``now`` at or after the last thing that happened."""
    items = draw(plans(min_size=1))
    clock = CALL + m(draw(st.integers(min_value=-30, max_value=120)))
    done = draw(st.integers(min_value=0, max_value=len(items)))
    out = []
    for i, item in enumerate(items):
        if i < done:
            if draw(st.booleans()) and draw(st.booleans()):
                out.append(replace(item, status=SKIPPED, skipped_at=clock))
                continue
            clock += m(draw(st.integers(min_value=0, max_value=20)))
            start = clock
            clock += m(draw(st.integers(min_value=0, max_value=240))) + timedelta(seconds=draw(st.integers(0, 59)))
            out.append(replace(item, status=COMPLETED, actual_start=start, actual_end=clock))
        elif i == done and draw(st.booleans()):
            start = clock + m(draw(st.integers(min_value=0, max_value=20)))
            clock = start
            out.append(replace(item, status=IN_PROGRESS, actual_start=start))
        else:
            out.append(item)
    now = clock + m(draw(st.integers(min_value=0, max_value=600)))
    return out, now


@settings(max_examples=200, deadline=None)
@given(days_in_progress())
def test_cumulative_variance_is_the_sum_of_per_item_variances(day):
    items, now = day
    p = tl.project(items, call_time=CALL, now=now)
    per_item = [r.variance_minutes for r in p.items if r.variance_minutes is not None]
    assert p.cumulative_variance_minutes == sum(per_item)
    assert len(per_item) == sum(1 for i in items if i.status == COMPLETED)
    for item, row in zip(items, p.items, strict=True):
        if item.status == COMPLETED:
            assert row.variance_minutes == item.planned_minutes - tl.minutes(item.actual_end - item.actual_start)


@settings(max_examples=200, deadline=None)
@given(plans(min_size=1), st.data())
def test_every_item_on_plan_means_both_numbers_are_zero(items, data):
    planned = tl.planned_timeline(items, CALL)
    done = data.draw(st.integers(min_value=0, max_value=len(items)), label="done")
    worked = [
        replace(item, status=COMPLETED, actual_start=p.start, actual_end=p.end)
        for item, p in zip(items[:done], planned[:done], strict=True)
    ]
    rest = list(items[done:])
    if rest and data.draw(st.booleans(), label="one in progress"):
        j = done
        elapsed = data.draw(st.integers(min_value=0, max_value=items[j].planned_minutes), label="elapsed")
        worked.append(replace(items[j], status=IN_PROGRESS, actual_start=planned[j].start))
        now = planned[j].start + m(elapsed)
        worked.extend(rest[1:])
    else:
        worked.extend(rest)
        now = planned[done - 1].end if done else planned[0].start
    p = tl.project(worked, call_time=CALL, now=now)
    assert p.cumulative_variance_minutes == 0
    assert p.realtime_deviation_minutes == 0


@settings(max_examples=300, deadline=None)
@given(days_in_progress())
def test_projected_wrap_is_never_before_now_while_work_remains(day):
    items, now = day
    p = tl.project(items, call_time=CALL, now=now)
    if any(i.status in (PENDING, IN_PROGRESS) for i in items):
        assert p.projected_wrap >= now
    for item, row in zip(items, p.items, strict=True):
        assert row.projected.end >= row.projected.start
        if item.status == PENDING:
            assert row.projected.start >= now


@settings(max_examples=200, deadline=None)
@given(plans(min_size=1), st.lists(st.integers(min_value=0, max_value=240), min_size=12, max_size=12))
def test_completing_items_in_order_never_changes_the_planned_timeline(items, actual_minutes):
    before = tl.planned_timeline(items, CALL)
    clock = CALL
    current = list(items)
    for i in range(len(items)):
        current[i] = replace(current[i], status=IN_PROGRESS, actual_start=clock)
        assert tl.planned_timeline(current, CALL) == before
        clock += m(actual_minutes[i])
        current[i] = replace(current[i], status=COMPLETED, actual_end=clock)
        assert tl.planned_timeline(current, CALL) == before
        assert tl.project(current, call_time=CALL, now=clock).items[i].planned == before[i]


@settings(max_examples=100, deadline=None)
@given(days_in_progress())
def test_state_at_now_changes_nothing_and_state_at_call_is_a_fresh_day(day):
    items, now = day
    assert tl.state_at(items, now) == items
    fresh = tl.state_at(items, CALL - m(31))
    assert all(i.status in (PENDING, SKIPPED) for i in fresh)
