"""Submitting approved assignments to the client's system over HTTP (a real local server)."""

from __future__ import annotations

import socket
import threading

import pytest
from django.utils import timezone

from rotations import services
from rotations.models import Event, ProposalStatus
from rotations.submitters import HttpSubmitter, LocalSubmitter, get_submitter
from tests.rotations.factories import MONDAY

pytestmark = pytest.mark.django_db


def approve_and_send(proposal):
    """Approves (the outbox row is written) and runs the sender, as the worker does after commit."""
    approved = services.approve_proposal(now=timezone.now(), proposal=proposal, user=None)
    assert approved.status == ProposalStatus.APPROVED
    services.send_pending_submissions(clock=timezone.now)
    approved.refresh_from_db()
    return approved


@pytest.fixture
def proposal(world):
    run = services.execute_run(clock=timezone.now, run_id=services.start_run(now=timezone.now(), start_date=MONDAY).pk)
    return run.proposals.get(event__project_ref_num=1002)


def test_submitter_choice_follows_the_setting(settings):
    settings.ROTATIONS_SUBMIT_URL = ""
    assert isinstance(get_submitter(), LocalSubmitter)
    settings.ROTATIONS_SUBMIT_URL = "http://127.0.0.1:9/x"
    assert isinstance(get_submitter(), HttpSubmitter)


def test_http_success_submits_once(settings, client_system, proposal):
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    done = approve_and_send(proposal)
    assert done.status == ProposalStatus.API_SUBMITTED
    event = Event.objects.get(project_ref_num=1002)
    assert event.status == "submitted" and event.assigned_employee_id == proposal.employee_id
    (request,) = client_system.requests
    (assignment,) = request["json"]["assignments"]
    assert assignment["project_ref_num"] == 1002
    assert assignment["employee_external_id"] == proposal.employee.external_id
    assert request["idempotency_key"] == f"setdesk-rotations-unit-{done.submission_id}"
    services.approve_proposal(now=timezone.now(), proposal=proposal, user=None)
    services.send_pending_submissions(clock=timezone.now)
    assert len(client_system.requests) == 1  # approving twice submits once


def test_http_4xx_records_the_details_and_can_be_retried(settings, client_system, proposal):
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    client_system.status = 422
    client_system.body = {"errors": {"employee": ["unknown employee"]}}
    failed = approve_and_send(proposal)
    assert failed.status == ProposalStatus.FAILED
    assert failed.failure_reason == "the client's system refused it: HTTP 422"
    assert failed.api_error_details == {"status_code": 422, "body": {"errors": {"employee": ["unknown employee"]}}}
    assert Event.objects.get(project_ref_num=1002).status == "unscheduled"
    client_system.status = 201
    retried = approve_and_send(proposal)
    assert retried.status == ProposalStatus.API_SUBMITTED
    assert retried.failure_reason == "" and retried.api_error_details is None
    assert len(client_system.requests) == 2


def test_http_timeout_is_a_failure(settings, client_system, proposal):
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    settings.ROTATIONS_SUBMIT_TIMEOUT = 0.3
    client_system.hang = threading.Event()
    failed = approve_and_send(proposal)
    assert failed.status == ProposalStatus.FAILED
    assert failed.failure_reason == "the client's system did not answer within 0.3 s"
    assert failed.api_error_details == {"error": "timeout"}
    assert Event.objects.get(project_ref_num=1002).status == "unscheduled"


def test_unreachable_system_is_a_failure(settings, proposal):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.ROTATIONS_SUBMIT_URL = f"http://127.0.0.1:{port}/x"
    failed = approve_and_send(proposal)
    assert failed.status == ProposalStatus.FAILED and "could not reach" in failed.failure_reason


def test_http_5xx_with_a_text_body(settings, client_system, proposal):
    settings.ROTATIONS_SUBMIT_URL = client_system.url
    client_system.status = 503
    failed = approve_and_send(proposal)
    assert failed.status == ProposalStatus.FAILED and failed.api_error_details["status_code"] == 503
