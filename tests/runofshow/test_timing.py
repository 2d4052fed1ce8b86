"""runofshow/timing.py: worked examples and properties (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runofshow.timing import COMPLETED, IN_PROGRESS, PENDING, SKIPPED, SegmentInput, compute

T0 = datetime(2030, 5, 1, 19, 0, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def rundown(durations, gaps=None, start=T0):
    """Pending segments in order, each after the one before plus its gap."""
    gaps = gaps or [0] * len(durations)
    segments, at = [], start
    for index, (duration, gap) in enumerate(zip(durations, gaps, strict=True), start=1):
        at += minutes(gap)
        segments.append(SegmentInput(id=index, order=index, planned_start=at, planned_minutes=duration))
        at += minutes(duration)
    return segments


def run(segments, *, done: dict[int, tuple[float, float]], live: tuple[int, float] | None = None):
    """Marks segments completed (id → start/end minutes after T0) and one in progress."""
    out = []
    for segment in segments:
        if segment.id in done:
            start, end = done[segment.id]
            segment = SegmentInput(
                segment.id, segment.order, segment.planned_start, segment.planned_minutes, COMPLETED,
                T0 + minutes(start), T0 + minutes(end),
            )  # fmt: skip
        elif live and segment.id == live[0]:
            segment = SegmentInput(
                segment.id, segment.order, segment.planned_start, segment.planned_minutes, IN_PROGRESS,
                T0 + minutes(live[1]),
            )  # fmt: skip
        out.append(segment)
    return out


# --- Worked examples -------------------------------------------------------------


def test_empty_show():
    timing = compute([], now=T0)
    assert timing.expected_end is None
    assert timing.offset_seconds == 0
    assert timing.ahead_behind == "on_time"


def test_before_the_show_everything_is_planned_and_on_time():
    timing = compute(rundown([10, 20, 5]), now=T0 - minutes(30))
    assert timing.planned_end == T0 + minutes(35)
    assert timing.expected_end == T0 + minutes(35)
    assert timing.offset_seconds == 0
    assert timing.expected_segment_id is None
    assert timing.next_segment_id == 1
    assert [s.over_under_seconds for s in timing.segments] == [None, None, None]


def test_not_started_after_planned_start_is_behind_by_the_wait():
    timing = compute(rundown([10, 20]), now=T0 + minutes(4))
    assert timing.offset_seconds == 4 * 60
    assert timing.ahead_behind == "behind"
    assert timing.expected_segment_id == 1


def test_segment_running_over_pushes_the_end_of_show():
    # Segment 1 planned 19:00-19:10, started on time, still running at 19:13.
    segments = run(rundown([10, 20, 5]), done={}, live=(1, 0))
    timing = compute(segments, now=T0 + minutes(13))
    first = timing.segments[0]
    assert first.over_under_seconds == 3 * 60
    assert first.actual_seconds == 13 * 60
    assert first.projected_end == T0 + minutes(13)
    assert timing.expected_end == T0 + minutes(38)
    assert timing.offset_seconds == 3 * 60  # positive = behind
    assert timing.ahead_behind == "behind"
    assert timing.active_segment_id == 1
    assert timing.next_segment_id == 2
    assert timing.expected_segment_id == 2


def test_segment_in_progress_under_its_time_shows_no_overrun_yet():
    segments = run(rundown([10, 20]), done={}, live=(1, 0))
    timing = compute(segments, now=T0 + minutes(4))
    assert timing.segments[0].over_under_seconds == 0
    assert timing.offset_seconds == 0


def test_segment_finished_early_puts_the_show_ahead():
    # Segment 1 ran 19:00-19:07 (3 min under); segment 2 went live at once.
    segments = run(rundown([10, 20, 5]), done={1: (0, 7)}, live=(2, 7))
    timing = compute(segments, now=T0 + minutes(8))
    assert timing.segments[0].over_under_seconds == -3 * 60
    assert timing.expected_end == T0 + minutes(32)
    assert timing.offset_seconds == -3 * 60
    assert timing.ahead_behind == "ahead"


def test_idle_gap_between_segments_counts_as_time_lost():
    # Segment 1 done on time at 19:10, nobody has activated segment 2 by 19:12.
    segments = run(rundown([10, 20]), done={1: (0, 10)})
    timing = compute(segments, now=T0 + minutes(12))
    assert timing.segments[1].projected_start == T0 + minutes(12)
    assert timing.offset_seconds == 2 * 60
    assert timing.active_segment_id is None
    assert timing.next_segment_id == 2


def test_planned_gaps_are_kept_in_the_projection():
    # 19:00-19:10, a 5 min planned pause, 19:15-19:25.
    segments = run(rundown([10, 10], gaps=[0, 5]), done={1: (0, 10)})
    timing = compute(segments, now=T0 + minutes(11))
    assert timing.planned_end == T0 + minutes(25)
    assert timing.segments[1].projected_start == T0 + minutes(15)
    assert timing.offset_seconds == 0


def test_all_done_offset_is_how_late_the_show_ended():
    segments = run(rundown([10, 20]), done={1: (1, 12), 2: (12, 31)})
    timing = compute(segments, now=T0 + minutes(40))
    assert timing.expected_end == T0 + minutes(31)
    assert timing.offset_seconds == 60
    assert timing.ahead_behind == "behind"
    assert [s.over_under_seconds for s in timing.segments] == [60, -60]
    assert timing.next_segment_id is None


def test_skipped_pending_segment_still_counts_after_the_live_one():
    # The caller jumped from 1 to 3; segment 2 is still to come, after 3.
    segments = run(rundown([10, 10, 10]), done={1: (0, 10)}, live=(3, 10))
    timing = compute(segments, now=T0 + minutes(11))
    assert timing.segments[1].projected_start == T0 + minutes(20)
    assert timing.expected_end == T0 + minutes(30)
    assert timing.next_segment_id == 2


def test_on_time_tolerance():
    segments = run(rundown([10, 10]), done={1: (0, 10.4)}, live=(2, 10.4))
    timing = compute(segments, now=T0 + minutes(11))
    assert timing.offset_seconds == 24
    assert timing.ahead_behind == "on_time"


def test_two_segments_in_progress_is_refused():
    segments = run(rundown([10, 10]), done={}, live=(1, 0))
    segments[1] = SegmentInput(2, 2, T0 + minutes(10), 10, IN_PROGRESS, T0)
    with pytest.raises(ValueError, match="at most one"):
        compute(segments, now=T0)


def test_unknown_status_is_refused():
    with pytest.raises(ValueError, match="unknown status"):
        compute([SegmentInput(1, 1, T0, 10, "postponed")], now=T0)


def test_completed_without_actuals_reads_as_planned():
    segment = SegmentInput(1, 1, T0, 10, COMPLETED)
    timing = compute([segment], now=T0 + minutes(20))
    assert timing.segments[0].over_under_seconds is None
    assert timing.offset_seconds == 0


# --- Properties ----------------------------------------------------------------

durations_st = st.lists(st.integers(min_value=1, max_value=90), min_size=1, max_size=12)


@st.composite
def planned_rundowns(draw):
    durations = draw(durations_st)
    gaps = [0] + draw(st.lists(st.integers(0, 15), min_size=len(durations) - 1, max_size=len(durations) - 1))
    return rundown(durations, gaps)


@st.composite
def shows_in_progress(draw):
    """A rundown with some prefix completed (random actuals) and maybe one live, plus a `now` after them."""
    segments = draw(planned_rundowns())
    done_count = draw(st.integers(0, len(segments)))
    cursor = draw(st.floats(-10, 30, allow_nan=False))
    done = {}
    for segment in segments[:done_count]:
        length = draw(st.floats(0, 120, allow_nan=False))
        done[segment.id] = (cursor, cursor + length)
        cursor += length + draw(st.floats(0, 5, allow_nan=False))
    live = None
    if done_count < len(segments) and draw(st.booleans()):
        live = (segments[done_count].id, cursor)
    now = T0 + minutes(cursor + draw(st.floats(0, 200, allow_nan=False)))
    return run(segments, done=done, live=live), now


@given(planned_rundowns(), st.floats(0, 600, allow_nan=False))
def test_property_before_the_show_starts_nothing_is_off(segments, minutes_before):
    timing = compute(segments, now=T0 - minutes(minutes_before))
    assert timing.expected_end == timing.planned_end
    assert timing.offset_seconds == 0


@given(planned_rundowns(), st.data())
def test_property_a_show_run_exactly_to_plan_is_on_time(segments, data):
    """Each segment activated at its planned start and completed at its planned end: offset 0,
    every over/under 0, whatever moment inside the live segment we look."""
    live_index = data.draw(st.integers(0, len(segments) - 1))
    live = segments[live_index]
    done = {
        s.id: ((s.planned_start - T0) / minutes(1), (s.planned_end - T0) / minutes(1)) for s in segments[:live_index]
    }
    into = data.draw(st.floats(0, 1, allow_nan=False))
    now = live.planned_start + (live.planned_end - live.planned_start) * into
    timing = compute(run(segments, done=done, live=(live.id, (live.planned_start - T0) / minutes(1))), now=now)
    assert timing.offset_seconds == 0
    assert timing.expected_end == timing.planned_end
    assert all(s.over_under_seconds == 0 for s in timing.segments if s.over_under_seconds is not None)


@given(shows_in_progress())
def test_property_offset_is_expected_minus_planned_end(show):
    segments, now = show
    timing = compute(segments, now=now)
    assert timing.offset_seconds == round((timing.expected_end - timing.planned_end).total_seconds())
    assert timing.ahead_behind == (
        "behind" if timing.offset_seconds > 30 else "ahead" if timing.offset_seconds < -30 else "on_time"
    )


@given(shows_in_progress())
def test_property_unfinished_show_never_ends_in_the_past(show):
    segments, now = show
    timing = compute(segments, now=now)
    if any(s.status != COMPLETED for s in segments):
        assert timing.expected_end >= now
    for segment in timing.segments:
        assert segment.projected_end >= segment.projected_start
        if segment.status == PENDING:
            assert segment.projected_start >= now


@given(shows_in_progress())
def test_property_over_under_is_actual_minus_planned(show):
    segments, now = show
    timing = compute(segments, now=now)
    by_id = {s.id: s for s in segments}
    for result in timing.segments:
        source = by_id[result.id]
        planned = source.planned_minutes * 60
        if source.status == COMPLETED:
            actual = round((source.actual_end - source.actual_start).total_seconds())
            assert result.over_under_seconds == actual - planned
        elif source.status == IN_PROGRESS:
            elapsed = round((now - source.actual_start).total_seconds())
            assert result.over_under_seconds == max(0, elapsed - planned)
            assert result.over_under_seconds >= 0
        else:
            assert result.over_under_seconds is None
    completed = [r for r in timing.segments if r.status == COMPLETED]
    assert sum(r.over_under_seconds for r in completed) == sum(r.actual_seconds for r in completed) - sum(
        by_id[r.id].planned_minutes * 60 for r in completed
    )


@settings(max_examples=60)
@given(shows_in_progress(), st.floats(0, 300, allow_nan=False))
def test_property_time_passing_never_brings_the_end_earlier(show, later_minutes):
    segments, now = show
    first = compute(segments, now=now)
    second = compute(segments, now=now + minutes(later_minutes))
    assert second.expected_end >= first.expected_end
    assert second.offset_seconds >= first.offset_seconds


@given(planned_rundowns(), st.floats(0, 120, allow_nan=False))
def test_property_an_overrun_of_the_live_segment_is_the_offset(segments, overrun):
    """Everything on plan until the live segment overruns by x: the show is x behind."""
    live = segments[0]
    timing = compute(run(segments, done={}, live=(live.id, 0)), now=live.planned_end + minutes(overrun))
    assert timing.offset_seconds == round(overrun * 60)


@given(shows_in_progress(), st.randoms())
def test_property_input_order_does_not_matter(show, rnd):
    segments, now = show
    shuffled = list(segments)
    rnd.shuffle(shuffled)
    assert compute(shuffled, now=now) == compute(segments, now=now)


def test_a_skipped_segment_leaves_the_expected_end_and_the_offset():
    a, b, c = rundown([10, 20, 5])
    done = SegmentInput(a.id, a.order, a.planned_start, 10, COMPLETED, T0, T0 + minutes(10))
    dropped = SegmentInput(b.id, b.order, b.planned_start, 20, SKIPPED)
    timing = compute([done, dropped, c], now=T0 + minutes(10))
    assert timing.expected_end == T0 + minutes(15)  # C follows A
    assert timing.planned_end == T0 + minutes(35)  # the plan is the plan
    assert timing.offset_seconds == -20 * 60 and timing.ahead_behind == "ahead"
    row = timing.segments[1]
    assert (row.status, row.projected_start, row.projected_end, row.over_under_seconds) == (SKIPPED, None, None, None)
    assert timing.next_segment_id == c.id
    assert compute([dropped], now=T0 + minutes(12)).expected_segment_id is None


def test_everything_skipped_has_no_expected_end():
    timing = compute([SegmentInput(1, 1, T0, 10, SKIPPED)], now=T0)
    assert timing.expected_end is None and timing.offset_seconds == 0 and timing.next_segment_id is None
