"""Posting slots: pure arithmetic on times, no Django, no clock (``now`` is passed in).

A platform's next free slot is the first whole hour at least ``offset_hours``
ahead of now that keeps ``spacing_hours`` away from every post already on that
platform. Spacing N videos hands out N such slots, each one taken before the
next is found, so they spread over N distinct, spaced hours.

Whole hours are those of the rules' time zone (PUBLISHING_TIME_ZONE): in Kolkata (UTC+05:30)
a slot is 00:00 local, not 23:30. The arithmetic is done on absolute times; only the rounding
to a whole hour looks at the local clock.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class SlotRules:
    offset_hours: int = 1  # default_post_time_offset: how far ahead the first slot is
    spacing_hours: int = 1  # schedule_spacing_hours: minimum gap between two posts on a platform
    tz: tzinfo | None = None  # whose whole hours the slots are (None: each moment's own zone)

    def __post_init__(self):
        if self.offset_hours < 0:
            raise ValueError("offset_hours must be >= 0")
        if self.spacing_hours < 1:
            raise ValueError("spacing_hours must be >= 1")


DEFAULT_RULES = SlotRules()


def ceil_hour(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """The whole hour of ``tz`` (default: ``moment``'s own zone) at or after ``moment``,
    expressed in ``moment``'s zone."""
    if tz is None:
        floored = moment.replace(minute=0, second=0, microsecond=0)
        return floored if floored == moment else floored + HOUR
    local = moment.astimezone(tz)
    floored = local.replace(minute=0, second=0, microsecond=0)
    if floored != local:
        # The next hour on the absolute time line (a local "+1 h" across a DST change is not one).
        floored = (floored.astimezone(UTC) + HOUR).astimezone(tz)
    return floored.astimezone(moment.tzinfo)


def is_free(candidate: datetime, taken: Iterable[datetime], *, spacing: timedelta) -> bool:
    """True when every taken time is at least ``spacing`` away from ``candidate``."""
    return all(abs(candidate - moment) >= spacing for moment in taken)


def next_free_slot(*, now: datetime, taken: Iterable[datetime], rules: SlotRules = DEFAULT_RULES) -> datetime:
    """The earliest whole hour ≥ now + offset that is ``spacing`` away from every taken time."""
    spacing = timedelta(hours=rules.spacing_hours)
    candidate = ceil_hour(now + timedelta(hours=rules.offset_hours), rules.tz)
    ordered = sorted(moment for moment in taken if moment > candidate - spacing)
    while True:
        # Taken times that conflict with the candidate lie in (candidate - spacing, candidate + spacing).
        last_conflict = bisect.bisect_left(ordered, candidate + spacing) - 1
        if last_conflict < 0 or ordered[last_conflict] <= candidate - spacing:
            return candidate
        # Every whole hour before (latest conflict + spacing) still conflicts with it: jump past.
        candidate = ceil_hour(ordered[last_conflict] + spacing, rules.tz)


def spread_slots(
    *, now: datetime, count: int, taken: Iterable[datetime], rules: SlotRules = DEFAULT_RULES
) -> list[datetime]:
    """``count`` slots, earliest first, each free of the taken times and of the ones before it."""
    if count < 0:
        raise ValueError("count must be >= 0")
    occupied = list(taken)
    slots: list[datetime] = []
    for _ in range(count):
        slot = next_free_slot(now=now, taken=occupied, rules=rules)
        slots.append(slot)
        occupied.append(slot)
    return slots
