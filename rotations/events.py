"""The real-time events this app publishes (``rotations.*``) and their payloads.

Sent through ``realtime.broadcast.publish`` from services, inside their transaction (so after
commit); the broadcast rules add the role groups (supervisor, coordinator by default).
"""

from __future__ import annotations

from realtime import groups as group_names
from realtime.broadcast import publish

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

RUN_GROUP_PREFIX = "rotations.run"


def run_group(run_id: int) -> str:
    """``rotations.run.<id>``: everyone watching one run (progress, completion, approvals)."""
    name = f"{RUN_GROUP_PREFIX}.{int(run_id)}"
    if not group_names.is_valid_group(name):
        raise ValueError(name)
    return name


def _run_groups(run) -> list[str]:
    out = [run_group(run.pk)]
    if run.triggered_by_id:
        out.append(group_names.user_group(run.triggered_by_id))
    return out


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


def publish_run(event_type: str, run) -> None:
    publish(event_type, run_payload(run), groups=_run_groups(run))


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


def publish_proposal(event_type: str, proposal) -> None:
    publish(event_type, proposal_payload(proposal), groups=[run_group(proposal.run_id)])
