"""Rotations use cases. Every write of the app goes through here (API, admin, tasks).

Runs: ``start_run`` (one running run at a time: a second is refused with 409),
``execute_run`` (in the worker: progress and heartbeat in their own short transactions, all
proposals written at the end in one transaction with one bulk insert), ``reap_crashed_runs``
(stale heartbeat → ``crashed``), ``purge_old_runs`` (older than 3 weeks, with their proposals)
and ``nightly_auto_schedule``.

Proposals: ``edit_proposal`` (re-checks the hard constraints; 400 when one breaks),
``approve_proposal`` / ``approve_run`` / ``approve_proposals`` (re-validate against the current
state, reserve, and write an outbox row) and ``reject_proposal``. A core event and its supervisor
events are approved, submitted or rejected together (both or neither). ``send_submission`` /
``send_pending_submissions`` send the outbox to the client's system after commit.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from config.errors import Conflict, InvalidInput
from config.tasks import enqueue_on_commit
from rotations import engine, events, selectors
from rotations.models import (
    OPEN_PROPOSAL_STATUSES,
    Employee,
    Event,
    EventStatus,
    PendingSchedule,
    ProposalStatus,
    RunKind,
    RunStatus,
    SchedulerRun,
    SubmissionStatus,
    SubmissionUnit,
    new_calendar_token,
)
from rotations.records import (  # noqa: F401  (re-exported: rotations.services is the one door)
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
    update_employee,
    update_event,
    update_rotation_assignment,
    update_schedule_exception,
    update_time_off,
)
from rotations.submitters import HttpSubmitter, LocalSubmitter, Outcome, get_submitter

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_DAYS = 21  # three weeks of workdays
MAX_WINDOW_DAYS = 42
PURGE_AFTER = timedelta(weeks=3)
RETRYABLE = (*OPEN_PROPOSAL_STATUSES, ProposalStatus.FAILED)


def _publish_run(event_type: str, run: SchedulerRun) -> None:
    """A run event: to the run's group and the user who requested the run."""
    events.publish(event_type, events.run_payload(run), run_id=run.pk, user_id=run.triggered_by_id)


def _publish_proposal(event_type: str, proposal: PendingSchedule) -> None:
    events.publish(event_type, events.proposal_payload(proposal), run_id=proposal.run_id)


def stale_after() -> timedelta:
    """A running run whose heartbeat is older than this is presumed dead (``crashed``)."""
    return timedelta(seconds=int(settings.ROTATIONS_RUN_STALE_SECONDS))


# --- the employee calendar feed -------------------------------------------------------------


@transaction.atomic
def rotate_calendar_token(*, employee: Employee) -> Employee:
    """A new secret for the employee's calendar feed: the old link stops working at once."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    employee.calendar_token = new_calendar_token()
    employee.save(update_fields=["calendar_token", "updated_at"])
    return employee


# --- runs ------------------------------------------------------------------------------


def start_run(
    *,
    kind: str = RunKind.MANUAL,
    start_date: date | None = None,
    days: int | None = None,
    user=None,
    now: datetime,
) -> SchedulerRun:
    """Creates a ``running`` run for ``days`` calendar days from ``start_date`` (default: today).

    Only one run may be running at a time (a partial unique index): a second one — even
    started at the same instant by another process — raises ``Conflict`` (409). A run left
    running by a dead worker is reaped first.
    """
    days = DEFAULT_WINDOW_DAYS if days is None else days
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise InvalidInput(errors={"days": [f"Must be between 1 and {MAX_WINDOW_DAYS}."]})
    start = start_date or selectors.local_today(now)
    reap_crashed_runs(now=now)
    try:
        with transaction.atomic():
            run = SchedulerRun.objects.create(
                kind=kind,
                status=RunStatus.RUNNING,
                window_start=start,
                window_end=start + timedelta(days=days - 1),
                reference_date=selectors.local_today(now),
                started_at=now,
                heartbeat_at=now,
                triggered_by=user,
                progress_message="queued",
            )
            _publish_run(events.RUN_STARTED, run)
    except IntegrityError:
        other = SchedulerRun.objects.filter(status=RunStatus.RUNNING).values_list("pk", flat=True).first()
        message = f"A scheduler run is already in progress (#{other})." if other else "A scheduler run is in progress."
        raise Conflict(message, errors={"run": [message]}) from None
    return run


def request_run(*, start_date: date | None = None, days: int | None = None, user=None, now: datetime) -> SchedulerRun:
    """A manual run, executed by the worker once this transaction commits."""
    from config.tasks import send_now
    from rotations import tasks

    run = start_run(kind=RunKind.MANUAL, start_date=start_date, days=days, user=user, now=now)
    # Sent once within the broker's short timeout: a frozen broker fails the run at once.
    transaction.on_commit(lambda: enqueue_run(run.pk, send=lambda run_id: send_now(tasks.execute_run, run_id)))
    return run


def enqueue_run(run_id: int, *, send) -> None:
    """Hands the run to the worker; if the task queue cannot be reached the run fails at once
    (rather than waiting for the reaper) and the request that asked for it still answers."""
    try:
        send(run_id)
    except Exception as exc:
        logger.exception("could not enqueue scheduler run %s", run_id)
        _fail(run_id, RuntimeError(f"could not reach the task queue ({exc.__class__.__name__}: {exc})"))


def _progress(run_id: int, percent: int, message: str) -> None:
    """Heartbeat and progress, in their own short transaction."""
    with transaction.atomic():
        updated = SchedulerRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            heartbeat_at=timezone.now(), progress=max(0, min(100, percent)), progress_message=message[:200]
        )
        if updated:
            _publish_run(events.RUN_PROGRESS, SchedulerRun.objects.get(pk=run_id))


def execute_run(*, run_id: int, after_engine=None) -> SchedulerRun:
    """Runs the engine for a ``running`` run and writes its proposals; ``failed`` with the error if it fails.

    Nothing is written until the very end, in one transaction that re-checks that the run is
    still running (the reaper may have declared it crashed): a run that dies leaves no
    proposals. ``after_engine(run, result)`` is a hook between the engine and the write.
    """
    run = SchedulerRun.objects.get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return run
    try:
        _progress(run_id, 2, "loading")
        data = selectors.run_input(run=run)
        _progress(run_id, 10, f"scheduling {len(data.problem.events)} events")
        result = engine.schedule(
            data.problem, progress=lambda phase, fraction: _progress(run_id, 10 + int(fraction * 75), phase)
        )
        if after_engine is not None:
            after_engine(run, result)
        _progress(run_id, 90, f"writing {len(result.proposals)} proposals")
        _finish(run_id, data, result)
    except Exception as exc:
        logger.exception("scheduler run %s failed", run_id)
        _fail(run_id, exc)
    return SchedulerRun.objects.get(pk=run_id)


def _unscheduled_json(data: selectors.RunInput, result: engine.Result) -> list[dict]:
    out = []
    for u in result.unscheduled:
        out.append(
            {
                "event_id": data.event_ids.get(u.event_ref),
                "project_ref_num": u.event_ref,
                "type": data.event_types.get(u.event_ref),
                "due_date": data.due_dates[u.event_ref].isoformat() if u.event_ref in data.due_dates else None,
                "code": u.code,
                "reason": u.reason,
                "ruled_out": [
                    {"employee_id": emp_id, "employee": data.employee_names.get(emp_id, ""), "constraints": list(codes)}
                    for emp_id, codes in u.ruled_out
                ],
                "more_ruled_out": u.more_ruled_out,
                "not_qualified": u.not_qualified,
            }
        )
    return out


def _finish(run_id: int, data: selectors.RunInput, result: engine.Result) -> bool:
    with transaction.atomic():
        run = SchedulerRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            logger.warning("run %s is %s: its proposals are dropped", run_id, run.status)
            return False
        now = timezone.now()
        # One set of live proposals: the untouched ones of earlier runs are superseded. What a
        # supervisor edited or approved stays open: the engine took it as fixed (selectors.run_input).
        PendingSchedule.objects.filter(status=ProposalStatus.PROPOSED).exclude(run_id=run_id).update(
            status=ProposalStatus.REJECTED, failure_reason=f"superseded by run #{run_id}", updated_at=now
        )
        rows = [
            PendingSchedule(
                run_id=run_id,
                event_id=data.event_ids[p.event_ref],
                employee_id=p.employee_id,
                scheduled_at=selectors.from_local(p.start),
                status=ProposalStatus.PROPOSED,
                phase=p.phase,
                reason=p.reason,
                is_fallback=p.is_fallback,
                is_swap=p.is_swap,
                bumped_event_ref_num=p.bumped_event_ref,
                bumped_event_scheduled_at=data.booked_at.get(p.bumped_event_ref),
                swap_reason=p.swap_reason,
                created_at=now,
                updated_at=now,
            )
            for p in result.proposals
        ]
        PendingSchedule.objects.bulk_create(rows)
        run.status = RunStatus.COMPLETED
        run.finished_at = now
        run.heartbeat_at = now
        run.progress = 100
        run.progress_message = "completed"
        run.events_processed = len(data.problem.events)
        run.events_scheduled = len(result.proposals)
        run.events_failed = len(result.unscheduled)
        run.swaps = result.swaps
        run.warnings = list(result.warnings)
        run.unscheduled = _unscheduled_json(data, result)
        run.save()
        _publish_run(events.RUN_COMPLETED, run)
    return True


def _fail(run_id: int, exc: Exception) -> None:
    with transaction.atomic():
        now = timezone.now()
        updated = SchedulerRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED,
            error=f"{exc.__class__.__name__}: {exc}"[:4000],
            finished_at=now,
            heartbeat_at=now,
        )
        if updated:
            _publish_run(events.RUN_FAILED, SchedulerRun.objects.get(pk=run_id))


def reap_crashed_runs(*, now: datetime) -> int:
    """Marks ``crashed`` every running run whose heartbeat is stale; returns how many."""
    cutoff = now - stale_after()
    reaped = 0
    with transaction.atomic():
        stale = SchedulerRun.objects.select_for_update(skip_locked=True).filter(
            status=RunStatus.RUNNING, heartbeat_at__lt=cutoff
        )
        for run in stale:
            # Proposals are only written with the completion, so there are none; make sure.
            run.proposals.all().delete()
            run.status = RunStatus.CRASHED
            run.finished_at = now
            run.error = f"No heartbeat since {run.heartbeat_at.isoformat()}: the worker is presumed dead."
            run.save(update_fields=["status", "finished_at", "error"])
            _publish_run(events.RUN_CRASHED, run)
            reaped += 1
    return reaped


def purge_old_runs(*, now: datetime) -> int:
    """Deletes runs started more than 3 weeks ago, with their proposals; returns how many runs."""
    old = selectors.runs_older_than(now - PURGE_AFTER).exclude(status=RunStatus.RUNNING)
    ids = list(old.values_list("pk", flat=True))
    if ids:
        with transaction.atomic():
            PendingSchedule.objects.filter(run_id__in=ids).delete()
            SchedulerRun.objects.filter(pk__in=ids).delete()
    return len(ids)


def nightly_auto_schedule(*, now: datetime) -> SchedulerRun | None:
    """The nightly job: purge old runs, reap dead ones, then an automatic run over the next three weeks."""
    purge_old_runs(now=now)
    try:
        run = start_run(kind=RunKind.AUTOMATIC, now=now)
    except Conflict:
        logger.info("nightly auto-schedule skipped: a run is in progress")
        return None
    return execute_run(run_id=run.pk)


# --- re-checking one proposal ---------------------------------------------------------------


def _displaced_event(proposal: PendingSchedule, employee_id: int) -> Event | None:
    """The already scheduled event a swap bumps, while it still holds the slot the run saw it in."""
    if not (proposal.is_swap and proposal.bumped_event_ref_num and proposal.bumped_event_scheduled_at):
        return None
    return Event.objects.filter(
        project_ref_num=proposal.bumped_event_ref_num,
        status=EventStatus.SCHEDULED,
        assigned_employee_id=employee_id,
        scheduled_at=proposal.bumped_event_scheduled_at,
    ).first()


def _is_move(proposal: PendingSchedule, event: Event) -> bool:
    """A proposal that moves an already scheduled event (it was bumped by a swap)."""
    return proposal.phase == "repair" and not proposal.is_swap and event.status == EventStatus.SCHEDULED


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
    ev = selectors.event_to_engine(event)
    emp = selectors.employee_to_engine(employee)
    start = selectors.to_local(scheduled_at)
    day = start.date()
    out: list[engine.Violation] = []
    if event.status != EventStatus.UNSCHEDULED and not _is_move(proposal, event):
        out.append(engine.Violation("state", f"#{event.project_ref_num} is already {event.status}"))
    exclude = {event.id}
    displaced = _displaced_event(proposal, employee.id)
    if displaced is not None:
        exclude.add(displaced.id)
    others = selectors.commitments(
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
                    employee=selectors.employee_to_engine(rotation),
                    start=start,
                    commitments=selectors.commitments(
                        employee_id=rotation.id, day=day, exclude_event_ids={event.id}, run=proposal.run
                    ),
                )
                if v.code != engine.OVERLAP
            ]
        violation = engine.rotation_violation(
            event=ev,
            employee=emp,
            day=day,
            rotation_employee=selectors.employee_to_engine(rotation) if rotation else None,
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
    if parent is not None and parent.scheduled_at is not None and parent.status != EventStatus.UNSCHEDULED:
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
    if p.run.status != RunStatus.COMPLETED:
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
        item.status = ProposalStatus.USER_EDITED
        item.failure_reason = ""
        item.api_error_details = None
        item.reason = f"{note}; was: {item.reason}"[:4000] if not item.reason.startswith(note) else item.reason
        item.save()
        _publish_proposal(events.PROPOSAL_EDITED, item)
    return p


# --- approve / reject --------------------------------------------------------------------------
#
# A unit is a core event's proposal with its supervisor events' proposals of the same run (or a
# proposal alone). Every path that changes a unit's rows locks them in one order — the events,
# core first then its supervisor events in id order, then the proposals in the same order — so
# concurrent approve-alls, one-by-one approvals and rejections wait for each other instead of
# deadlocking. Approving reserves the events at once (they count as commitments for the next
# approval) and writes a SubmissionUnit; a remote submitter's unit is sent after the commit by a
# task, once, with an Idempotency-Key, and its answer submits or fails the whole unit.

SUBMISSION_LEASE = timedelta(minutes=5)  # a claimed unit with no recorded answer after this is sent again
OPEN_OR_FAILED = RETRYABLE


def _user_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None


def _unit_proposal_ids(p: PendingSchedule) -> list[int]:
    """The ids of ``p``'s unit (read without locks; re-checked once locked), the core first."""
    core = p
    if p.event.event_type == engine.SUPERVISOR:
        parent = selectors.parent_proposal(p)
        if parent is None or parent.status not in OPEN_OR_FAILED:
            return [p.pk]
        core = parent
    children = sorted(selectors.live_child_proposals(core), key=lambda c: c.event_id)
    return [core.pk, *(c.pk for c in children)]


def _lock_unit(proposal_ids: list[int]) -> list[PendingSchedule]:
    """Locks the unit's events (core first, then supervisor events by id), then its proposals in
    the same order; returns the proposals in that order."""
    rows = list(PendingSchedule.objects.filter(pk__in=proposal_ids).values_list("pk", "event_id"))
    core_event = dict(rows).get(proposal_ids[0])
    order = sorted(rows, key=lambda row: (row[1] != core_event, row[1]))
    list(
        Event.objects.select_for_update()
        .filter(pk__in=[e for _, e in order])
        .order_by(Case(When(pk=core_event, then=Value(0)), default=Value(1), output_field=IntegerField()), "pk")
        .values_list("pk", flat=True)
    )
    locked = {
        p.pk: p
        for p in PendingSchedule.objects.select_for_update(of=("self",))
        .select_related("run", "event", "employee")
        .filter(pk__in=[pk for pk, _ in order])
        .order_by(Case(*(When(pk=pk, then=Value(i)) for i, (pk, _) in enumerate(order)), output_field=IntegerField()))
    }
    return [locked[pk] for pk, _ in order if pk in locked]


def _locked(proposal_id: int) -> PendingSchedule:
    return (
        PendingSchedule.objects.select_for_update(of=("self",))
        .select_related("run", "event", "employee")
        .get(pk=proposal_id)
    )


def _assignment(p: PendingSchedule) -> dict:
    return {
        "proposal_id": p.pk,
        "run_id": p.run_id,
        "project_ref_num": p.event.project_ref_num,
        "event_type": p.event.event_type,
        "parent_project_ref_num": p.event.parent_event_id,
        "employee_id": p.employee_id,
        "employee_external_id": p.employee.external_id,
        "employee_name": p.employee.name,
        "scheduled_at": p.scheduled_at.isoformat(),
        "estimated_minutes": p.event.estimated_minutes,
        "is_swap": p.is_swap,
        "bumped_event_ref_num": p.bumped_event_ref_num,
    }


def _mark_failed(p: PendingSchedule, reason: str, details: dict | None, *, now: datetime, user=None) -> None:
    p.status = ProposalStatus.FAILED
    p.failure_reason = reason[:4000]
    p.api_error_details = details
    p.decided_at = p.decided_at or now
    p.decided_by = p.decided_by or _user_or_none(user)
    p.save()
    _publish_proposal(events.PROPOSAL_FAILED, p)


def _fail_unit(members: list[PendingSchedule], culprit: PendingSchedule, reason: str, details, *, now, user) -> None:
    """Both or neither: the culprit fails with its reason, the rest of its unit with it."""
    for m in members:
        if m is culprit:
            _mark_failed(m, reason, details, now=now, user=user)
        elif m.event.event_type == engine.SUPERVISOR:
            why = f"its core event #{culprit.event.project_ref_num} was not submitted (both or neither)"
            _mark_failed(m, why, None, now=now, user=user)
        else:
            why = f"its supervisor event #{culprit.event.project_ref_num} was not submitted (both or neither)"
            _mark_failed(m, why, None, now=now, user=user)


def _approve_unit(head_id: int, *, user, submitter, now: datetime) -> SubmissionUnit | None:
    """One transaction: lock the unit, re-validate it, reserve its events and write its outbox row."""
    head = PendingSchedule.objects.select_related("run", "event", "employee").get(pk=head_id)
    if head.status in (ProposalStatus.API_SUBMITTED, ProposalStatus.APPROVED):
        return None  # approved once: approving again changes nothing
    if head.status == ProposalStatus.REJECTED:
        raise Conflict("This proposal was rejected.")
    members = _lock_unit(_unit_proposal_ids(head))
    head = next(m for m in members if m.pk == head_id)
    if head.status in (ProposalStatus.API_SUBMITTED, ProposalStatus.APPROVED):
        return None
    if head.status == ProposalStatus.REJECTED:
        raise Conflict("This proposal was rejected.")
    if head.run.status != RunStatus.COMPLETED:
        raise Conflict("The run is not completed.")
    members = [m for m in members if m.status in OPEN_OR_FAILED]
    core = members[0] if members[0].event.event_type != engine.SUPERVISOR else None
    core_day = selectors.to_local(core.scheduled_at).date() if core is not None else None
    for m in members:
        parent_day = core_day if (core is not None and m is not core) else None
        violations = validate_proposal(m, employee=m.employee, scheduled_at=m.scheduled_at, for_edit=False,
                                       parent_day=parent_day)  # fmt: skip
        if violations:
            reason = "no longer valid: " + "; ".join(v.message for v in violations)
            details = {"violations": [{"code": v.code, "message": v.message} for v in violations]}
            _fail_unit(members, m, reason, details, now=now, user=user)
            return None
    unit = SubmissionUnit.objects.create(
        run_id=head.run_id,
        submitter=submitter.name,
        payload={"assignments": [_assignment(m) for m in members]},
        created_at=now,
        details={"displaced": []},
    )
    for m in members:
        displaced = _displaced_event(m, m.employee_id)
        if displaced is not None:
            unit.details["displaced"].append(
                {"event_id": displaced.pk, "employee_id": displaced.assigned_employee_id,
                 "scheduled_at": displaced.scheduled_at.isoformat(), "status": displaced.status}
            )  # fmt: skip
            displaced.status = EventStatus.UNSCHEDULED
            displaced.assigned_employee = None
            displaced.scheduled_at = None
            displaced.save(update_fields=["status", "assigned_employee", "scheduled_at", "updated_at"])
        # Reserved now, so that the next approval counts it; submitted (or released) by the answer.
        Event.objects.filter(pk=m.event_id).update(
            assigned_employee=m.employee, scheduled_at=m.scheduled_at, status=EventStatus.SCHEDULED, updated_at=now
        )
        m.status = ProposalStatus.APPROVED
        m.decided_at, m.decided_by = now, _user_or_none(user)
        m.failure_reason, m.api_error_details = "", None
        m.submission = unit
        m.save()
        _publish_proposal(events.PROPOSAL_APPROVED, m)
    unit.save(update_fields=["details"])
    if submitter.remote:
        from rotations import tasks

        enqueue_on_commit(tasks.send_submission, unit.pk)
    else:
        _record_answer(unit, members, Outcome(ok=True), submitter=submitter, now=now)
    return unit


def _record_answer(unit: SubmissionUnit, members: list[PendingSchedule], outcome: Outcome, *, submitter, now) -> None:
    """The client's answer for a whole unit (rows locked by the caller): submitted, or released."""
    if outcome.ok:
        for m in members:
            # The reservation made at approval (a run never bumps an event being sent).
            Event.objects.filter(pk=m.event_id, assigned_employee_id=m.employee_id).update(
                status=submitter.event_status, updated_at=now
            )
            m.status = ProposalStatus.API_SUBMITTED
            m.submitted_at = now
            m.save()
            _publish_proposal(events.PROPOSAL_SUBMITTED, m)
        unit.status, unit.sent_at, unit.failure_reason = SubmissionStatus.SENT, now, ""
    else:
        for m in members:
            Event.objects.filter(pk=m.event_id, assigned_employee_id=m.employee_id, scheduled_at=m.scheduled_at).update(
                status=EventStatus.UNSCHEDULED, assigned_employee=None, scheduled_at=None, updated_at=now
            )
            m.status = ProposalStatus.FAILED
            m.failure_reason = outcome.failure_reason[:4000]
            m.api_error_details = outcome.details
            m.save()
            _publish_proposal(events.PROPOSAL_FAILED, m)
        for was in (unit.details or {}).get("displaced", []):
            # The swap did not happen: the bumped event goes back where it was, if still free.
            Event.objects.filter(pk=was["event_id"], status=EventStatus.UNSCHEDULED).update(
                status=was["status"], assigned_employee_id=was["employee_id"],
                scheduled_at=datetime.fromisoformat(was["scheduled_at"]), updated_at=now,
            )  # fmt: skip
        unit.status, unit.failure_reason = SubmissionStatus.FAILED, outcome.failure_reason[:4000]
        unit.details = {**(unit.details or {}), "answer": outcome.details}
    unit.save()


def send_submission(*, unit_id: int, now: datetime) -> str | None:
    """Sends one unit to the client's system, outside any transaction, and records the answer.

    Claimed first (``pending``, or ``sending`` past its lease: a sender that died) under a
    skip-locked lock, so two senders never send it at once; the answer is recorded only by the
    sender that still holds the claim. Returns the unit's status, or None when there was nothing
    to send."""
    with transaction.atomic():
        unit = (
            SubmissionUnit.objects.select_for_update(skip_locked=True)
            .filter(pk=unit_id)
            .filter(
                Q(status=SubmissionStatus.PENDING)
                | Q(status=SubmissionStatus.SENDING, claimed_at__lt=now - SUBMISSION_LEASE)
            )
            .first()
        )
        if unit is None:
            return None
        unit.status, unit.claimed_at, unit.attempts = SubmissionStatus.SENDING, now, unit.attempts + 1
        unit.save(update_fields=["status", "claimed_at", "attempts"])
    submitter = get_submitter()
    outcome = submitter.submit(unit.payload, key=unit.key)
    with transaction.atomic():
        ids = list(unit.proposals.values_list("pk", flat=True))
        members = _lock_unit(ids) if ids else []
        current = SubmissionUnit.objects.select_for_update().get(pk=unit.pk)
        if current.status != SubmissionStatus.SENDING or current.claimed_at != unit.claimed_at:
            return current.status  # another sender took it over after the lease
        members = [m for m in members if m.status == ProposalStatus.APPROVED]
        _record_answer(current, members, outcome, submitter=submitter, now=timezone.now())
        return current.status


def send_pending_submissions(*, now: datetime) -> int:
    """The periodic sweep: sends every unit still pending (its task lost with a worker or the
    broker) or claimed by a sender that died; returns how many were sent or failed."""
    ids = list(
        SubmissionUnit.objects.filter(
            Q(status=SubmissionStatus.PENDING)
            | Q(status=SubmissionStatus.SENDING, claimed_at__lt=now - SUBMISSION_LEASE)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for unit_id in ids if send_submission(unit_id=unit_id, now=now) is not None)


def approve_proposal(
    *, proposal: PendingSchedule, user, submitter: LocalSubmitter | HttpSubmitter | None = None
) -> PendingSchedule:
    """Approves a proposal with the rest of its unit (core and supervisor events): re-validated
    and reserved in one transaction, then submitted once.

    With the local submitter each ends ``api_submitted`` at once; with the client's system the
    unit is ``approved`` until the task sends it after commit, then ``api_submitted`` or
    ``failed`` (all of it) with ``failure_reason`` and ``api_error_details``. A proposal no
    longer valid fails with its unit. A failed one may be approved again (retry: a new unit).
    Approving an approved or submitted proposal changes nothing; a rejected one is a 409.
    """
    submitter = submitter or get_submitter()
    with transaction.atomic():
        _approve_unit(proposal.pk, user=user, submitter=submitter, now=timezone.now())
    return PendingSchedule.objects.select_related("run", "event", "employee").get(pk=proposal.pk)


def approve_proposals(*, proposals, user, submitter=None) -> dict[str, int]:
    """Bulk approval (admin action, approve-all): unit by unit, each in its own transaction."""
    submitter = submitter or get_submitter()
    ids = list(
        proposals.filter(status__in=RETRYABLE)
        .annotate(
            supervisor_last=Case(
                When(event__event_type=engine.SUPERVISOR, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("supervisor_last", "scheduled_at", "id")
        .values_list("id", flat=True)
    )
    for pid in ids:
        current = PendingSchedule.objects.filter(pk=pid).only("status").first()
        if current is None or current.status not in RETRYABLE:
            continue  # approved with its unit already
        try:
            approve_proposal(proposal=current, user=user, submitter=submitter)
        except Conflict:
            continue  # rejected meanwhile by someone else
    counts = {"submitted": 0, "approved": 0, "failed": 0}
    for status in PendingSchedule.objects.filter(pk__in=ids).values_list("status", flat=True):
        if status == ProposalStatus.API_SUBMITTED:
            counts["submitted"] += 1
        elif status == ProposalStatus.APPROVED:
            counts["approved"] += 1  # waiting for the client's system
        elif status == ProposalStatus.FAILED:
            counts["failed"] += 1
    counts["considered"] = len(ids)
    return counts


def approve_run(*, run: SchedulerRun, user, submitter=None) -> dict[str, int]:
    """Approves every open (and failed) proposal of a completed run; records who and when."""
    if run.status != RunStatus.COMPLETED:
        raise Conflict(f"A run that is {run.status} cannot be approved.")
    counts = approve_proposals(proposals=run.proposals.all(), user=user, submitter=submitter)
    with transaction.atomic():
        run = SchedulerRun.objects.select_for_update().get(pk=run.pk)
        run.approved_at = timezone.now()
        run.approved_by = _user_or_none(user)
        run.save(update_fields=["approved_at", "approved_by"])
        _publish_run(events.RUN_APPROVED, run)
    return counts


def approve_run_part(
    *, run: SchedulerRun, user, day: date | None = None, employee: Employee | None = None, submitter=None
):
    """Approves the run's open (and failed) proposals of one local day and/or one employee; a
    core event brings its supervisor events along (one unit), whatever their day or employee."""
    if run.status != RunStatus.COMPLETED:
        raise Conflict(f"A run that is {run.status} cannot be approved.")
    if day is None and employee is None:
        raise InvalidInput(errors={"non_field_errors": ["Give a day, an employee, or both."]})
    proposals = run.proposals.all()
    if day is not None:
        start = selectors.from_local(datetime.combine(day, datetime.min.time()))
        proposals = proposals.filter(scheduled_at__gte=start, scheduled_at__lt=start + timedelta(days=1))
    if employee is not None:
        proposals = proposals.filter(employee=employee)
    return approve_proposals(proposals=proposals, user=user, submitter=submitter)


@transaction.atomic
def reject_proposal(*, proposal: PendingSchedule, user) -> PendingSchedule:
    """Rejects a proposal with the rest of its unit (core and supervisor events); 409 once approved."""
    head = PendingSchedule.objects.select_related("event").get(pk=proposal.pk)
    if head.status == ProposalStatus.REJECTED:
        return head
    members = _lock_unit(_unit_proposal_ids(head)) if head.status in RETRYABLE else [_locked(head.pk)]
    head = next(m for m in members if m.pk == proposal.pk)
    if head.status == ProposalStatus.REJECTED:
        return head
    if head.status in (ProposalStatus.API_SUBMITTED, ProposalStatus.APPROVED):
        raise Conflict(f"A proposal that is {head.status} cannot be rejected.")
    now = timezone.now()
    for m in members:
        if m.status not in RETRYABLE:
            continue
        m.status = ProposalStatus.REJECTED
        m.decided_at = now
        m.decided_by = _user_or_none(user)
        m.save()
        _publish_proposal(events.PROPOSAL_REJECTED, m)
    return PendingSchedule.objects.select_related("run", "event", "employee").get(pk=proposal.pk)


def reject_proposals(*, proposals, user) -> int:
    rejected = 0
    for p in proposals.filter(status__in=RETRYABLE).order_by("id"):
        current = PendingSchedule.objects.get(pk=p.pk)
        if current.status in RETRYABLE:
            reject_proposal(proposal=current, user=user)
            rejected += 1
    return rejected
