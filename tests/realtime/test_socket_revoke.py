"""Open sockets do not outlive their user's rights (issue 9, finding 11), over the real
Redis channel layer: deactivated or deleted → closed 4401; a role (or a perm) lost →
closed 4403 "rights changed", so the client reconnects with what it may now see."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group, Permission

from config.asgi import application
from tests.factories import access_token

pytestmark = pytest.mark.django_db(transaction=True)

RIGHTS_CHANGED = {"type": "websocket.close", "code": 4403, "reason": "rights changed"}
SIGNED_OUT = {"type": "websocket.close", "code": 4401}


async def _socket(user):
    communicator = WebsocketCommunicator(application, "/ws/")
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"action": "auth", "token": access_token(user)})
    assert (await communicator.receive_json_from(timeout=2))["type"] == "connected"
    return communicator


async def _closed_with(communicator, expected):
    assert await communicator.receive_output(timeout=2) == expected
    await communicator.disconnect()  # what the server does after a close: the consumer ends


async def _still_open(communicator):
    await communicator.send_json_to({"action": "ping"})
    assert await communicator.receive_json_from(timeout=2) == {"type": "pong"}


@database_sync_to_async
def _run(fn):
    return fn()


async def test_deactivating_a_user_closes_their_sockets_4401(make_user):
    user = await _run(lambda: make_user("producer"))
    other = await _run(lambda: make_user("producer"))
    first, second, bystander = await _socket(user), await _socket(user), await _socket(other)

    def deactivate():
        user.is_active = False
        user.save()

    await _run(deactivate)
    await _closed_with(first, SIGNED_OUT)
    await _closed_with(second, SIGNED_OUT)
    await _still_open(bystander)
    await bystander.disconnect()


async def test_an_ordinary_save_of_an_active_user_keeps_the_socket(make_user):
    user = await _run(lambda: make_user("producer"))
    communicator = await _socket(user)

    def rename():
        user.first_name = "Ada"
        user.save()

    await _run(rename)
    assert await communicator.receive_nothing(timeout=0.5)
    await _still_open(communicator)
    await communicator.disconnect()


async def test_deleting_a_user_closes_their_sockets_4401(make_user):
    user = await _run(lambda: make_user("crew"))
    communicator = await _socket(user)
    await _run(user.delete)
    await _closed_with(communicator, SIGNED_OUT)


async def test_losing_a_role_closes_with_4403_rights_changed(make_user, roles):
    user = await _run(lambda: make_user("producer"))
    other = await _run(lambda: make_user("producer"))
    communicator, bystander = await _socket(user), await _socket(other)
    await _run(lambda: user.groups.remove(roles["producer"]))
    await _closed_with(communicator, RIGHTS_CHANGED)
    await _still_open(bystander)
    await bystander.disconnect()


async def test_removed_from_the_group_side_or_all_groups_cleared(make_user, roles):
    first = await _run(lambda: make_user("first_ad"))
    second = await _run(lambda: make_user("director"))
    first_socket, second_socket = await _socket(first), await _socket(second)
    await _run(lambda: roles["first_ad"].user_set.remove(first))
    await _closed_with(first_socket, RIGHTS_CHANGED)
    await _run(second.groups.clear)
    await _closed_with(second_socket, RIGHTS_CHANGED)


async def test_a_group_cleared_of_its_users_closes_their_sockets(make_user, roles):
    user = await _run(lambda: make_user("coordinator"))
    communicator = await _socket(user)
    await _run(roles["coordinator"].user_set.clear)
    await _closed_with(communicator, RIGHTS_CHANGED)


async def test_a_role_losing_a_perm_closes_its_members_sockets(make_user, roles):
    member = await _run(lambda: make_user("first_ad"))
    outsider = await _run(lambda: make_user("producer"))
    member_socket, outsider_socket = await _socket(member), await _socket(outsider)

    def drop_perm():
        group = Group.objects.get(name="first_ad")
        group.permissions.remove(Permission.objects.get(codename="view_hotsetsession"))

    await _run(drop_perm)
    await _closed_with(member_socket, RIGHTS_CHANGED)
    await _still_open(outsider_socket)
    await outsider_socket.disconnect()


async def test_a_user_losing_a_direct_perm_is_closed(make_user):
    user = await _run(lambda: make_user(None))
    perm = await _run(lambda: Permission.objects.get(codename="view_showsession"))
    await _run(lambda: user.user_permissions.add(perm))
    communicator = await _socket(user)
    await _run(lambda: user.user_permissions.remove(perm))
    await _closed_with(communicator, RIGHTS_CHANGED)


async def test_gaining_a_role_keeps_the_socket(make_user, roles):
    user = await _run(lambda: make_user("crew"))
    communicator = await _socket(user)
    await _run(lambda: user.groups.add(roles["producer"]))
    assert await communicator.receive_nothing(timeout=0.5)
    await _still_open(communicator)
    await communicator.disconnect()


async def test_a_deactivation_rolled_back_closes_nothing(make_user):
    from django.db import transaction

    user = await _run(lambda: make_user("producer"))
    communicator = await _socket(user)

    def deactivate_then_fail():
        try:
            with transaction.atomic():
                user.is_active = False
                user.save()
                raise RuntimeError("roll back")
        except RuntimeError:
            pass

    await _run(deactivate_then_fail)
    assert await communicator.receive_nothing(timeout=0.5)
    await _still_open(communicator)
    await communicator.disconnect()
