"""Run-of-show timing: pure maths, no Django and no clock (``now`` is passed in).

Definitions, for a given ``now`` (durations are reported in whole seconds):

- Planned end of a segment = planned start + planned duration.
- Over/under of a segment = actual duration − planned duration. Positive = over (ran
  long), negative = under. For the segment in progress it is the overrun so far,
  ``max(0, elapsed − planned)`` (it can only be known to be under once it ends);
  pending segments have none. (The issue's definition. The hot set reports its per-item
  and cumulative variance the other way round, planned − actual, positive = ahead.)
- Planned timeline of the show: the segments in rundown order, the first at its
  planned start, each next one at the end of the one before plus the gap the rundown
  plans between them (segments whose planned times overlap run one after the other).
  Planned end of show = the end of the last one.
- Projected timeline: completed segments at their actuals; the segment in progress
  ends at ``max(actual start + planned duration, now)``; every pending segment, in
  rundown order, follows the one before it in the projection (keeping its planned gap)
  and never starts before ``now``; when nothing has started yet the first one starts at
  ``max(now, its planned start)``.
- Skipped segments (jumped over, or skipped on purpose) leave the projection: they have no
  projected times, the segments after them follow the one before them, and so they leave
  the expected end of show and the offset (a show that drops a 20 min segment reads 20 min
  ahead). The planned end of show stays what the rundown planned.
- Expected end of show = the latest projected end.
- Show offset = expected end of show − planned end of show. **Positive = behind** (the
  show is running late), negative = ahead — as show callers read it. (The hot set's
  cumulative variance is "planned − actual", the opposite sign.)
- Expected segment = the first segment not skipped whose planned interval contains ``now``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

PENDING = "pending"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
SKIPPED = "skipped"
STATUSES = (PENDING, IN_PROGRESS, COMPLETED, SKIPPED)

# Within this many seconds either way the show reads "on time".
ON_TIME_TOLERANCE_SECONDS = 30

ZERO = timedelta(0)


@dataclass(frozen=True)
class SegmentInput:
    id: int
    order: int
    planned_start: datetime
    planned_minutes: int
    status: str = PENDING
    actual_start: datetime | None = None
    actual_end: datetime | None = None

    @property
    def planned_duration(self) -> timedelta:
        return timedelta(minutes=self.planned_minutes)

    @property
    def planned_end(self) -> datetime:
        return self.planned_start + self.planned_duration


@dataclass(frozen=True)
class SegmentTiming:
    id: int
    status: str
    planned_start: datetime
    planned_end: datetime
    # None for a skipped segment (it leaves the projection).
    projected_start: datetime | None
    projected_end: datetime | None
    # Completed: the actual duration; in progress: time elapsed so far; pending: None.
    actual_seconds: int | None
    # actual − planned (positive = over); in progress: the overrun so far (≥ 0); pending: None.
    over_under_seconds: int | None


@dataclass(frozen=True)
class ShowTiming:
    now: datetime
    planned_start: datetime | None
    planned_end: datetime | None
    expected_end: datetime | None
    # expected_end − planned_end: positive = behind, negative = ahead.
    offset_seconds: int
    ahead_behind: str  # "ahead" | "behind" | "on_time"
    active_segment_id: int | None
    next_segment_id: int | None
    expected_segment_id: int | None
    segments: tuple[SegmentTiming, ...]


def seconds(delta: timedelta) -> int:
    return round(delta.total_seconds())


def ahead_behind(offset_seconds: int) -> str:
    if offset_seconds > ON_TIME_TOLERANCE_SECONDS:
        return "behind"
    if offset_seconds < -ON_TIME_TOLERANCE_SECONDS:
        return "ahead"
    return "on_time"


def compute(segments: Sequence[SegmentInput], *, now: datetime) -> ShowTiming:
    """The show's timing at ``now`` (see the module docstring for every definition)."""
    for segment in segments:
        if segment.status not in STATUSES:
            raise ValueError(f"segment {segment.id}: unknown status {segment.status!r}")
    rundown = sorted(segments, key=lambda s: (s.order, s.id))
    running = [s for s in rundown if s.status == IN_PROGRESS]
    if len(running) > 1:
        raise ValueError("at most one segment may be in progress")
    if not rundown:
        return ShowTiming(now, None, None, None, 0, "on_time", None, None, None, ())

    # The gap the rundown plans in front of each segment (none for overlaps).
    gaps: dict[int, timedelta] = {}
    previous = None
    for segment in rundown:
        gaps[segment.id] = max(ZERO, segment.planned_start - previous.planned_end) if previous else ZERO
        previous = segment

    planned_end_of_show: datetime | None = None
    for segment in rundown:
        start = segment.planned_start if planned_end_of_show is None else planned_end_of_show + gaps[segment.id]
        planned_end_of_show = start + segment.planned_duration

    projected: dict[int, tuple[datetime, datetime]] = {}
    for segment in rundown:
        if segment.status == COMPLETED:
            if segment.actual_start is not None and segment.actual_end is not None:
                projected[segment.id] = (segment.actual_start, segment.actual_end)
            else:  # completed without actuals (entered by hand): as planned
                projected[segment.id] = (segment.planned_start, segment.planned_end)
    cursor: datetime | None = max((end for _, end in projected.values()), default=None)
    if running:
        current = running[0]
        start = current.actual_start or now
        projected[current.id] = (start, max(start + current.planned_duration, now))
        cursor = projected[current.id][1]
    for segment in rundown:
        if segment.status != PENDING:
            continue
        start = max(now, segment.planned_start) if cursor is None else max(cursor + gaps[segment.id], now)
        projected[segment.id] = (start, start + segment.planned_duration)
        cursor = projected[segment.id][1]

    timings = []
    for segment in rundown:
        projected_start, projected_end = projected.get(segment.id, (None, None))
        actual = over_under = None
        if segment.status == COMPLETED and segment.actual_start is not None and segment.actual_end is not None:
            actual = seconds(segment.actual_end - segment.actual_start)
            over_under = actual - seconds(segment.planned_duration)
        elif segment.status == IN_PROGRESS:
            actual = seconds(now - projected_start)
            over_under = max(0, actual - seconds(segment.planned_duration))
        timings.append(
            SegmentTiming(
                id=segment.id,
                status=segment.status,
                planned_start=segment.planned_start,
                planned_end=segment.planned_end,
                projected_start=projected_start,
                projected_end=projected_end,
                actual_seconds=actual,
                over_under_seconds=over_under,
            )
        )

    expected_end = max((end for _, end in projected.values()), default=None)
    offset = seconds(expected_end - planned_end_of_show) if expected_end is not None else 0
    active_id = running[0].id if running else None
    return ShowTiming(
        now=now,
        planned_start=rundown[0].planned_start,
        planned_end=planned_end_of_show,
        expected_end=expected_end,
        offset_seconds=offset,
        ahead_behind=ahead_behind(offset),
        active_segment_id=active_id,
        next_segment_id=_next_segment_id(rundown, running[0] if running else None),
        expected_segment_id=next(
            (s.id for s in rundown if s.status != SKIPPED and s.planned_start <= now < s.planned_end), None
        ),
        segments=tuple(timings),
    )


def _next_segment_id(rundown: list[SegmentInput], current: SegmentInput | None) -> int | None:
    """The first pending segment after the one in progress (or the first pending at all)."""
    pending = [s for s in rundown if s.status == PENDING]
    if current is not None:
        key = (current.order, current.id)
        after = [s for s in pending if (s.order, s.id) > key]
        if after:
            return after[0].id
    return pending[0].id if pending else None
