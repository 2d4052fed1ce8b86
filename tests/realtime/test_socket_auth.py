"""Socket authentication without the token in the URL (SPEC §5, issue 9 finding 6):
``/ws/`` then a first ``{action: "auth", token}`` message; ``?token=`` keeps working."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from realtime import broadcast, registry
from realtime.groups import role_group, user_group
from tests.factories import access_token

pytestmark = pytest.mark.django_db(transaction=True)


async def _open(path="/ws/"):
    communicator = WebsocketCommunicator(application, path)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _closed_with(communicator, code, timeout=2):
    output = await communicator.receive_output(timeout=timeout)
    assert output == {"type": "websocket.close", "code": code}
    # The server (uvicorn) answers a close with websocket.disconnect; the consumer then ends
    # and leaves its groups. A test that skips this leaves it blocked on the Redis layer.
    await communicator.disconnect()


async def test_the_auth_message_joins_the_default_groups_and_events_flow(make_user):
    user = await database_sync_to_async(make_user)("producer")
    communicator = await _open()
    # Nothing happens before the auth message: the socket waits.
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.send_json_to({"action": "auth", "token": access_token(user)})
    hello = await communicator.receive_json_from(timeout=2)
    assert hello == {
        "type": "connected",
        "user_id": user.pk,
        "groups": sorted([role_group("producer"), user_group(user.pk)]),
    }
    await communicator.send_json_to({"action": "ping"})
    assert await communicator.receive_json_from(timeout=2) == {"type": "pong"}
    await database_sync_to_async(broadcast.publish)("test.after_auth", {"n": 1}, groups=[user_group(user.pk)])
    assert (await communicator.receive_json_from(timeout=2))["type"] == "test.after_auth"
    # A second auth is an error, not a switch of user.
    await communicator.send_json_to({"action": "auth", "token": access_token(user)})
    assert (await communicator.receive_json_from(timeout=2))["type"] == "error"
    await communicator.disconnect()


async def test_messages_sent_right_after_auth_are_handled_in_order(make_user):
    """The dashboards send auth and their subscribes at once, without waiting for `connected`."""
    registry.register_subscription("testing.authorder", lambda user, object_id: True)
    user = await database_sync_to_async(make_user)("crew")
    communicator = await _open()
    await communicator.send_json_to({"action": "auth", "token": access_token(user)})
    await communicator.send_json_to({"action": "subscribe", "group": "testing.authorder.1"})
    assert (await communicator.receive_json_from(timeout=2))["type"] == "connected"
    subscribed = await communicator.receive_json_from(timeout=2)
    assert (subscribed["type"], subscribed["group"]) == ("subscribed", "testing.authorder.1")
    await communicator.disconnect()


async def test_no_auth_message_in_time_closes_4401(settings):
    settings.REALTIME_AUTH_TIMEOUT = 0.3
    communicator = await _open()
    await _closed_with(communicator, 4401, timeout=3)


@pytest.mark.parametrize(
    "frame",
    [
        {"action": "ping"},
        {"action": "subscribe", "group": "role.producer"},
        {"action": "auth"},
        {"action": "auth", "token": ""},
        {"action": "auth", "token": 42},
        {"action": "auth", "token": "garbage"},
        ["auth"],
    ],
)
async def test_anything_but_a_good_auth_message_first_closes_4401(frame):
    communicator = await _open()
    await communicator.send_json_to(frame)
    await _closed_with(communicator, 4401)


@pytest.mark.parametrize("frame", [{"text_data": "{not json"}, {"bytes_data": b"\x00\x01"}])
async def test_a_bad_frame_before_auth_closes_4401(frame):
    communicator = await _open()
    await communicator.send_to(**frame)
    await _closed_with(communicator, 4401)


async def test_a_deactivated_users_token_is_refused_in_the_auth_message(make_user):
    user = await database_sync_to_async(make_user)("producer", is_active=False)
    communicator = await _open()
    await communicator.send_json_to({"action": "auth", "token": access_token(user)})
    await _closed_with(communicator, 4401)


async def test_the_query_string_token_still_works(make_user):
    user = await database_sync_to_async(make_user)("crew")
    communicator = await _open(f"/ws/?token={access_token(user)}")
    assert (await communicator.receive_json_from(timeout=2))["type"] == "connected"
    await communicator.disconnect()


async def test_an_empty_query_string_token_is_refused_at_once():
    communicator = await _open("/ws/?token=")
    await _closed_with(communicator, 4401)
