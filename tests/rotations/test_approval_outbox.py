"""Approvals a supervisor can trust (SPEC §3): one lock order, and an outbox of submission units
sent after the approving transaction commits — once, with an Idempotency-Key, a core event and
its supervisor events in one request. Real threads against PostgreSQL, a real local HTTP sink."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from rotations import services, tasks
from rotations.models import Event, PendingSchedule, ProposalStatus, SubmissionStatus, SubmissionUnit
from tests.rotations.factories import MONDAY

pytestmark = pytest.mark.django_db(transaction=True)


def run_now():
    return services.execute_run(clock=timezone.now, run_id=services.start_run(now=timezone.now(), start_date=MONDAY).pk)


def in_threads(*fns):
    barrier = threading.Barrier(len(fns))
    results: list = [None] * len(fns)

    def worker(i):
        try:
            barrier.wait(5)
            results[i] = fns[i]()
        except Exception as exc:  # collected: the test asserts there are none
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def sent_proposal_ids(client_system) -> Counter:
    return Counter(a["proposal_id"] for r in client_system.requests for a in r["json"]["assignments"])


@pytest.mark.parametrize("attempt", range(3))
def test_approve_all_twice_and_one_by_one_at_once_never_fails_and_sends_each_unit_once(
    attempt, world, settings, client_system
):
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    run = run_now()
    ids = list(run.proposals.order_by("id").values_list("id", flat=True))

    def one_by_one():
        for pid in ids:
            services.approve_proposal(now=timezone.now(), proposal=PendingSchedule.objects.get(pk=pid), user=None)
        return "done"

    results = in_threads(
        lambda: services.approve_run(clock=timezone.now, run=run, user=None),
        one_by_one,
        lambda: services.approve_run(clock=timezone.now, run=run, user=None),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert not client_system.requests  # nothing leaves before the sender runs, after commit
    services.send_pending_submissions(clock=timezone.now)
    services.send_pending_submissions(clock=timezone.now)  # a second sweep finds nothing to send
    counts = sent_proposal_ids(client_system)
    assert sorted(counts) == sorted(ids) and set(counts.values()) == {1}  # each proposal in one request
    assert len(client_system.requests) == SubmissionUnit.objects.count()
    keys = [r["idempotency_key"] for r in client_system.requests]
    assert len(set(keys)) == len(keys)
    assert set(run.proposals.values_list("status", flat=True)) == {ProposalStatus.API_SUBMITTED}


def test_a_core_event_and_its_supervisor_event_are_one_request(world, settings, client_system):
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    run = run_now()
    core = run.proposals.get(event__project_ref_num=1001)
    approved = services.approve_proposal(now=timezone.now(), proposal=core, user=None)
    assert approved.status == ProposalStatus.APPROVED
    assert run.proposals.get(event__project_ref_num=1006).status == ProposalStatus.APPROVED
    services.send_pending_submissions(clock=timezone.now)
    (request,) = client_system.requests
    assert [a["project_ref_num"] for a in request["json"]["assignments"]] == [1001, 1006]
    unit = SubmissionUnit.objects.get()
    assert request["idempotency_key"] == f"setdesk-rotations-unit-{unit.pk}"
    assert unit.status == SubmissionStatus.SENT
    assert Event.objects.get(project_ref_num=1006).assigned_employee_id is not None


def test_the_client_refusing_the_supervisor_event_refuses_its_core_event_too(world, settings, client_system):
    """Before: core #4 stayed api_submitted while supervisor #5 failed."""
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    client_system.status = 422
    client_system.body = {"errors": {"1006": ["no supervisor slot that day"]}}
    run = run_now()
    services.approve_proposal(now=timezone.now(), proposal=run.proposals.get(event__project_ref_num=1006), user=None)
    services.send_pending_submissions(clock=timezone.now)
    assert len(client_system.requests) == 1
    statuses = dict(run.proposals.values_list("event__project_ref_num", "status"))
    assert statuses[1001] == statuses[1006] == ProposalStatus.FAILED
    for ref in (1001, 1006):
        event = Event.objects.get(project_ref_num=ref)
        assert (event.status, event.assigned_employee_id) == ("unscheduled", None)
    failed = run.proposals.get(event__project_ref_num=1001)
    assert failed.failure_reason == "the client's system refused it: HTTP 422"
    assert failed.api_error_details["body"] == {"errors": {"1006": ["no supervisor slot that day"]}}
    # A retry is a new unit with a new key; both go again, together.
    client_system.status = 201
    services.approve_proposal(now=timezone.now(), proposal=failed, user=None)
    services.send_pending_submissions(clock=timezone.now)
    assert [len(r["json"]["assignments"]) for r in client_system.requests] == [2, 2]
    assert client_system.requests[0]["idempotency_key"] != client_system.requests[1]["idempotency_key"]
    assert set(run.proposals.filter(event__project_ref_num__in=[1001, 1006]).values_list("status", flat=True)) == {
        ProposalStatus.API_SUBMITTED
    }


def test_a_unit_left_unsent_by_a_dead_worker_is_sent_once_by_the_periodic_job(world, settings, client_system):
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    run = run_now()
    services.approve_proposal(now=timezone.now(), proposal=run.proposals.get(event__project_ref_num=1002), user=None)
    # The approving transaction committed; its task never ran (the worker died, the message is lost).
    from config.celery import app

    app.control.purge()
    assert SubmissionUnit.objects.get().status == SubmissionStatus.PENDING and not client_system.requests
    tasks.send_pending_submissions()
    tasks.send_pending_submissions()
    assert len(client_system.requests) == 1
    assert run.proposals.get(event__project_ref_num=1002).status == ProposalStatus.API_SUBMITTED


def test_a_send_interrupted_midway_is_resent_with_the_same_key_after_its_lease(
    world, settings, client_system, time_machine
):
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    run = run_now()
    services.approve_proposal(now=timezone.now(), proposal=run.proposals.get(event__project_ref_num=1002), user=None)
    unit = SubmissionUnit.objects.get()
    # A worker claimed it and died before recording the answer.
    SubmissionUnit.objects.filter(pk=unit.pk).update(
        status=SubmissionStatus.SENDING, claimed_at=unit.created_at, attempts=1
    )
    services.send_pending_submissions(clock=timezone.now)
    assert not client_system.requests  # still within its lease: someone may be sending it
    time_machine.shift(services.SUBMISSION_LEASE * 2)
    services.send_pending_submissions(clock=timezone.now)
    (request,) = client_system.requests
    assert request["idempotency_key"] == f"setdesk-rotations-unit-{unit.pk}"  # the client can drop a repeat
    assert SubmissionUnit.objects.get().attempts == 2


def test_approving_does_not_wait_for_the_client(world, settings, client_system):
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    client_system.hang = threading.Event()  # the client would keep us waiting
    run = run_now()
    approved = services.approve_proposal(
        now=timezone.now(), proposal=run.proposals.get(event__project_ref_num=1002), user=None
    )
    assert approved.status == ProposalStatus.APPROVED and not client_system.requests


def test_the_worker_sends_what_was_approved(world, settings, client_system, celery_worker_thread):
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    run = run_now()
    services.approve_proposal(now=timezone.now(), proposal=run.proposals.get(event__project_ref_num=1002), user=None)
    proposal = run.proposals.get(event__project_ref_num=1002)
    for _ in range(100):
        proposal.refresh_from_db()
        if proposal.status == ProposalStatus.API_SUBMITTED:
            break
        threading.Event().wait(0.1)
    assert proposal.status == ProposalStatus.API_SUBMITTED
    assert len(client_system.requests) == 1


def test_an_event_on_its_way_to_the_client_is_never_bumped_by_a_later_run(world, settings, client_system):
    from rotations import problem

    settings.ROTATIONS_SUBMIT_URL = client_system.url
    run = run_now()
    services.approve_proposal(now=timezone.now(), proposal=run.proposals.get(event__project_ref_num=1002), user=None)
    later = services.start_run(now=timezone.now(), start_date=MONDAY)
    bookings = {b.event_ref: b for b in problem.run_input(run=later).problem.bookings}
    assert bookings[1002].bumpable is False  # reserved while its submission is pending
    services.send_pending_submissions(clock=timezone.now)
    assert Event.objects.get(project_ref_num=1002).status == "submitted"
