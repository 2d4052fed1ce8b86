"""The /ws/ endpoint over the real Redis channel layer."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.utils import timezone

from config.asgi import application
from realtime import broadcast, registry
from realtime.groups import role_group, user_group
from realtime.models import EventLog
from tests.factories import access_token

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(user=None, token=None):
    token = token if token is not None else access_token(user)
    communicator = WebsocketCommunicator(application, f"/ws/?token={token}")
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _connected(user):
    communicator = await _connect(user)
    hello = await communicator.receive_json_from(timeout=2)
    assert hello["type"] == "connected"
    return communicator, hello


async def test_valid_token_joins_role_and_user_groups_and_gets_pong(make_user):
    user = await database_sync_to_async(make_user)("producer")
    communicator, hello = await _connected(user)
    assert set(hello["groups"]) == {role_group("producer"), user_group(user.pk)}
    await communicator.send_json_to({"action": "ping"})
    assert await communicator.receive_json_from(timeout=2) == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.parametrize("token", ["", "garbage", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
async def test_bad_or_missing_token_closes_4401(token):
    communicator = await _connect(token=token)
    output = await communicator.receive_output(timeout=2)
    assert output == {"type": "websocket.close", "code": 4401}


async def test_expired_token_closes_4401(make_user, time_machine):
    user = await database_sync_to_async(make_user)("crew")
    token = access_token(user)
    time_machine.move_to(timezone.now() + timezone.timedelta(days=2))
    communicator = await _connect(token=token)
    output = await communicator.receive_output(timeout=2)
    assert output["code"] == 4401


async def test_unknown_action_gets_an_error_not_a_close(make_user):
    communicator, _ = await _connected(await database_sync_to_async(make_user)("crew"))
    await communicator.send_json_to({"action": "dance"})
    reply = await communicator.receive_json_from(timeout=2)
    assert reply["type"] == "error"
    await communicator.send_json_to(["not", "an", "object"])
    assert (await communicator.receive_json_from(timeout=2))["type"] == "error"
    await communicator.disconnect()


async def test_rolled_back_event_is_never_delivered_and_committed_one_is(make_user):
    user = await database_sync_to_async(make_user)("producer")
    communicator, _ = await _connected(user)

    def publish_then_roll_back():
        try:
            with transaction.atomic():
                broadcast.publish("test.rolled_back", {"n": 1}, groups=[user_group(user.pk)])
                raise RuntimeError("roll back")
        except RuntimeError:
            pass

    await database_sync_to_async(publish_then_roll_back)()
    assert await communicator.receive_nothing(timeout=0.5)
    assert not await database_sync_to_async(EventLog.objects.filter(event_type="test.rolled_back").exists)()

    def publish_and_commit():
        with transaction.atomic():
            broadcast.publish("test.committed", {"n": 2}, groups=[user_group(user.pk)])

    await database_sync_to_async(publish_and_commit)()
    message = await communicator.receive_json_from(timeout=2)
    assert message["type"] == "test.committed"
    assert message["group"] == user_group(user.pk)
    assert message["seq"] == 1
    assert message["payload"] == {"n": 2}
    assert set(message) == {"type", "group", "epoch", "seq", "ts", "payload"}
    await communicator.disconnect()


async def test_a_socket_idle_longer_than_the_layers_blocking_pop_stays_open(make_user):
    """channels-redis blocks 5 s per pop; a Redis client reading with a shorter (or equal)
    socket timeout killed idle sockets. Idling past it, the event still arrives."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    user = await database_sync_to_async(make_user)("producer")
    communicator, _ = await _connected(user)
    assert await communicator.receive_nothing(timeout=layer.brpop_timeout + 1.5)

    def publish_and_commit():
        with transaction.atomic():
            broadcast.publish("test.after_idle", {"n": 1}, groups=[user_group(user.pk)])

    await database_sync_to_async(publish_and_commit)()
    message = await communicator.receive_json_from(timeout=2)
    assert message["type"] == "test.after_idle"
    await communicator.disconnect()


async def test_broadcast_rules_route_events_to_role_groups(make_user):
    producer = await database_sync_to_async(make_user)("producer")
    crew = await database_sync_to_async(make_user)("crew")
    producer_socket, _ = await _connected(producer)
    crew_socket, _ = await _connected(crew)
    # Default rules: hotset.* → producer, director, production_manager, first_ad.
    await database_sync_to_async(broadcast.publish)("hotset.session.started", {"session_id": 1})
    message = await producer_socket.receive_json_from(timeout=2)
    assert message["group"] == role_group("producer")
    assert message["type"] == "hotset.session.started"
    assert await crew_socket.receive_nothing(timeout=0.5)
    await producer_socket.disconnect()
    await crew_socket.disconnect()


async def test_seq_rises_by_one_per_group(make_user):
    user = await database_sync_to_async(make_user)("crew")
    group = user_group(user.pk)
    communicator, _ = await _connected(user)
    for n in range(3):
        await database_sync_to_async(broadcast.publish)("test.counted", {"n": n}, groups=[group])
    seqs = [(await communicator.receive_json_from(timeout=2))["seq"] for _ in range(3)]
    assert seqs == [1, 2, 3]
    await communicator.disconnect()


async def test_subscribe_to_unregistered_or_forbidden_group_closes_4403(make_user):
    communicator, _ = await _connected(await database_sync_to_async(make_user)("crew"))
    await communicator.send_json_to({"action": "subscribe", "group": "role.producer"})
    output = await communicator.receive_output(timeout=2)
    assert output == {"type": "websocket.close", "code": 4403}


async def test_subscribe_to_a_registered_group_reports_position_and_delivers(make_user):
    registry.register_subscription("testing.thing", lambda user, object_id: object_id == "7")
    user = await database_sync_to_async(make_user)("crew")
    communicator, _ = await _connected(user)
    await database_sync_to_async(broadcast.publish)("test.before", {}, groups=["testing.thing.7"])
    await communicator.send_json_to({"action": "subscribe", "group": "testing.thing.7"})
    subscribed = await communicator.receive_json_from(timeout=2)
    assert subscribed["type"] == "subscribed"
    assert subscribed["group"] == "testing.thing.7"
    assert subscribed["seq"] == 1
    assert subscribed["epoch"]
    await database_sync_to_async(broadcast.publish)("test.after", {}, groups=["testing.thing.7"])
    message = await communicator.receive_json_from(timeout=2)
    assert (message["type"], message["seq"]) == ("test.after", 2)

    await communicator.send_json_to({"action": "subscribe", "group": "testing.thing.8"})
    assert (await communicator.receive_output(timeout=2))["code"] == 4403


async def test_resume_replays_missed_events_in_order_then_resyncs_on_unknown_epoch(make_user):
    user = await database_sync_to_async(make_user)("crew")
    group = user_group(user.pk)
    first = await database_sync_to_async(broadcast.publish)("test.one", {"n": 1}, groups=[group])
    epoch = first[0]["epoch"]
    for n in (2, 3, 4):
        await database_sync_to_async(broadcast.publish)("test.more", {"n": n}, groups=[group])

    communicator, _ = await _connected(user)
    await communicator.send_json_to({"action": "resume", "group": group, "epoch": epoch, "since": 1})
    replayed = [await communicator.receive_json_from(timeout=2) for _ in range(3)]
    assert [m["seq"] for m in replayed] == [2, 3, 4]
    assert [m["payload"]["n"] for m in replayed] == [2, 3, 4]
    assert await communicator.receive_nothing(timeout=0.3)

    await communicator.send_json_to({"action": "resume", "group": group, "epoch": epoch, "since": 4})
    assert await communicator.receive_nothing(timeout=0.3)

    await communicator.send_json_to({"action": "resume", "group": group, "epoch": "stale-epoch", "since": 2})
    assert await communicator.receive_json_from(timeout=2) == {"type": "resync", "group": group}
    await communicator.disconnect()


async def test_bad_frames_get_an_error_and_the_socket_lives_on(make_user):
    communicator, _ = await _connected(await database_sync_to_async(make_user)("crew"))
    await communicator.send_to(text_data="{not json")
    assert (await communicator.receive_json_from(timeout=2))["type"] == "error"
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert (await communicator.receive_json_from(timeout=2))["type"] == "error"
    await communicator.send_json_to({"action": "ping"})
    assert await communicator.receive_json_from(timeout=2) == {"type": "pong"}
    await communicator.disconnect()


async def test_late_and_out_of_order_sends_reach_the_client_once_and_in_order(make_user):
    """Two commits' sends may cross in the channel layer: the socket fills the gap from
    the event log and drops the late duplicate."""
    from channels.layers import get_channel_layer
    from django.db import transaction

    registry.register_subscription("testing.order", lambda user, object_id: True)
    communicator, _ = await _connected(await database_sync_to_async(make_user)("crew"))
    await communicator.send_json_to({"action": "subscribe", "group": "testing.order.1"})
    assert (await communicator.receive_json_from(timeout=2))["seq"] == 0

    def log_two_without_sending():
        with transaction.atomic():
            return broadcast._log("test.ordered", {"n": 1}, ["testing.order.1"], timezone.now()) + broadcast._log(
                "test.ordered", {"n": 2}, ["testing.order.1"], timezone.now()
            )

    first, second = await database_sync_to_async(log_two_without_sending)()
    layer = get_channel_layer()
    await layer.group_send("testing.order.1", {"type": "realtime.event", "event": second})
    received = [await communicator.receive_json_from(timeout=2) for _ in range(2)]
    assert [m["seq"] for m in received] == [1, 2]
    await layer.group_send("testing.order.1", {"type": "realtime.event", "event": first})
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
