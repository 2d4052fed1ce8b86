"""The channel layer's Redis pool under a mass disconnect (issue 9: 'Too many connections')."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from realtime.layers import PooledRedisChannelLayer
from realtime.sendloop import is_redis_layer

SOCKETS = 300


def _host(**extra) -> dict:
    return {"address": settings.REDIS_URL, "socket_timeout": 15, **extra}


async def _join_then_leave_together(layer, group: str) -> list[BaseException]:
    channels = [f"specific.{uuid.uuid4().hex}!c{i}" for i in range(SOCKETS)]
    for name in channels:  # sockets arrive one by one...
        await layer.group_add(group, name)
    # ...and leave together.
    results = await asyncio.gather(*(layer.group_discard(group, name) for name in channels), return_exceptions=True)
    return [result for result in results if isinstance(result, BaseException)]


async def _members(layer, group: str) -> int:
    return await layer.connection(0).zcard(layer._group_key(group))


@pytest.mark.asyncio
async def test_channels_redis_default_pool_drops_discards_when_many_sockets_close_at_once():
    """What the project's layer replaces: past its connection limit, discards fail and the
    channels stay in the group."""
    layer = RedisChannelLayer(hosts=[_host(max_connections=20)], prefix=f"test-pool-{uuid.uuid4().hex[:8]}")
    group = "pool.default"
    errors = await _join_then_leave_together(layer, group)
    assert errors and "Too many connections" in str(errors[0])
    assert await _members(layer, group) > 0
    await layer.flush()


@pytest.mark.asyncio
async def test_the_pooled_layer_waits_for_a_connection_and_every_channel_leaves():
    layer = PooledRedisChannelLayer(
        hosts=[_host(max_connections=20, timeout=10)], prefix=f"test-pool-{uuid.uuid4().hex[:8]}"
    )
    group = "pool.blocking"
    assert await _join_then_leave_together(layer, group) == []
    assert await _members(layer, group) == 0
    assert is_redis_layer(layer)  # so broadcasts use the send loop
    await layer.flush()


def test_the_project_uses_the_pooled_layer_with_a_bounded_pool():
    config = settings.CHANNEL_LAYERS["default"]
    assert config["BACKEND"] == "realtime.layers.PooledRedisChannelLayer"
    host = config["CONFIG"]["hosts"][0]
    assert host["max_connections"] == settings.CHANNEL_LAYER_MAX_CONNECTIONS
    assert host["timeout"] == settings.CHANNEL_LAYER_POOL_TIMEOUT


@pytest.mark.asyncio
async def test_group_send_delivers_once_per_channel_and_drops_past_capacity(captured_log):
    layer = PooledRedisChannelLayer(hosts=[_host()], prefix=f"test-send-{uuid.uuid4().hex[:8]}", capacity=2)
    first, second = await layer.new_channel(), await layer.new_channel()
    for name in (first, second):
        await layer.group_add("send.capacity", name)
    with captured_log("realtime.layers", logging.INFO) as notes:
        for n in range(3):  # the third is over the channels' capacity of 2
            await layer.group_send("send.capacity", {"type": "test.n", "n": n})
    assert any("over capacity" in note for note in notes)
    for name in (first, second):
        assert [(await layer.receive(name))["n"] for _ in range(2)] == [0, 1]
    await layer.flush()


@pytest.mark.asyncio
async def test_group_send_survives_connections_a_redis_restart_left_dead(tmp_path):
    """Any sender (an event, a revocation) gets one more try on a fresh connection."""
    from tests.realtime.test_redis_outage import RedisProcess

    server = RedisProcess(tmp_path)
    try:
        layer = PooledRedisChannelLayer(hosts=[{"address": server.url, "socket_timeout": 5}], prefix="test-restart")
        channel = await layer.new_channel()
        await layer.group_add("send.restart", channel)
        await layer.group_send("send.restart", {"type": "test.n", "n": 1})  # the pool now holds connections
        assert (await layer.receive(channel))["n"] == 1
        await asyncio.to_thread(server.crash_and_restart)
        await layer.group_send("send.restart", {"type": "test.n", "n": 2})  # no raise: retried afresh
        await layer.group_add("send.restart", channel)  # the crash lost the membership
        await layer.group_send("send.restart", {"type": "test.n", "n": 3})
        assert (await layer.receive(channel))["n"] == 3
        await layer.flush()
    finally:
        server.stop()
