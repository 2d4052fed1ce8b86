"""Rotations use cases. Every write of the app goes through here (API, admin, tasks, demo).

A package split by concern; ``from rotations import services; services.X(...)`` keeps working
for every name below.

- ``records``: the data coordinators keep — ``create_/update_/delete_`` employees, time off,
  events, rotations and exceptions (their rules hold for the API and the admin alike), and
  ``rotate_calendar_token``.
- ``runs``: ``start_run`` (one running run at a time: a second is refused with 409),
  ``execute_run`` (in the worker: progress and heartbeat in their own short transactions, all
  proposals written at the end in one transaction with one bulk insert), ``reap_crashed_runs``
  (stale heartbeat → ``crashed``), ``purge_old_runs`` (older than 3 weeks, with their
  proposals) and ``nightly_auto_schedule``.
- ``proposals``: ``validate_proposal`` / ``violation_errors`` (the hard constraints re-checked)
  and ``edit_proposal`` (400 when one breaks).
- ``approvals``: ``approve_proposal`` / ``approve_run`` / ``approve_proposals`` (re-validate
  against the current state, reserve, and write an outbox row) and ``reject_proposal``. A core
  event and its supervisor events are approved, submitted or rejected together (both or
  neither). ``send_submission`` / ``send_pending_submissions`` send the outbox to the client's
  system after commit.
"""

from rotations.services.approvals import (
    OPEN_OR_FAILED,
    SUBMISSION_LEASE,
    approve_proposal,
    approve_proposals,
    approve_run,
    approve_run_part,
    reject_proposal,
    reject_proposals,
    send_pending_submissions,
    send_submission,
)
from rotations.services.proposals import (
    EMPLOYEE_CODES,
    RETRYABLE,
    delete_proposal,
    edit_proposal,
    validate_proposal,
    violation_errors,
)
from rotations.services.records import (
    EMPLOYEE_FIELDS,
    EVENT_FIELDS,
    EXCEPTION_FIELDS,
    ROTATION_FIELDS,
    TIME_OFF_FIELDS,
    create_employee,
    create_event,
    create_rotation_assignment,
    create_schedule_exception,
    create_time_off,
    delete_employee,
    delete_event,
    delete_rotation_assignment,
    delete_schedule_exception,
    delete_time_off,
    rotate_calendar_token,
    update_employee,
    update_event,
    update_rotation_assignment,
    update_schedule_exception,
    update_time_off,
)
from rotations.services.runs import (
    DEFAULT_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    PURGE_AFTER,
    delete_run,
    enqueue_run,
    execute_run,
    nightly_auto_schedule,
    purge_old_runs,
    reap_crashed_runs,
    request_run,
    stale_after,
    start_run,
)
from rotations.submitters import HttpSubmitter, LocalSubmitter, Outcome, get_submitter

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "EMPLOYEE_CODES",
    "EMPLOYEE_FIELDS",
    "EVENT_FIELDS",
    "EXCEPTION_FIELDS",
    "MAX_WINDOW_DAYS",
    "OPEN_OR_FAILED",
    "PURGE_AFTER",
    "RETRYABLE",
    "ROTATION_FIELDS",
    "SUBMISSION_LEASE",
    "TIME_OFF_FIELDS",
    "HttpSubmitter",
    "LocalSubmitter",
    "Outcome",
    "approve_proposal",
    "approve_proposals",
    "approve_run",
    "approve_run_part",
    "create_employee",
    "create_event",
    "create_rotation_assignment",
    "create_schedule_exception",
    "create_time_off",
    "delete_employee",
    "delete_proposal",
    "delete_run",
    "delete_event",
    "delete_rotation_assignment",
    "delete_schedule_exception",
    "delete_time_off",
    "edit_proposal",
    "enqueue_run",
    "execute_run",
    "get_submitter",
    "nightly_auto_schedule",
    "purge_old_runs",
    "reap_crashed_runs",
    "reject_proposal",
    "reject_proposals",
    "request_run",
    "rotate_calendar_token",
    "send_pending_submissions",
    "send_submission",
    "stale_after",
    "start_run",
    "update_employee",
    "update_event",
    "update_rotation_assignment",
    "update_schedule_exception",
    "update_time_off",
    "validate_proposal",
    "violation_errors",
]
