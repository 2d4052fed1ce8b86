"""The process hub (realtime/hub.py): one layer channel per process, whatever the sockets.

Issue 9, real time at scale: with a layer channel per socket a burst reached phones tens of
seconds late, and after Redis lost its data sockets stayed open outside their groups."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from config.asgi import application
from realtime import broadcast
from realtime.groups import role_group, user_group
from realtime.hub import SocketHub, hub_for
from tests.factories import access_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _tasks_finished_before_teardown():
    """Each test's hub tasks (readers its leaves cancelled, sockets left open) are cancelled and
    awaited while the test's loop still runs. Left to pytest-asyncio, they were cancelled a
    second time after the synchronous database teardown, and about one run in fifteen a
    reader then kept polling Redis and the teardown never ended."""
    yield
    current = asyncio.current_task()
    leftover = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    for task in leftover:
        task.cancel()
    if leftover:
        _, pending = await asyncio.wait(leftover, timeout=10)
        assert not pending, f"tasks that ignored their cancellation: {pending}"


async def _members(group: str) -> list[str]:
    layer = get_channel_layer()
    connection = layer.connection(layer.consistent_hash(group))
    return [name.decode() for name in await connection.zrange(layer._group_key(group), 0, -1)]


async def _connected(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
    assert (await communicator.connect())[0]
    assert (await communicator.receive_json_from(timeout=5))["type"] == "connected"
    return communicator


async def test_many_sockets_are_one_group_member_and_each_gets_each_event_once(make_user):
    users = [await database_sync_to_async(make_user)("producer") for _ in range(5)]
    # Redis outlives test runs: only what this test adds is counted.
    before = set(await _members(role_group("producer")))
    user_before = await _members(user_group(users[0].pk))  # user ids repeat from run to run
    sockets = [await _connected(user) for user in users]
    hub = hub_for(get_channel_layer())
    members = await _members(role_group("producer"))
    assert set(members) - before == {hub.channel}
    assert len(members) == len(before) + 1

    for n in (1, 2, 3):
        await database_sync_to_async(broadcast.publish)("test.hub", {"n": n}, groups=[role_group("producer")])
    for communicator in sockets:
        received = [await communicator.receive_json_from(timeout=5) for _ in range(3)]
        assert [m["payload"]["n"] for m in received] == [1, 2, 3]
        assert await communicator.receive_nothing(timeout=0.2)

    for communicator in sockets[:-1]:
        await communicator.disconnect()
    assert hub.channel in await _members(role_group("producer"))  # one socket still here
    await sockets[-1].disconnect()
    assert set(await _members(role_group("producer"))) == before
    assert await _members(user_group(users[0].pk)) == user_before


async def test_a_join_during_the_last_leave_keeps_the_group(make_user):
    """The last leave's discard and a new join's add are ordered: the group is never left
    without the hub while a socket is in it."""

    class Inbox:
        def __init__(self):
            self.messages = []

        def deliver(self, message):
            self.messages.append(message)

    hub = SocketHub(get_channel_layer())
    first, second = Inbox(), Inbox()
    before = await _members("testing.hub.1")  # Redis outlives test runs
    await hub.join("testing.hub.1", first)
    for _ in range(20):
        await asyncio.gather(hub.leave("testing.hub.1", first), hub.join("testing.hub.1", second))
        assert sorted(await _members("testing.hub.1")) == sorted([*before, hub.channel])
        await asyncio.gather(hub.leave("testing.hub.1", second), hub.join("testing.hub.1", first))
        assert sorted(await _members("testing.hub.1")) == sorted([*before, hub.channel])
    await get_channel_layer().group_send("testing.hub.1", {"type": "realtime.event", "group": "testing.hub.1"})
    for _ in range(50):
        if first.messages:
            break
        await asyncio.sleep(0.05)
    assert first.messages == [{"type": "realtime.event", "group": "testing.hub.1"}]
    assert second.messages == []
    await hub.leave("testing.hub.1", first)
    assert await _members("testing.hub.1") == before
    assert hub.groups == {}


async def test_a_socket_that_stops_reading_is_closed_with_1013_not_grown(make_user, settings):
    settings.REALTIME_SOCKET_INBOX = 3
    user = await database_sync_to_async(make_user)("producer")
    communicator = await _connected(user)
    consumer_hub = hub_for(get_channel_layer())
    (consumer,) = consumer_hub.groups[user_group(user.pk)].members
    # The socket is busy (its handler awaits) while the hub hands in more than it may hold.
    for seq in range(1, 8):
        consumer.deliver({"type": "realtime.event", "event": {"group": "none", "seq": seq}})
    assert consumer.inbox.qsize() == 4  # three events, then the close
    outputs = []
    while (output := await communicator.receive_output(timeout=5))["type"] != "websocket.close":
        outputs.append(output)
    assert output["code"] == 1013


async def test_memberships_are_renewed_before_the_layers_group_expiry(make_user, settings):
    settings.REALTIME_GROUP_REFRESH_SECONDS = 0.2
    user = await database_sync_to_async(make_user)("producer")
    communicator = await _connected(user)
    layer = get_channel_layer()
    group = role_group("producer")
    connection = layer.connection(layer.consistent_hash(group))
    await connection.delete(layer._group_key(group))  # as the group expiry would
    for _ in range(50):
        if await _members(group):
            break
        await asyncio.sleep(0.05)
    assert hub_for(layer).channel in await _members(group)
    await communicator.disconnect()
