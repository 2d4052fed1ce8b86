"""The engine's vocabulary: constraint codes and labels, the inputs (employees, events,
bookings, pins), the outputs (proposals, unscheduled events, violations) and small helpers
on days and minutes. Pure: no Django."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

CORE = "core"
SUPERVISOR = "supervisor"
JUICER = "juicer"
DIGITAL = "digital"
OTHER = "other"
EVENT_TYPES = (CORE, SUPERVISOR, JUICER, DIGITAL, OTHER)
QUALIFICATIONS = ("core", "juicer", "digital", "supervisor", "club_supervisor", "lead", "other")

# Lower = more urgent among events due the same day.
TYPE_PRIORITY = {JUICER: 0, DIGITAL: 1, CORE: 2, SUPERVISOR: 3, OTHER: 4}

JUICER_ROTATION = "juicer"
PRIMARY_LEAD_ROTATION = "primary_lead"
ROTATION_OF_TYPE = {JUICER: JUICER_ROTATION, DIGITAL: PRIMARY_LEAD_ROTATION}
ROTATION_QUALIFICATION = {JUICER_ROTATION: "juicer", PRIMARY_LEAD_ROTATION: "lead"}
ROTATION_LABEL = {JUICER_ROTATION: "juicer", PRIMARY_LEAD_ROTATION: "primary lead"}

# An assignment due within this many days of the run's today is never bumped.
BUMP_PROTECTED_DAYS = 2

FALLBACK_FLAG = "rotation employee unavailable — add an exception"

# Constraint codes (what ruled a candidate out) and their labels.
INACTIVE = "inactive"
QUALIFICATION = "qualification"
AVAILABILITY = "availability"
TIME_OFF = "time_off"
DAILY_LIMIT = "daily_limit"
WEEKLY_LIMIT = "weekly_limit"
NO_SLOT = "no_free_slot"
OVERLAP = "overlap"
DATE_RANGE = "date_range"
TOO_LONG = "too_long"
WORKING_DAY = "working_day"
ROTATION = "rotation"
PAIRING = "pairing"
COVERAGE = "supervisor_coverage"
BUMPED = "bumped"
PAST_DUE = "past_due"
COVER_ROLE = "cover_role"

CONSTRAINT_LABELS = {
    INACTIVE: "inactive",
    QUALIFICATION: "not qualified",
    AVAILABILITY: "not available that weekday",
    TIME_OFF: "time off",
    DAILY_LIMIT: "daily limit reached",
    WEEKLY_LIMIT: "weekly limit reached",
    NO_SLOT: "no free slot long enough",
    OVERLAP: "overlaps another event",
    DATE_RANGE: "outside the event's dates",
    TOO_LONG: "longer than a working day",
    WORKING_DAY: "outside the working day",
    ROTATION: "not the rotation employee",
    PAIRING: "not on the core event's day",
    COVERAGE: "nobody to oversee its supervisor event that day",
    BUMPED: "bumped",
    PAST_DUE: "past its due date",
    COVER_ROLE: "neither a club supervisor nor the day's primary lead",
}
UNAVAILABLE_CODES = (INACTIVE, AVAILABILITY, TIME_OFF)

WEEKDAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# At most this many ruled-out candidates are listed per unscheduled event (the rest counted).
MAX_RULED_OUT = 25
# At most this many days are named per explanation of a coverage problem (the rest counted).
MAX_DAYS_SHOWN = 5


# --- inputs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Employee:
    id: int
    name: str = ""
    qualifications: frozenset[str] = frozenset()
    active: bool = True
    max_per_day: int = 1
    max_per_week: int = 5
    weekdays: frozenset[int] = frozenset(range(5))
    time_off: tuple[tuple[date, date], ...] = ()

    def is_off(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.time_off)

    def qualifies(self, event_type: str) -> bool:
        """An event needs its type among the qualifications; a club supervisor is a supervisor."""
        if event_type == SUPERVISOR:
            return SUPERVISOR in self.qualifications or "club_supervisor" in self.qualifications
        return event_type in self.qualifications

    def unavailable(self, day: date) -> str | None:
        """Why this employee cannot work at all on ``day`` (a constraint code), or None."""
        if not self.active:
            return INACTIVE
        if day.weekday() not in self.weekdays:
            return AVAILABILITY
        if self.is_off(day):
            return TIME_OFF
        return None

    @property
    def label(self) -> str:
        return self.name or f"employee {self.id}"


@dataclass(frozen=True)
class Event:
    ref: int
    type: str
    start_date: date
    due_date: date
    minutes: int = 60
    parent_ref: int | None = None

    @property
    def priority(self) -> tuple[date, int]:
        return (self.due_date, TYPE_PRIORITY.get(self.type, 9))


@dataclass(frozen=True)
class Booking:
    """An event already assigned (outside this run); it counts toward limits and occupies time.

    ``bumpable``: the service says whether it may be displaced (scheduled locally, not yet
    submitted to the client's system).
    """

    event_ref: int
    employee_id: int
    type: str
    start: datetime
    minutes: int
    start_date: date
    due_date: date
    parent_ref: int | None = None
    bumpable: bool = False

    def as_event(self) -> Event:
        return Event(self.event_ref, self.type, self.start_date, self.due_date, self.minutes, self.parent_ref)


@dataclass(frozen=True)
class Pin:
    """A proposal a supervisor edited or approved: its employee and start are fixed inputs.

    It counts as a commitment for every constraint, is never bumped, and its event is not
    proposed again (a booking of the same event wins: that is what is assigned).
    """

    event: Event
    employee_id: int
    start: datetime

    def as_booking(self) -> Booking:
        ev = self.event
        return Booking(
            ev.ref, self.employee_id, ev.type, self.start, ev.minutes, ev.start_date, ev.due_date, ev.parent_ref
        )


@dataclass(frozen=True)
class Problem:
    days: tuple[date, ...]
    today: date
    employees: tuple[Employee, ...]
    events: tuple[Event, ...]
    rotations: Mapping[tuple[int, str], int] = field(default_factory=dict)
    exceptions: Mapping[tuple[date, str], int] = field(default_factory=dict)
    bookings: tuple[Booking, ...] = ()
    # The working day, local time: events are placed, and edits held, within it.
    day_start: time = time(9, 0)
    day_minutes: int = 480
    pins: tuple[Pin, ...] = ()


# --- outputs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    event_ref: int
    employee_id: int
    start: datetime
    minutes: int
    phase: str
    reason: str
    is_fallback: bool = False
    is_swap: bool = False
    bumped_event_ref: int | None = None
    swap_reason: str = ""

    @property
    def day(self) -> date:
        return self.start.date()


@dataclass(frozen=True)
class Unscheduled:
    event_ref: int
    code: str
    reason: str
    # (employee id, the constraint codes that ruled them out on the event's days)
    ruled_out: tuple[tuple[int, tuple[str, ...]], ...] = ()
    more_ruled_out: int = 0
    not_qualified: int = 0


@dataclass(frozen=True)
class Result:
    proposals: tuple[Proposal, ...]
    unscheduled: tuple[Unscheduled, ...]
    warnings: tuple[str, ...]
    # Existing bookings the proposals displace (approving the swap unassigns them).
    bumped_bookings: tuple[int, ...] = ()

    @property
    def swaps(self) -> int:
        return sum(1 for p in self.proposals if p.is_swap)


@dataclass(frozen=True)
class Violation:
    code: str
    message: str


ProgressCallback = Callable[[str, float], None]


# --- helpers ------------------------------------------------------------------------


def workdays(start: date, calendar_days: int) -> tuple[date, ...]:
    """Monday–Friday dates in ``[start, start + calendar_days)``."""
    return tuple(
        start + timedelta(days=i) for i in range(max(0, calendar_days)) if (start + timedelta(days=i)).weekday() < 5
    )


def week_of(day: date) -> date:
    """The Monday of ``day``'s week (the per-week limit counts Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


def rotation_employee_id(
    day: date, rotation_type: str, rotations: Mapping[tuple[int, str], int], exceptions: Mapping[tuple[date, str], int]
) -> tuple[int | None, bool]:
    """The day's rotation employee: (id, from an exception?)."""
    if (day, rotation_type) in exceptions:
        return exceptions[(day, rotation_type)], True
    return rotations.get((day.weekday(), rotation_type)), False


def fmt_day(day: date) -> str:
    return f"{WEEKDAY_ABBR[day.weekday()]} {day.isoformat()}"


def _cannot(code: str | None, event_type: str) -> str:
    """Why someone cannot take an event, after their name — unavailable, not qualified and a
    full day read differently ("not available" never stands for "not qualified")."""
    if code in UNAVAILABLE_CODES:
        return f"is unavailable ({CONSTRAINT_LABELS[code]})"
    if code == QUALIFICATION:
        return f"is not qualified for {event_type}"
    return f"cannot take it ({CONSTRAINT_LABELS.get(code, code)})"


def _first_fit(busy: list[tuple[int, int, int]], window_start: int, window_end: int, minutes: int) -> int | None:
    """Start minute of the first gap of ``minutes`` in the working window, avoiding ``busy``."""
    t = window_start
    for s, e, _ref in busy:
        if e <= t:
            continue
        if min(s, window_end) - t >= minutes:
            return t
        t = max(t, e)
        if t >= window_end:
            return None
    return t if window_end - t >= minutes else None


def _max_gap(busy: list[tuple[int, int, int]], window_start: int, window_end: int) -> int:
    best, t = 0, window_start
    for s, e, _ref in busy:
        if e <= t:
            continue
        best = max(best, min(s, window_end) - t)
        t = max(t, e)
        if t >= window_end:
            return best
    return max(best, window_end - t)


@dataclass
class _Item:
    ref: int
    employee_id: int
    day: date
    start_min: int
    minutes: int
    counts: bool  # toward limits and overlap (False for supervisor events)
    priority: tuple[date, int]
    due_date: date
    type: str
    source: str  # "booking" or "new"
    bumpable: bool = True
    phase: str = ""
    reason: str = ""
    is_fallback: bool = False
    is_swap: bool = False
    bumped_ref: int | None = None
    swap_reason: str = ""


def _prio_num(item: _Item) -> tuple[int, int]:
    return (item.priority[0].toordinal(), item.priority[1])
