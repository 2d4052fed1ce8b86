"""Labour rules of a shoot day (SPEC §1): pure — no Django, no ORM, no clock.

The meal clock starts at the confirmed crew call (else the general call). The first meal is
due ``meal_due_hours_after_call`` later; each later meal is due that long after the end of the
previous qualifying meal. A meal qualifies only if it lasts at least ``meal_minutes``: a shorter
one (a walking lunch) does not stop the clock. A meal that starts after due + ``grace_minutes``,
or no qualifying meal by wrap, costs one penalty per started ``meal_penalty_interval_minutes``
from due to its start (or to wrap).

Example: call 07:00, a 5-minute walking lunch at 13:10, wrap 16:30 → due 13:00, 210 min → 7.

Turnaround: the rest from the (projected) wrap to the next production day's call; less than
``turnaround_hours`` is short by the difference.

The same functions serve the live projection (meals at their projected times, wrap projected),
the suggestions (what a change would cost) and the report (meals as logged, the actual wrap).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hotset import timeline

MEAL = "meal"


@dataclass(frozen=True, slots=True)
class Rules:
    meal_due_hours_after_call: int = 6
    meal_minutes: int = 30
    grace_minutes: int = 12
    meal_penalty_interval_minutes: int = 30
    max_day_hours: int = 12
    turnaround_hours: int = 10


@dataclass(frozen=True, slots=True)
class Meal:
    start: datetime
    end: datetime
    item_id: int | None = None

    def qualifies(self, rules: Rules) -> bool:
        return self.end - self.start >= timedelta(minutes=rules.meal_minutes)


@dataclass(frozen=True, slots=True)
class MealPeriod:
    """One stretch of the meal clock: from call (or the end of a qualifying meal) to the next
    qualifying meal's start, or — the last one — to wrap."""

    number: int  # 1 = the first meal of the day
    clock_from: datetime
    due_at: datetime
    penalty_at: datetime  # due + grace: a meal starting after this costs penalties
    meal: Meal | None  # the qualifying meal that ended the stretch; None: none by wrap
    late_minutes: int  # from due to the meal's start (or to wrap); 0 when on time
    penalties: int


@dataclass(frozen=True, slots=True)
class Turnaround:
    next_call: datetime
    rest_minutes: int
    short_by_minutes: int


def penalties_for(late_minutes: int, rules: Rules) -> int:
    """One per started interval of lateness."""
    return math.ceil(late_minutes / rules.meal_penalty_interval_minutes) if late_minutes > 0 else 0


def meal_periods(*, clock_start: datetime, meals: Iterable[Meal], end: datetime, rules: Rules) -> list[MealPeriod]:
    """Every stretch of the meal clock from ``clock_start`` to ``end`` (wrap, or now), the last
    one open (no meal). Meals starting at or after ``end``, before the clock runs, or shorter
    than the rule do not end a stretch."""
    periods = []
    since = clock_start
    due_after = timedelta(hours=rules.meal_due_hours_after_call)
    grace = timedelta(minutes=rules.grace_minutes)
    for meal in sorted(meals, key=lambda m: m.start):
        if meal.start >= end:
            break
        if meal.start < since or not meal.qualifies(rules):
            continue
        due = since + due_after
        late = max(0, timeline.minutes(meal.start - due)) if meal.start > due + grace else 0
        periods.append(MealPeriod(len(periods) + 1, since, due, due + grace, meal, late, penalties_for(late, rules)))
        since = meal.end
    due = since + due_after
    late = max(0, timeline.minutes(end - due)) if end > due + grace else 0
    periods.append(MealPeriod(len(periods) + 1, since, due, due + grace, None, late, penalties_for(late, rules)))
    return periods


def total_penalties(periods: Sequence[MealPeriod]) -> int:
    return sum(p.penalties for p in periods)


def open_period(periods: Sequence[MealPeriod], started: Collection[int]) -> MealPeriod:
    """The stretch the clock is in now: the first whose meal (an item id) has not started —
    a meal projected to start now because the scene before it runs late has not."""
    for period in periods:
        if period.meal is None or period.meal.item_id not in started:
            return period
    return periods[-1]


def started_meals(items: Sequence[timeline.Item]) -> set[int]:
    return {item.id for item in items if item.status in (timeline.IN_PROGRESS, timeline.COMPLETED)}


def turnaround(*, wrap: datetime | None, next_call: datetime | None, rules: Rules) -> Turnaround | None:
    if wrap is None or next_call is None:
        return None
    rest = timeline.minutes(next_call - wrap)
    return Turnaround(next_call, rest, max(0, rules.turnaround_hours * 60 - rest))


def meals_of(items: Sequence[timeline.Item], block_types: Sequence[str], projected: Sequence[timeline.Interval]):
    """The meals of a day as projected: meal blocks not skipped, at their projected times."""
    return [
        Meal(interval.start, interval.end, item.id)
        for item, block_type, interval in zip(items, block_types, projected, strict=True)
        if block_type == MEAL and item.status != timeline.SKIPPED
    ]


def projected_penalties(
    items: Sequence[timeline.Item],
    block_types: Sequence[str],
    *,
    call_time: datetime,
    clock_start: datetime,
    now: datetime,
    rules: Rules,
) -> int:
    """The meal penalties the day will have incurred at its projected wrap, as things stand."""
    projected = timeline.projected_timeline(items, call_time, now)
    wrap = max((interval.end for interval in projected), default=now)
    meals = meals_of(items, block_types, projected)
    return total_penalties(meal_periods(clock_start=clock_start, meals=meals, end=wrap, rules=rules))
