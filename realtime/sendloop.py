"""A long-lived event loop for channel-layer sends from code that runs none.

``async_to_sync`` called where no event loop runs (a Celery worker, a management
command, a plain thread) starts a thread and a new event loop for every call, and
channels-redis opens a new Redis connection for each loop: about 3 ms per
broadcast, most of the cost of an event. Here one loop per process, in a daemon
thread, keeps its Redis connections between sends.

Only for the Redis layer: the in-memory layer's queues belong to the ASGI
server's own loop, which ``async_to_sync`` reaches from the server's threads.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A send that takes longer than this (Redis unreachable) gives up; the events stay in the log.
SEND_TIMEOUT_SECONDS = 20.0


def is_redis_layer(layer) -> bool:
    return type(layer).__module__.startswith("channels_redis")


class SendLoop:
    def __init__(self):
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid: int | None = None
        self._layer = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        # After a fork (Celery's prefork pool) the parent's loop thread does not exist here.
        if self._loop is None or self._pid != os.getpid() or not self._loop.is_running():
            loop = asyncio.new_event_loop()
            started = threading.Event()
            thread = threading.Thread(target=self._serve, args=(loop, started), name="realtime-send-loop", daemon=True)
            thread.start()
            started.wait()
            self._loop, self._pid, self._layer = loop, os.getpid(), None
        return self._loop

    @staticmethod
    def _serve(loop: asyncio.AbstractEventLoop, started: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(started.set)
        loop.run_forever()

    def run(self, layer, send: Callable[[], Awaitable[T]], timeout: float = SEND_TIMEOUT_SECONDS) -> T:
        """Runs ``send()`` (which uses ``layer``) on the loop and waits for its result."""
        with self._lock:
            loop = self._running_loop()
            replaced, self._layer = (self._layer if self._layer is not layer else None), layer

        async def _run() -> T:
            if replaced is not None:
                await _release(replaced, loop)
            return await send()

        future = asyncio.run_coroutine_threadsafe(_run(), loop)
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()  # a send stuck on an unreachable Redis must not pile up on the loop
            raise


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
