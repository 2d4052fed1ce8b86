"""The embedded job runner: periodic jobs and `.delay()`ed tasks inside the ASGI server.

Used when there is no broker (``EMBEDDED_JOBS``; the ``make run`` default). At
start-up (ASGI lifespan) an asyncio task on the server's loop reads the
django-celery-beat schedules through the real ``DatabaseScheduler`` and runs due
tasks, and anything sent with ``.delay()``, through
``sync_to_async(fn, thread_sensitive=False)``. ``async_to_sync`` inside those
threads reaches the in-memory channel layer on the server's own loop, so live
updates work. The same task functions run under real Celery in production.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from celery.result import EagerResult

logger = logging.getLogger(__name__)

# The longest the runner sleeps between looks at the schedules.
MAX_BEAT_SLEEP_SECONDS = 5.0


@dataclass
class _Runner:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    tasks: list[asyncio.Task] = field(default_factory=list)


_runner: _Runner | None = None


def _delay_seconds(options: dict) -> float:
    """Celery's ``countdown`` / ``eta`` as seconds from now (0 when absent or past)."""
    if options.get("countdown") is not None:
        return max(float(options["countdown"]), 0.0)
    eta = options.get("eta")
    if eta is not None:
        from django.utils import timezone

        return max((eta - timezone.now()).total_seconds(), 0.0)
    return 0.0


def submit(task, args, kwargs, options: dict | None = None):
    """Queue ``task(*args, **kwargs)`` on the runner (honouring ``countdown`` / ``eta``),
    or run it inline when no runner is up (a management command, a shell)."""
    runner = _runner
    if runner is None or runner.loop.is_closed():
        return task.apply(args=args, kwargs=kwargs)
    task_id = str(uuid.uuid4())
    item = (task, tuple(args), dict(kwargs))
    delay = _delay_seconds(options or {})

    def _enqueue():
        if delay > 0:
            runner.loop.call_later(delay, runner.queue.put_nowait, item)
        else:
            runner.queue.put_nowait(item)

    runner.loop.call_soon_threadsafe(_enqueue)
    return EagerResult(task_id, None, "PENDING")


def _run_task(task, args, kwargs) -> None:
    from django.db import close_old_connections

    close_old_connections()
    try:
        task.apply(args=args, kwargs=kwargs, throw=True)
    except Exception:
        logger.exception("embedded task %s failed", task.name)
    finally:
        close_old_connections()


async def _work(runner: _Runner) -> None:
    while True:
        task, args, kwargs = await runner.queue.get()
        await sync_to_async(_run_task, thread_sensitive=False)(task, args, kwargs)


def _make_scheduler():
    from django_celery_beat.schedulers import DatabaseScheduler

    from config.celery import app

    # Register every app's tasks first: beat sends an unregistered task name
    # straight to the (absent) broker instead of through SetdeskTask.
    app.loader.import_default_modules()
    return DatabaseScheduler(app=app, lazy=False)


def _tick(scheduler) -> float:
    from django.db import close_old_connections

    close_old_connections()
    try:
        return scheduler.tick()
    finally:
        close_old_connections()


async def _beat() -> None:
    scheduler = await sync_to_async(_make_scheduler, thread_sensitive=False)()
    while True:
        try:
            interval = await sync_to_async(_tick, thread_sensitive=False)(scheduler)
        except Exception:
            logger.exception("embedded beat tick failed")
            interval = MAX_BEAT_SLEEP_SECONDS
        await asyncio.sleep(min(max(interval or 0, 0.2), MAX_BEAT_SLEEP_SECONDS))


async def start(*, workers: int = 2, beat: bool = True) -> None:
    global _runner
    runner = _Runner(loop=asyncio.get_running_loop())
    runner.tasks = [asyncio.create_task(_work(runner)) for _ in range(workers)]
    if beat:
        runner.tasks.append(asyncio.create_task(_beat()))
    _runner = runner
    logger.info("embedded job runner started (%d workers, beat=%s)", workers, beat)


async def stop() -> None:
    global _runner
    runner, _runner = _runner, None
    if runner is None:
        return
    for task in runner.tasks:
        task.cancel()
    await asyncio.gather(*runner.tasks, return_exceptions=True)


def with_lifespan(app):
    """Wraps an ASGI app so the ASGI lifespan starts and stops the runner when EMBEDDED_JOBS."""

    async def application(scope, receive, send):
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)
        from django.conf import settings

        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if settings.EMBEDDED_JOBS:
                        await start()
                except Exception as exc:  # report, do not hang the server
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return None
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await stop()
                await send({"type": "lifespan.shutdown.complete"})
                return None

    return application
