"""Posting slots: pure arithmetic on times, no Django, no clock (``now`` is passed in).

A platform's next free slot is the first whole hour at least ``offset_hours``
ahead of now that keeps ``spacing_hours`` away from every post already on that
platform. Spacing N videos hands out N such slots, each one taken before the
next is found, so they spread over N distinct, spaced hours.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class SlotRules:
    offset_hours: int = 1  # default_post_time_offset: how far ahead the first slot is
    spacing_hours: int = 1  # schedule_spacing_hours: minimum gap between two posts on a platform

    def __post_init__(self):
        if self.offset_hours < 0:
            raise ValueError("offset_hours must be >= 0")
        if self.spacing_hours < 1:
            raise ValueError("spacing_hours must be >= 1")


DEFAULT_RULES = SlotRules()


def ceil_hour(moment: datetime) -> datetime:
    """The whole hour at or after ``moment`` (in ``moment``'s own time zone)."""
    floored = moment.replace(minute=0, second=0, microsecond=0)
    return floored if floored == moment else floored + HOUR


def is_free(candidate: datetime, taken: Iterable[datetime], *, spacing: timedelta) -> bool:
    """True when every taken time is at least ``spacing`` away from ``candidate``."""
    return all(abs(candidate - moment) >= spacing for moment in taken)


def next_free_slot(*, now: datetime, taken: Iterable[datetime], rules: SlotRules = DEFAULT_RULES) -> datetime:
    """The earliest whole hour ≥ now + offset that is ``spacing`` away from every taken time."""
    spacing = timedelta(hours=rules.spacing_hours)
    candidate = ceil_hour(now + timedelta(hours=rules.offset_hours))
    ordered = sorted(moment for moment in taken if moment > candidate - spacing)
    while True:
        # Taken times that conflict with the candidate lie in (candidate - spacing, candidate + spacing).
        last_conflict = bisect.bisect_left(ordered, candidate + spacing) - 1
        if last_conflict < 0 or ordered[last_conflict] <= candidate - spacing:
            return candidate
        # Every whole hour before (latest conflict + spacing) still conflicts with it: jump past.
        candidate = ceil_hour(ordered[last_conflict] + spacing)


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
