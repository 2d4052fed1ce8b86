"""Runs and proposals through the services, against PostgreSQL."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from config.errors import Conflict, InvalidInput
from realtime.models import EventLog
from rotations import selectors, services
from rotations.models import (
    Event,
    PendingSchedule,
    ProposalStatus,
    RunKind,
    RunStatus,
    ScheduleException,
    SchedulerRun,
    TimeOff,
)
from tests.rotations.factories import MONDAY, make_employee, make_event

pytestmark = pytest.mark.django_db


def run_now(**kw):
    run = services.start_run(now=timezone.now(), start_date=kw.pop("start_date", MONDAY), **kw)
    return services.execute_run(clock=timezone.now, run_id=run.pk)


def proposals_by_ref(run):
    return {p.event.project_ref_num: p for p in selectors.run_proposals(run)}


def local(day, hour, minute=0):
    return selectors.from_local(datetime.combine(day, time(hour, minute)))


def test_a_run_proposes_without_applying_anything(world):
    run = run_now()
    assert run.status == RunStatus.COMPLETED and run.progress == 100
    got = proposals_by_ref(run)
    assert got[1003].employee == world.ann  # the day's juicer
    assert got[1004].employee == world.ben  # the day's primary lead
    assert got[1006].employee == world.cat  # the club supervisor, on the core event's day
    assert got[1006].scheduled_at.date() == got[1001].scheduled_at.date()
    assert got[1005].employee == world.dan  # only Dan does "other"
    assert all(p.status == ProposalStatus.PROPOSED and p.reason for p in got.values())
    assert (run.events_processed, run.events_scheduled, run.events_failed, run.swaps) == (7, 6, 1, 0)
    (failed,) = run.unscheduled
    assert failed["project_ref_num"] == 1007 and failed["code"] == "too_long"
    # Nothing applied yet.
    assert set(Event.objects.values_list("status", flat=True)) == {"unscheduled"}
    types = set(EventLog.objects.filter(event_type__startswith="rotations.run").values_list("event_type", flat=True))
    assert {"rotations.run.started", "rotations.run.progress", "rotations.run.completed"} <= types


def test_unscheduled_events_carry_per_candidate_reasons(world):
    TimeOff.objects.create(employee=world.dan, start_date=MONDAY, end_date=MONDAY + timedelta(days=30))
    run = run_now()
    failed = {u["project_ref_num"]: u for u in run.unscheduled}
    other = failed[1005]
    assert other["code"] == "no_free_slot"
    assert other["ruled_out"] == [{"employee_id": world.dan.pk, "employee": "Dan", "constraints": ["time_off"]}]
    assert other["not_qualified"] == 3


def test_rotation_fallback_is_flagged_on_the_run(world):
    TimeOff.objects.create(employee=world.ann, start_date=MONDAY, end_date=MONDAY)
    eve = make_employee("Eve", "juicer")
    run = run_now()
    got = proposals_by_ref(run)
    assert got[1003].employee == eve and got[1003].is_fallback
    assert run.warnings and "add an exception" in run.warnings[0]


def test_exception_overrides_the_rotation(world):
    eve = make_employee("Eve", "juicer")
    ScheduleException.objects.create(date=MONDAY, rotation_type="juicer", employee=eve)
    got = proposals_by_ref(run_now())
    assert got[1003].employee == eve and not got[1003].is_fallback


def test_window_is_validated(world):
    with pytest.raises(InvalidInput) as err:
        services.start_run(now=timezone.now(), start_date=MONDAY, days=0)
    assert "days" in err.value.errors
    with pytest.raises(InvalidInput):
        services.start_run(now=timezone.now(), start_date=MONDAY, days=43)
    assert not SchedulerRun.objects.exists()


def test_a_second_run_is_refused_while_one_is_running(world):
    first = services.start_run(now=timezone.now(), start_date=MONDAY)
    with pytest.raises(Conflict) as err:
        services.start_run(now=timezone.now(), start_date=MONDAY)
    assert f"#{first.pk}" in err.value.detail
    services.execute_run(clock=timezone.now, run_id=first.pk)
    second = run_now()
    assert second.status == RunStatus.COMPLETED


def test_a_new_run_supersedes_the_open_proposals_of_earlier_runs(world):
    first = run_now()
    p = proposals_by_ref(first)[1001]
    services.approve_proposal(now=timezone.now(), proposal=p, user=None)
    second = run_now()
    statuses = dict(PendingSchedule.objects.filter(run=first).values_list("event__project_ref_num", "status"))
    assert statuses[1001] == ProposalStatus.API_SUBMITTED  # decided ones are kept
    assert statuses[1002] == ProposalStatus.REJECTED
    assert PendingSchedule.objects.get(run=first, event__project_ref_num=1002).failure_reason == (
        f"superseded by run #{second.pk}"
    )
    live = PendingSchedule.objects.filter(status__in=[ProposalStatus.PROPOSED, ProposalStatus.USER_EDITED])
    assert set(live.values_list("run_id", flat=True)) == {second.pk}
    assert 1001 not in proposals_by_ref(second)  # already scheduled


def test_a_failing_run_is_failed_with_the_error_and_writes_nothing(world):
    run = services.start_run(now=timezone.now(), start_date=MONDAY)

    def explode(run, result):
        raise RuntimeError("engine exploded")

    run = services.execute_run(clock=timezone.now, run_id=run.pk, after_engine=explode)
    assert run.status == RunStatus.FAILED
    assert run.error == "RuntimeError: engine exploded"
    assert not PendingSchedule.objects.exists()
    assert EventLog.objects.filter(event_type="rotations.run.failed").exists()


def test_reaper_marks_stale_runs_crashed_and_a_late_finish_writes_nothing(world, time_machine):
    run = services.start_run(now=timezone.now(), start_date=MONDAY)
    assert services.reap_crashed_runs(now=timezone.now()) == 0
    time_machine.shift(timedelta(minutes=10))
    assert services.reap_crashed_runs(now=timezone.now()) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.CRASHED and "heartbeat" in run.error.lower()
    # The worker was only slow: when it gets there, the run is not running any more.
    assert services.execute_run(clock=timezone.now, run_id=run.pk).status == RunStatus.CRASHED
    assert not PendingSchedule.objects.exists()


def test_reaped_while_the_engine_runs_leaves_no_proposals(world, time_machine):
    run = services.start_run(now=timezone.now(), start_date=MONDAY)

    def reaper_fires(run, result):
        time_machine.shift(timedelta(minutes=10))
        services.reap_crashed_runs(now=timezone.now())

    run = services.execute_run(clock=timezone.now, run_id=run.pk, after_engine=reaper_fires)
    assert run.status == RunStatus.CRASHED
    assert not PendingSchedule.objects.exists()


def test_start_run_reaps_a_dead_run_first(world, time_machine):
    dead = services.start_run(now=timezone.now(), start_date=MONDAY)
    time_machine.shift(timedelta(hours=1))
    fresh = services.start_run(now=timezone.now(), start_date=MONDAY)
    dead.refresh_from_db()
    assert dead.status == RunStatus.CRASHED and fresh.status == RunStatus.RUNNING


def test_runs_older_than_three_weeks_are_purged_with_their_proposals(world, time_machine):
    old = run_now()
    assert old.proposals.exists()
    time_machine.shift(timedelta(days=15))
    recent = run_now()
    time_machine.shift(timedelta(days=7))
    assert services.purge_old_runs(now=timezone.now()) == 1
    assert list(SchedulerRun.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not PendingSchedule.objects.filter(run_id=old.pk).exists()


def test_nightly_runs_automatically_and_skips_while_a_run_is_running(world, time_machine):
    time_machine.move_to(datetime(2025, 10, 6, 2, 30, tzinfo=selectors.local_tz()), tick=False)
    run = services.nightly_auto_schedule(clock=timezone.now, now=timezone.now())
    assert run.kind == RunKind.AUTOMATIC and run.status == RunStatus.COMPLETED
    assert run.window_start == MONDAY and run.events_scheduled == 6
    services.start_run(now=timezone.now(), start_date=MONDAY)
    assert services.nightly_auto_schedule(clock=timezone.now, now=timezone.now()) is None


# --- edits -------------------------------------------------------------------------------------------


def test_edit_within_the_rules_marks_user_edited(world):
    run = run_now()
    p = proposals_by_ref(run)[1002]
    target = world.dan if p.employee != world.dan else world.ann
    edited = services.edit_proposal(proposal=p, user=None, employee=target, scheduled_at=local(MONDAY, 13))
    assert edited.status == ProposalStatus.USER_EDITED and edited.employee == target
    assert EventLog.objects.filter(event_type="rotations.proposal.edited").exists()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ("unqualified", "employee", "qualification"),
        ("time_off", "employee", "time_off"),
        ("outside_dates", "scheduled_at", "date_range"),
        ("overlap", "scheduled_at", "overlap"),
        ("rotation", "employee", "rotation"),
    ],
)
def test_edit_breaking_a_rule_is_refused_and_changes_nothing(world, change, field, code):
    run = run_now()
    got = proposals_by_ref(run)
    p = got[1002]
    kwargs = {}
    if change == "unqualified":
        p = got[1005]  # "other": only Dan
        kwargs["employee"] = world.ann
    elif change == "time_off":
        TimeOff.objects.create(employee=world.dan, start_date=MONDAY, end_date=MONDAY + timedelta(days=4))
        kwargs["employee"] = world.dan
    elif change == "outside_dates":
        kwargs["scheduled_at"] = local(MONDAY + timedelta(days=7), 9)
    elif change == "overlap":
        other = got[1001]
        kwargs = {"employee": other.employee, "scheduled_at": other.scheduled_at}
    else:
        p = got[1003]  # juicer event: Ann is the day's juicer and free
        make_employee("Eve", "juicer")
        kwargs["employee"] = make_employee("Fay", "juicer")
    before = PendingSchedule.objects.get(pk=p.pk)
    with pytest.raises(InvalidInput) as err:
        services.edit_proposal(proposal=p, user=None, **kwargs)
    assert field in err.value.errors
    assert any(f"({code})" in m for m in err.value.errors[field])
    after = PendingSchedule.objects.get(pk=p.pk)
    assert (after.status, after.employee_id, after.scheduled_at) == (
        before.status,
        before.employee_id,
        before.scheduled_at,
    )


def test_moving_a_core_event_moves_its_supervisor_event(world):
    run = run_now()
    got = proposals_by_ref(run)
    core, sup = got[1001], got[1006]
    new_day = MONDAY + timedelta(days=3)
    services.edit_proposal(proposal=core, user=None, scheduled_at=local(new_day, 13))
    sup.refresh_from_db()
    assert sup.status == ProposalStatus.USER_EDITED
    assert selectors.to_local(sup.scheduled_at).date() == new_day


def test_a_supervisor_event_cannot_leave_its_core_events_day(world):
    got = proposals_by_ref(run_now())
    sup = got[1006]
    with pytest.raises(InvalidInput) as err:
        services.edit_proposal(proposal=sup, user=None, scheduled_at=sup.scheduled_at + timedelta(days=1))
    assert any("(pairing)" in m for m in err.value.errors["scheduled_at"])


# --- approval ---------------------------------------------------------------------------------------


def test_approve_applies_to_the_event_once(world, make_user):
    user = make_user("supervisor")
    p = proposals_by_ref(run_now())[1002]
    done = services.approve_proposal(now=timezone.now(), proposal=p, user=user)
    assert done.status == ProposalStatus.API_SUBMITTED and done.decided_by == user
    event = Event.objects.get(project_ref_num=1002)
    assert (event.status, event.assigned_employee_id, event.scheduled_at) == (
        "scheduled",
        p.employee_id,
        p.scheduled_at,
    )
    again = services.approve_proposal(now=timezone.now(), proposal=p, user=user)
    assert again.status == ProposalStatus.API_SUBMITTED and again.submitted_at == done.submitted_at
    logged = EventLog.objects.filter(event_type="rotations.proposal.approved", payload__proposal_id=p.pk)
    assert logged.filter(group_name=f"rotations.run.{p.run_id}").count() == 1
    with pytest.raises(Conflict):
        services.reject_proposal(now=timezone.now(), proposal=p, user=user)


def test_reject_then_approve_is_a_conflict(world):
    p = proposals_by_ref(run_now())[1002]
    assert services.reject_proposal(now=timezone.now(), proposal=p, user=None).status == ProposalStatus.REJECTED
    assert services.reject_proposal(now=timezone.now(), proposal=p, user=None).status == ProposalStatus.REJECTED
    with pytest.raises(Conflict):
        services.approve_proposal(now=timezone.now(), proposal=p, user=None)
    assert Event.objects.get(project_ref_num=1002).status == "unscheduled"


def test_approval_revalidates_against_the_current_state_and_can_be_retried(world):
    p = proposals_by_ref(run_now())[1005]  # Dan
    off = TimeOff.objects.create(employee=world.dan, start_date=MONDAY, end_date=MONDAY + timedelta(days=4))
    failed = services.approve_proposal(now=timezone.now(), proposal=p, user=None)
    assert failed.status == ProposalStatus.FAILED
    assert failed.failure_reason.startswith("no longer valid") and "time off" in failed.failure_reason
    assert failed.api_error_details["violations"][0]["code"] == "time_off"
    assert Event.objects.get(project_ref_num=1005).status == "unscheduled"
    off.delete()
    retried = services.approve_proposal(now=timezone.now(), proposal=p, user=None)
    assert retried.status == ProposalStatus.API_SUBMITTED and retried.failure_reason == ""


def test_approving_an_event_scheduled_meanwhile_fails(world):
    p = proposals_by_ref(run_now())[1002]
    Event.objects.filter(project_ref_num=1002).update(
        status="scheduled", assigned_employee=world.cat, scheduled_at=local(MONDAY, 9)
    )
    failed = services.approve_proposal(now=timezone.now(), proposal=p, user=None)
    assert failed.status == ProposalStatus.FAILED and "already scheduled" in failed.failure_reason


def test_supervisor_and_core_are_approved_together(world):
    got = proposals_by_ref(run_now())
    services.approve_proposal(now=timezone.now(), proposal=got[1006], user=None)
    statuses = dict(PendingSchedule.objects.values_list("event__project_ref_num", "status"))
    assert statuses[1001] == statuses[1006] == ProposalStatus.API_SUBMITTED
    assert statuses[1002] == ProposalStatus.PROPOSED


def test_rejecting_a_core_rejects_its_supervisor_event(world):
    got = proposals_by_ref(run_now())
    services.reject_proposal(now=timezone.now(), proposal=got[1001], user=None)
    got[1006].refresh_from_db()
    assert got[1006].status == ProposalStatus.REJECTED


def test_core_failing_fails_its_supervisor_event(world):
    got = proposals_by_ref(run_now())
    employee = got[1001].employee
    TimeOff.objects.create(employee=employee, start_date=MONDAY, end_date=MONDAY + timedelta(days=4))
    services.approve_proposal(now=timezone.now(), proposal=got[1001], user=None)
    got[1006].refresh_from_db()
    assert got[1006].status == ProposalStatus.FAILED and "both or neither" in got[1006].failure_reason


def test_approve_run_approves_everything_and_records_who(world, make_user):
    user = make_user("supervisor")
    run = run_now()
    counts = services.approve_run(clock=timezone.now, run=run, user=user)
    assert counts == {"submitted": 6, "approved": 0, "failed": 0, "considered": 6}
    run.refresh_from_db()
    assert run.approved_by == user and run.approved_at is not None
    assert Event.objects.filter(status="scheduled").count() == 6
    # Twice: nothing more is submitted.
    assert services.approve_run(clock=timezone.now, run=run, user=user) == {
        "submitted": 0,
        "approved": 0,
        "failed": 0,
        "considered": 0,
    }


def test_swap_bumps_a_scheduled_event_and_approval_unassigns_it(world):
    # Dan is the only "other" employee; he already has a far-due core event on Monday and Tuesday...
    Event.objects.exclude(project_ref_num=1005).delete()
    world.dan.max_events_per_day = 1
    world.dan.max_events_per_week = 2
    world.dan.save()
    far = MONDAY + timedelta(days=12)
    for ref, day in ((2001, MONDAY), (2002, MONDAY + timedelta(days=1))):
        make_event(
            ref, "core", MONDAY, far, 120, status="scheduled", assigned_employee=world.dan, scheduled_at=local(day, 9)
        )
    # ...and the "other" event is due Monday.
    Event.objects.filter(project_ref_num=1005).update(due_date=MONDAY)
    run = run_now()
    p = proposals_by_ref(run)[1005]
    assert p.is_swap and p.employee == world.dan and p.bumped_event_ref_num in (2001, 2002)
    assert run.swaps == 1 and p.swap_reason
    bumped = p.bumped_event_ref_num
    assert p.bumped_event_scheduled_at == Event.objects.get(project_ref_num=bumped).scheduled_at
    services.approve_proposal(now=timezone.now(), proposal=p, user=None)
    assert Event.objects.get(project_ref_num=1005).status == "scheduled"
    moved = Event.objects.get(project_ref_num=bumped)
    assert moved.status == "unscheduled" and moved.assigned_employee is None


def test_swap_after_the_bumped_event_was_moved_leaves_it_where_it_went(world):
    Event.objects.exclude(project_ref_num=1005).delete()
    world.dan.max_events_per_day = 1
    world.dan.max_events_per_week = 2
    world.dan.save()
    far = MONDAY + timedelta(days=12)
    for ref, day in ((2001, MONDAY), (2002, MONDAY + timedelta(days=1))):
        make_event(
            ref, "core", MONDAY, far, 120, status="scheduled", assigned_employee=world.dan, scheduled_at=local(day, 9)
        )
    Event.objects.filter(project_ref_num=1005).update(due_date=MONDAY)
    got = proposals_by_ref(run_now())
    swap = got[1005]
    move = got[swap.bumped_event_ref_num]
    assert move.phase == "repair" and "bumped by #1005" in move.reason
    services.approve_proposal(now=timezone.now(), proposal=move, user=None)
    services.approve_proposal(now=timezone.now(), proposal=swap, user=None)
    moved = Event.objects.get(project_ref_num=swap.bumped_event_ref_num)
    assert moved.status == "scheduled" and moved.scheduled_at == move.scheduled_at
    assert Event.objects.get(project_ref_num=1005).status == "scheduled"


def test_bulk_reject(world):
    run = run_now()
    assert services.reject_proposals(clock=timezone.now, proposals=run.proposals.all(), user=None) >= 5
    assert not run.proposals.exclude(status=ProposalStatus.REJECTED).exists()


def test_a_run_that_cannot_be_enqueued_fails_at_once(world):
    run = services.start_run(now=timezone.now(), start_date=MONDAY)

    def broker_down(run_id):
        raise ConnectionRefusedError("redis://127.0.0.1:6379 refused the connection")

    services.enqueue_run(run.pk, send=broker_down, now=timezone.now())
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "could not reach the task queue" in run.error


def test_an_unqualified_primary_lead_is_named_as_not_qualified_not_unavailable(world):
    """Before: "no club supervisor or primary lead available", though the lead was available."""
    world.ben.qualifications = ["core", "digital", "lead"]  # the primary lead, but not a supervisor
    world.ben.save()
    world.cat.qualifications = ["core"]  # nobody is a club supervisor
    world.cat.save()
    run = run_now()
    reasons = {u["project_ref_num"]: u["reason"] for u in run.unscheduled}
    assert "primary lead Ben is not qualified to oversee" in reasons[1001]
    assert "no employee is a club supervisor" in reasons[1001]
    assert "available" not in reasons[1001].replace("unavailable", "")
    assert 1006 in reasons  # both or neither


def test_an_unavailable_club_supervisor_and_lead_are_named_with_why(world):
    TimeOff.objects.create(employee=world.cat, start_date=MONDAY, end_date=MONDAY + timedelta(days=20))
    TimeOff.objects.create(employee=world.ben, start_date=MONDAY, end_date=MONDAY + timedelta(days=20))
    run = run_now()
    reasons = {u["project_ref_num"]: u["reason"] for u in run.unscheduled}
    assert "club supervisor Cat is unavailable (time off" in reasons[1001]
    assert "primary lead Ben is unavailable (time off" in reasons[1001]


@pytest.mark.parametrize(("hour", "minute"), [(23, 30), (8, 0), (16, 0)])
def test_an_edit_outside_the_working_day_is_refused(world, hour, minute):
    """Before: PATCH to 23:30 → 200, though the engine itself only uses 09:00–17:00."""
    p = proposals_by_ref(run_now())[1002]  # 240 minutes: 16:00 would end at 20:00
    with pytest.raises(InvalidInput) as caught:
        services.edit_proposal(proposal=p, user=None, scheduled_at=local(MONDAY, hour, minute))
    assert any("outside the working day (09:00–17:00)" in m for m in caught.value.errors["scheduled_at"])
    p.refresh_from_db()
    assert p.status == ProposalStatus.PROPOSED


def test_the_working_day_follows_the_settings(world, settings):
    settings.ROTATIONS_DAY_START, settings.ROTATIONS_DAY_END = "07:00", "20:00"
    p = proposals_by_ref(run_now())[1002]
    edited = services.edit_proposal(proposal=p, user=None, scheduled_at=local(MONDAY, 15, 0))
    assert edited.status == ProposalStatus.USER_EDITED


def test_unscheduled_events_already_past_due_are_listed_not_dropped(world):
    """Before: left out of the run without a word."""
    make_event(2001, "core", MONDAY - timedelta(days=14), MONDAY - timedelta(days=10), 60)
    yesterday = MONDAY - timedelta(days=4)  # "now" is the Friday before MONDAY
    make_event(2002, "core", MONDAY - timedelta(days=14), yesterday, 60)
    make_event(2003, "core", MONDAY - timedelta(days=14), yesterday + timedelta(days=1), 60)  # due today
    run = run_now()
    listed = {u["project_ref_num"]: u for u in run.unscheduled}
    assert listed[2001]["code"] == listed[2002]["code"] == "past_due"
    assert "past its due date" in listed[2001]["reason"] and yesterday.isoformat() in listed[2002]["reason"]
    assert listed.get(2003, {}).get("code") != "past_due"
    assert run.events_failed == len(run.unscheduled)
    assert not run.proposals.filter(event__project_ref_num__in=[2001, 2002]).exists()


def test_an_edited_proposal_survives_the_next_run_and_the_engine_works_around_it(world):
    """Before: the nightly run rejected it as "superseded" and proposed 09:00 again."""
    first = run_now()
    p = proposals_by_ref(first)[1002]
    other = world.dan if p.employee != world.dan else world.ann
    edited = services.edit_proposal(proposal=p, user=None, employee=other, scheduled_at=local(MONDAY, 13))
    second = run_now()
    edited.refresh_from_db()
    assert (edited.status, edited.employee, edited.scheduled_at) == (
        ProposalStatus.USER_EDITED,
        other,
        local(MONDAY, 13),
    )
    assert 1002 not in proposals_by_ref(second)  # not proposed again
    # The engine counted it: nothing else of that employee overlaps 13:00–17:00 on Monday.
    for q in PendingSchedule.objects.filter(run=second, employee=other):
        start = selectors.to_local(q.scheduled_at)
        if start.date() == MONDAY and q.event.event_type != "supervisor":
            assert start + timedelta(minutes=q.event.estimated_minutes) <= datetime.combine(MONDAY, time(13))
    # Untouched proposals of the first run were superseded; the edited one can still be approved.
    assert PendingSchedule.objects.get(run=first, event__project_ref_num=1001).status == ProposalStatus.REJECTED
    approved = services.approve_proposal(now=timezone.now(), proposal=edited, user=None)
    assert approved.status == ProposalStatus.API_SUBMITTED
