"""Sockets when Redis goes away (issue 9: every socket died with 1006 and a traceback)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from tests.conftest import access_token
from tests.realtime.test_redis_outage import RedisProcess

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_redis_layer(tmp_path, settings):
    """The channel layer on a throwaway redis-server, with the project's layer settings."""
    server = RedisProcess(tmp_path)
    layer = dict(settings.CHANNEL_LAYERS["default"])
    host = dict(layer["CONFIG"]["hosts"][0], address=server.url, socket_connect_timeout=1)
    settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [host]}}}
    yield server
    server.stop()


async def test_a_socket_is_closed_with_1012_when_redis_goes_away(own_redis_layer, make_user, captured_log):
    user = await database_sync_to_async(make_user)("producer")
    communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
    assert (await communicator.connect())[0]
    assert (await communicator.receive_json_from(timeout=5))["type"] == "connected"

    with captured_log("realtime.consumers") as warnings:
        await database_sync_to_async(own_redis_layer.stop)()
        output = await communicator.receive_output(timeout=15)
    assert output == {"type": "websocket.close", "code": 1012}
    assert any("1012" in message for message in warnings)
    await communicator.wait(timeout=5)


async def test_a_subscribe_with_redis_gone_closes_with_1012(own_redis_layer, make_user):
    user = await database_sync_to_async(make_user)("producer")
    communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
    assert (await communicator.connect())[0]
    assert (await communicator.receive_json_from(timeout=5))["type"] == "connected"
    own_redis_layer.freeze()
    try:
        await communicator.send_json_to({"action": "subscribe", "group": f"user.{user.pk}"})
        await communicator.send_json_to({"action": "resume", "group": "role.producer", "epoch": "", "since": 0})
    finally:
        await database_sync_to_async(own_redis_layer.stop)()
    output = await communicator.receive_output(timeout=20)
    while output.get("type") == "websocket.send":  # replies already on their way
        output = await communicator.receive_output(timeout=20)
    assert output == {"type": "websocket.close", "code": 1012}
