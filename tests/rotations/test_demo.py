"""seed_demo's rotations part: employees, three weeks of events, rotations, an exception; idempotent."""

from __future__ import annotations

import io

import pytest

from rotations.demo import seed
from rotations.models import Employee, Event, PendingSchedule, RotationAssignment, ScheduleException, SchedulerRun

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Employee.objects.count(),
        Event.objects.count(),
        RotationAssignment.objects.count(),
        ScheduleException.objects.count(),
        SchedulerRun.objects.count(),
        PendingSchedule.objects.count(),
    )


def test_seed_adds_rotations_data_once(now, make_user):
    users = {"coordinator": make_user("coordinator")}
    seed(users=users, stdout=io.StringIO())
    first = snapshot()
    employees, events, rotations, exceptions, runs, proposals = first
    assert employees == 10 and events == 91 and rotations == 10 and exceptions == 1
    assert runs == 1 and proposals > 40
    run = SchedulerRun.objects.get()
    assert run.status == "completed" and run.warnings  # the Friday primary lead is off: flagged fallback
    assert [u["project_ref_num"] for u in run.unscheduled] == [900091]
    seed(users=users, stdout=io.StringIO())
    assert snapshot() == first


def test_dashboard_links_for_supervisors(now, make_user, client):
    from rotations.dashboards import links

    assert links(make_user("supervisor"))
    assert links(make_user("crew")) == []
