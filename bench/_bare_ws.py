"""A bare Channels consumer, the yardstick of ``realtime_fanout.py``.

Same channels and channels-redis versions and the same layer config as Setdesk
(one Redis host, a 15 s socket timeout, a prefix), but nothing else: it accepts,
joins one group, says ``connected`` and forwards the group's messages. No auth, no
database, no ordering logic. Served by uvicorn like the app::

    BARE_REDIS_URL=redis://127.0.0.1:6390/0 BARE_PREFIX=bare \\
        uvicorn _bare_ws:application --app-dir bench --lifespan off

``publish_series`` is the plain-script publisher: ``group_send`` of numbered, timestamped
messages at a fixed pace (run by the benchmark in a separate process).
"""

from __future__ import annotations

import asyncio
import os
import time

import django
from django.conf import settings

GROUP = "bench"
MESSAGE_TYPE = "bench.event"

if not settings.configured:
    settings.configure(
        INSTALLED_APPS=["channels"],
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [{"address": os.environ["BARE_REDIS_URL"], "socket_timeout": 15.0}],
                    "prefix": os.environ.get("BARE_PREFIX", "bare"),
                },
            }
        },
        USE_TZ=True,
    )
    django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402


class BareConsumer(AsyncJsonWebsocketConsumer):
    groups = [GROUP]  # joined before connect(), left after disconnect() (channels does it)

    async def connect(self):
        await self.accept()
        await self.send_json({"type": "connected"})

    async def bench_event(self, message):
        await self.send_json(message["event"])


application = ProtocolTypeRouter({"websocket": BareConsumer.as_asgi()})


async def _publish(count: int, interval: float, first_seq: int) -> int:
    layer = get_channel_layer()
    started = time.monotonic()
    sent = 0
    for i in range(count):
        delay = started + i * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        event = {"type": "bench", "seq": first_seq + i, "sent": time.time()}
        await layer.group_send(GROUP, {"type": MESSAGE_TYPE, "event": event})
        sent += 1
    return sent


def publish_series(count: int, interval: float, first_seq: int) -> int:
    """Sends ``count`` events (seq ``first_seq``…) to the group, one every ``interval`` seconds."""
    return asyncio.run(_publish(count, interval, first_seq))
