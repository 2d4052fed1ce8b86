"""Property tests: on random instances the engine never breaks a hard constraint, and is deterministic."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotations import engine
from tests.rotations.strategies import check_result, problems, problems_with_pins

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems())
def test_hard_constraints_hold_on_random_instances(problem):
    check_result(problem, engine.schedule(problem))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_employees=4, max_events=40))
def test_hard_constraints_hold_when_capacity_is_scarce(problem):
    # Few employees and many events: lots of unscheduled events, bumps and fallbacks.
    check_result(problem, engine.schedule(problem))


@SETTINGS
@given(problems_with_pins())
def test_pins_stay_as_they_are_and_every_hard_constraint_holds_around_them(problem):
    """Random teams, random edits (pins): no breach, no pin changed, no pinned event proposed again."""
    result = engine.schedule(problem)
    check_result(problem, result)  # pins count as commitments: limits, overlap, the supervisor pairing
    pinned = {p.event.ref for p in problem.pins}
    assert not pinned & {p.event_ref for p in result.proposals}, "a pinned event was proposed again"
    assert not pinned & set(result.bumped_bookings), "a pin was bumped"
    assert not pinned & {p.bumped_event_ref for p in result.proposals}, "a pin was bumped"
    assert not pinned & {u.event_ref for u in result.unscheduled}, "a pinned event was reported unscheduled"
    # The edits were made within the rules: none is flagged.
    assert not [w for w in result.warnings if w.startswith("pinned")]
    # The pinned events listed or not, the result is the same.
    unlisted = replace(problem, events=tuple(e for e in problem.events if e.ref not in pinned))
    assert engine.schedule(unlisted) == result


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems_with_pins(max_employees=4, max_events=40))
def test_pins_hold_when_capacity_is_scarce(problem):
    check_result(problem, engine.schedule(problem))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems_with_pins(), st.randoms(use_true_random=False))
def test_deterministic_whatever_the_input_order(problem, rnd: random.Random):
    first = engine.schedule(problem)
    assert engine.schedule(problem) == first
    shuffled = replace(
        problem,
        employees=tuple(rnd.sample(problem.employees, len(problem.employees))),
        events=tuple(rnd.sample(problem.events, len(problem.events))),
        bookings=tuple(rnd.sample(problem.bookings, len(problem.bookings))),
        pins=tuple(rnd.sample(problem.pins, len(problem.pins))),
    )
    assert engine.schedule(shuffled) == first


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_unscheduled_events_say_which_constraint_ruled_out_each_candidate(problem):
    result = engine.schedule(problem)
    emps = {e.id: e for e in problem.employees}
    events = {e.ref: e for e in problem.events}
    for u in result.unscheduled:
        assert u.code in engine.CONSTRAINT_LABELS
        ev = events.get(u.event_ref)
        for emp_id, codes in u.ruled_out:
            assert codes, "each ruled-out candidate names a constraint"
            assert all(c in engine.CONSTRAINT_LABELS for c in codes)
            if ev is not None:
                assert emps[emp_id].qualifies(ev.type)
        assert len(u.ruled_out) <= engine.MAX_RULED_OUT


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_proposal_passes_the_single_assignment_check(problem):
    """The validator used by edits and approvals agrees with the engine."""
    result = engine.schedule(problem)
    emps = {e.id: e for e in problem.employees}
    events = {e.ref: e for e in problem.events}
    bumped = set(result.bumped_bookings)
    commitments: dict[int, list[engine.Booking]] = {}
    for b in problem.bookings:
        if b.event_ref not in bumped:
            commitments.setdefault(b.employee_id, []).append(b)
    for p in result.proposals:
        ev = events.get(p.event_ref)
        if ev is None:
            continue
        commitments.setdefault(p.employee_id, []).append(
            engine.Booking(p.event_ref, p.employee_id, ev.type, p.start, ev.minutes, ev.start_date, ev.due_date)
        )
    for p in result.proposals:
        ev = events.get(p.event_ref)
        if ev is None:
            continue
        others = [c for c in commitments[p.employee_id] if c.event_ref != p.event_ref]
        assert engine.check_assignment(event=ev, employee=emps[p.employee_id], start=p.start, commitments=others) == []


@settings(max_examples=150, deadline=None)
@given(
    dues=st.lists(st.integers(0, 12), min_size=1, max_size=4),
    bumpable=st.lists(st.booleans(), min_size=4, max_size=4),
    today_offset=st.integers(0, 3),
)
def test_bump_takes_the_furthest_due_of_the_bumpable_lower_priority_assignments(dues, bumpable, today_offset):
    """One employee, a full Monday of bookings, one event due that Monday: which one is bumped."""
    monday = date(2025, 10, 6)
    today = monday - timedelta(days=today_offset)
    worker = engine.Employee(id=1, qualifications=frozenset({"core"}), max_per_day=len(dues), max_per_week=10)
    bookings = tuple(
        engine.Booking(
            event_ref=500 + i,
            employee_id=1,
            type="core",
            start=datetime.combine(monday, time(9 + i)),
            minutes=60,
            start_date=monday,
            due_date=monday + timedelta(days=due),
            bumpable=bumpable[i],
        )
        for i, due in enumerate(dues)
    )
    problem = engine.Problem(
        days=(monday,),
        today=today,
        employees=(worker,),
        events=(engine.Event(1, "core", monday, monday, 60),),
        bookings=bookings,
    )
    result = engine.schedule(problem)
    eligible = [
        b
        for b in bookings
        if b.bumpable and b.due_date > monday and (b.due_date - today).days > engine.BUMP_PROTECTED_DAYS
    ]
    if not eligible:
        assert result.proposals == ()
        return
    (swap,) = [p for p in result.proposals if p.event_ref == 1]
    furthest = max(b.due_date for b in eligible)
    bumped = next(b for b in bookings if b.event_ref == swap.bumped_event_ref)
    assert swap.is_swap and bumped in eligible and bumped.due_date == furthest
