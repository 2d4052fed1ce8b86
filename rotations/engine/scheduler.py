"""The scheduler: its state (bookings per employee and day, limits, holders), the days an
event may take, and the run that takes the phases in order (phases.py, repair.py, explain.py
add the rest of its methods)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from rotations.engine.checks import check_assignment
from rotations.engine.explain import Explain
from rotations.engine.model import (
    BUMP_PROTECTED_DAYS,
    CORE,
    COVERAGE,
    DAILY_LIMIT,
    DATE_RANGE,
    EVENT_TYPES,
    INACTIVE,
    NO_SLOT,
    OTHER,
    PAIRING,
    PAST_DUE,
    QUALIFICATION,
    ROTATION_OF_TYPE,
    SUPERVISOR,
    TOO_LONG,
    TYPE_PRIORITY,
    WEEKLY_LIMIT,
    Booking,
    Employee,
    Event,
    Pin,
    Problem,
    ProgressCallback,
    Proposal,
    Result,
    _first_fit,
    _Item,
    fmt_day,
    week_of,
)
from rotations.engine.phases import PlacingPhases
from rotations.engine.repair import Repair


class _Scheduler(PlacingPhases, Repair, Explain):
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


def schedule(problem: Problem, *, progress: ProgressCallback | None = None) -> Result:
    """Schedules ``problem``'s events (see the module docstring); ``progress(phase, fraction)`` between phases."""
    return _Scheduler(problem).run(progress)
