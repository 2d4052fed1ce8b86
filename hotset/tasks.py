"""Celery tasks of the hot set: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from hotset import services


@shared_task(name="hotset.auto_start_sessions")
def auto_start_sessions() -> list[int]:
    """Every minute: auto-start due sessions and send their notifications."""
    return services.auto_start_sessions(now=timezone.now())


@shared_task(name="hotset.regenerate_suggestions")
def regenerate_suggestions() -> int:
    """Every minute: the suggestions of the days in progress, as of now (reading never writes)."""
    return services.regenerate_open_suggestions(now=timezone.now())


@shared_task(name="hotset.send_projection_update")
def send_projection_update(session_id: int) -> None:
    """The delayed, coalesced ``hotset.projection.updated`` of a session (latest state wins).

    Celery and the embedded runner both honour the countdown, so the task runs when the
    5 s window closes. Run inline with no runner at all (a management command), it would
    run early: it then sends at once rather than stall the command.
    """
    wait = services.send_scheduled_projection(session_id=session_id, now=timezone.now())
    if wait > 0:
        services.send_scheduled_projection(session_id=session_id, now=timezone.now(), early=True)


@shared_task(name="hotset.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Hourly: forget the Idempotency-Key answers older than a day."""
    from hotset import idempotency

    return idempotency.purge(now=timezone.now())
