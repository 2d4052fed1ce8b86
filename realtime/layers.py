"""The Redis channel layer, with a connection pool that waits instead of failing.

channels-redis builds redis-py's default asyncio pool, which raises ``MaxConnectionsError``
("Too many connections") once 100 commands of one process are in flight. When hundreds of
sockets close together (a venue's Wi-Fi drops, a deploy) every ``group_discard`` runs at
once, the excess ones fail, and those channels stay in their groups until the group
expiry. A blocking pool queues them for a free connection instead (bounded by
``timeout``): the same work, done a little later, never dropped.
"""

from __future__ import annotations

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class PooledRedisChannelLayer(RedisChannelLayer):
    """``hosts`` entries take ``max_connections`` and ``timeout`` (seconds to wait for a free one)."""

    def create_pool(self, index):
        host = dict(self.hosts[index])
        address = host.pop("address", None)
        if address is None:  # host/port entries, as channels-redis allows
            return BlockingConnectionPool(**host)
        return BlockingConnectionPool.from_url(address, **host)
