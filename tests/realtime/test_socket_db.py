"""The consumers' database calls keep one connection open (issue 9: the connect storm)."""

from __future__ import annotations

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
