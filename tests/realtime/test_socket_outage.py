"""Sockets when Redis goes away (issue 9: every socket died with 1006 and a traceback)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.utils import timezone

from config.asgi import application
from realtime import broadcast
from realtime.groups import user_group
from tests.factories import access_token
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

    with captured_log("realtime.hub") as warnings:
        await database_sync_to_async(own_redis_layer.stop)()
        output = await communicator.receive_output(timeout=15)
    assert output == {"type": "websocket.close", "code": 1012}
    assert any("1012" in message for message in warnings)
    await communicator.disconnect()


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


async def test_after_redis_lost_its_data_no_socket_stays_open_outside_its_groups(own_redis_layer, make_user):
    """A crash loses every group membership: a socket left open would receive nothing, silently
    (473 of 500 in the benchmark: only the one whose receive was on Redis noticed). Each is
    closed with 1012; a reconnect joins afresh."""
    user = await database_sync_to_async(make_user)("producer")
    sockets = []
    for _ in range(40):
        communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
        assert (await communicator.connect())[0]
        assert (await communicator.receive_json_from(timeout=5))["type"] == "connected"
        sockets.append(communicator)

    await database_sync_to_async(own_redis_layer.crash_and_restart)()
    for communicator in sockets:
        assert await communicator.receive_output(timeout=15) == {"type": "websocket.close", "code": 1012}
        await communicator.disconnect()

    again = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
    assert (await again.connect())[0]
    assert (await again.receive_json_from(timeout=5))["type"] == "connected"
    await database_sync_to_async(_publish_and_wait)(user_group(user.pk))
    event = await again.receive_json_from(timeout=5)
    assert (event["type"], event["group"]) == ("test.after_crash", user_group(user.pk))
    await again.disconnect()


def _publish_and_wait(group: str) -> None:
    with transaction.atomic():
        envelopes = broadcast._log("test.after_crash", {}, [group], timezone.now())
    assert broadcast.send_envelopes(envelopes, wait=10) == 0
