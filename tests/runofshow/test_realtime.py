"""A viewer subscribed to a show over /ws/ (real Redis channel layer) receives the show call."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from config.asgi import application
from realtime.groups import RUNOFSHOW_SESSION, object_group, role_group
from runofshow import services
from tests.factories import access_token

pytestmark = pytest.mark.django_db(transaction=True)


async def _connected(user):
    communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=2))["type"] == "connected"
    return communicator


async def _subscribe(communicator, group):
    await communicator.send_json_to({"action": "subscribe", "group": group})
    return await communicator.receive_json_from(timeout=2)


async def test_subscribed_viewer_receives_activated_and_completed(make_user, make_show):
    caller = await database_sync_to_async(make_user)("show_caller")
    viewer = await database_sync_to_async(make_user)(
        "producer"
    )  # sees the show; not in the run-of-show broadcast rules
    session, (a, b, *_rest) = await database_sync_to_async(make_show)()
    group = object_group(RUNOFSHOW_SESSION, session.pk)
    socket = await _connected(viewer)
    subscribed = await _subscribe(socket, group)
    assert subscribed["type"] == "subscribed"
    position = subscribed["seq"]

    await database_sync_to_async(services.activate_segment)(segment=a, user=caller, now=timezone.now())
    activated = await socket.receive_json_from(timeout=2)
    assert activated["type"] == "runofshow.segment.activated"
    assert activated["group"] == group
    assert activated["seq"] == position + 1
    assert activated["payload"] == {"session_id": session.pk, "segment_id": a.pk, "updated_by": caller.pk}

    await database_sync_to_async(services.activate_segment)(segment=b, user=caller, now=timezone.now())
    completed = await socket.receive_json_from(timeout=2)
    activated_b = await socket.receive_json_from(timeout=2)
    assert (completed["type"], completed["payload"]) == (
        "runofshow.segment.completed",
        {"session_id": session.pk, "segment_id": a.pk},
    )
    assert (activated_b["type"], activated_b["payload"]["segment_id"]) == ("runofshow.segment.activated", b.pk)
    assert [completed["seq"], activated_b["seq"]] == [position + 2, position + 3]

    await database_sync_to_async(services.complete_segment)(segment=b, user=caller, now=timezone.now())
    done = await socket.receive_json_from(timeout=2)
    assert (done["type"], done["payload"]) == (
        "runofshow.segment.completed",
        {"session_id": session.pk, "segment_id": b.pk},
    )
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_director_also_gets_them_through_the_broadcast_rules(make_user, make_show):
    caller = await database_sync_to_async(make_user)("show_caller")
    director = await database_sync_to_async(make_user)("director")
    session, (a, *_rest) = await database_sync_to_async(make_show)()
    socket = await _connected(director)  # not subscribed to the session: role group only
    await database_sync_to_async(services.activate_segment)(segment=a, user=caller, now=timezone.now())
    message = await socket.receive_json_from(timeout=2)
    assert message["group"] == role_group("director")
    assert message["type"] == "runofshow.segment.activated"
    assert message["payload"]["segment_id"] == a.pk
    await socket.disconnect()


async def test_a_refused_action_sends_nothing(make_user, make_show):
    caller = await database_sync_to_async(make_user)("show_caller")
    viewer = await database_sync_to_async(make_user)("producer")
    session, (a, *_rest) = await database_sync_to_async(make_show)()
    socket = await _connected(viewer)
    await _subscribe(socket, object_group(RUNOFSHOW_SESSION, session.pk))
    with pytest.raises(Exception, match="not live"):
        await database_sync_to_async(services.complete_segment)(segment=a, user=caller, now=timezone.now())
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_those_who_cannot_see_the_show_cannot_subscribe(make_user, make_show):
    session, _segments = await database_sync_to_async(make_show)()
    for role in ["crew", "vfx", None]:
        socket = await _connected(await database_sync_to_async(make_user)(role))
        await socket.send_json_to({"action": "subscribe", "group": object_group(RUNOFSHOW_SESSION, session.pk)})
        assert await socket.receive_output(timeout=2) == {"type": "websocket.close", "code": 4403}, role


async def test_unknown_session_cannot_be_subscribed(make_user):
    socket = await _connected(await database_sync_to_async(make_user)("show_caller"))
    await socket.send_json_to({"action": "subscribe", "group": object_group(RUNOFSHOW_SESSION, 987654)})
    assert (await socket.receive_output(timeout=2))["code"] == 4403
