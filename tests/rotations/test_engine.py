"""The engine's rules, one example each."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from rotations import engine
from rotations.engine import Booking, Employee, Event, Pin, Problem

MON = date(2025, 10, 6)
TUE, WED, THU, FRI = (MON + timedelta(days=i) for i in range(1, 5))
DAYS = engine.workdays(MON, 21)


def emp(id, *quals, **kw):
    return Employee(id=id, name=f"E{id}", qualifications=frozenset(quals), **kw)


def problem(employees, events, **kw):
    kw.setdefault("days", DAYS)
    kw.setdefault("today", MON)
    return Problem(employees=tuple(employees), events=tuple(events), **kw)


def by_ref(result):
    return {p.event_ref: p for p in result.proposals}


def test_workdays_are_monday_to_friday():
    assert len(DAYS) == 15
    assert all(d.weekday() < 5 for d in DAYS)
    assert engine.workdays(date(2025, 10, 4), 3) == (MON,)


def test_juicer_event_goes_to_the_days_juicer_exception_first():
    employees = [emp(1, "juicer"), emp(2, "juicer"), emp(3, "juicer")]
    events = [Event(1, "juicer", MON, MON), Event(2, "juicer", TUE, TUE)]
    rotations = {(0, "juicer"): 1, (1, "juicer"): 1}
    exceptions = {(TUE, "juicer"): 3}
    result = engine.schedule(problem(employees, events, rotations=rotations, exceptions=exceptions))
    got = by_ref(result)
    assert got[1].employee_id == 1 and "weekly rotation" in got[1].reason
    assert got[2].employee_id == 3 and "exception" in got[2].reason
    assert not result.warnings


def test_digital_event_goes_to_the_primary_lead():
    employees = [emp(1, "digital"), emp(2, "digital", "lead")]
    rotations = {(0, "primary_lead"): 2}
    result = engine.schedule(problem(employees, [Event(1, "digital", MON, MON)], rotations=rotations))
    assert by_ref(result)[1].employee_id == 2


def test_rotation_employee_unavailable_falls_back_with_the_flag():
    employees = [emp(1, "juicer", time_off=((MON, MON),)), emp(2, "juicer"), emp(3, "core")]
    rotations = {(0, "juicer"): 1}
    result = engine.schedule(problem(employees, [Event(1, "juicer", MON, MON)], rotations=rotations))
    p = by_ref(result)[1]
    assert p.employee_id == 2 and p.is_fallback
    assert engine.FALLBACK_FLAG in p.reason and "time off" in p.reason
    assert result.warnings == (f"{engine.FALLBACK_FLAG}: E1, the juicer on Mon 2025-10-06, is unavailable (time off)",)


def test_rotation_prefers_a_later_day_with_the_rotation_employee_over_a_fallback():
    employees = [emp(1, "juicer", time_off=((MON, MON),)), emp(2, "juicer")]
    rotations = {(0, "juicer"): 1, (1, "juicer"): 1}
    result = engine.schedule(problem(employees, [Event(1, "juicer", MON, TUE)], rotations=rotations))
    p = by_ref(result)[1]
    assert (p.employee_id, p.day, p.is_fallback) == (1, TUE, False)


def test_rotation_unavailable_and_no_one_else_is_unscheduled_with_the_reason():
    employees = [emp(1, "juicer", time_off=((MON, MON),)), emp(2, "core")]
    result = engine.schedule(problem(employees, [Event(1, "juicer", MON, MON)], rotations={(0, "juicer"): 1}))
    (u,) = result.unscheduled
    assert u.code == engine.ROTATION
    assert engine.FALLBACK_FLAG in u.reason
    assert dict(u.ruled_out) == {1: ("time_off",)}
    assert u.not_qualified == 1


def test_core_event_earliest_feasible_day_least_loaded_employee():
    employees = [emp(1, "core", max_per_day=2), emp(2, "core", max_per_day=2, weekdays=frozenset({1, 2}))]
    events = [
        Event(1, "core", MON, THU, 120),
        Event(2, "core", MON, FRI, 120),
        Event(3, "core", TUE, MON + timedelta(days=7), 120),
    ]
    got = by_ref(engine.schedule(problem(employees, events)))
    assert got[1].day == MON and got[1].employee_id == 1
    assert got[2].day == MON and got[2].employee_id == 1  # only E1 works Mondays
    assert got[2].start == datetime.combine(MON, time(11))  # after the first, no overlap
    assert got[3].day == TUE and got[3].employee_id == 2  # least loaded that week
    assert "least loaded" in got[3].reason


def test_priority_is_due_date_then_type():
    employees = [emp(1, "core", "other")]
    events = [Event(1, "other", MON, MON), Event(2, "core", MON, MON), Event(3, "core", MON, TUE)]
    result = engine.schedule(problem(employees, events))
    got = by_ref(result)
    assert got[2].day == MON  # core before other on the same due date
    assert got[3].day == TUE
    assert [u.event_ref for u in result.unscheduled] == [1]
    assert dict(result.unscheduled[0].ruled_out) == {1: ("daily_limit",)}


def test_limits_per_day_and_week_and_time_off_are_explained():
    employees = [
        emp(1, "core", max_per_week=1),
        emp(2, "core", time_off=((MON, FRI),)),
        emp(3, "juicer"),
    ]
    events = [Event(1, "core", MON, FRI), Event(2, "core", MON, FRI)]
    result = engine.schedule(problem(employees, events))
    (u,) = result.unscheduled
    assert u.event_ref == 2 and u.code == engine.NO_SLOT
    assert dict(u.ruled_out) == {1: ("daily_limit", "weekly_limit"), 2: ("time_off",)}
    assert "weekly limit reached: 1" in u.reason and "time off: 1" in u.reason


def test_event_longer_than_the_day_and_outside_the_window():
    result = engine.schedule(
        problem(
            [emp(1, "core")],
            [Event(1, "core", MON, MON, 600), Event(2, "core", MON - timedelta(7), MON - timedelta(3))],
            today=MON - timedelta(10),  # event 2 is not past due yet, only outside the window
        )
    )
    codes = {u.event_ref: u.code for u in result.unscheduled}
    assert codes == {1: engine.TOO_LONG, 2: engine.DATE_RANGE}


def test_events_past_their_due_date_are_listed_unscheduled_not_dropped():
    """Before: left out of the run without a word."""
    events = [
        Event(1, "core", MON - timedelta(14), MON - timedelta(10)),
        Event(2, "core", MON - timedelta(7), MON - timedelta(1)),
        Event(3, "core", MON - timedelta(7), MON),  # due today: still schedulable
        Event(4, "juicer", MON - timedelta(7), MON - timedelta(1)),
    ]
    result = engine.schedule(problem([emp(1, "core", "juicer", max_per_day=3)], events))
    listed = {u.event_ref: u for u in result.unscheduled}
    assert set(listed) == {1, 2, 4} and set(by_ref(result)) == {3}
    assert all(u.code == engine.PAST_DUE for u in listed.values())
    assert listed[2].reason == "past its due date (Sun 2025-10-05) and still unscheduled"
    assert listed[1].ruled_out == () and listed[1].not_qualified == 0  # nobody was ruled out: it is late


def test_a_past_due_core_event_takes_its_supervisor_event_with_it_and_the_other_way_round():
    employees = [emp(1, "core"), emp(2, "club_supervisor")]
    late_core = [Event(1, "core", MON - timedelta(7), MON - timedelta(1)), Event(11, "supervisor", MON, FRI, 30, 1)]
    result = engine.schedule(problem(employees, late_core))
    listed = {u.event_ref: u for u in result.unscheduled}
    assert listed[1].code == engine.PAST_DUE
    assert listed[11].code == engine.PAIRING and "#1 is not scheduled (past its due date)" in listed[11].reason
    late_child = [Event(1, "core", MON, FRI), Event(11, "supervisor", MON - timedelta(7), MON - timedelta(1), 30, 1)]
    result = engine.schedule(problem(employees, late_child))
    listed = {u.event_ref: u for u in result.unscheduled}
    assert result.proposals == ()  # both or neither
    assert listed[11].code == engine.PAST_DUE
    assert listed[1].code == engine.PAIRING and "#11 is past its due date" in listed[1].reason


def test_supervisor_event_on_the_core_day_with_the_club_supervisor_and_not_counted():
    employees = [emp(1, "core"), emp(2, "club_supervisor", max_per_day=1), emp(3, "supervisor", "lead")]
    events = [
        Event(1, "core", TUE, FRI, 240),
        Event(2, "core", TUE, FRI, 240),
        Event(11, "supervisor", MON, FRI, 30, parent_ref=1),
        Event(12, "supervisor", MON, FRI, 30, parent_ref=2),
    ]
    got = by_ref(engine.schedule(problem(employees, events, rotations={(1, "primary_lead"): 3})))
    assert got[11].day == got[1].day and got[12].day == got[2].day
    # Both supervisor events to the club supervisor: not limited by max_per_day, may overlap.
    assert got[11].employee_id == 2 and got[12].employee_id == 2
    assert got[11].start == got[1].start
    assert "club supervisor" in got[11].reason


def test_supervisor_event_falls_back_to_the_primary_lead():
    employees = [emp(1, "core"), emp(2, "club_supervisor", time_off=((TUE, TUE),)), emp(3, "supervisor", "lead")]
    events = [Event(1, "core", TUE, TUE), Event(11, "supervisor", TUE, TUE, 30, parent_ref=1)]
    got = by_ref(engine.schedule(problem(employees, events, rotations={(1, "primary_lead"): 3})))
    assert got[11].employee_id == 3 and "primary lead" in got[11].reason


def test_both_or_neither_core_waits_for_a_day_its_supervisor_can_be_covered():
    employees = [emp(1, "core"), emp(2, "club_supervisor", weekdays=frozenset({2}))]
    events = [Event(1, "core", MON, FRI), Event(11, "supervisor", MON, FRI, 30, parent_ref=1)]
    got = by_ref(engine.schedule(problem(employees, events)))
    assert got[1].day == WED and got[11].day == WED


def test_both_or_neither_when_no_coverage_at_all():
    employees = [emp(1, "core")]
    events = [Event(1, "core", MON, FRI), Event(11, "supervisor", MON, FRI, 30, parent_ref=1)]
    result = engine.schedule(problem(employees, events))
    assert result.proposals == ()
    assert {u.event_ref: u.code for u in result.unscheduled} == {1: engine.COVERAGE, 11: engine.COVERAGE}


def test_an_unqualified_primary_lead_is_named_not_qualified_not_unavailable():
    """Before: "no club supervisor or primary lead available", though the lead was available."""
    employees = [emp(1, "core"), emp(2, "lead"), emp(3, "core")]
    leads = {(wd, "primary_lead"): 2 for wd in range(5)}
    events = [Event(1, "core", MON, WED), Event(11, "supervisor", MON, WED, 30, parent_ref=1)]
    result = engine.schedule(problem(employees, events, rotations=leads))
    assert result.proposals == ()
    listed = {u.event_ref: u for u in result.unscheduled}
    days = "on Mon 2025-10-06, Tue 2025-10-07, Wed 2025-10-08"
    why = f"{days}: no employee is a club supervisor, primary lead E2 is not qualified to oversee"
    for ref in (1, 11):
        assert listed[ref].code == engine.COVERAGE
        assert why in listed[ref].reason, listed[ref].reason
        assert "available" not in listed[ref].reason
    # The core event's candidates were free: what ruled them out is the cover, nothing else.
    assert dict(listed[1].ruled_out) == {1: (engine.COVERAGE,), 3: (engine.COVERAGE,)}


def test_cover_reasons_name_each_candidate_and_constraint_per_day():
    employees = [
        emp(1, "core"),
        emp(2, "club_supervisor", time_off=((MON, TUE),)),
        emp(3, "supervisor", "lead", weekdays=frozenset({1, 2, 3, 4})),  # the Monday lead does not work Mondays
        emp(4, "lead"),  # the Tuesday lead is no supervisor
        emp(5, "supervisor"),  # a supervisor, but not the club supervisor nor a lead
    ]
    rotations = {(0, "primary_lead"): 3, (1, "primary_lead"): 4}
    events = [Event(1, "core", MON, TUE), Event(11, "supervisor", MON, TUE, 30, parent_ref=1)]
    result = engine.schedule(problem(employees, events, rotations=rotations))
    listed = {u.event_ref: u for u in result.unscheduled}
    reason = listed[1].reason
    assert (
        "on Mon 2025-10-06: club supervisor E2 is unavailable (time off), primary lead E3 is unavailable "
        "(not available that weekday)" in reason
    )
    assert (
        "on Tue 2025-10-07: club supervisor E2 is unavailable (time off), primary lead E4 is not qualified to "
        "oversee (needs supervisor or club_supervisor)" in reason
    )
    assert listed[11].code == engine.COVERAGE and "on Tue 2025-10-07" in listed[11].reason


def test_a_supervisor_event_on_a_fixed_core_day_names_why_each_supervisor_cannot_cover():
    employees = [
        emp(1, "core"),
        emp(2, "club_supervisor", time_off=((MON, MON),)),
        emp(3, "supervisor"),
        emp(4, "lead"),
    ]
    core = Pin(Event(1, "core", MON, MON), 1, datetime.combine(MON, time(9)))
    events = [Event(11, "supervisor", MON, MON, 30, parent_ref=1)]
    result = engine.schedule(problem(employees, events, pins=(core,), rotations={(0, "primary_lead"): 4}))
    (u,) = result.unscheduled
    assert u.code == engine.COVERAGE and "primary lead E4 is not qualified to oversee" in u.reason
    assert dict(u.ruled_out) == {2: (engine.TIME_OFF,), 3: (engine.COVER_ROLE,)}
    assert u.not_qualified == 2


def test_a_rotation_employee_who_is_not_qualified_is_named_so_not_unavailable():
    # The primary lead does not do digital work: the fallback says so.
    employees = [emp(1, "lead"), emp(2, "digital", "lead")]
    leads = {(0, "primary_lead"): 1}
    result = engine.schedule(problem(employees, [Event(1, "digital", MON, MON)], rotations=leads))
    p = by_ref(result)[1]
    assert p.employee_id == 2 and p.is_fallback
    assert "E1, the primary lead on Mon 2025-10-06, is not qualified for digital" in p.reason
    assert "unavailable" not in p.reason.replace(engine.FALLBACK_FLAG, "")
    # The other one is off: unscheduled, and the reason still says "not qualified" for the lead.
    employees[1] = emp(2, "digital", "lead", time_off=((MON, MON),))
    result = engine.schedule(problem(employees, [Event(1, "digital", MON, MON)], rotations=leads))
    (u,) = result.unscheduled
    assert u.code == engine.ROTATION
    assert "E1, the primary lead on Mon 2025-10-06, is not qualified for digital" in u.reason
    assert dict(u.ruled_out) == {2: (engine.TIME_OFF,)} and u.not_qualified == 1
    # Nobody qualified at all: said so.
    result = engine.schedule(problem(employees[:1], [Event(1, "digital", MON, MON)], rotations=leads))
    assert [(u.code, u.reason) for u in result.unscheduled] == [
        (engine.QUALIFICATION, "no employee is qualified for digital")
    ]


def test_a_rotation_employee_with_a_full_day_cannot_take_it_rather_than_being_unavailable():
    employees = [emp(1, "juicer", max_per_day=1)]
    booking = Booking(500, 1, "core", datetime.combine(MON, time(9)), 60, MON, MON)
    result = engine.schedule(
        problem(employees, [Event(1, "juicer", MON, MON)], bookings=(booking,), rotations={(0, "juicer"): 1})
    )
    (u,) = result.unscheduled
    assert u.code == engine.ROTATION
    assert "E1, the juicer on Mon 2025-10-06, cannot take it (daily limit reached)" in u.reason
    assert "unavailable" not in u.reason.replace(engine.FALLBACK_FLAG, "")


def _booking(ref, emp_id, day, due, *, bumpable=True, hour=9, minutes=60, type="core"):
    return Booking(ref, emp_id, type, datetime.combine(day, time(hour)), minutes, day, due, bumpable=bumpable)


def test_bump_takes_the_slot_of_the_assignment_due_furthest_away():
    employees = [emp(1, "core", max_per_day=2)]
    bookings = (
        _booking(500, 1, MON, MON + timedelta(days=10), hour=9),
        _booking(501, 1, MON, MON + timedelta(days=12), hour=10),
    )
    result = engine.schedule(problem(employees, [Event(1, "core", MON, MON)], bookings=bookings))
    p = by_ref(result)[1]
    assert p.is_swap and p.bumped_event_ref == 501  # due furthest away
    assert "#501" in p.swap_reason and "furthest due" in p.swap_reason
    assert result.bumped_bookings == (501,)
    # The bumped event is moved to another day of its range.
    moved = by_ref(result)[501]
    assert moved.day > MON and "bumped by #1" in moved.reason


def test_bump_never_within_two_days_of_due_nor_higher_priority_nor_unbumpable():
    employees = [emp(1, "core")]
    for booking in (
        _booking(500, 1, MON, MON + timedelta(days=2)),  # due within 2 days of today
        _booking(500, 1, MON, MON + timedelta(days=9), bumpable=False),  # submitted to the client's system
        _booking(500, 1, MON, MON),  # as urgent as the event
    ):
        result = engine.schedule(problem(employees, [Event(1, "core", MON, MON)], bookings=(booking,)))
        assert result.proposals == ()
        assert [u.event_ref for u in result.unscheduled] == [1]
    # Three days away: bumpable.
    booking = _booking(500, 1, MON, MON + timedelta(days=3))
    result = engine.schedule(problem(employees, [Event(1, "core", MON, MON)], bookings=(booking,)))
    assert by_ref(result)[1].is_swap


def test_bump_only_when_it_schedules_the_higher_priority_event():
    # A 7.5-hour event does not fit even if one of the 1-hour bookings leaves.
    employees = [emp(1, "core", max_per_day=2)]
    bookings = (
        _booking(500, 1, MON, MON + timedelta(days=9), hour=9),
        _booking(501, 1, MON, MON + timedelta(days=9), hour=14),
    )
    result = engine.schedule(problem(employees, [Event(1, "core", MON, MON, 450)], bookings=bookings))
    assert result.proposals == () and result.bumped_bookings == ()


def test_bumped_event_with_no_other_place_is_reported():
    employees = [emp(1, "core")]
    bookings = (_booking(500, 1, MON, MON + timedelta(days=9)),)
    days = (MON,)
    result = engine.schedule(problem(employees, [Event(1, "core", MON, MON)], bookings=bookings, days=days))
    assert by_ref(result)[1].is_swap
    (u,) = result.unscheduled
    assert u.event_ref == 500 and u.code == engine.BUMPED and "bumped by #1" in u.reason


def test_bookings_count_toward_limits_and_block_their_time():
    employees = [emp(1, "core", max_per_day=2, max_per_week=2)]
    bookings = (_booking(500, 1, MON, MON, bumpable=False, hour=9, minutes=120),)
    events = [Event(1, "core", MON, MON, 60), Event(2, "core", TUE, TUE, 60)]
    result = engine.schedule(problem(employees, events, bookings=bookings))
    got = by_ref(result)
    assert got[1].start == datetime.combine(MON, time(11))
    assert [u.event_ref for u in result.unscheduled] == [2]  # weekly limit (booking + event 1)


def test_check_assignment_names_each_broken_constraint():
    worker = emp(1, "core", max_per_day=1, weekdays=frozenset({0, 1, 2, 3}), time_off=((THU, THU),))
    event = Event(1, "core", MON, WED, 120)
    others = [_booking(500, 1, TUE, FRI)]
    v = engine.check_assignment(
        event=event, employee=worker, start=datetime.combine(TUE, time(9, 30)), commitments=others
    )
    assert {x.code for x in v} == {engine.DAILY_LIMIT, engine.OVERLAP}
    v = engine.check_assignment(event=event, employee=worker, start=datetime.combine(THU, time(9)), commitments=[])
    assert {x.code for x in v} == {engine.DATE_RANGE, engine.TIME_OFF}
    v = engine.check_assignment(
        event=Event(2, "juicer", FRI, FRI), employee=worker, start=datetime.combine(FRI, time(9)), commitments=[]
    )
    assert {x.code for x in v} == {engine.QUALIFICATION, engine.AVAILABILITY}


def test_rotation_and_pairing_checks():
    juicer, other = emp(1, "juicer"), emp(2, "juicer")
    event = Event(1, "juicer", MON, MON)
    assert (
        engine.rotation_violation(
            event=event, employee=other, day=MON, rotation_employee=juicer, rotation_employee_violations=[]
        ).code
        == engine.ROTATION
    )
    blocked = [engine.Violation(engine.TIME_OFF, "off")]
    assert (
        engine.rotation_violation(
            event=event, employee=other, day=MON, rotation_employee=juicer, rotation_employee_violations=blocked
        )
        is None
    )
    sup = Event(2, "supervisor", MON, TUE, parent_ref=9)
    assert engine.pairing_violation(
        event=sup, employee=emp(3, "supervisor"), day=MON, parent_day=TUE, is_primary_lead=True
    )
    assert engine.pairing_violation(
        event=sup, employee=emp(3, "supervisor"), day=MON, parent_day=MON, is_primary_lead=False
    )
    assert not engine.pairing_violation(
        event=sup, employee=emp(3, "club_supervisor"), day=MON, parent_day=MON, is_primary_lead=False
    )


def test_progress_is_reported_between_phases():
    seen = []
    engine.schedule(problem([emp(1, "core")], [Event(1, "core", MON, MON)]), progress=lambda p, f: seen.append(p))
    assert seen == ["rotation", "core", "repair", "supervisor", "explain"]


# --- the working day -------------------------------------------------------------------


def test_check_assignment_holds_the_whole_event_to_the_working_day():
    """Before: an edit to 23:30 passed, though the engine itself only uses 09:00–17:00."""
    worker = emp(1, "core")
    event = Event(1, "core", MON, MON, 240)

    def codes(hour, minute=0, **working_day):
        start = datetime.combine(MON, time(hour, minute))
        return {
            v.code
            for v in engine.check_assignment(event=event, employee=worker, start=start, commitments=[], **working_day)
        }

    nine_to_five = {"day_start": time(9), "day_minutes": 480}
    assert codes(23, 30, **nine_to_five) == {engine.WORKING_DAY}
    assert codes(8, 59, **nine_to_five) == {engine.WORKING_DAY}
    assert codes(13, 1, **nine_to_five) == {engine.WORKING_DAY}  # starts inside, ends at 17:01
    assert codes(13, 0, **nine_to_five) == codes(9, 0, **nine_to_five) == set()
    assert codes(7, 0, day_start=time(7), day_minutes=13 * 60) == set()
    (v,) = engine.check_assignment(
        event=event, employee=worker, start=datetime.combine(MON, time(23, 30)), commitments=[], **nine_to_five
    )
    assert v.message == "23:30–03:30 is outside the working day (09:00–17:00)"


# --- pins: proposals a supervisor edited or approved ------------------------------------


def _pin(ref, emp_id, day, hour, minutes=60, type="core", parent=None, start_date=None, due=None):
    event = Event(ref, type, start_date or day, due or day, minutes, parent_ref=parent)
    return Pin(event, emp_id, datetime.combine(day, time(hour)))


def test_a_pinned_event_is_not_proposed_again_even_when_listed():
    """Before: the nightly run rejected an edit to 13:00 as superseded and proposed 09:00 again."""
    pin = _pin(8, 1, MON, 13)
    result = engine.schedule(problem([emp(1, "core", max_per_day=3)], [pin.event], pins=(pin,)))
    assert result.proposals == () and result.unscheduled == () and result.warnings == ()


def test_pins_count_toward_the_daily_and_weekly_limits_and_block_their_time():
    worker = emp(1, "core", max_per_day=2, max_per_week=3)
    pins = (_pin(8, 1, MON, 9, minutes=120), _pin(9, 1, TUE, 9))
    events = [Event(1, "core", MON, MON, 60), Event(2, "core", MON, MON, 60), Event(3, "core", WED, WED)]
    result = engine.schedule(problem([worker], events, pins=pins))
    got = by_ref(result)
    assert got[1].start == datetime.combine(MON, time(11))  # after the pin, no overlap
    assert {u.event_ref: u.code for u in result.unscheduled} == {2: engine.NO_SLOT, 3: engine.NO_SLOT}
    assert dict(next(u for u in result.unscheduled if u.event_ref == 2).ruled_out) == {1: (engine.DAILY_LIMIT,)}
    assert dict(next(u for u in result.unscheduled if u.event_ref == 3).ruled_out) == {1: (engine.WEEKLY_LIMIT,)}


def test_a_pin_is_never_bumped_where_a_booking_would_be():
    worker = emp(1, "core")
    far = MON + timedelta(days=12)
    urgent = [Event(1, "core", MON, MON)]
    booking = Booking(8, 1, "core", datetime.combine(MON, time(9)), 60, MON, far, bumpable=True)
    assert by_ref(engine.schedule(problem([worker], urgent, bookings=(booking,))))[1].is_swap
    pin = _pin(8, 1, MON, 9, due=far)
    result = engine.schedule(problem([worker], urgent, pins=(pin,)))
    assert result.proposals == () and result.bumped_bookings == ()
    assert [u.event_ref for u in result.unscheduled] == [1]


def test_the_supervisor_event_of_a_pinned_core_event_goes_on_the_pins_day():
    employees = [emp(1, "core"), emp(2, "club_supervisor")]
    pin = _pin(1, 1, WED, 13, start_date=MON, due=FRI)
    events = [Event(11, "supervisor", MON, FRI, 30, parent_ref=1)]
    got = by_ref(engine.schedule(problem(employees, events, pins=(pin,))))
    assert got[11].start == datetime.combine(WED, time(13)) and got[11].employee_id == 2


def test_a_core_event_goes_on_the_day_of_its_pinned_supervisor_event():
    employees = [emp(1, "core"), emp(2, "club_supervisor")]
    pin = _pin(11, 2, THU, 10, minutes=30, type="supervisor", parent=1, start_date=MON, due=FRI)
    result = engine.schedule(problem(employees, [Event(1, "core", MON, FRI)], pins=(pin,)))
    assert by_ref(result)[1].day == THU
    # On a day outside the core event's dates: both or neither, and said why.
    pin = _pin(11, 2, FRI, 10, minutes=30, type="supervisor", parent=1, start_date=MON, due=FRI)
    result = engine.schedule(problem(employees, [Event(1, "core", MON, THU)], pins=(pin,)))
    (u,) = result.unscheduled
    assert u.code == engine.PAIRING and "fixed on Fri 2025-10-10" in u.reason


def test_a_booked_core_event_with_a_booked_supervisor_event_is_never_bumped():
    """Both or neither: bumping the core event would leave its supervisor event on the old day."""
    worker, club = emp(1, "core"), emp(2, "club_supervisor")
    far = MON + timedelta(days=12)
    bookings = (
        Booking(900, 1, "core", datetime.combine(MON, time(9)), 60, MON, far, bumpable=True),
        Booking(901, 2, "supervisor", datetime.combine(MON, time(9)), 30, MON, far, parent_ref=900, bumpable=True),
    )
    result = engine.schedule(problem([worker, club], [Event(1, "core", MON, MON)], bookings=bookings))
    assert result.proposals == () and result.bumped_bookings == ()


def test_a_booking_of_the_same_event_wins_over_a_pin():
    worker = emp(1, "core", max_per_day=3)
    booking = Booking(8, 1, "core", datetime.combine(MON, time(9)), 60, MON, MON)
    pin = _pin(8, 1, MON, 13)
    result = engine.schedule(problem([worker], [Event(1, "core", MON, MON, 240)], bookings=(booking,), pins=(pin,)))
    assert by_ref(result)[1].start == datetime.combine(MON, time(10))  # 13:00 is free: the pin does not count
    assert result.warnings == ()


def test_a_pin_that_breaks_a_rule_now_is_kept_counted_and_flagged():
    # Time off was added after the edit, and the day has passed.
    worker = emp(1, "core", max_per_day=1, time_off=((MON, MON),))
    pin = _pin(8, 1, MON, 13)
    result = engine.schedule(problem([worker], [Event(1, "core", MON, MON)], pins=(pin,), today=TUE))
    assert result.proposals == ()
    assert result.warnings == (
        "pinned #8 (E1, Mon 2025-10-06 13:00) breaks a rule now: E1 has time off on 2025-10-06; its day has passed "
        "— edit or reject it",
    )
    # Two pins on top of each other: both flagged, neither moved.
    pins = (_pin(8, 1, TUE, 9, minutes=120), _pin(9, 1, TUE, 10))
    result = engine.schedule(problem([emp(1, "core", max_per_day=1)], [], pins=pins))
    assert result.warnings == (
        "pinned #8 (E1, Tue 2025-10-07 09:00) breaks a rule now: E1 already has 1 event(s) on 2025-10-07; overlaps #9 "
        "(10:00–11:00) — edit or reject it",
        "pinned #9 (E1, Tue 2025-10-07 10:00) breaks a rule now: E1 already has 1 event(s) on 2025-10-07; overlaps #8 "
        "(09:00–11:00) — edit or reject it",
    )
