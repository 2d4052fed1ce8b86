"""Periodic jobs, the Celery tasks (run inline here) and the real-time events of rotations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.management.commands.setup_periodic_tasks import setup_periodic_tasks
from realtime import groups as group_names
from realtime import registry
from realtime.models import EventLog
from rotations import services, tasks
from rotations.models import RunKind, RunStatus, SchedulerRun
from rotations.periodic import PERIODIC_JOBS
from tests.rotations.factories import MONDAY

pytestmark = pytest.mark.django_db


def run_group(run_id: int) -> str:
    return group_names.object_group(group_names.ROTATIONS_RUN, run_id)


def test_periodic_jobs_are_scheduled():
    assert {job.name for job in PERIODIC_JOBS} == {
        "rotations.nightly_auto_schedule",
        "rotations.reap_crashed_runs",
        "rotations.send_pending_submissions",
    }
    setup_periodic_tasks()
    nightly = PeriodicTask.objects.get(name="rotations.nightly_auto_schedule")
    assert nightly.crontab is not None and nightly.crontab.hour == "2"
    reaper = PeriodicTask.objects.get(name="rotations.reap_crashed_runs")
    assert reaper.interval.every <= 300
    sender = PeriodicTask.objects.get(name="rotations.send_pending_submissions")
    assert (sender.task, sender.interval.every) == ("rotations.send_pending_submissions", 60)


def test_tasks_call_the_services(world, time_machine):
    assert tasks.nightly_auto_schedule.apply().get() == SchedulerRun.objects.get(kind=RunKind.AUTOMATIC).pk
    stuck = services.start_run(now=timezone.now(), start_date=MONDAY)
    time_machine.shift(timedelta(minutes=30))
    assert tasks.reap_crashed_runs.apply().get() == 1
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.CRASHED
    fresh = services.start_run(now=timezone.now(), start_date=MONDAY)
    assert tasks.execute_run.apply(args=[fresh.pk]).get() == RunStatus.COMPLETED


def test_run_group_subscription_needs_the_view_perm(world, make_user):
    run = services.start_run(now=timezone.now(), start_date=MONDAY)
    assert registry.can_subscribe(make_user("supervisor"), run_group(run.pk))
    assert registry.can_subscribe(make_user("coordinator"), run_group(run.pk))
    assert not registry.can_subscribe(make_user("crew"), run_group(run.pk))
    assert not registry.can_subscribe(make_user("supervisor"), run_group(run.pk + 1000))


def test_events_go_to_the_run_group_the_requester_and_the_role_groups(
    world, make_user, django_capture_on_commit_callbacks
):
    user = make_user("coordinator")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = services.start_run(now=timezone.now(), start_date=MONDAY, user=user)
    assert callbacks, "sent only after commit"
    # Role groups are logged right after the commit; the run and user groups within it.
    groups = set(EventLog.objects.filter(event_type="rotations.run.started").values_list("group_name", flat=True))
    assert groups == {run_group(run.pk), f"user.{user.pk}", "role.coordinator", "role.supervisor"}
    services.execute_run(clock=timezone.now, run_id=run.pk)
    completed = EventLog.objects.get(event_type="rotations.run.completed", group_name=run_group(run.pk))
    assert completed.payload["events_scheduled"] == 6 and completed.payload["status"] == "completed"
