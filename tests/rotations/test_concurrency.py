"""Concurrency with real threads against PostgreSQL (transaction=True)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from config.errors import Conflict
from rotations import services
from rotations.models import Event, PendingSchedule, ProposalStatus, RunStatus, SchedulerRun
from tests.rotations.factories import MONDAY

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(fn, n=2):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i):
        try:
            barrier.wait(5)
            results[i] = fn(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_runs_at_once_the_second_is_refused(world):
    results = in_threads(lambda i: services.start_run(now=timezone.now(), start_date=MONDAY))
    conflicts = [r for r in results if isinstance(r, Conflict)]
    runs = [r for r in results if isinstance(r, SchedulerRun)]
    assert len(conflicts) == 1 and len(runs) == 1
    assert SchedulerRun.objects.filter(status=RunStatus.RUNNING).count() == 1


def test_one_run_executed_twice_at_once_writes_one_set_of_proposals(world):
    run = services.start_run(now=timezone.now(), start_date=MONDAY)
    results = in_threads(lambda i: services.execute_run(clock=timezone.now, run_id=run.pk))
    assert all(r.status == RunStatus.COMPLETED for r in results)
    assert PendingSchedule.objects.filter(run=run).count() == 6
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED and run.error == ""


def test_a_write_failing_at_commit_leaves_no_proposals(world):
    run = services.start_run(now=timezone.now(), start_date=MONDAY)

    def event_deleted_meanwhile(run, result):
        Event.objects.filter(project_ref_num=1002).delete()

    run = services.execute_run(clock=timezone.now, run_id=run.pk, after_engine=event_deleted_meanwhile)
    assert run.status == RunStatus.FAILED and "IntegrityError" in run.error
    assert not PendingSchedule.objects.exists()


def test_approving_at_once_submits_once(world, settings, client_system):
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    run = services.execute_run(clock=timezone.now, run_id=services.start_run(now=timezone.now(), start_date=MONDAY).pk)
    proposal = run.proposals.get(event__project_ref_num=1002)
    results = in_threads(lambda i: services.approve_proposal(now=timezone.now(), proposal=proposal, user=None), n=3)
    assert all(r.status == ProposalStatus.APPROVED for r in results)
    in_threads(lambda i: services.send_pending_submissions(clock=timezone.now), n=3)
    assert len(client_system.requests) == 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.API_SUBMITTED
