"""What a run gives the engine (problem.run_input) and what comes back (issue 11): a supervisor's
edited and approved proposals are fixed inputs (pins) that later runs keep and work around, and
unscheduled events already past due are listed with ``past_due`` instead of dropped."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from config.errors import InvalidInput
from rotations import engine, problem, selectors, services
from rotations.models import Event, PendingSchedule, ProposalStatus, RunStatus
from tests.rotations.factories import MONDAY, NOW, make_event

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + timedelta(days=1)


def run_now(start_date=MONDAY):
    run = services.start_run(now=timezone.now(), start_date=start_date)
    return services.execute_run(clock=timezone.now, run_id=run.pk)


def proposals(run) -> dict[int, PendingSchedule]:
    return {p.event.project_ref_num: p for p in selectors.run_proposals(run)}


def local(day, hour, minute=0):
    return selectors.from_local(datetime.combine(day, time(hour, minute)))


def set_status(proposal: PendingSchedule, status: str) -> None:
    PendingSchedule.objects.filter(pk=proposal.pk).update(status=status)


def next_input():
    """The engine's input of a new run (started, not executed)."""
    return problem.run_input(run=services.start_run(now=timezone.now(), start_date=MONDAY))


# --- pins: what run_input gives the engine -------------------------------------------------------


def test_open_edited_and_approved_proposals_of_completed_runs_are_pins_and_not_scheduled_again(world):
    first = proposals(run_now())
    edited = services.edit_proposal(proposal=first[1002], user=None, scheduled_at=local(TUESDAY, 13))
    set_status(first[1005], ProposalStatus.APPROVED)  # approved, its event not yet assigned
    set_status(first[1004], ProposalStatus.REJECTED)
    set_status(first[1003], ProposalStatus.FAILED)
    # 1001 and 1006 stay "proposed": untouched, they are scheduled afresh.
    data = next_input()
    pins = {pin.event.ref: pin for pin in data.problem.pins}
    assert set(pins) == {1002, 1005}
    assert (pins[1002].employee_id, pins[1002].start) == (edited.employee_id, datetime.combine(TUESDAY, time(13)))
    assert pins[1002].event == problem.event_to_engine(world.events[1002])
    assert pins[1005].employee_id == first[1005].employee_id
    assert pins[1005].start == selectors.to_local(first[1005].scheduled_at)
    assert data.pinned == {1002: edited.pk, 1005: first[1005].pk}
    assert {e.ref for e in data.problem.events} == {1001, 1003, 1004, 1006, 1007}
    assert data.problem.bookings == ()
    assert data.event_ids[1002] == world.events[1002].pk  # the answer can be mapped back


def test_only_completed_runs_pin_and_an_assigned_event_is_a_booking_not_a_pin(world):
    first = run_now()
    got = proposals(first)
    set_status(got[1002], ProposalStatus.USER_EDITED)
    set_status(got[1005], ProposalStatus.APPROVED)
    # The approval reserved the event: what is assigned is the truth (a booking, never bumped).
    Event.objects.filter(project_ref_num=1005).update(
        status="scheduled", assigned_employee=got[1005].employee, scheduled_at=got[1005].scheduled_at
    )
    first.status = RunStatus.CRASHED  # a run that did not complete pins nothing
    first.save(update_fields=["status"])
    data = next_input()
    assert data.problem.pins == ()
    assert 1002 in {e.ref for e in data.problem.events}
    (booking,) = data.problem.bookings
    assert booking.event_ref == 1005 and not booking.bumpable


def test_the_latest_open_decision_on_an_event_is_its_pin(world):
    first = proposals(run_now())
    services.edit_proposal(proposal=first[1002], user=None, scheduled_at=local(TUESDAY, 10))
    second = run_now()
    # An older, still open edit of the same event (as an earlier version could leave behind).
    PendingSchedule.objects.create(
        run=second,
        event=world.events[1002],
        employee=first[1002].employee,
        scheduled_at=local(TUESDAY, 12),
        status=ProposalStatus.USER_EDITED,
    )
    data = next_input()
    (pin,) = [p for p in data.problem.pins if p.event.ref == 1002]
    assert pin.start == datetime.combine(TUESDAY, time(12))


# --- pins: what the run does with them -----------------------------------------------------------


def test_an_edited_proposal_survives_the_nightly_run_which_works_around_it(world, time_machine):
    """Before: the supervisor's edit was rejected as "superseded" and the old time proposed again."""
    first = proposals(run_now())
    set_status(first[1005], ProposalStatus.REJECTED)
    edited = services.edit_proposal(proposal=first[1002], user=None, employee=world.dan, scheduled_at=local(MONDAY, 11))
    # Only Dan does "other": 3 hours on that Monday fit around 11:00–15:00 nowhere.
    make_event(3001, "other", MONDAY, MONDAY, 180)
    world.dan.max_events_per_day = 3
    world.dan.save()
    run = services.nightly_auto_schedule(clock=timezone.now, now=NOW)
    assert run.status == RunStatus.COMPLETED
    edited.refresh_from_db()
    assert (edited.status, edited.employee_id, edited.scheduled_at, edited.run_id) == (
        ProposalStatus.USER_EDITED,
        world.dan.pk,
        local(MONDAY, 11),
        first[1002].run_id,
    )
    fresh = proposals(run)
    assert 1002 not in fresh, "the edited event was proposed again"
    assert 1002 not in {u["project_ref_num"] for u in run.unscheduled}
    unscheduled = {u["project_ref_num"]: u for u in run.unscheduled}
    assert unscheduled[3001]["ruled_out"] == [
        {"employee_id": world.dan.pk, "employee": "Dan", "constraints": ["no_free_slot"]}
    ]
    for p in fresh.values():
        if p.employee == world.dan and p.event.event_type != "supervisor":
            end = p.scheduled_at + timedelta(minutes=p.event.estimated_minutes)
            assert end <= local(MONDAY, 11) or p.scheduled_at >= local(MONDAY, 15), p


def test_pins_count_toward_the_limits_of_a_later_run(world):
    first = proposals(run_now())
    set_status(first[1005], ProposalStatus.REJECTED)
    services.edit_proposal(proposal=first[1002], user=None, employee=world.dan, scheduled_at=local(TUESDAY, 9))
    dan = world.dan
    dan.max_events_per_week = 1
    dan.save()
    # Only Dan does "other": his week is taken by the edit.
    run = run_now()
    assert 1005 not in proposals(run)
    (u,) = [u for u in run.unscheduled if u["project_ref_num"] == 1005]
    assert u["ruled_out"] == [{"employee_id": dan.pk, "employee": "Dan", "constraints": ["weekly_limit"]}]


def test_an_approved_proposal_not_yet_assigned_is_kept_and_counted(world):
    first = proposals(run_now())
    set_status(first[1003], ProposalStatus.APPROVED)  # the juicer event, approved and on its way
    run = run_now()
    assert 1003 not in proposals(run)
    assert PendingSchedule.objects.get(pk=first[1003].pk).status == ProposalStatus.APPROVED


def test_a_pinned_core_events_supervisor_event_goes_on_the_pins_day(world):
    first = proposals(run_now())
    services.edit_proposal(proposal=first[1001], user=None, scheduled_at=local(TUESDAY + timedelta(days=1), 9))
    # The edit moved the supervisor event along (both user_edited); reject only the supervisor event's proposal.
    child = PendingSchedule.objects.get(pk=first[1006].pk)
    assert child.status == ProposalStatus.USER_EDITED
    set_status(child, ProposalStatus.REJECTED)
    PendingSchedule.objects.filter(pk=first[1001].pk).update(status=ProposalStatus.USER_EDITED)
    run = run_now()
    fresh = proposals(run)
    assert 1001 not in fresh
    assert selectors.to_local(fresh[1006].scheduled_at) == datetime.combine(TUESDAY + timedelta(days=1), time(9))


def test_an_edit_cannot_collide_with_an_edit_kept_from_an_earlier_run(world):
    first = proposals(run_now())
    services.edit_proposal(proposal=first[1002], user=None, employee=world.dan, scheduled_at=local(TUESDAY, 13))
    second = proposals(run_now())
    assert second[1005].employee == world.dan
    with pytest.raises(InvalidInput) as caught:
        services.edit_proposal(proposal=second[1005], user=None, scheduled_at=local(TUESDAY, 14))
    assert any("overlaps #1002 (13:00–17:00)" in m for m in caught.value.errors["scheduled_at"]), caught.value.errors
    assert PendingSchedule.objects.get(pk=second[1005].pk).status == ProposalStatus.PROPOSED
    # Clear of it, the same edit is fine.
    services.edit_proposal(proposal=second[1005], user=None, scheduled_at=local(TUESDAY, 9))


def test_a_pin_whose_day_has_passed_is_flagged_on_the_run(world, time_machine):
    first = proposals(run_now())
    services.edit_proposal(proposal=first[1002], user=None, scheduled_at=local(TUESDAY, 13))
    time_machine.move_to(local(TUESDAY + timedelta(days=1), 12), tick=False)
    run = run_now(start_date=TUESDAY + timedelta(days=1))
    assert 1002 not in proposals(run)
    (warning,) = [w for w in run.warnings if w.startswith("pinned #1002")]
    assert warning == (
        f"pinned #1002 ({first[1002].employee.name}, Tue 2025-10-07 13:00) breaks a rule now: its day has passed "
        "— edit or reject it"
    )


# --- past due --------------------------------------------------------------------------------------


def test_unscheduled_events_past_due_are_listed_by_the_engine_with_past_due(world):
    """Before: left out of the run without a word."""
    yesterday = NOW.date() - timedelta(days=1)  # the run's today is NOW's date (a Friday)
    late = make_event(2001, "core", yesterday - timedelta(days=9), yesterday, 60)
    make_event(2002, "core", yesterday - timedelta(days=9), yesterday + timedelta(days=1), 60)  # due today
    run = services.start_run(now=timezone.now(), start_date=MONDAY)
    data = problem.run_input(run=run)
    assert 2001 in {e.ref for e in data.problem.events}
    result = engine.schedule(data.problem)
    (u,) = [u for u in result.unscheduled if u.code == engine.PAST_DUE]
    assert u.event_ref == 2001 and yesterday.isoformat() in u.reason
    run = services.execute_run(clock=timezone.now, run_id=run.pk)
    listed = {u["project_ref_num"]: u for u in run.unscheduled}
    assert listed[2001] == {
        "event_id": late.pk,
        "project_ref_num": 2001,
        "type": "core",
        "due_date": yesterday.isoformat(),
        "code": "past_due",
        "reason": f"past its due date (Thu {yesterday.isoformat()}) and still unscheduled",
        "ruled_out": [],
        "more_ruled_out": 0,
        "not_qualified": 0,
    }
    assert listed.get(2002, {}).get("code") != "past_due"
    assert [u["project_ref_num"] for u in run.unscheduled].count(2001) == 1  # listed once
    assert run.events_failed == len(run.unscheduled)


def test_a_pinned_event_past_due_is_not_listed_as_past_due(world, time_machine):
    first = proposals(run_now())
    set_status(first[1003], ProposalStatus.USER_EDITED)  # the juicer event, due that Monday
    time_machine.move_to(local(TUESDAY, 12), tick=False)
    run = run_now(start_date=TUESDAY)
    assert 1003 not in {u["project_ref_num"] for u in run.unscheduled}
    assert 1003 not in proposals(run)
    assert [w for w in run.warnings if w.startswith("pinned #1003")]
