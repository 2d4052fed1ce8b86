"""Hypothesis strategies for random scheduling problems, and the checker of every hard constraint."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from hypothesis import strategies as st

from rotations import engine

MONDAY = date(2025, 10, 6)
QUALS = list(engine.QUALIFICATIONS)


@st.composite
def problems(draw, max_employees: int = 8, max_events: int = 30):
    calendar_days = draw(st.sampled_from([7, 14, 21]))
    days = engine.workdays(MONDAY, calendar_days)
    n_emp = draw(st.integers(1, max_employees))
    employees = []
    for i in range(1, n_emp + 1):
        quals = frozenset(draw(st.sets(st.sampled_from(QUALS), max_size=5)))
        time_off = ()
        if draw(st.booleans()):
            off = draw(st.sampled_from(days))
            time_off = ((off, off + timedelta(days=draw(st.integers(0, 3)))),)
        employees.append(
            engine.Employee(
                id=i,
                name=f"E{i}",
                qualifications=quals,
                active=draw(st.integers(0, 9)) > 0,
                max_per_day=draw(st.integers(1, 3)),
                max_per_week=draw(st.integers(1, 6)),
                weekdays=frozenset(draw(st.sets(st.integers(0, 6), min_size=2))),
                time_off=time_off,
            )
        )
    ids = [e.id for e in employees]
    rotations = {}
    for wd in range(5):
        for rt in (engine.JUICER_ROTATION, engine.PRIMARY_LEAD_ROTATION):
            if draw(st.integers(0, 4)) > 0:
                rotations[(wd, rt)] = draw(st.sampled_from(ids))
    exceptions = {}
    for _ in range(draw(st.integers(0, 2))):
        exceptions[(draw(st.sampled_from(days)), draw(st.sampled_from([engine.JUICER_ROTATION, "primary_lead"])))] = (
            draw(st.sampled_from(ids))
        )
    events = []
    ref = 1000
    cores = []
    for _ in range(draw(st.integers(0, max_events))):
        ref += 1
        kind = draw(st.sampled_from([engine.CORE, engine.CORE, engine.JUICER, engine.DIGITAL, engine.OTHER]))
        start = MONDAY + timedelta(days=draw(st.integers(-2, calendar_days)))
        due = start + timedelta(days=draw(st.integers(0, 8)))
        minutes = draw(st.sampled_from([30, 60, 120, 240, 300, 480, 600]))
        ev = engine.Event(ref, kind, start, due, minutes)
        events.append(ev)
        if kind == engine.CORE:
            cores.append(ev)
    for core in cores:
        if draw(st.booleans()):
            ref += 1
            shift = draw(st.integers(-1, 1))
            events.append(
                engine.Event(
                    ref,
                    engine.SUPERVISOR,
                    core.start_date + timedelta(days=shift),
                    core.due_date + timedelta(days=shift),
                    draw(st.sampled_from([15, 30])),
                    parent_ref=core.ref,
                )
            )
    if draw(st.integers(0, 5)) == 0:
        ref += 1
        events.append(engine.Event(ref, engine.SUPERVISOR, MONDAY, MONDAY + timedelta(days=3), 15, parent_ref=None))
    bookings = _bookings(draw, employees, days, ref)
    today = MONDAY - timedelta(days=draw(st.integers(0, 4)))
    return engine.Problem(
        days=days,
        today=today,
        employees=tuple(employees),
        events=tuple(events),
        rotations=rotations,
        exceptions=exceptions,
        bookings=tuple(bookings),
    )


@st.composite
def problems_with_pins(draw, max_employees: int = 8, max_events: int = 30):
    """A random problem where a supervisor edited some events (random employee, day and time
    within the rules, as an edit is checked): those are pins. A pinned core event's supervisor
    events are sometimes pinned too, on its day. Pinned events are sometimes still listed among
    the events to schedule (the engine must not propose them again)."""
    problem = draw(problems(max_employees=max_employees, max_events=max_events))
    commitments: dict[int, list[engine.Booking]] = defaultdict(list)
    for b in problem.bookings:
        commitments[b.employee_id].append(b)
    children = defaultdict(list)
    for ev in problem.events:
        if ev.type == engine.SUPERVISOR and ev.parent_ref is not None:
            children[ev.parent_ref].append(ev)
    pins = []

    def try_pin(ev, day, candidates) -> bool:
        if not candidates or ev.minutes > problem.day_minutes:
            return False
        emp = draw(st.sampled_from(candidates))
        latest = (problem.day_minutes - ev.minutes) // 15
        start = datetime.combine(day, problem.day_start) + timedelta(minutes=15 * draw(st.integers(0, latest)))
        violations = engine.check_assignment(
            event=ev,
            employee=emp,
            start=start,
            commitments=commitments[emp.id],
            day_start=problem.day_start,
            day_minutes=problem.day_minutes,
        )
        if violations:
            return False
        pin = engine.Pin(ev, emp.id, start)
        pins.append(pin)
        commitments[emp.id].append(pin.as_booking())
        return True

    def free_on(ev, day):
        return [e for e in problem.employees if e.qualifies(ev.type) and e.unavailable(day) is None]

    # The events someone could be edited onto: a workday of its dates with a qualified employee free.
    options = {}
    for ev in sorted(problem.events, key=lambda e: e.ref):
        days = [d for d in problem.days if ev.start_date <= d <= ev.due_date and free_on(ev, d)]
        if ev.type != engine.SUPERVISOR and days and ev.minutes <= problem.day_minutes:
            options[ev.ref] = (ev, days)
    chosen = draw(st.permutations(sorted(options)))[: draw(st.integers(1, 12))] if options else []
    for ref in chosen:
        ev, days = options[ref]
        day = draw(st.sampled_from(days))
        if not try_pin(ev, day, free_on(ev, day)):
            continue
        lead, _ = engine.rotation_employee_id(day, "primary_lead", problem.rotations, problem.exceptions)
        for child in children.get(ev.ref, []):
            cover = [
                e
                for e in problem.employees
                if e.qualifies(engine.SUPERVISOR)
                and e.unavailable(day) is None
                and ("club_supervisor" in e.qualifications or e.id == lead)
            ]
            if child.start_date <= day <= child.due_date and draw(st.booleans()):
                try_pin(child, day, cover)
    pinned = {p.event.ref for p in pins}
    events = problem.events if draw(st.booleans()) else tuple(e for e in problem.events if e.ref not in pinned)
    return replace(problem, events=events, pins=tuple(pins))


def _bookings(draw, employees, days, ref):
    """Existing assignments that themselves respect the limits and do not overlap."""
    out = []
    per_day = defaultdict(list)
    per_week = defaultdict(int)
    for _ in range(draw(st.integers(0, 8))):
        emp = draw(st.sampled_from(employees))
        day = draw(st.sampled_from(days))
        start_h = draw(st.integers(8, 16))
        minutes = draw(st.sampled_from([60, 120, 180]))
        start = datetime.combine(day, time(start_h))
        end = start + timedelta(minutes=minutes)
        key = (emp.id, day)
        if len(per_day[key]) >= emp.max_per_day or per_week[(emp.id, engine.week_of(day))] >= emp.max_per_week:
            continue
        if any(s < end and start < e for s, e in per_day[key]):
            continue
        per_day[key].append((start, end))
        per_week[(emp.id, engine.week_of(day))] += 1
        ref += 1
        kind = draw(st.sampled_from([engine.CORE, engine.OTHER, engine.JUICER]))
        due = day + timedelta(days=draw(st.integers(0, 12)))
        out.append(
            engine.Booking(
                event_ref=ref,
                employee_id=emp.id,
                type=kind,
                start=start,
                minutes=minutes,
                start_date=day - timedelta(days=draw(st.integers(0, 3))),
                due_date=due,
                bumpable=draw(st.booleans()),
            )
        )
    return out


def check_result(problem: engine.Problem, result: engine.Result) -> None:
    """Asserts every hard constraint and the bump rules on ``result``."""
    emps = {e.id: e for e in problem.employees}
    events = {e.ref: e for e in problem.events}
    bookings = {b.event_ref: b for b in problem.bookings}
    bumped = set(result.bumped_bookings)
    # Pins of events not booked (a booking of the same event wins): fixed, like a booking that cannot be bumped.
    pins = {}
    for pin in sorted(problem.pins, key=lambda p: (p.event.ref, p.start, p.employee_id)):
        if pin.event.ref not in bookings:
            pins.setdefault(pin.event.ref, pin)
    day_set = set(problem.days)
    ws = datetime.combine(date.min, problem.day_start)

    proposed = {}
    for p in result.proposals:
        assert p.event_ref not in proposed, "an event proposed twice"
        proposed[p.event_ref] = p
        assert p.reason, "every proposal says why this employee"
    unscheduled = {u.event_ref for u in result.unscheduled}
    for u in result.unscheduled:
        assert u.reason
    # Every input event is proposed or unscheduled, exactly once; bookings only when bumped; pins never.
    for ref in events:
        if ref in pins or ref in bookings:
            assert ref not in unscheduled or ref in bumped, f"fixed #{ref} reported unscheduled"
            continue
        assert (ref in proposed) != (ref in unscheduled), ref
    for ref in proposed:
        assert ref in events or ref in bumped
    for ref in unscheduled:
        assert ref in events or ref in bumped
    # A booking that may not be bumped (submitted, or a supervisor's edit pinned as a fixed input)
    # is never moved nor proposed again.
    for b in problem.bookings:
        if not b.bumpable:
            assert b.event_ref not in bumped and b.event_ref not in proposed, "a pinned assignment changed"
    for ref in pins:
        assert ref not in bumped and ref not in proposed, "a pinned assignment changed"
        assert all(p.bumped_event_ref != ref for p in result.proposals), "a pin was bumped"

    def event_of(ref):
        return events[ref] if ref in events else bookings[ref].as_event()

    fixed = [*problem.bookings, *(pin.as_booking() for pin in pins.values())]
    # Final commitments: untouched bookings + pins + proposals.
    counted = defaultdict(list)  # (emp, day) -> [(start, end, ref)]
    for b in fixed:
        if b.event_ref in bumped or b.event_ref in proposed or b.type == engine.SUPERVISOR:
            continue
        counted[(b.employee_id, b.start.date())].append((b.start, b.start + timedelta(minutes=b.minutes), b.event_ref))
    for p in result.proposals:
        ev = event_of(p.event_ref)
        emp = emps[p.employee_id]
        day = p.day
        assert emp.qualifies(ev.type), "qualification"
        assert emp.active, "inactive"
        assert day.weekday() in emp.weekdays, "availability"
        assert not emp.is_off(day), "time off"
        assert ev.start_date <= day <= ev.due_date, "within start..due"
        assert day in day_set, "a workday of the window"
        assert p.minutes == ev.minutes
        if ev.type != engine.SUPERVISOR:
            counted[(p.employee_id, day)].append((p.start, p.start + timedelta(minutes=p.minutes), p.event_ref))
            t0 = p.start - datetime.combine(day, time())
            assert t0 >= ws - datetime.combine(date.min, time()), "within the working window"
            assert t0 + timedelta(minutes=p.minutes) <= (
                ws - datetime.combine(date.min, time()) + timedelta(minutes=problem.day_minutes)
            )
    week = defaultdict(int)
    for (emp_id, day), items in counted.items():
        emp = emps.get(emp_id)
        if emp is None:
            continue
        assert len(items) <= emp.max_per_day, "per-day limit"
        week[(emp_id, engine.week_of(day))] += len(items)
        items.sort()
        for (_s1, e1, r1), (s2, _e2, r2) in zip(items, items[1:], strict=False):
            assert e1 <= s2, f"overlap of #{r1} and #{r2}"
    for (emp_id, _w), n in week.items():
        # bookings outside the window's days count too
        assert n <= emps[emp_id].max_per_week, "per-week limit"

    # Rotation events: the day's rotation employee (exception first), unless the flagged fallback.
    for p in result.proposals:
        ev = event_of(p.event_ref)
        if ev.type not in engine.ROTATION_OF_TYPE:
            continue
        rotation = engine.ROTATION_OF_TYPE[ev.type]
        rid, _ = engine.rotation_employee_id(p.day, rotation, problem.rotations, problem.exceptions)
        if p.is_fallback:
            assert engine.FALLBACK_FLAG in p.reason
            assert engine.ROTATION_QUALIFICATION[rotation] in emps[p.employee_id].qualifications
            assert result.warnings, "the run flags the fallback"
            assert p.employee_id != rid
        else:
            assert p.employee_id == rid, "rotation event on the rotation employee"

    # Supervisor events: on the core event's day (both or neither), club supervisor else primary lead.
    placed_day = {ref: p.day for ref, p in proposed.items()}
    for b in fixed:
        if b.event_ref not in bumped and b.event_ref not in proposed:
            placed_day[b.event_ref] = b.start.date()
    for b in fixed:  # a fixed supervisor event's core event goes on its day
        if b.type == engine.SUPERVISOR and b.parent_ref in proposed:
            assert proposed[b.parent_ref].day == b.start.date(), "core event away from its fixed supervisor event"
    for p in result.proposals:
        ev = event_of(p.event_ref)
        if ev.type != engine.SUPERVISOR:
            continue
        assert ev.parent_ref in placed_day, "supervisor event without its core event"
        assert placed_day[ev.parent_ref] == p.day, "supervisor event on its core event's day"
        emp = emps[p.employee_id]
        if "club_supervisor" not in emp.qualifications:
            lead, _ = engine.rotation_employee_id(p.day, "primary_lead", problem.rotations, problem.exceptions)
            assert p.employee_id == lead, "club supervisor, else the primary lead"
            clubs = [
                e
                for e in problem.employees
                if "club_supervisor" in e.qualifications and e.unavailable(p.day) is None and e.qualifies("supervisor")
            ]
            assert not clubs, "a club supervisor was available"
    for ev in events.values():
        if ev.type == engine.SUPERVISOR and ev.parent_ref in proposed:
            assert ev.ref in proposed or ev.ref in pins, "both or neither: core proposed without its supervisor event"

    # Bumps: only lower priority, never within 2 days of its due date; the bumped one goes elsewhere or is reported.
    for p in result.proposals:
        if not p.is_swap:
            continue
        assert p.bumped_event_ref is not None and p.swap_reason
        victim = event_of(p.bumped_event_ref)
        ev = event_of(p.event_ref)
        assert victim.priority > ev.priority, "bumped a higher-priority event"
        assert (victim.due_date - problem.today).days > engine.BUMP_PROTECTED_DAYS, "bumped an event due within 2 days"
        assert victim.ref in proposed or victim.ref in unscheduled
        if victim.ref in unscheduled:
            assert next(u for u in result.unscheduled if u.event_ref == victim.ref).code == engine.BUMPED
