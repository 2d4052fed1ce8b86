"""A long-lived event loop for channel-layer sends from code that runs none.

``async_to_sync`` called where no event loop runs (a Celery worker, a management
command, a plain thread) starts a thread and a new event loop for every call, and
channels-redis opens a new Redis connection for each loop: about 3 ms per
broadcast, most of the cost of an event. Here one loop per process, in a daemon
thread, keeps its Redis connections between sends.

Sends are handed off, not awaited: :meth:`SendLoop.submit` queues them and returns at
once, so a request never waits on Redis (a frozen Redis would otherwise hold every
write until its socket timeout). One task on the loop sends the queue in order, one
batch after another, so a process's events for a group leave in the order they were
handed in. The queue is bounded: past ``MAX_PENDING`` a batch is dropped (logged);
the event log has it and clients resume from there.

Only for the Redis layer: the in-memory layer's queues belong to the ASGI
server's own loop, which ``async_to_sync`` reaches from the server's threads.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import concurrent.futures
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A waited-for run (``run``) that takes longer than this gives up; the events stay in the log.
SEND_TIMEOUT_SECONDS = 20.0
# Envelopes queued and not yet sent, at most (a frozen Redis must not eat the memory).
MAX_PENDING = 10_000
# On exit (a management command) queued sends get this long to go out.
EXIT_FLUSH_SECONDS = 5.0


def is_redis_layer(layer) -> bool:
    from channels_redis.core import RedisChannelLayer

    return isinstance(layer, RedisChannelLayer)


class SendLoop:
    def __init__(self, max_pending: int = MAX_PENDING):
        self.max_pending = max_pending
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid: int | None = None
        self._layer = None
        # (layer, send, size, future) in hand-off order; ``_pending`` counts their envelopes.
        self._queue: collections.deque = collections.deque()
        self._pending = 0
        self._wakeup: asyncio.Event | None = None
        self._current: tuple[concurrent.futures.Future, asyncio.Future] | None = None
        self._worker: asyncio.Task | None = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        """The process's loop (started on first use); call with ``_lock`` held."""
        # After a fork (Celery's prefork pool) the parent's loop thread does not exist here.
        if self._loop is None or self._pid != os.getpid() or not self._loop.is_running():
            loop = asyncio.new_event_loop()
            started = threading.Event()
            thread = threading.Thread(target=self._serve, args=(loop, started), name="realtime-send-loop", daemon=True)
            thread.start()
            started.wait()
            self._loop, self._pid, self._layer = loop, os.getpid(), None
            self._queue, self._pending, self._current = collections.deque(), 0, None
            self._wakeup = asyncio.run_coroutine_threadsafe(self._start_worker(), loop).result()
        return self._loop

    @staticmethod
    def _serve(loop: asyncio.AbstractEventLoop, started: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(started.set)
        loop.run_forever()

    async def _start_worker(self) -> asyncio.Event:
        wakeup = asyncio.Event()
        # Referenced here so it is never collected; the loop never stops.
        self._worker = asyncio.get_running_loop().create_task(self._work(wakeup))
        return wakeup

    def _next(self):
        with self._lock:
            return self._queue.popleft() if self._queue else None

    async def _work(self, wakeup: asyncio.Event) -> None:
        """Sends queued batches one after another, in hand-off order."""
        while True:
            await wakeup.wait()
            wakeup.clear()
            while (item := self._next()) is not None:
                layer, send, size, future = item
                if not future.cancelled():  # a caller that stopped waiting (``run``) dropped it
                    task = asyncio.ensure_future(self._call(layer, send))
                    self._current = (future, task)
                    await asyncio.wait([task])
                    self._current = None
                    _settle(future, task)
                with self._lock:
                    self._pending -= size

    async def _call(self, layer, send: Callable[[], Awaitable[T]]) -> T:
        if layer is not self._layer:
            replaced, self._layer = self._layer, layer
            if replaced is not None:
                await _release(replaced, asyncio.get_running_loop())
        return await send()

    def submit(self, layer, send: Callable[[], Awaitable[T]], *, size: int = 1) -> concurrent.futures.Future | None:
        """Queues ``send()`` (which uses ``layer`` and carries ``size`` envelopes) and returns at
        once: a future of its result, or None when the queue is full and it was dropped."""
        with self._lock:
            loop = self._running_loop()
            if self._pending + size > self.max_pending:
                logger.warning(
                    "broadcast dropped: %d envelopes already wait for the channel layer "
                    "(clients will resume from the event log)",
                    self._pending,
                )
                return None
            future: concurrent.futures.Future = concurrent.futures.Future()
            self._queue.append((layer, send, size, future))
            self._pending += size
            wakeup = self._wakeup
        loop.call_soon_threadsafe(wakeup.set)
        return future

    def pending(self) -> int:
        """Envelopes handed in and not sent yet (in this process)."""
        with self._lock:
            return self._pending if self._pid == os.getpid() else 0

    def flush(self, timeout: float) -> bool:
        """Waits up to ``timeout`` seconds for everything handed in so far; True if all went out."""
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                return True
            futures = [item[3] for item in self._queue]
            if self._current is not None:
                futures.append(self._current[0])
        _done, not_done = concurrent.futures.wait(futures, timeout=timeout)
        return not not_done

    def run(self, layer, send: Callable[[], Awaitable[T]], timeout: float = SEND_TIMEOUT_SECONDS) -> T:
        """Runs ``send()`` after what is queued and waits up to ``timeout`` for its result (for
        callers that must know, e.g. a benchmark's warm-up). On timeout the send is cancelled
        (a send stuck on an unreachable Redis must not pile up on the loop) and this raises."""
        future = self.submit(layer, send)
        if future is None:
            raise concurrent.futures.TimeoutError("the send queue is full")
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()  # still queued: the worker skips it
            with self._lock:
                loop = self._loop
            if loop is not None:
                loop.call_soon_threadsafe(self._cancel_running, future)
            raise

    def _cancel_running(self, future: concurrent.futures.Future) -> None:
        current = self._current
        if current is not None and current[0] is future:
            current[1].cancel()


def _settle(future: concurrent.futures.Future, task: asyncio.Future) -> None:
    """Passes the send's outcome to whoever may wait on it."""
    try:
        if task.cancelled():
            future.cancel()
        elif task.exception() is not None:
            future.set_exception(task.exception())
        else:
            future.set_result(task.result())
    except concurrent.futures.InvalidStateError:  # the waiter gave up meanwhile
        pass


async def _release(layer, loop: asyncio.AbstractEventLoop) -> None:
    """Closes a replaced layer's connections on this loop (settings reloaded, tests): nothing
    else would, as the loop never closes. channels-redis keeps them per loop in ``_layers``."""
    try:
        loop_layer = getattr(layer, "_layers", {}).pop(loop, None)
        if loop_layer is not None:
            await loop_layer.flush()
    except Exception:  # the old connections are only idle ones
        logger.debug("could not close a replaced channel layer's connections", exc_info=True)


send_loop = SendLoop()

# A forked child (Celery's prefork pool) starts afresh: the parent's lock may be held, its
# loop thread and queue are not here.
os.register_at_fork(after_in_child=send_loop._reset)


@atexit.register
def _flush_at_exit() -> None:
    """A management command's last events go out before the process ends (bounded wait)."""
    if send_loop.pending() and not send_loop.flush(EXIT_FLUSH_SECONDS):
        logger.warning("exiting with %d events not sent (they are in the event log)", send_loop.pending())
