"""A reconnect storm queues on the consumers' single database thread (issue 9, connect storm):
a connect, a subscribe and a resume each make one call on it, and a refused subscribe leaves
nothing behind in the channel layer."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from config.asgi import application
from realtime import auth, broadcast, consumers, registry
from realtime.db import SocketDatabaseSyncToAsync
from realtime.groups import user_group
from tests.factories import access_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_calls(monkeypatch):
    """Names of the functions the socket code runs on its database thread, in order."""
    calls: list[str] = []

    class Counting(SocketDatabaseSyncToAsync):
        def __init__(self, func, *args, **kwargs):
            calls.append(getattr(func, "__name__", repr(func)))
            super().__init__(func, *args, **kwargs)

    monkeypatch.setattr(consumers, "socket_db", Counting)
    monkeypatch.setattr(auth, "socket_db", Counting)
    return calls


async def _hello(communicator: WebsocketCommunicator) -> dict:
    connected, _ = await communicator.connect()
    assert connected
    return await communicator.receive_json_from(timeout=2)


async def _members(group: str) -> list[str]:
    layer = get_channel_layer()
    async with layer.connection(layer.consistent_hash(group)) as connection:
        return [name.decode() for name in await connection.zrange(layer._group_key(group), 0, -1)]


@pytest.mark.parametrize("way", ["query", "message"])
async def test_a_connect_is_one_database_call(make_user, database_calls, way):
    user = await database_sync_to_async(make_user)("producer")
    if way == "query":
        communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
        hello = await _hello(communicator)
    else:
        communicator = WebsocketCommunicator(application, "/ws/")
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"action": "auth", "token": access_token(user)})
        hello = await communicator.receive_json_from(timeout=2)
    assert hello["type"] == "connected"
    assert set(hello["groups"]) == {"role.producer", user_group(user.pk)}
    assert database_calls == ["socket_identity"]
    await communicator.disconnect()


async def test_a_subscribe_and_a_resume_are_one_database_call_each(make_user, database_calls):
    registry.register_subscription("testing.storm", lambda user, object_id: object_id == "1")
    user = await database_sync_to_async(make_user)("crew")
    first = await database_sync_to_async(broadcast.publish)("test.one", {"n": 1}, groups=["testing.storm.1"])
    await database_sync_to_async(broadcast.publish)("test.two", {"n": 2}, groups=["testing.storm.1"])
    communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
    await _hello(communicator)
    database_calls.clear()

    await communicator.send_json_to({"action": "subscribe", "group": "testing.storm.1"})
    subscribed = await communicator.receive_json_from(timeout=2)
    assert (subscribed["type"], subscribed["seq"]) == ("subscribed", 2)
    assert len(database_calls) == 1

    await communicator.send_json_to({"action": "resume", "group": "user." + str(user.pk), "epoch": "", "since": 0})
    await communicator.send_json_to(
        {"action": "resume", "group": "testing.storm.1", "epoch": first[0]["epoch"], "since": 1}
    )
    replayed = await communicator.receive_json_from(timeout=2)
    assert (replayed["type"], replayed["seq"]) == ("test.two", 2)
    assert len(database_calls) == 3
    await communicator.disconnect()


async def test_a_refused_subscribe_leaves_the_layer_group_and_gets_no_events(make_user):
    registry.register_subscription("testing.storm", lambda user, object_id: object_id == "1")
    user = await database_sync_to_async(make_user)("crew")
    communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
    await _hello(communicator)

    before = await _members("testing.storm.2")  # Redis outlives test runs
    await communicator.send_json_to({"action": "subscribe", "group": "testing.storm.2"})
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": 4403}
    assert await _members("testing.storm.2") == before


async def test_a_forbidden_resume_replays_nothing(make_user):
    other = await database_sync_to_async(make_user)("producer")
    await database_sync_to_async(broadcast.publish)("test.secret", {"n": 1}, groups=[user_group(other.pk)])
    user = await database_sync_to_async(make_user)("crew")
    communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
    await _hello(communicator)

    before = await _members(user_group(other.pk))  # Redis outlives test runs (and user ids repeat)
    await communicator.send_json_to({"action": "resume", "group": user_group(other.pk), "epoch": "", "since": 0})
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": 4403}
    assert await _members(user_group(other.pk)) == before
