"""The hot set's timeline maths (SPEC §1): pure — no Django, no ORM, no clock.

Everything is computed for a ``now`` the caller passes in. Items come in schedule
order. Durations are whole minutes; differences of times are rounded to the
nearest minute (half up) item by item, so sums of per-item figures are exact.

- Planned timeline: item i runs [P_i, P_i + d_i]; P_i is its explicit planned start,
  else the planned end of the item before it, the first from the call time.
- Projected timeline: completed items at their actuals; the item in progress ends at
  max(actual_start + d, now); every pending item chains from the one before it (or
  from its explicit planned start if that is later), and — since work cannot start
  in the past — never before ``now`` nor before the item in progress ends. Skipped
  items take no time. Projected wrap = end of the last item.
- Cumulative variance = (planned call − confirmed crew call) + Σ (planned − actual duration)
  over completed items; positive = ahead (time saved), negative = behind. A crew call 9 h
  late is 540 min behind before anything else: a late day never reads "ahead".
- Real-time deviation: the current item j started at A_j; schedule position =
  P_j + min(now − A_j, d_j); deviation = position − now (negative = behind). With
  nothing in progress the position is the planned end of the last completed item;
  before anything has happened the day cannot be ahead, only late to start.
- Expected item: the item whose planned interval [P_i, P_i + d_i) contains ``now``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NamedTuple

PENDING = "pending"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
SKIPPED = "skipped"
STATUSES = (PENDING, IN_PROGRESS, COMPLETED, SKIPPED)


@dataclass(frozen=True, slots=True)
class Item:
    """One schedule item as the maths sees it."""

    id: int
    planned_minutes: int
    status: str = PENDING
    planned_start: datetime | None = None  # explicit; None = chained
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    skipped_at: datetime | None = None

    @property
    def planned_duration(self) -> timedelta:
        return timedelta(minutes=self.planned_minutes)


class Interval(NamedTuple):
    start: datetime
    end: datetime


class ItemProjection(NamedTuple):
    id: int
    status: str
    planned: Interval
    projected: Interval
    variance_minutes: int | None  # completed items: planned − actual duration
    elapsed_minutes: int | None  # the item in progress: now − actual start


@dataclass(frozen=True, slots=True)
class Projection:
    now: datetime
    items: tuple[ItemProjection, ...]
    cumulative_variance_minutes: int
    realtime_deviation_minutes: int
    schedule_position: datetime | None
    current_item_id: int | None
    expected_item_id: int | None
    next_item_id: int | None
    planned_end: datetime | None  # end of the planned timeline
    projected_wrap: datetime | None
    wrap_variance_minutes: int  # planned end − projected wrap; positive = ahead
    remaining_minutes: int  # planned minutes of the items not yet done


def minutes(delta: timedelta) -> int:
    """Whole minutes of ``delta``, rounded to the nearest (halves up, also below zero)."""
    return math.floor(delta.total_seconds() / 60 + 0.5)


def planned_timeline(items: Sequence[Item], call_time: datetime) -> list[Interval]:
    """[P_i, P_i + d_i] for every item; does not depend on what has happened."""
    out = []
    cursor = call_time
    for item in items:
        start = item.planned_start if item.planned_start is not None else cursor
        end = start + item.planned_duration
        out.append(Interval(start, end))
        cursor = end
    return out


def _in_progress_end(item: Item, now: datetime) -> datetime:
    return max(item.actual_start + item.planned_duration, now)


def projected_timeline(items: Sequence[Item], call_time: datetime, now: datetime) -> list[Interval]:
    """Where every item did, does or will run, as things stand at ``now``."""
    # No pending work starts before now, nor before the item in progress is due to end.
    busy_until = now
    for item in items:
        if item.status == IN_PROGRESS:
            busy_until = max(busy_until, _in_progress_end(item, now))
    out = []
    cursor = call_time
    for item in items:
        if item.status == COMPLETED:
            interval = Interval(item.actual_start, item.actual_end)
        elif item.status == IN_PROGRESS:
            interval = Interval(item.actual_start, _in_progress_end(item, now))
        elif item.status == SKIPPED:
            out.append(Interval(cursor, cursor))
            continue
        else:
            start = max(cursor, busy_until)
            if item.planned_start is not None:
                start = max(start, item.planned_start)
            interval = Interval(start, start + item.planned_duration)
        out.append(interval)
        cursor = max(cursor, interval.end)
    return out


def item_variance(item: Item) -> int | None:
    """Planned − actual minutes of a completed item (positive = time saved); None otherwise."""
    if item.status != COMPLETED:
        return None
    return item.planned_minutes - minutes(item.actual_end - item.actual_start)


def cumulative_variance(
    items: Sequence[Item], *, call_time: datetime | None = None, crew_call_at: datetime | None = None
) -> int:
    """(call − crew call, when confirmed) + Σ (planned − actual) over completed items;
    positive = ahead, negative = behind."""
    start = minutes(call_time - crew_call_at) if call_time is not None and crew_call_at is not None else 0
    return start + sum(v for v in (item_variance(item) for item in items) if v is not None)


def current_index(items: Sequence[Item]) -> int | None:
    """The item in progress (the latest started, should the data ever hold two)."""
    best = None
    for i, item in enumerate(items):
        if item.status == IN_PROGRESS and (best is None or item.actual_start >= items[best].actual_start):
            best = i
    return best


def expected_index(planned: Sequence[Interval], now: datetime) -> int | None:
    """The first item whose planned interval [start, end) contains ``now``."""
    for i, interval in enumerate(planned):
        if interval.start <= now < interval.end:
            return i
    return None


def schedule_position(items: Sequence[Item], planned: Sequence[Interval], now: datetime) -> datetime | None:
    """Where on the planned timeline the work stands at ``now`` (None without items)."""
    if not items:
        return None
    j = current_index(items)
    if j is not None:
        elapsed = max(now - items[j].actual_start, timedelta(0))
        return planned[j].start + min(elapsed, items[j].planned_duration)
    completed = [i for i, item in enumerate(items) if item.status == COMPLETED]
    if completed:
        return planned[completed[-1]].end
    return planned[0].start


def realtime_deviation(items: Sequence[Item], planned: Sequence[Interval], now: datetime) -> int:
    """Schedule position − now in minutes (negative = behind); 0 before the day starts."""
    position = schedule_position(items, planned, now)
    if position is None:
        return 0
    deviation = minutes(position - now)
    started = any(item.status in (IN_PROGRESS, COMPLETED) for item in items)
    return deviation if started else min(deviation, 0)


def state_at(items: Sequence[Item], moment: datetime) -> list[Item]:
    """The items as they stood at ``moment``: what happened later is not known yet."""
    out = []
    for item in items:
        if item.status == COMPLETED and item.actual_end > moment:
            if item.actual_start <= moment:
                item = replace(item, status=IN_PROGRESS, actual_end=None)
            else:
                item = replace(item, status=PENDING, actual_start=None, actual_end=None)
        elif item.status == IN_PROGRESS and item.actual_start > moment:
            item = replace(item, status=PENDING, actual_start=None)
        elif item.status == SKIPPED and item.skipped_at is not None and item.skipped_at > moment:
            item = replace(item, status=PENDING, skipped_at=None)
        out.append(item)
    return out


def project(
    items: Sequence[Item], *, call_time: datetime, now: datetime, crew_call_at: datetime | None = None
) -> Projection:
    """The whole projection of a day at ``now`` (items in schedule order); ``crew_call_at``: the
    confirmed crew call (known by ``now``), which a late or early start counts from."""
    planned = planned_timeline(items, call_time)
    projected = projected_timeline(items, call_time, now)
    cur = current_index(items)
    exp = expected_index(planned, now)
    next_id = None
    for i, item in enumerate(items):
        if item.status == PENDING and (cur is None or i > cur):
            next_id = item.id
            break
    rows = []
    for item, p, q in zip(items, planned, projected, strict=True):
        elapsed = minutes(now - item.actual_start) if item.status == IN_PROGRESS else None
        rows.append(ItemProjection(item.id, item.status, p, q, item_variance(item), elapsed))
    planned_end = planned[-1].end if planned else None
    projected_wrap = max((q.end for q in projected), default=None)
    remaining = sum(item.planned_minutes for item in items if item.status in (PENDING, IN_PROGRESS))
    return Projection(
        now=now,
        items=tuple(rows),
        cumulative_variance_minutes=cumulative_variance(
            items, call_time=call_time, crew_call_at=crew_call_at if crew_call_at and crew_call_at <= now else None
        ),
        realtime_deviation_minutes=realtime_deviation(items, planned, now),
        schedule_position=schedule_position(items, planned, now),
        current_item_id=items[cur].id if cur is not None else None,
        expected_item_id=items[exp].id if exp is not None else None,
        next_item_id=next_id,
        planned_end=planned_end,
        projected_wrap=projected_wrap,
        wrap_variance_minutes=minutes(planned_end - projected_wrap) if planned_end and projected_wrap else 0,
        remaining_minutes=remaining,
    )
