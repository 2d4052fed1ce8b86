"""The auto-scheduler engine: dataclasses in, proposals and reasons out.

Pure and deterministic: no Django, no database, no clock (the run's "today" is an
input), and the same problem always gives the same result whatever the order of its
inputs (everything is sorted by natural keys first).

Over the window's workdays the engine works in three phases, events taken in priority
order — due date first (fewer days left = more urgent), then type, and among equals the
most constrained (fewest employee-days that could take it) first:

1. rotation events: ``juicer`` events to the day's juicer, ``digital`` events to the
   day's primary lead (the date's exception first, else the weekday's rotation), on the
   earliest day that person can take it. If on no day they can, another employee
   qualified for the rotation takes it on the earliest feasible day, and the run is
   flagged "rotation employee unavailable — add an exception"; if none, unscheduled.
2. core and other events to qualified, available employees on the earliest feasible
   day, the least loaded first (week count, then day count, then booked minutes).
   A core event with supervisor events only goes on a day where they can be covered.
   Then a repair pass: an event that found no place may bump a lower-priority
   assignment (never one due within 2 days of the run's today; the one due furthest
   away first) when that makes room for it; the bumped event is placed elsewhere if it
   can be, else reported unscheduled. The swap is recorded with its reason.
3. supervisor events on their core event's day (both or neither) with the day's club
   supervisor, else the day's primary lead. They are oversight, not shifts: they may
   overlap and do not count toward the daily and weekly limits.

Hard constraints, never broken: qualification, availability (active, weekday, time
off), per-day and per-week limits, no overlap (supervisor events excepted: events of an
employee's day are placed in the first free gap of the working window), within the
event's start..due dates, within the working day (``day_start`` for ``day_minutes``).

Fixed inputs: ``bookings`` (events already assigned) and ``pins`` (proposals a supervisor
edited or approved) count as commitments for every constraint — limits, overlap, the day of
a core event's supervisor events — and their events are not proposed again. A pin is never
bumped; a pin that breaks a rule now (time off added since, say) is kept and flagged in the
warnings. Events already past their due date are reported unscheduled (``past_due``), never
dropped.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
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


# --- the engine ---------------------------------------------------------------------


class _Scheduler:
    def __init__(self, problem: Problem):
        self.p = problem
        self.days: list[date] = sorted(set(problem.days))
        self.day_set = set(self.days)
        self.employees: dict[int, Employee] = {e.id: e for e in sorted(problem.employees, key=lambda e: e.id)}
        self.emp_ids: list[int] = sorted(self.employees)
        self.window_start = problem.day_start.hour * 60 + problem.day_start.minute
        self.window_end = self.window_start + problem.day_minutes
        self.today = problem.today

        # Static availability per day, and qualified + available per (type, day).
        self.available: dict[date, list[int]] = {
            d: [i for i in self.emp_ids if self.employees[i].unavailable(d) is None] for d in self.days
        }
        self.eligible: dict[tuple[str, date], list[int]] = {}
        for d in self.days:
            for t in EVENT_TYPES:
                self.eligible[(t, d)] = [i for i in self.available[d] if self.employees[i].qualifies(t)]
        self.eligible_set = {key: frozenset(ids) for key, ids in self.eligible.items()}

        # Mutable state.
        self.items: dict[int, _Item] = {}
        self.slots: dict[tuple[int, date], list[tuple[int, int, int]]] = defaultdict(list)
        self.day_count: dict[tuple[int, date], int] = defaultdict(int)
        self.day_used: dict[tuple[int, date], int] = defaultdict(int)
        self.week_count: dict[tuple[int, date], int] = defaultdict(int)
        self.sup_count: dict[tuple[int, date], int] = defaultdict(int)
        self.week_items: dict[tuple[int, date], set[int]] = defaultdict(set)
        self._weeks: dict[date, date] = {}
        self.bumped: set[int] = set()
        self.bumped_bookings: list[int] = []
        self.unscheduled: dict[int, tuple[str, str]] = {}
        self.warnings: list[str] = []
        self._warned: set[tuple[date, str]] = set()

        # Fixed inputs: bookings, then pins of events not booked (what is assigned wins).
        booked_refs = {b.event_ref for b in problem.bookings}
        self.pins: dict[int, Pin] = {}
        for pin in sorted(problem.pins, key=lambda p: (p.event.ref, p.start, p.employee_id)):
            if pin.event.ref not in booked_refs and pin.event.ref not in self.pins:
                self.pins[pin.event.ref] = pin
        fixed = [*problem.bookings, *(pin.as_booking() for pin in self.pins.values())]

        self.events: dict[int, Event] = {}
        for ev in sorted(problem.events, key=lambda e: e.ref):
            if ev.ref not in booked_refs and ev.ref not in self.pins:
                self.events[ev.ref] = ev
        # No run can place these any more: listed with the reason, never dropped.
        self.past_due: set[int] = {ref for ref, ev in self.events.items() if ev.due_date < self.today}
        for ref in sorted(self.past_due):
            ev = self.events[ref]
            self._fail(ev, PAST_DUE, f"past its due date ({fmt_day(ev.due_date)}) and still unscheduled")

        # Supervisor children per parent, from this run's events and from the fixed inputs (their days).
        self.children: dict[int, list[Event]] = defaultdict(list)
        self.fixed_children: dict[int, set[date]] = defaultdict(set)
        for ev in self.events.values():
            if ev.type == SUPERVISOR and ev.parent_ref is not None:
                self.children[ev.parent_ref].append(ev)
        for booking in fixed:
            if booking.type == SUPERVISOR and booking.parent_ref is not None:
                self.fixed_children[booking.parent_ref].add(booking.start.date())
        for booking in sorted(problem.bookings, key=lambda b: b.event_ref):
            self._add_fixed(booking, source="booking")
        for pin in self.pins.values():
            self._add_fixed(pin.as_booking(), source="pin")
        self._check_pins(fixed)

        # Days on which a supervisor event could be covered (static: supervisors are not limited).
        self.coverage_ok: dict[date, bool] = {d: self._cover_candidates(d)[0] is not None for d in self.days}
        self._days_cache: dict[int, list[date]] = {}
        self._cover_why: dict[int, str] = {}  # core event → why its supervisor events cannot be overseen
        self._worst_bumpable: tuple[date, int] | None = None
        self._final_state: dict[tuple[int, date], tuple[str | None, int]] = {}

    # -- state ---------------------------------------------------------------------

    def _add_fixed(self, booking: Booking, *, source: str) -> None:
        """A booking (bumpable only when the service says so) or a pin (never bumpable)."""
        day = booking.start.date()
        counts = booking.type != SUPERVISOR
        bumpable = (
            source == "booking"
            and booking.bumpable
            and counts
            and not self.fixed_children.get(booking.event_ref)
            and day in self.day_set
            and booking.employee_id in self.employees
        )
        item = _Item(
            ref=booking.event_ref,
            employee_id=booking.employee_id,
            day=day,
            start_min=booking.start.hour * 60 + booking.start.minute,
            minutes=booking.minutes,
            counts=counts,
            priority=(booking.due_date, TYPE_PRIORITY.get(booking.type, 9)),
            due_date=booking.due_date,
            type=booking.type,
            source=source,
            bumpable=bumpable,
        )
        self._put(item)

    def _check_pins(self, fixed: list[Booking]) -> None:
        """A pin is kept as the supervisor left it; one that breaks a rule now is flagged."""
        by_employee: dict[int, list[Booking]] = defaultdict(list)
        for booking in fixed:
            by_employee[booking.employee_id].append(booking)
        fixed_day = {b.event_ref: b.start.date() for b in fixed}
        for ref, pin in self.pins.items():
            emp = self.employees.get(pin.employee_id)
            day = pin.start.date()
            broken = []
            if emp is None:
                broken.append(f"employee {pin.employee_id} is not on the team")
            else:
                violations = check_assignment(
                    event=pin.event,
                    employee=emp,
                    start=pin.start,
                    commitments=by_employee[emp.id],
                    day_start=self.p.day_start,
                    day_minutes=self.p.day_minutes,
                )
                broken += [v.message for v in violations]
            parent_day = fixed_day.get(pin.event.parent_ref, day) if pin.event.type == SUPERVISOR else day
            if parent_day != day:
                broken.append(f"its core event #{pin.event.parent_ref} is on {fmt_day(parent_day)}")
            if day < self.today:
                broken.append("its day has passed")
            if broken:
                self.warnings.append(
                    f"pinned #{ref} ({self._name(pin.employee_id)}, {fmt_day(day)} {pin.start:%H:%M}) breaks a rule "
                    f"now: {'; '.join(broken)} — edit or reject it"
                )

    def _put(self, item: _Item) -> None:
        self.items[item.ref] = item
        key = (item.employee_id, item.day)
        if item.counts:
            bisect.insort(self.slots[key], (item.start_min, item.start_min + item.minutes, item.ref))
            self.day_count[key] += 1
            self.day_used[key] += item.minutes
            week = self._week(item.day)
            self.week_count[(item.employee_id, week)] += 1
            self.week_items[(item.employee_id, week)].add(item.ref)
        else:
            self.sup_count[key] += 1

    def _take(self, ref: int) -> _Item:
        item = self.items.pop(ref)
        key = (item.employee_id, item.day)
        if item.counts:
            self.slots[key].remove((item.start_min, item.start_min + item.minutes, item.ref))
            self.day_count[key] -= 1
            self.day_used[key] -= item.minutes
            week = self._week(item.day)
            self.week_count[(item.employee_id, week)] -= 1
            self.week_items[(item.employee_id, week)].discard(item.ref)
        else:
            self.sup_count[key] -= 1
        return item

    def _week(self, day: date) -> date:
        week = self._weeks.get(day)
        if week is None:
            week = self._weeks[day] = week_of(day)
        return week

    def _fit(self, emp_id: int, day: date, minutes: int) -> tuple[str | None, int]:
        """(blocking constraint code or None, start minute) for a counted event on that employee-day."""
        emp = self.employees[emp_id]
        key = (emp_id, day)
        if self.day_count.get(key, 0) >= emp.max_per_day:
            return DAILY_LIMIT, -1
        if self.week_count.get((emp_id, self._week(day)), 0) >= emp.max_per_week:
            return WEEKLY_LIMIT, -1
        busy = self.slots.get(key)
        start = _first_fit(busy, self.window_start, self.window_end, minutes) if busy else self.window_start
        if start is None or self.window_end - self.window_start < minutes:
            return NO_SLOT, -1
        return None, start

    def _block(self, emp_id: int, event: Event, day: date) -> str | None:
        """Why ``emp_id`` cannot take ``event`` on ``day`` right now (a code), or None."""
        emp = self.employees.get(emp_id)
        if emp is None:
            return INACTIVE
        if not emp.qualifies(event.type):
            return QUALIFICATION
        code = emp.unavailable(day)
        if code:
            return code
        return self._fit(emp_id, day, event.minutes)[0]

    # -- days ----------------------------------------------------------------------

    def _range_days(self, start: date, due: date) -> list[date]:
        lo = bisect.bisect_left(self.days, start)
        hi = bisect.bisect_right(self.days, due)
        return self.days[lo:hi]

    def _paired_days(self, event: Event) -> list[date]:
        """The event's workdays that its supervisor events allow: on a fixed one's day, within the
        dates of every one, none past due (both or neither) — coverage not yet considered."""
        days = self._range_days(event.start_date, event.due_date)
        fixed = self.fixed_children.get(event.ref)
        if fixed:
            days = [d for d in days if d in fixed] if len(fixed) == 1 else []
        children = self.children.get(event.ref, [])
        if any(c.ref in self.past_due for c in children):
            return []
        return [d for d in days if all(c.start_date <= d <= c.due_date for c in children)]

    def _allowed_days(self, event: Event) -> list[date]:
        """The event's workdays, narrowed so that its supervisor events can go with it (both or neither)."""
        cached = self._days_cache.get(event.ref)
        if cached is not None:
            return cached
        days = self._paired_days(event)
        if self.children.get(event.ref):
            days = [d for d in days if self.coverage_ok.get(d, False)]
        self._days_cache[event.ref] = days
        return days

    def _why_no_days(self, event: Event) -> tuple[str, str]:
        """(code, reason) for an event none of whose workdays its supervisor events allow."""
        children = self.children.get(event.ref, [])
        late = [c.ref for c in children if c.ref in self.past_due]
        if late:
            refs = ", ".join(f"#{r}" for r in late)
            return PAIRING, f"its supervisor event {refs} is past its due date — both or neither"
        fixed = sorted(self.fixed_children.get(event.ref, ()))
        paired = self._paired_days(event)
        if fixed and not paired:
            on = ", ".join(fmt_day(d) for d in fixed)
            return PAIRING, (
                f"its supervisor event is fixed on {on}, where it cannot go (outside its dates or the window) — "
                "both or neither"
            )
        if not paired:
            return PAIRING, (
                "no workday of the window lies within both its dates and its supervisor events' — both or neither"
            )
        why = self._cover_why[event.ref] = self._cover_problem(paired)
        return COVERAGE, (
            f"its supervisor event cannot be overseen on any day within both events' dates ({why}) — both or neither"
        )

    def _order(self, events: Iterable[Event]) -> list[Event]:
        def options(ev: Event) -> int:
            if ev.type == SUPERVISOR:
                return 0
            return sum(len(self.eligible[(ev.type, d)]) for d in self._allowed_days(ev))

        return sorted(events, key=lambda ev: (ev.priority, options(ev), ev.ref))

    # -- placing -------------------------------------------------------------------

    def _place(self, event: Event, emp_id: int, day: date, start_min: int, **extra) -> _Item:
        item = _Item(
            ref=event.ref,
            employee_id=emp_id,
            day=day,
            start_min=start_min,
            minutes=event.minutes,
            counts=event.type != SUPERVISOR,
            priority=event.priority,
            due_date=event.due_date,
            type=event.type,
            source="new",
            **extra,
        )
        self._put(item)
        self.unscheduled.pop(event.ref, None)
        return item

    def _rotation_candidates(self, event: Event, day: date) -> tuple[int | None, bool, list[int]]:
        """(rotation employee, from an exception?, fallback employees qualified for the rotation)."""
        rotation = ROTATION_OF_TYPE[event.type]
        rid, from_exception = rotation_employee_id(day, rotation, self.p.rotations, self.p.exceptions)
        needed = ROTATION_QUALIFICATION[rotation]
        fallbacks = [
            i for i in self.eligible[(event.type, day)] if i != rid and needed in self.employees[i].qualifications
        ]
        return rid, from_exception, fallbacks

    def _least_loaded_fit(self, candidates: Iterable[int], day: date, minutes: int) -> tuple[int, int, int] | None:
        """(employee, start minute, free candidates) of the least loaded candidate that fits, or None.

        Least loaded: fewest events that week, then that day, then fewest booked minutes, then id.
        (The hot loop of the engine: the checks of :meth:`_fit` inlined.)
        """
        if minutes > self.window_end - self.window_start:
            return None
        week = self._week(day)
        day_count, week_count, day_used, slots = self.day_count, self.week_count, self.day_used, self.slots
        employees, ws, we = self.employees, self.window_start, self.window_end
        best: tuple | None = None
        free = 0
        for emp_id in candidates:
            emp = employees[emp_id]
            key = (emp_id, day)
            n_day = day_count.get(key, 0)
            if n_day >= emp.max_per_day:
                continue
            n_week = week_count.get((emp_id, week), 0)
            if n_week >= emp.max_per_week:
                continue
            busy = slots.get(key)
            start = _first_fit(busy, ws, we, minutes) if busy else ws
            if start is None:
                continue
            free += 1
            load = (n_week, n_day, day_used.get(key, 0), emp_id)
            if best is None or load < best[0]:
                best = (load, emp_id, start)
        if best is None:
            return None
        return best[1], best[2], free

    def _schedule_rotation_event(self, event: Event) -> bool:
        rotation = ROTATION_OF_TYPE[event.type]
        label = ROTATION_LABEL[rotation]
        days = self._allowed_days(event)
        first_miss: tuple[date, int | None, str | None] | None = None
        for day in days:
            rid, from_exception, _ = self._rotation_candidates(event, day)
            if rid is None:
                first_miss = first_miss or (day, None, None)
                continue
            code = self._block(rid, event, day)
            if code is None:
                start = self._fit(rid, day, event.minutes)[1]
                source = f"the exception for {day.isoformat()}" if from_exception else "the weekly rotation"
                reason = (
                    f"{self.employees[rid].label} is the {label} on {fmt_day(day)} ({source}); "
                    f"earliest day they can take it between {event.start_date} and {event.due_date}"
                )
                self._place(event, rid, day, start, phase="rotation", reason=reason)
                return True
            first_miss = first_miss or (day, rid, code)
        # Nobody on rotation could take it on any day: another employee qualified for the rotation.
        for day in days:
            rid, _, fallbacks = self._rotation_candidates(event, day)
            found = self._least_loaded_fit(fallbacks, day, event.minutes)
            if found is None:
                continue
            emp_id, start, _free = found
            if rid is None:
                why = f"no {label} rotation set for {fmt_day(day)}"
            else:
                code = self._block(rid, event, day)
                why = f"{self._name(rid)}, the {label} on {fmt_day(day)}, {_cannot(code, event.type)}"
            reason = (
                f"{why}; {self.employees[emp_id].label} is qualified for {label} and the least loaded — {FALLBACK_FLAG}"
            )
            self._place(event, emp_id, day, start, phase="rotation", reason=reason, is_fallback=True)
            self._warn(day, rotation, why)
            return True
        if not days:
            self._fail(event, DATE_RANGE, self._no_days_reason(event))
        else:
            day, rid, code = first_miss or (days[0], None, None)
            if rid is None:
                why = f"no {label} rotation set for {fmt_day(day)}"
            else:
                why = f"{self._name(rid)}, the {label} on {fmt_day(day)}, {_cannot(code, event.type)}"
            self._fail(
                event,
                ROTATION,
                f"{FALLBACK_FLAG}: {why}, and no other employee qualified for {label} is free on any day between "
                f"{event.start_date} and {event.due_date}",
            )
        return False

    def _schedule_shift_event(self, event: Event) -> bool:
        days = self._allowed_days(event)
        for day in days:
            found = self._least_loaded_fit(self.eligible[(event.type, day)], day, event.minutes)
            if found is None:
                continue
            emp_id, start, free = found
            weekly = self.week_count[(emp_id, self._week(day))]
            reason = (
                f"qualified for {event.type} and free on {fmt_day(day)}, the earliest feasible day between "
                f"{event.start_date} and {event.due_date}; least loaded of {free} free candidate(s) "
                f"({weekly} other event(s) that week)"
            )
            if self.children.get(event.ref):
                reason += "; its supervisor event can be covered that day"
            self._place(event, emp_id, day, start, phase="core", reason=reason)
            return True
        if event.minutes > self.p.day_minutes:
            self._fail(event, TOO_LONG, f"longer than a working day ({event.minutes} > {self.p.day_minutes} min)")
        elif not self._range_days(event.start_date, event.due_date):
            self._fail(event, DATE_RANGE, self._no_days_reason(event))
        elif not days:
            code, reason = self._why_no_days(event)
            self._fail(event, code, reason)
        else:
            self._fail(event, NO_SLOT, f"no qualified employee is free on any day between {days[0]} and {days[-1]}")
        return False

    def _schedule(self, event: Event) -> bool:
        if event.type in ROTATION_OF_TYPE:
            return self._schedule_rotation_event(event)
        return self._schedule_shift_event(event)

    # -- repair: bump a lower-priority assignment -----------------------------------

    def _bumpable(self, item: _Item, priority: tuple[date, int]) -> bool:
        return (
            item.priority > priority
            and item.counts
            and item.bumpable
            and item.ref not in self.bumped
            and (item.due_date - self.today).days > BUMP_PROTECTED_DAYS
        )

    def _build_holders(self) -> None:
        """Per employee-week, the lowest priority among the assignments that may be bumped."""
        self._holder_top: dict[tuple[int, date], tuple[date, int]] = {}
        for item in self.items.values():
            if item.counts and item.bumpable and (item.due_date - self.today).days > BUMP_PROTECTED_DAYS:
                key = (item.employee_id, self._week(item.day))
                if key not in self._holder_top or item.priority > self._holder_top[key]:
                    self._holder_top[key] = item.priority
        self._holder_order: dict[date, list[tuple[tuple[date, int], int]]] = defaultdict(list)
        for (emp_id, week), top in self._holder_top.items():
            self._holder_order[week].append((top, emp_id))
        for entries in self._holder_order.values():
            entries.sort(key=lambda entry: (entry[0], -entry[1]), reverse=True)

    def _refresh_holder(self, emp_id: int, week: date) -> None:
        top = None
        for ref in self.week_items.get((emp_id, week), ()):
            item = self.items[ref]
            if (
                item.bumpable
                and item.ref not in self.bumped
                and (item.due_date - self.today).days > BUMP_PROTECTED_DAYS
            ):
                top = item.priority if top is None or item.priority > top else top
        entries = [e for e in self._holder_order.get(week, []) if e[1] != emp_id]
        if top is not None:
            entries.append((top, emp_id))
        entries.sort(key=lambda entry: (entry[0], -entry[1]), reverse=True)
        self._holder_order[week] = entries

    def _victim_holders(self, week: date, priority: tuple[date, int]) -> list[int]:
        """Employees holding, in ``week``, something of lower priority than ``priority`` (ids ascending)."""
        out = []
        for top, emp_id in self._holder_order.get(week, ()):
            if top <= priority:
                break
            out.append(emp_id)
        out.sort()
        return out

    def _fits_without(self, emp_id: int, day: date, minutes: int, victim: _Item) -> int | None:
        emp = self.employees[emp_id]
        key = (emp_id, day)
        same_day = victim.employee_id == emp_id and victim.day == day
        same_week = victim.employee_id == emp_id and self._week(victim.day) == self._week(day)
        if self.day_count[key] - (1 if same_day else 0) >= emp.max_per_day:
            return None
        if self.week_count[(emp_id, self._week(day))] - (1 if same_week else 0) >= emp.max_per_week:
            return None
        busy = self.slots[key]
        if same_day:
            busy = [b for b in busy if b[2] != victim.ref]
        return _first_fit(busy, self.window_start, self.window_end, minutes)

    def _repair(self, event: Event) -> bool:
        """Bump the lower-priority assignment due furthest away when that makes room for ``event``."""
        priority = event.priority
        if self._worst_bumpable is None or priority >= self._worst_bumpable:
            return False  # nothing of lower priority could make room
        best = None
        for day in self._allowed_days(event):
            week = self._week(day)
            # Only employees holding something of lower priority that week can make room.
            holders = self._victim_holders(week, priority)
            if not holders:
                continue
            if event.type in ROTATION_OF_TYPE:
                rid, _, fallbacks = self._rotation_candidates(event, day)
                rotation_emp = self.employees.get(rid) if rid is not None else None
                rotation_ok = (
                    rotation_emp is not None
                    and rotation_emp.unavailable(day) is None
                    and rotation_emp.qualifies(event.type)
                )
                allowed = set(([rid] if rotation_ok else []) + fallbacks)
            else:
                allowed = self.eligible_set[(event.type, day)]
            for emp_id in holders:
                if emp_id not in allowed:
                    continue
                code, _ = self._fit(emp_id, day, event.minutes)
                if code is None:  # free after all (a bump elsewhere made room)
                    return self._schedule(event)
                if code == WEEKLY_LIMIT:  # any day of the week frees the weekly count
                    refs = self.week_items.get((emp_id, week), ())
                else:
                    refs = [b[2] for b in self.slots.get((emp_id, day), ())]
                victims = [self.items[r] for r in refs if self._bumpable(self.items[r], priority)]
                for victim in victims:
                    start = self._fits_without(emp_id, day, event.minutes, victim)
                    if start is None:
                        continue
                    # Furthest due first, then the earliest day, then the lowest priority, then ids.
                    key = (-victim.due_date.toordinal(), day, tuple(-x for x in _prio_num(victim)), emp_id, victim.ref)
                    if best is None or key < best[0]:
                        best = (key, emp_id, day, start, victim)
        if best is None:
            return False
        _, emp_id, day, _start, victim = best
        self._take(victim.ref)
        self.bumped.add(victim.ref)
        self._refresh_holder(victim.employee_id, self._week(victim.day))
        start = _first_fit(self.slots[(emp_id, day)], self.window_start, self.window_end, event.minutes)
        fallback = False
        if event.type in ROTATION_OF_TYPE:
            rid, _, _ = self._rotation_candidates(event, day)
            fallback = emp_id != rid
        swap_reason = (
            f"#{event.ref} ({event.type}, due {event.due_date}) had no other place; it takes "
            f"{self.employees[emp_id].label}'s slot on {fmt_day(day)} from #{victim.ref} ({victim.type}, due "
            f"{victim.due_date}, {(victim.due_date - self.today).days} days away — the furthest due of the "
            f"lower-priority assignments that make room)"
        )
        if fallback:
            label = ROTATION_LABEL[ROTATION_OF_TYPE[event.type]]
            reason = f"{self.employees[emp_id].label} is qualified for {label} — {FALLBACK_FLAG}; by a swap"
            self._warn(day, ROTATION_OF_TYPE[event.type], f"the {label} on {fmt_day(day)} could not take #{event.ref}")
        elif event.type in ROTATION_OF_TYPE:
            reason = f"{self.employees[emp_id].label} is the day's {ROTATION_LABEL[ROTATION_OF_TYPE[event.type]]}"
        else:
            reason = f"qualified for {event.type}; free on {fmt_day(day)} once #{victim.ref} is moved"
        self._place(
            event,
            emp_id,
            day,
            start,
            phase="repair",
            reason=reason,
            is_fallback=fallback,
            is_swap=True,
            bumped_ref=victim.ref,
            swap_reason=swap_reason,
        )
        # The bumped event goes elsewhere if it can (no further bumping).
        if victim.source == "booking":
            self.bumped_bookings.append(victim.ref)
            moved = self._booking_event(victim.ref)
        else:
            moved = self.events[victim.ref]
        if self._schedule(moved):
            item = self.items[victim.ref]
            item.phase = "repair"
            item.reason = f"moved after being bumped by #{event.ref}: {item.reason}"
        else:
            _code, why = self.unscheduled[victim.ref]
            self.unscheduled[victim.ref] = (BUMPED, f"bumped by #{event.ref} (a swap); no other place: {why}")
        return True

    def _booking_event(self, ref: int) -> Event:
        for booking in self.p.bookings:
            if booking.event_ref == ref:
                return booking.as_event()
        raise KeyError(ref)

    # -- phase 3: supervisor events -------------------------------------------------

    def _cover_candidates(self, day: date) -> tuple[int | None, str]:
        clubs = [
            i
            for i in self.available.get(day, [])
            if "club_supervisor" in self.employees[i].qualifications and self.employees[i].qualifies(SUPERVISOR)
        ]
        if clubs:
            return min(clubs, key=lambda i: (self.sup_count[(i, day)], i)), "club"
        lead, _ = rotation_employee_id(day, PRIMARY_LEAD_ROTATION, self.p.rotations, self.p.exceptions)
        emp = self.employees.get(lead) if lead is not None else None
        if emp is not None and emp.unavailable(day) is None and emp.qualifies(SUPERVISOR):
            return lead, "lead"
        return None, ""

    def _cover_problem_on(self, day: date) -> str:
        """Why nobody can oversee a supervisor event on ``day``: each ruled-out candidate and the
        constraint (never "not available" for "not qualified")."""
        parts = []
        clubs = [e for e in self.employees.values() if "club_supervisor" in e.qualifications]
        if not clubs:
            parts.append("no employee is a club supervisor")
        for emp in sorted(clubs, key=lambda e: e.id):
            why = emp.unavailable(day)
            if why:
                parts.append(f"club supervisor {emp.label} {_cannot(why, SUPERVISOR)}")
        lead, _ = rotation_employee_id(day, PRIMARY_LEAD_ROTATION, self.p.rotations, self.p.exceptions)
        emp = self.employees.get(lead) if lead is not None else None
        if emp is None:
            parts.append("there is no primary lead on the rotation that day")
        elif not emp.qualifies(SUPERVISOR):
            parts.append(f"primary lead {emp.label} is not qualified to oversee (needs supervisor or club_supervisor)")
        elif emp.unavailable(day):
            parts.append(f"primary lead {emp.label} {_cannot(emp.unavailable(day), SUPERVISOR)}")
        return ", ".join(parts)

    def _cover_problem(self, days: Iterable[date]) -> str:
        """:meth:`_cover_problem_on` over ``days``, the days with the same explanation together."""
        groups: dict[str, list[date]] = {}
        for day in days:
            groups.setdefault(self._cover_problem_on(day), []).append(day)
        out = []
        for why, on in groups.items():
            shown = ", ".join(fmt_day(d) for d in on[:MAX_DAYS_SHOWN])
            if len(on) > MAX_DAYS_SHOWN:
                shown += f" and {len(on) - MAX_DAYS_SHOWN} more day(s)"
            out.append(f"on {shown}: {why}")
        return "; ".join(out)

    def _schedule_supervisor(self, event: Event) -> bool:
        parent = self.items.get(event.parent_ref) if event.parent_ref is not None else None
        if event.parent_ref is None:
            self._fail(event, PAIRING, "a supervisor event needs its core event (parent_event_ref_num)")
            return False
        if parent is None:
            failed = self.unscheduled.get(event.parent_ref)
            if failed is not None and failed[0] == COVERAGE and event.parent_ref in self._cover_why:
                # The core event stayed unscheduled for this event's sake: say why nobody can oversee it.
                self._fail(
                    event,
                    COVERAGE,
                    f"nobody can oversee it on any day within both events' dates ({self._cover_why[event.parent_ref]})"
                    f" — its core event #{event.parent_ref} stays unscheduled too (both or neither)",
                )
            elif failed is not None:
                why = CONSTRAINT_LABELS.get(failed[0], failed[0])
                self._fail(
                    event, PAIRING, f"its core event #{event.parent_ref} is not scheduled ({why}) — both or neither"
                )
            else:
                self._fail(event, PAIRING, f"its core event #{event.parent_ref} is not scheduled — both or neither")
            return False
        day = parent.day
        if not (event.start_date <= day <= event.due_date):
            self._fail(event, DATE_RANGE, f"its core event #{event.parent_ref} is on {day}, outside this event's dates")
            return False
        if day not in self.day_set:
            self._fail(event, DATE_RANGE, f"its core event #{event.parent_ref} is on {day}, not a workday of this run")
            return False
        emp_id, how = self._cover_candidates(day)
        if emp_id is None:
            self._fail(event, COVERAGE, f"nobody can oversee it {self._cover_problem([day])}")
            return False
        if how == "club":
            reason = f"club supervisor on duty on {fmt_day(day)}, the day of core event #{event.parent_ref}"
        else:
            reason = (
                f"primary lead on {fmt_day(day)} (no club supervisor available), the day of core event "
                f"#{event.parent_ref}"
            )
        self._place(event, emp_id, day, parent.start_min, phase="supervisor", reason=reason)
        return True

    # -- bookkeeping -----------------------------------------------------------------

    def _fail(self, event: Event, code: str, reason: str) -> None:
        self.unscheduled[event.ref] = (code, reason)

    def _warn(self, day: date, rotation: str, why: str) -> None:
        if (day, rotation) in self._warned:
            return
        self._warned.add((day, rotation))
        self.warnings.append(f"{FALLBACK_FLAG}: {why}")

    def _name(self, emp_id: int | None) -> str:
        emp = self.employees.get(emp_id) if emp_id is not None else None
        return emp.label if emp else f"employee {emp_id}"

    def _no_days_reason(self, event: Event) -> str:
        return f"no workday of the window between {event.start_date} and {event.due_date}"

    # -- explanations ------------------------------------------------------------------

    def _explain(self, event: Event, code: str, reason: str) -> Unscheduled:
        """Per candidate, which constraints ruled them out on the event's days (compact)."""
        if code == PAST_DUE:
            return Unscheduled(event_ref=event.ref, code=code, reason=reason)
        if event.type == SUPERVISOR:
            parent = self.items.get(event.parent_ref) if event.parent_ref is not None else None
            days = [parent.day] if parent is not None and parent.day in self.day_set else []
            free_code = COVERAGE
        else:
            allowed = self._allowed_days(event)
            days = allowed or self._range_days(event.start_date, event.due_date)
            free_code = BUMPED if allowed else (code if code in (COVERAGE, PAIRING) else COVERAGE)
        leads = {
            d: rotation_employee_id(d, PRIMARY_LEAD_ROTATION, self.p.rotations, self.p.exceptions)[0] for d in days
        }
        ruled: list[tuple[int, tuple[str, ...]]] = []
        not_qualified = 0
        for emp_id in self.emp_ids:
            emp = self.employees[emp_id]
            if not emp.qualifies(event.type):
                not_qualified += 1
                continue
            if event.type == SUPERVISOR:
                codes = set()
                for d in days:
                    c = emp.unavailable(d)
                    if c is None and "club_supervisor" not in emp.qualifications and leads[d] != emp_id:
                        c = COVER_ROLE
                    codes.add(c or free_code)
                if not days:
                    codes.add(PAIRING)
            else:
                codes = set()
                for d in days:
                    c = self._state_block(emp_id, d, event.minutes)
                    if c is None and event.type in ROTATION_OF_TYPE:
                        c = ROTATION
                    codes.add(c or free_code)
                if not days:
                    codes.add(code)
            ruled.append((emp_id, tuple(sorted(codes))))
        summary: dict[str, int] = defaultdict(int)
        for _emp, codes in ruled:
            for c in codes:
                summary[c] += 1
        if ruled and code not in (BUMPED, PAIRING, DATE_RANGE, TOO_LONG):
            counts = ", ".join(f"{CONSTRAINT_LABELS.get(c, c)}: {n}" for c, n in sorted(summary.items()))
            reason = f"{reason} (of {len(ruled)} qualified: {counts})"
        elif not ruled and code not in (DATE_RANGE, TOO_LONG, PAIRING, BUMPED, COVERAGE):
            code, reason = QUALIFICATION, f"no employee is qualified for {event.type}"
        return Unscheduled(
            event_ref=event.ref,
            code=code,
            reason=reason,
            ruled_out=tuple(ruled[:MAX_RULED_OUT]),
            more_ruled_out=max(0, len(ruled) - MAX_RULED_OUT),
            not_qualified=not_qualified,
        )

    def _state_block(self, emp_id: int, day: date, minutes: int) -> str | None:
        """Like :meth:`_block` without the qualification, cached per employee-day (final state)."""
        state = self._final_state.get((emp_id, day))
        if state is None:
            emp = self.employees[emp_id]
            code = emp.unavailable(day)
            if code is None:
                code, _ = self._fit(emp_id, day, 1)
            gap = _max_gap(self.slots.get((emp_id, day), []), self.window_start, self.window_end)
            state = self._final_state[(emp_id, day)] = (code, gap)
        code, gap = state
        if code is None and gap < minutes:
            return NO_SLOT
        return code

    # -- run -------------------------------------------------------------------------

    def run(self, progress: ProgressCallback | None = None) -> Result:
        def report(phase: str, fraction: float) -> None:
            if progress is not None:
                progress(phase, fraction)

        live = [e for e in self.events.values() if e.ref not in self.past_due]
        rotation_events = [e for e in live if e.type in ROTATION_OF_TYPE]
        shift_events = [e for e in live if e.type in (CORE, OTHER)]
        supervisor_events = [e for e in live if e.type == SUPERVISOR]

        report("rotation", 0.1)
        for ev in self._order(rotation_events):
            self._schedule(ev)
        report("core", 0.3)
        for ev in self._order(shift_events):
            self._schedule(ev)
        report("repair", 0.6)
        self._build_holders()
        self._worst_bumpable = max(
            (
                it.priority
                for it in self.items.values()
                if it.counts and it.bumpable and (it.due_date - self.today).days > BUMP_PROTECTED_DAYS
            ),
            default=None,
        )
        failed = [self.events[ref] for ref in self.unscheduled if self.events[ref].type != SUPERVISOR]
        hopeless = (DATE_RANGE, TOO_LONG, COVERAGE, PAIRING, PAST_DUE)  # no bump can make room for these
        for ev in self._order(failed):
            if ev.ref in self.unscheduled and self.unscheduled[ev.ref][0] not in hopeless:
                self._repair(ev)
        report("supervisor", 0.8)
        for ev in self._order(supervisor_events):
            self._schedule_supervisor(ev)
        report("explain", 0.9)
        return self._result()

    def _result(self) -> Result:
        proposals = []
        for item in self.items.values():
            if item.source != "new":
                continue
            start = datetime.combine(item.day, time()) + timedelta(minutes=item.start_min)
            proposals.append(
                Proposal(
                    event_ref=item.ref,
                    employee_id=item.employee_id,
                    start=start,
                    minutes=item.minutes,
                    phase=item.phase,
                    reason=item.reason,
                    is_fallback=item.is_fallback,
                    is_swap=item.is_swap,
                    bumped_event_ref=item.bumped_ref,
                    swap_reason=item.swap_reason,
                )
            )
        proposals.sort(key=lambda p: (p.start, p.employee_id, p.event_ref))
        unscheduled = []
        for ref, (code, reason) in self.unscheduled.items():
            event = self.events.get(ref) or self._booking_event(ref)
            unscheduled.append(self._explain(event, code, reason))
        order = {ref: (ev.priority, ref) for ref, ev in self.events.items()}
        unscheduled.sort(key=lambda u: order.get(u.event_ref, ((date.max, 9), u.event_ref)))
        return Result(
            proposals=tuple(proposals),
            unscheduled=tuple(unscheduled),
            warnings=tuple(self.warnings),
            bumped_bookings=tuple(sorted(set(self.bumped_bookings))),
        )


def _prio_num(item: _Item) -> tuple[int, int]:
    return (item.priority[0].toordinal(), item.priority[1])


def schedule(problem: Problem, *, progress: ProgressCallback | None = None) -> Result:
    """Schedules ``problem``'s events (see the module docstring); ``progress(phase, fraction)`` between phases."""
    return _Scheduler(problem).run(progress)


# --- checking one assignment (edits and approvals) -----------------------------------


def check_assignment(
    *,
    event: Event,
    employee: Employee,
    start: datetime,
    commitments: Iterable[Booking],
    day_start: time | None = None,
    day_minutes: int | None = None,
) -> list[Violation]:
    """The hard constraints for ``employee`` doing ``event`` at ``start`` given their other ``commitments``.

    ``commitments`` are the employee's other assigned events (this one excluded). Rotation and
    supervisor-pairing rules depend on the day's rotation and on the core event; see
    :func:`rotation_violation` and :func:`pairing_violation`. With ``day_start`` and
    ``day_minutes`` the event must also lie within the working day.
    """
    out: list[Violation] = []
    day = start.date()
    if day_start is not None and day_minutes is not None:
        opens = datetime.combine(day, day_start)
        closes = opens + timedelta(minutes=day_minutes)
        if start < opens or start + timedelta(minutes=event.minutes) > closes:
            out.append(
                Violation(
                    WORKING_DAY,
                    f"{start:%H:%M}–{start + timedelta(minutes=event.minutes):%H:%M} is outside the working day "
                    f"({opens:%H:%M}–{closes:%H:%M})",
                )
            )
    if not employee.active:
        out.append(Violation(INACTIVE, f"{employee.label} is inactive"))
    if not employee.qualifies(event.type):
        out.append(Violation(QUALIFICATION, f"{employee.label} is not qualified for {event.type}"))
    if not (event.start_date <= day <= event.due_date):
        out.append(Violation(DATE_RANGE, f"{day} is outside the event's dates {event.start_date}–{event.due_date}"))
    if day.weekday() not in employee.weekdays:
        out.append(Violation(AVAILABILITY, f"{employee.label} does not work on {WEEKDAY_ABBR[day.weekday()]}"))
    if employee.is_off(day):
        out.append(Violation(TIME_OFF, f"{employee.label} has time off on {day}"))
    if event.type == SUPERVISOR:
        return out
    counted = [c for c in commitments if c.type != SUPERVISOR and c.event_ref != event.ref]
    same_day = [c for c in counted if c.start.date() == day]
    same_week = [c for c in counted if week_of(c.start.date()) == week_of(day)]
    if len(same_day) + 1 > employee.max_per_day:
        out.append(Violation(DAILY_LIMIT, f"{employee.label} already has {len(same_day)} event(s) on {day}"))
    if len(same_week) + 1 > employee.max_per_week:
        out.append(Violation(WEEKLY_LIMIT, f"{employee.label} already has {len(same_week)} event(s) that week"))
    end = start + timedelta(minutes=event.minutes)
    for c in same_day:
        c_end = c.start + timedelta(minutes=c.minutes)
        if c.start < end and start < c_end:
            out.append(Violation(OVERLAP, f"overlaps #{c.event_ref} ({c.start:%H:%M}–{c_end:%H:%M})"))
    return out


def rotation_violation(
    *,
    event: Event,
    employee: Employee,
    day: date,
    rotation_employee: Employee | None,
    rotation_employee_violations: list[Violation],
) -> Violation | None:
    """A rotation event goes to the day's rotation employee unless they cannot take it (the recorded fallback)."""
    if event.type not in ROTATION_OF_TYPE:
        return None
    rotation = ROTATION_OF_TYPE[event.type]
    label = ROTATION_LABEL[rotation]
    if rotation_employee is not None and employee.id == rotation_employee.id:
        return None
    if rotation_employee is not None and not rotation_employee_violations:
        return Violation(
            ROTATION,
            f"{rotation_employee.label} is the {label} on {day} and is available; add an exception to change it",
        )
    if ROTATION_QUALIFICATION[rotation] not in employee.qualifications:
        return Violation(ROTATION, f"{employee.label} is not qualified for the {label} rotation")
    return None


def pairing_violation(
    *, event: Event, employee: Employee, day: date, parent_day: date | None, is_primary_lead: bool
) -> Violation | None:
    """A supervisor event is on its core event's day, with a club supervisor or else the primary lead."""
    if event.type != SUPERVISOR:
        return None
    if parent_day is None:
        return Violation(PAIRING, f"its core event #{event.parent_ref} is not scheduled — both or neither")
    if parent_day != day:
        return Violation(PAIRING, f"must be on its core event's day ({parent_day})")
    if "club_supervisor" not in employee.qualifications and not is_primary_lead:
        return Violation(COVERAGE, f"{employee.label} is neither a club supervisor nor the day's primary lead")
    return None
