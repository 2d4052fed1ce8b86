"""Handing Celery tasks to the broker from a request without ever holding or failing it.

A request that starts background work after its change commits must answer whatever the
broker does: the change is committed, and every such task has a fallback (a periodic job
that picks the work up, a stale marker, a run failed at once). So the task is sent once,
with no publish retries, within the broker's short socket timeouts
(``CELERY_BROKER_TRANSPORT_OPTIONS``); a failure is logged, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)


def send_now(task, *args, countdown: float | None = None, **kwargs):
    """Sends ``task(*args, **kwargs)`` to the broker now, trying once (raises if it cannot).

    Celery's default publish retries (three, with pauses) would multiply the socket
    timeout of a frozen broker; the caller's fallback is the retry.
    """
    return task.apply_async(args=args, kwargs=kwargs, countdown=countdown, retry=False)


def enqueue_on_commit(
    task, *args, countdown: float | None = None, on_failure: Callable[[Exception], None] | None = None, **kwargs
) -> None:
    """After the current transaction commits (at once outside one), sends ``task(*args, **kwargs)``.

    Never raises into the request: a broker that cannot take the task is logged (and
    ``on_failure(exc)`` called, itself guarded). ``countdown`` and ``on_failure`` are options,
    not task arguments.
    """

    def _enqueue() -> None:
        try:
            send_now(task, *args, countdown=countdown, **kwargs)
        except Exception as exc:
            logger.warning("could not enqueue %s (%s: %s)", task.name, exc.__class__.__name__, exc)
            if on_failure is not None:
                try:
                    on_failure(exc)
                except Exception:
                    logger.exception("handling the failed enqueue of %s failed", task.name)

    transaction.on_commit(_enqueue)
