"""Approving and rejecting proposals by unit (a core event with its supervisor events), and
the approvals' outbox sent to the client's system after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When

from config.errors import Conflict, InvalidInput
from config.tasks import enqueue_on_commit
from rotations import engine, events, selectors
from rotations.models import (
    Employee,
    Event,
    PendingSchedule,
    SchedulerRun,
    SubmissionUnit,
)
from rotations.services.proposals import (
    RETRYABLE,
    _displaced_event,
    _locked,
    _publish_proposal,
    validate_proposal,
)
from rotations.services.runs import _publish_run
from rotations.submitters import HttpSubmitter, LocalSubmitter, Outcome, get_submitter

logger = logging.getLogger(__name__)


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
    p.status = PendingSchedule.Status.FAILED
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
    if head.status in (PendingSchedule.Status.API_SUBMITTED, PendingSchedule.Status.APPROVED):
        return None  # approved once: approving again changes nothing
    if head.status == PendingSchedule.Status.REJECTED:
        raise Conflict("This proposal was rejected.")
    members = _lock_unit(_unit_proposal_ids(head))
    head = next(m for m in members if m.pk == head_id)
    if head.status in (PendingSchedule.Status.API_SUBMITTED, PendingSchedule.Status.APPROVED):
        return None
    if head.status == PendingSchedule.Status.REJECTED:
        raise Conflict("This proposal was rejected.")
    if head.run.status != SchedulerRun.Status.COMPLETED:
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
            displaced.status = Event.Status.UNSCHEDULED
            displaced.assigned_employee = None
            displaced.scheduled_at = None
            displaced.save(update_fields=["status", "assigned_employee", "scheduled_at", "updated_at"])
        # Reserved now, so that the next approval counts it; submitted (or released) by the answer.
        Event.objects.filter(pk=m.event_id).update(
            assigned_employee=m.employee, scheduled_at=m.scheduled_at, status=Event.Status.SCHEDULED, updated_at=now
        )
        m.status = PendingSchedule.Status.APPROVED
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
            m.status = PendingSchedule.Status.API_SUBMITTED
            m.submitted_at = now
            m.save()
            _publish_proposal(events.PROPOSAL_SUBMITTED, m)
        unit.status, unit.sent_at, unit.failure_reason = SubmissionUnit.Status.SENT, now, ""
    else:
        for m in members:
            Event.objects.filter(pk=m.event_id, assigned_employee_id=m.employee_id, scheduled_at=m.scheduled_at).update(
                status=Event.Status.UNSCHEDULED, assigned_employee=None, scheduled_at=None, updated_at=now
            )
            m.status = PendingSchedule.Status.FAILED
            m.failure_reason = outcome.failure_reason[:4000]
            m.api_error_details = outcome.details
            m.save()
            _publish_proposal(events.PROPOSAL_FAILED, m)
        for was in (unit.details or {}).get("displaced", []):
            # The swap did not happen: the bumped event goes back where it was, if still free.
            Event.objects.filter(pk=was["event_id"], status=Event.Status.UNSCHEDULED).update(
                status=was["status"], assigned_employee_id=was["employee_id"],
                scheduled_at=datetime.fromisoformat(was["scheduled_at"]), updated_at=now,
            )  # fmt: skip
        unit.status, unit.failure_reason = SubmissionUnit.Status.FAILED, outcome.failure_reason[:4000]
        unit.details = {**(unit.details or {}), "answer": outcome.details}
    unit.save()


def send_submission(*, unit_id: int, clock: Callable[[], datetime]) -> str | None:
    """Sends one unit to the client's system, outside any transaction, and records the answer.

    Claimed first (``pending``, or ``sending`` past its lease: a sender that died) under a
    skip-locked lock, so two senders never send it at once; the answer is recorded only by the
    sender that still holds the claim. Returns the unit's status, or None when there was nothing
    to send."""
    now = clock()
    with transaction.atomic():
        unit = (
            SubmissionUnit.objects.select_for_update(skip_locked=True)
            .filter(pk=unit_id)
            .filter(
                Q(status=SubmissionUnit.Status.PENDING)
                | Q(status=SubmissionUnit.Status.SENDING, claimed_at__lt=now - SUBMISSION_LEASE)
            )
            .first()
        )
        if unit is None:
            return None
        unit.status, unit.claimed_at, unit.attempts = SubmissionUnit.Status.SENDING, now, unit.attempts + 1
        unit.save(update_fields=["status", "claimed_at", "attempts"])
    submitter = get_submitter()
    outcome = submitter.submit(unit.payload, key=unit.key)
    with transaction.atomic():
        ids = list(unit.proposals.values_list("pk", flat=True))
        members = _lock_unit(ids) if ids else []
        current = SubmissionUnit.objects.select_for_update().get(pk=unit.pk)
        if current.status != SubmissionUnit.Status.SENDING or current.claimed_at != unit.claimed_at:
            return current.status  # another sender took it over after the lease
        members = [m for m in members if m.status == PendingSchedule.Status.APPROVED]
        _record_answer(current, members, outcome, submitter=submitter, now=clock())
        return current.status


def send_pending_submissions(*, clock: Callable[[], datetime]) -> int:
    """The periodic sweep: sends every unit still pending (its task lost with a worker or the
    broker) or claimed by a sender that died; returns how many were sent or failed."""
    now = clock()
    ids = list(
        SubmissionUnit.objects.filter(
            Q(status=SubmissionUnit.Status.PENDING)
            | Q(status=SubmissionUnit.Status.SENDING, claimed_at__lt=now - SUBMISSION_LEASE)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for unit_id in ids if send_submission(unit_id=unit_id, clock=clock) is not None)


def approve_proposal(
    *, proposal: PendingSchedule, user, now: datetime, submitter: LocalSubmitter | HttpSubmitter | None = None
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
        _approve_unit(proposal.pk, user=user, submitter=submitter, now=now)
    return PendingSchedule.objects.select_related("run", "event", "employee").get(pk=proposal.pk)


def approve_proposals(*, proposals, user, clock: Callable[[], datetime], submitter=None) -> dict[str, int]:
    """Bulk approval (admin action, approve-all): unit by unit, each in its own transaction, each
    at its own moment (``clock()``)."""
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
            approve_proposal(proposal=current, user=user, now=clock(), submitter=submitter)
        except Conflict:
            continue  # rejected meanwhile by someone else
    counts = {"submitted": 0, "approved": 0, "failed": 0}
    for status in PendingSchedule.objects.filter(pk__in=ids).values_list("status", flat=True):
        if status == PendingSchedule.Status.API_SUBMITTED:
            counts["submitted"] += 1
        elif status == PendingSchedule.Status.APPROVED:
            counts["approved"] += 1  # waiting for the client's system
        elif status == PendingSchedule.Status.FAILED:
            counts["failed"] += 1
    counts["considered"] = len(ids)
    return counts


def approve_run(*, run: SchedulerRun, user, clock: Callable[[], datetime], submitter=None) -> dict[str, int]:
    """Approves every open (and failed) proposal of a completed run; records who and when."""
    if run.status != SchedulerRun.Status.COMPLETED:
        raise Conflict(f"A run that is {run.status} cannot be approved.")
    counts = approve_proposals(proposals=run.proposals.all(), user=user, clock=clock, submitter=submitter)
    with transaction.atomic():
        run = SchedulerRun.objects.select_for_update().get(pk=run.pk)
        run.approved_at = clock()
        run.approved_by = _user_or_none(user)
        run.save(update_fields=["approved_at", "approved_by"])
        _publish_run(events.RUN_APPROVED, run)
    return counts


def approve_run_part(
    *,
    run: SchedulerRun,
    user,
    clock: Callable[[], datetime],
    day: date | None = None,
    employee: Employee | None = None,
    submitter=None,
):
    """Approves the run's open (and failed) proposals of one local day and/or one employee; a
    core event brings its supervisor events along (one unit), whatever their day or employee."""
    if run.status != SchedulerRun.Status.COMPLETED:
        raise Conflict(f"A run that is {run.status} cannot be approved.")
    if day is None and employee is None:
        raise InvalidInput(errors={"non_field_errors": ["Give a day, an employee, or both."]})
    proposals = run.proposals.all()
    if day is not None:
        start = selectors.from_local(datetime.combine(day, datetime.min.time()))
        proposals = proposals.filter(scheduled_at__gte=start, scheduled_at__lt=start + timedelta(days=1))
    if employee is not None:
        proposals = proposals.filter(employee=employee)
    return approve_proposals(proposals=proposals, user=user, clock=clock, submitter=submitter)


@transaction.atomic
def reject_proposal(*, proposal: PendingSchedule, user, now: datetime) -> PendingSchedule:
    """Rejects a proposal with the rest of its unit (core and supervisor events); 409 once approved."""
    head = PendingSchedule.objects.select_related("event").get(pk=proposal.pk)
    if head.status == PendingSchedule.Status.REJECTED:
        return head
    members = _lock_unit(_unit_proposal_ids(head)) if head.status in RETRYABLE else [_locked(head.pk)]
    head = next(m for m in members if m.pk == proposal.pk)
    if head.status == PendingSchedule.Status.REJECTED:
        return head
    if head.status in (PendingSchedule.Status.API_SUBMITTED, PendingSchedule.Status.APPROVED):
        raise Conflict(f"A proposal that is {head.status} cannot be rejected.")
    for m in members:
        if m.status not in RETRYABLE:
            continue
        m.status = PendingSchedule.Status.REJECTED
        m.decided_at = now
        m.decided_by = _user_or_none(user)
        m.save()
        _publish_proposal(events.PROPOSAL_REJECTED, m)
    return PendingSchedule.objects.select_related("run", "event", "employee").get(pk=proposal.pk)


def reject_proposals(*, proposals, user, clock: Callable[[], datetime]) -> int:
    rejected = 0
    for p in proposals.filter(status__in=RETRYABLE).order_by("id"):
        current = PendingSchedule.objects.get(pk=p.pk)
        if current.status in RETRYABLE:
            reject_proposal(proposal=current, user=user, now=clock())
            rejected += 1
    return rejected
