"""The Redis channel layer, with a connection pool that waits instead of failing.

channels-redis builds redis-py's default asyncio pool, which raises ``MaxConnectionsError``
("Too many connections") once 100 commands of one process are in flight. When hundreds of
sockets close together (a venue's Wi-Fi drops, a deploy) every ``group_discard`` runs at
once, the excess ones fail, and those channels stay in their groups until the group
expiry. A blocking pool queues them for a free connection instead (bounded by
``timeout``): the same work, done a little later, never dropped.

After Redis restarts, every idle pooled connection is dead, and each would fail one more
command (a socket's join, an event's send) before the pool noticed: whoever sees the
layer fail calls :meth:`reset_connections`, and the next commands connect afresh.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)

# channels-redis's group send script (channels_redis/core.py, 4.3): each key under its capacity
# gets the message, and its expiry renewed.
_GROUP_SEND_LUA = """
local over_capacity = 0
local current_time = ARGV[#ARGV - 1]
local expiry = ARGV[#ARGV]
for i=1,#KEYS do
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + #KEYS]) then
        redis.call('ZADD', KEYS[i], current_time, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


class PooledRedisChannelLayer(RedisChannelLayer):
    """``hosts`` entries take ``max_connections`` and ``timeout`` (seconds to wait for a free one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The pools each event loop made (channels-redis keeps one set per loop).
        self._loop_pools: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def create_pool(self, index):
        host = dict(self.hosts[index])
        address = host.pop("address", None)
        # host/port entries (no address) as channels-redis allows
        pool = BlockingConnectionPool(**host) if address is None else BlockingConnectionPool.from_url(address, **host)
        self._loop_pools.setdefault(asyncio.get_running_loop(), []).append(pool)
        return pool

    async def group_send(self, group, message):
        """channels-redis's group_send, in two round trips instead of four. A connection that a
        Redis restart left dead gets one more try on a fresh one, whoever sends (an event, a
        revocation); a duplicate is harmless: sockets drop a seq they already sent."""
        try:
            await self._group_send_once(group, message)
        except Exception as exc:
            if not _is_dropped_connection(exc):
                raise
            await self.reset_connections()
            await self._group_send_once(group, message)

    async def _group_send_once(self, group, message):
        """The group's cleanup and read in one pipeline, each process key's cleanup and the send
        script in another. Every event pays this on the sender's send loop, whose thread also
        waits for the GIL after each reply while the request or task goes on."""
        assert self.require_valid_group_name(group), "Group name not valid"
        key = self._group_key(group)
        async with self.connection(self.consistent_hash(group)).pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(key, min=0, max=int(time.time()) - self.group_expiry)
            pipe.zrange(key, 0, -1)
            _, members = await pipe.execute()
        channel_names = [name.decode("utf8") for name in members]
        by_connection, messages, capacities = self._map_channel_keys_to_connection(channel_names, message)
        for index, channel_keys in by_connection.items():
            now = time.time()
            async with self.connection(index).pipeline(transaction=False) as pipe:
                for channel_key in channel_keys:
                    pipe.zremrangebyscore(channel_key, min=0, max=int(now) - int(self.expiry))
                args = [messages[k] for k in channel_keys] + [capacities[k] for k in channel_keys] + [now, self.expiry]
                pipe.eval(_GROUP_SEND_LUA, len(channel_keys), *channel_keys, *args)
                over_capacity = (await pipe.execute())[-1]
            if over_capacity > 0:
                logger.info("%s of %s channels over capacity in group %s", over_capacity, len(channel_names), group)

    async def reset_connections(self) -> None:
        """Drops the running loop's pooled connections: the next command opens a new one."""
        for pool in self._loop_pools.get(asyncio.get_running_loop(), []):
            await pool.disconnect()


def _is_dropped_connection(exc: BaseException) -> bool:
    """A connection Redis closed or refused (a restart), not a slow or frozen Redis."""
    return isinstance(exc, (RedisConnectionError, ConnectionError)) and not isinstance(exc, TimeoutError)
