"""The ``rotations.*`` events: type constants, payload builders, and ``publish``.

Services publish inside their transaction (``realtime.broadcast.publish`` sends after commit)
to the run's group (and the user who triggered the run, for run events); the broadcast rules
add the role groups (supervisor, coordinator by default).
"""

from __future__ import annotations

from realtime import broadcast, groups

RUN_STARTED = "rotations.run.started"
RUN_PROGRESS = "rotations.run.progress"
RUN_COMPLETED = "rotations.run.completed"
RUN_FAILED = "rotations.run.failed"
RUN_CRASHED = "rotations.run.crashed"
RUN_APPROVED = "rotations.run.approved"
PROPOSAL_APPROVED = "rotations.proposal.approved"
PROPOSAL_SUBMITTED = "rotations.proposal.submitted"
PROPOSAL_FAILED = "rotations.proposal.failed"
PROPOSAL_REJECTED = "rotations.proposal.rejected"
PROPOSAL_EDITED = "rotations.proposal.edited"


def run_payload(run) -> dict:
    return {
        "run_id": run.pk,
        "kind": run.kind,
        "status": run.status,
        "progress": run.progress,
        "progress_message": run.progress_message,
        "events_processed": run.events_processed,
        "events_scheduled": run.events_scheduled,
        "events_failed": run.events_failed,
        "swaps": run.swaps,
        "error": run.error,
    }


def proposal_payload(proposal) -> dict:
    return {
        "proposal_id": proposal.pk,
        "run_id": proposal.run_id,
        "event_id": proposal.event_id,
        "employee_id": proposal.employee_id,
        "scheduled_at": proposal.scheduled_at,
        "status": proposal.status,
        "is_swap": proposal.is_swap,
        "failure_reason": proposal.failure_reason,
    }


def publish(event_type: str, payload: dict, *, run_id: int, user_id: int | None = None) -> list[dict]:
    """Logs the event for the run's group (and ``user_id``'s, the run's requester, if given);
    delivered after commit."""
    targets = [groups.object_group(groups.ROTATIONS_RUN, run_id)]  # everyone watching the run
    if user_id:
        targets.append(groups.user_group(user_id))
    return broadcast.publish(event_type, payload, groups=targets)
