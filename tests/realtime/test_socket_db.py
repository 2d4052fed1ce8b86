"""The consumers' database calls keep one connection open (issue 9: the connect storm)."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from realtime.db import socket_db


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
async def test_channels_opens_a_connection_per_call_and_socket_db_keeps_one():
    channels_pids = {await database_sync_to_async(_backend_pid)() for _ in range(3)}
    assert len(channels_pids) == 3  # what a connect storm paid: a new connection per call

    socket_pids = {await socket_db(_backend_pid)() for _ in range(5)}
    assert len(socket_pids) == 1


@pytest.mark.django_db(transaction=True)
async def test_a_connection_the_database_dropped_is_replaced_without_failing_a_call():
    pid = await socket_db(_backend_pid)()
    await database_sync_to_async(_terminate)(pid)
    assert await socket_db(_backend_pid)() != pid


@pytest.mark.django_db(transaction=True)
async def test_the_connection_is_renewed_after_its_keep_time(settings):
    settings.REALTIME_DB_CONNECTION_SECONDS = 0
    first = await socket_db(_backend_pid)()
    assert await socket_db(_backend_pid)() != first


@pytest.mark.django_db(transaction=True)
async def test_events_delivered_to_a_socket_keep_the_connection(make_user):
    """Channels' dispatch ran close_old_connections() on that thread before every message: with
    CONN_MAX_AGE=0 each event a socket received closed the kept connection (and cost a hop)."""
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from realtime import broadcast
    from realtime.groups import user_group
    from tests.factories import access_token

    user = await database_sync_to_async(make_user)("producer")
    communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
    assert (await communicator.connect())[0]
    assert (await communicator.receive_json_from(timeout=5))["type"] == "connected"
    before = await socket_db(_backend_pid)()

    def publish_elsewhere(n: int) -> None:  # not on the consumers' thread, whose connection is watched
        try:
            broadcast.publish("test.kept", {"n": n}, groups=[user_group(user.pk)])
        finally:
            connection.close()

    for n in range(3):
        await asyncio.to_thread(publish_elsewhere, n)
    assert [(await communicator.receive_json_from(timeout=5))["payload"]["n"] for _ in range(3)] == [0, 1, 2]
    assert await socket_db(_backend_pid)() == before
    await communicator.disconnect()
