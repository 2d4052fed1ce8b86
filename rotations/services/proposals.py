"""One proposal re-checked against the current state (``validate_proposal``, the hard
constraints as field errors) and edited (``edit_proposal``).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from config.errors import Conflict, InvalidInput
from rotations import engine, events, problem, selectors
from rotations.models import (
    OPEN_PROPOSAL_STATUSES,
    Employee,
    Event,
    PendingSchedule,
    SchedulerRun,
)

RETRYABLE = (*OPEN_PROPOSAL_STATUSES, PendingSchedule.Status.FAILED)


def _locked(proposal_id: int) -> PendingSchedule:
    return (
        PendingSchedule.objects.select_for_update(of=("self",))
        .select_related("run", "event", "employee")
        .get(pk=proposal_id)
    )


def _publish_proposal(event_type: str, proposal: PendingSchedule) -> None:
    events.publish(event_type, events.proposal_payload(proposal), run_id=proposal.run_id)


# --- re-checking one proposal ---------------------------------------------------------------


def _displaced_event(proposal: PendingSchedule, employee_id: int) -> Event | None:
    """The already scheduled event a swap bumps, while it still holds the slot the run saw it in."""
    if not (proposal.is_swap and proposal.bumped_event_ref_num and proposal.bumped_event_scheduled_at):
        return None
    return Event.objects.filter(
        project_ref_num=proposal.bumped_event_ref_num,
        status=Event.Status.SCHEDULED,
        assigned_employee_id=employee_id,
        scheduled_at=proposal.bumped_event_scheduled_at,
    ).first()


def _is_move(proposal: PendingSchedule, event: Event) -> bool:
    """A proposal that moves an already scheduled event (it was bumped by a swap)."""
    return proposal.phase == "repair" and not proposal.is_swap and event.status == Event.Status.SCHEDULED


def validate_proposal(
    proposal: PendingSchedule,
    *,
    employee: Employee,
    scheduled_at: datetime,
    for_edit: bool,
    parent_day: date | None = None,
) -> list[engine.Violation]:
    """The hard constraints for ``proposal`` with ``employee`` at ``scheduled_at``, against the current state.

    For an edit the run's other live proposals count as commitments too; for an approval only
    what is already assigned does (approved proposals are applied as they go).
    """
    event = Event.objects.get(pk=proposal.event_id)
    ev = problem.event_to_engine(event)
    emp = problem.employee_to_engine(employee)
    start = selectors.to_local(scheduled_at)
    day = start.date()
    out: list[engine.Violation] = []
    if event.status != Event.Status.UNSCHEDULED and not _is_move(proposal, event):
        out.append(engine.Violation("state", f"#{event.project_ref_num} is already {event.status}"))
    exclude = {event.id}
    displaced = _displaced_event(proposal, employee.id)
    if displaced is not None:
        exclude.add(displaced.id)
    others = problem.commitments(
        employee_id=employee.id,
        day=day,
        exclude_event_ids=exclude,
        run=proposal.run if for_edit else None,
        exclude_proposal_ids={proposal.id},
    )
    day_start, day_minutes = selectors.working_day()
    out += engine.check_assignment(
        event=ev, employee=emp, start=start, commitments=others, day_start=day_start, day_minutes=day_minutes
    )
    if ev.type in engine.ROTATION_OF_TYPE:
        rotation = selectors.rotation_employee(day, engine.ROTATION_OF_TYPE[ev.type])
        rotation_violations: list[engine.Violation] = []
        if rotation is not None and rotation.id != employee.id:
            rotation_violations = [
                v
                for v in engine.check_assignment(
                    event=ev,
                    employee=problem.employee_to_engine(rotation),
                    start=start,
                    commitments=problem.commitments(
                        employee_id=rotation.id, day=day, exclude_event_ids={event.id}, run=proposal.run
                    ),
                )
                if v.code != engine.OVERLAP
            ]
        violation = engine.rotation_violation(
            event=ev,
            employee=emp,
            day=day,
            rotation_employee=problem.employee_to_engine(rotation) if rotation else None,
            rotation_employee_violations=rotation_violations,
        )
        if violation:
            out.append(violation)
    if ev.type == engine.SUPERVISOR:
        if parent_day is None:
            parent_day = _parent_day(proposal, event, for_edit=for_edit)
        lead = selectors.rotation_employee(day, engine.PRIMARY_LEAD_ROTATION)
        violation = engine.pairing_violation(
            event=ev,
            employee=emp,
            day=day,
            parent_day=parent_day,
            is_primary_lead=lead is not None and lead.id == employee.id,
        )
        if violation:
            out.append(violation)
    return out


def _parent_day(proposal: PendingSchedule, event: Event, *, for_edit: bool) -> date | None:
    if event.parent_event_id is None:
        return None
    parent = Event.objects.filter(project_ref_num=event.parent_event_id).first()
    if parent is not None and parent.scheduled_at is not None and parent.status != Event.Status.UNSCHEDULED:
        return selectors.to_local(parent.scheduled_at).date()
    if for_edit:
        partner = selectors.parent_proposal(proposal)
        if partner is not None:
            return selectors.to_local(partner.scheduled_at).date()
    return None


EMPLOYEE_CODES = {  # errors on the employee field; the rest (time, working day, dates) on scheduled_at
    engine.INACTIVE,
    engine.QUALIFICATION,
    engine.AVAILABILITY,
    engine.TIME_OFF,
    engine.DAILY_LIMIT,
    engine.WEEKLY_LIMIT,
    engine.ROTATION,
    engine.COVERAGE,
}


def violation_errors(violations: list[engine.Violation]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for v in violations:
        field = "employee" if v.code in EMPLOYEE_CODES else "scheduled_at"
        errors.setdefault(field, []).append(f"{v.message} ({v.code})")
    return errors


# --- edit -----------------------------------------------------------------------------------------


@transaction.atomic
def edit_proposal(
    *, proposal: PendingSchedule, user, employee: Employee | None = None, scheduled_at: datetime | None = None
) -> PendingSchedule:
    """Changes a proposal's employee and/or time (→ ``user_edited``) if every hard constraint still holds.

    Moving a core event to another day moves its open supervisor proposals with it (both or
    neither); any broken rule is a 400 naming it, and nothing changes.
    """
    p = _locked(proposal.pk)
    if p.status not in RETRYABLE:
        raise Conflict(f"A proposal that is {p.status} cannot be edited.")
    if p.run.status != SchedulerRun.Status.COMPLETED:
        raise Conflict("The run is not completed.")
    if employee is None and scheduled_at is None:
        raise InvalidInput("Nothing to change.", errors={"non_field_errors": ["Give employee and/or scheduled_at."]})
    new_employee = employee or p.employee
    new_at = scheduled_at or p.scheduled_at
    violations = validate_proposal(p, employee=new_employee, scheduled_at=new_at, for_edit=True)
    moved_children = []
    new_day = selectors.to_local(new_at).date()
    if p.event.event_type != engine.SUPERVISOR and new_day != selectors.to_local(p.scheduled_at).date():
        for child in selectors.live_child_proposals(p):
            child_violations = validate_proposal(
                child, employee=child.employee, scheduled_at=new_at, for_edit=True, parent_day=new_day
            )
            violations += [
                engine.Violation(v.code, f"supervisor event #{child.event.project_ref_num}: {v.message}")
                for v in child_violations
            ]
            moved_children.append(child)
    if violations:
        raise InvalidInput("The edit breaks a scheduling rule.", errors=violation_errors(violations))
    note = f"edited by {getattr(user, 'username', 'a user')}"
    for item, at in [(p, new_at), *((c, new_at) for c in moved_children)]:
        if item is p:
            item.employee = new_employee
        item.scheduled_at = at
        item.status = PendingSchedule.Status.USER_EDITED
        item.failure_reason = ""
        item.api_error_details = None
        item.reason = f"{note}; was: {item.reason}"[:4000] if not item.reason.startswith(note) else item.reason
        item.save()
        _publish_proposal(events.PROPOSAL_EDITED, item)
    return p


@transaction.atomic
def delete_proposal(*, proposal: PendingSchedule) -> None:
    """One proposal, as the admin deletes it."""
    proposal.delete()
