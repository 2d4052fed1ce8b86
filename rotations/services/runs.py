"""Scheduler runs: start one (one at a time), execute it in the worker (progress, heartbeat,
the proposals written at the end), reap dead ones, purge old ones, the nightly job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from config.errors import Conflict, InvalidInput
from rotations import engine, events, problem, selectors
from rotations.models import (
    PendingSchedule,
    SchedulerRun,
)

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_DAYS = 21  # three weeks of workdays
MAX_WINDOW_DAYS = 42
PURGE_AFTER = timedelta(weeks=3)


def _publish_run(event_type: str, run: SchedulerRun) -> None:
    """A run event: to the run's group and the user who requested the run."""
    events.publish(event_type, events.run_payload(run), run_id=run.pk, user_id=run.triggered_by_id)


def stale_after() -> timedelta:
    """A running run whose heartbeat is older than this is presumed dead (``crashed``)."""
    return timedelta(seconds=int(settings.ROTATIONS_RUN_STALE_SECONDS))


# --- runs ------------------------------------------------------------------------------


def start_run(
    *,
    kind: str = SchedulerRun.Kind.MANUAL,
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
                status=SchedulerRun.Status.RUNNING,
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
        other = SchedulerRun.objects.filter(status=SchedulerRun.Status.RUNNING).values_list("pk", flat=True).first()
        message = f"A scheduler run is already in progress (#{other})." if other else "A scheduler run is in progress."
        raise Conflict(message, errors={"run": [message]}) from None
    return run


def request_run(*, start_date: date | None = None, days: int | None = None, user=None, now: datetime) -> SchedulerRun:
    """A manual run, executed by the worker once this transaction commits."""
    from config.tasks import send_now
    from rotations import tasks

    run = start_run(kind=SchedulerRun.Kind.MANUAL, start_date=start_date, days=days, user=user, now=now)
    # Sent once within the broker's short timeout: a frozen broker fails the run at once.
    transaction.on_commit(lambda: enqueue_run(run.pk, send=lambda run_id: send_now(tasks.execute_run, run_id), now=now))
    return run


def enqueue_run(run_id: int, *, send, now: datetime) -> None:
    """Hands the run to the worker; if the task queue cannot be reached the run fails at once
    (rather than waiting for the reaper) and the request that asked for it still answers."""
    try:
        send(run_id)
    except Exception as exc:
        logger.exception("could not enqueue scheduler run %s", run_id)
        _fail(run_id, RuntimeError(f"could not reach the task queue ({exc.__class__.__name__}: {exc})"), now=now)


def _progress(run_id: int, percent: int, message: str, *, now: datetime) -> None:
    """Heartbeat and progress, in their own short transaction."""
    with transaction.atomic():
        updated = SchedulerRun.objects.filter(pk=run_id, status=SchedulerRun.Status.RUNNING).update(
            heartbeat_at=now, progress=max(0, min(100, percent)), progress_message=message[:200]
        )
        if updated:
            _publish_run(events.RUN_PROGRESS, SchedulerRun.objects.get(pk=run_id))


def execute_run(*, run_id: int, clock: Callable[[], datetime], after_engine=None) -> SchedulerRun:
    """Runs the engine for a ``running`` run and writes its proposals; ``failed`` with the error if it fails.

    Nothing is written until the very end, in one transaction that re-checks that the run is
    still running (the reaper may have declared it crashed): a run that dies leaves no
    proposals. ``after_engine(run, result)`` is a hook between the engine and the write. ``clock``
    gives the moment of each heartbeat and of the end.
    """
    run = SchedulerRun.objects.get(pk=run_id)
    if run.status != SchedulerRun.Status.RUNNING:
        return run
    try:
        _progress(run_id, 2, "loading", now=clock())
        data = problem.run_input(run=run)
        _progress(run_id, 10, f"scheduling {len(data.problem.events)} events", now=clock())
        result = engine.schedule(
            data.problem,
            progress=lambda phase, fraction: _progress(run_id, 10 + int(fraction * 75), phase, now=clock()),
        )
        if after_engine is not None:
            after_engine(run, result)
        _progress(run_id, 90, f"writing {len(result.proposals)} proposals", now=clock())
        _finish(run_id, data, result, clock=clock)
    except Exception as exc:
        logger.exception("scheduler run %s failed", run_id)
        _fail(run_id, exc, now=clock())
    return SchedulerRun.objects.get(pk=run_id)


def _finish(run_id: int, data: problem.RunInput, result: engine.Result, *, clock: Callable[[], datetime]) -> bool:
    with transaction.atomic():
        run = SchedulerRun.objects.select_for_update().get(pk=run_id)
        if run.status != SchedulerRun.Status.RUNNING:
            logger.warning("run %s is %s: its proposals are dropped", run_id, run.status)
            return False
        now = clock()
        # One set of live proposals: the untouched ones of earlier runs are superseded. What a
        # supervisor edited or approved stays open: the engine took it as fixed (selectors.run_input).
        PendingSchedule.objects.filter(status=PendingSchedule.Status.PROPOSED).exclude(run_id=run_id).update(
            status=PendingSchedule.Status.REJECTED, failure_reason=f"superseded by run #{run_id}", updated_at=now
        )
        rows = [
            PendingSchedule(
                run_id=run_id,
                event_id=data.event_ids[p.event_ref],
                employee_id=p.employee_id,
                scheduled_at=selectors.from_local(p.start),
                status=PendingSchedule.Status.PROPOSED,
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
        run.status = SchedulerRun.Status.COMPLETED
        run.finished_at = now
        run.heartbeat_at = now
        run.progress = 100
        run.progress_message = "completed"
        run.events_processed = len(data.problem.events)
        run.events_scheduled = len(result.proposals)
        run.events_failed = len(result.unscheduled)
        run.swaps = result.swaps
        run.warnings = list(result.warnings)
        run.unscheduled = problem.unscheduled_json(data, result)
        run.save()
        _publish_run(events.RUN_COMPLETED, run)
    return True


def _fail(run_id: int, exc: Exception, *, now: datetime) -> None:
    with transaction.atomic():
        updated = SchedulerRun.objects.filter(pk=run_id, status=SchedulerRun.Status.RUNNING).update(
            status=SchedulerRun.Status.FAILED,
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
            status=SchedulerRun.Status.RUNNING, heartbeat_at__lt=cutoff
        )
        for run in stale:
            # Proposals are only written with the completion, so there are none; make sure.
            run.proposals.all().delete()
            run.status = SchedulerRun.Status.CRASHED
            run.finished_at = now
            run.error = f"No heartbeat since {run.heartbeat_at.isoformat()}: the worker is presumed dead."
            run.save(update_fields=["status", "finished_at", "error"])
            _publish_run(events.RUN_CRASHED, run)
            reaped += 1
    return reaped


@transaction.atomic
def delete_run(*, run: SchedulerRun) -> None:
    """A run with its proposals (and its outbox rows), as the admin deletes it."""
    run.delete()


def purge_old_runs(*, now: datetime) -> int:
    """Deletes runs started more than 3 weeks ago, with their proposals; returns how many runs."""
    old = selectors.runs_older_than(now - PURGE_AFTER).exclude(status=SchedulerRun.Status.RUNNING)
    ids = list(old.values_list("pk", flat=True))
    if ids:
        with transaction.atomic():
            PendingSchedule.objects.filter(run_id__in=ids).delete()
            SchedulerRun.objects.filter(pk__in=ids).delete()
    return len(ids)


def nightly_auto_schedule(*, now: datetime, clock: Callable[[], datetime]) -> SchedulerRun | None:
    """The nightly job: purge old runs, reap dead ones, then an automatic run over the next three weeks."""
    purge_old_runs(now=now)
    try:
        run = start_run(kind=SchedulerRun.Kind.AUTOMATIC, now=now)
    except Conflict:
        logger.info("nightly auto-schedule skipped: a run is in progress")
        return None
    return execute_run(run_id=run.pk, clock=clock)
