"""Coalesced ``hotset.projection.updated`` and the suggestions' regeneration on change."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import transaction

from config.tasks import enqueue_on_commit
from hotset import events, selectors
from hotset.models import (
    HotSetSession,
    ProjectionThrottle,
)
from hotset.services import catch_up as _catch_up
from hotset.services.helpers import PROJECTION_COALESCE, PROJECTION_STALE_AFTER


def _publish_projection(session_id: int, now: datetime) -> None:
    summary = selectors.projection_summary(selectors.projection(session_id, now=now))
    events.publish(events.PROJECTION_UPDATED, summary, session_id=session_id)


# Set while a service makes several schedule changes as one (applying a suggestion): the
# suggestions are regenerated once, at its end, instead of after each change.
_suggestions_deferred: ContextVar[bool] = ContextVar("hotset_suggestions_deferred", default=False)


@contextmanager
def _one_regeneration():
    token = _suggestions_deferred.set(True)
    try:
        yield
    finally:
        _suggestions_deferred.reset(token)


def request_projection_update(*, session_id: int, now: datetime) -> str:
    """Publishes ``hotset.projection.updated`` for the session now, or schedules one, and
    regenerates the session's suggestions (every schedule change ends here: reading them
    never writes).

    At most one per session per PROJECTION_COALESCE: inside the window the first change
    schedules a delayed send (a Celery task with a countdown) that recomputes the latest
    projection when it runs — so the last change wins — and further changes ride on it.
    Returns "sent", "scheduled" or "coalesced". Call inside the change's transaction.
    """
    if not _suggestions_deferred.get():
        _catch_up.regenerate_suggestions(session=HotSetSession(pk=session_id), now=now)
    ProjectionThrottle.objects.bulk_create([ProjectionThrottle(session_id=session_id)], ignore_conflicts=True)
    throttle = ProjectionThrottle.objects.select_for_update().get(session_id=session_id)
    if throttle.pending_due_at is not None and now < throttle.pending_due_at + PROJECTION_STALE_AFTER:
        return "coalesced"
    last = throttle.last_sent_at
    if last is None or now - last >= PROJECTION_COALESCE or now < last:
        _publish_projection(session_id, now)
        throttle.last_sent_at = now
        throttle.pending_due_at = None
        throttle.save(update_fields=["last_sent_at", "pending_due_at"])
        return "sent"
    due = throttle.last_sent_at + PROJECTION_COALESCE
    throttle.pending_due_at = due
    throttle.save(update_fields=["pending_due_at"])
    countdown = max((due - now).total_seconds(), 0.0)
    from hotset.tasks import send_projection_update

    # A broker that cannot take the delayed send (down, frozen) must not fail nor hold the
    # committed change: the latest projection is then published at once instead.
    enqueue_on_commit(
        send_projection_update,
        session_id,
        countdown=countdown,
        on_failure=lambda _exc: send_scheduled_projection(session_id=session_id, now=now, early=True),
    )
    return "scheduled"


@transaction.atomic
def send_scheduled_projection(*, session_id: int, now: datetime, early: bool = False) -> float:
    """The delayed send: publishes the session's latest projection if one is pending and due.

    Returns 0 when done (sent, or nothing pending), else the seconds still to wait (a
    worker that ran the task early, e.g. the embedded runner, which ignores countdowns);
    ``early`` sends at once anyway.
    """
    # Same lock order as every action (session row, then throttle, then the event log
    # cursors): the other way round, an action 5 s after another deadlocks with this send.
    if not HotSetSession.objects.select_for_update(of=("self",)).filter(pk=session_id).exists():
        return 0.0
    throttle = ProjectionThrottle.objects.select_for_update().filter(session_id=session_id).first()
    if throttle is None or throttle.pending_due_at is None:
        return 0.0
    if now < throttle.pending_due_at and not early:
        return (throttle.pending_due_at - now).total_seconds()
    _catch_up.regenerate_suggestions(session=HotSetSession(pk=session_id), now=now)  # the tick: as of now
    _publish_projection(session_id, now)
    throttle.last_sent_at = now
    throttle.pending_due_at = None
    throttle.save(update_fields=["last_sent_at", "pending_due_at"])
    return 0.0
