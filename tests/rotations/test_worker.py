"""A manual run goes through the API into a real Celery worker (Redis broker) and completes there."""

from __future__ import annotations

import time

import pytest

from rotations.models import PendingSchedule, RunStatus, SchedulerRun
from tests.rotations.factories import MONDAY

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)  # polling the worker's progress, not waiting for the clock
    return False


def test_run_endpoint_executes_in_the_worker(world, api_as, celery_worker_thread):
    client = api_as("coordinator")
    response = client.post("/api/v1/rotations/auto-schedule/run/", {"start_date": MONDAY.isoformat()}, format="json")
    assert response.status_code == 202
    run_id = response.json()["run_id"]
    assert wait_for(lambda: SchedulerRun.objects.get(pk=run_id).status != RunStatus.RUNNING)
    status = client.get(f"/api/v1/rotations/auto-schedule/status/{run_id}/").json()
    assert status["status"] == "completed" and status["progress"] == 100
    assert PendingSchedule.objects.filter(run_id=run_id).count() == status["events_scheduled"] == 6
