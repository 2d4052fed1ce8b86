"""Database calls of the WebSocket consumers, on a connection that stays open.

Channels' ``database_sync_to_async`` runs every consumer's ORM call on asgiref's one
shared thread and, with ``CONN_MAX_AGE=0`` (required under ASGI, whose request threads
come and go), closes the connection after each call. A phone's connect and subscribe then
cost four PostgreSQL connections, one after another on that thread: 1,000 phones
reconnecting after a deploy took 20–30 s to be let in. That thread lives as long as the
process, so its connection can too: it is kept for ``REALTIME_DB_CONNECTION_SECONDS`` and
checked before each use, and replaced when the database dropped it (a restart).
"""

from __future__ import annotations

import time

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import connections


def _still_kept(conn) -> bool:
    opened_at = getattr(conn, "socket_opened_at", None)
    return opened_at is not None and time.monotonic() - opened_at < settings.REALTIME_DB_CONNECTION_SECONDS


def _drop_if_stale() -> None:
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        # A round trip (as CONN_HEALTH_CHECKS makes) is far cheaper than a new connection, and a
        # connection the database dropped (a restart) fails no socket's call.
        if not _still_kept(conn) or not conn.get_autocommit() or not conn.is_usable():
            conn.close()
        else:
            conn.errors_occurred = False


def _mark_new_connections() -> None:
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and getattr(conn, "socket_connection", None) is not conn.connection:
            conn.socket_connection = conn.connection
            conn.socket_opened_at = time.monotonic()


class SocketDatabaseSyncToAsync(SyncToAsync):
    """``database_sync_to_async`` for consumers: the same thread, a connection kept open."""

    def thread_handler(self, loop, *args, **kwargs):
        _drop_if_stale()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _mark_new_connections()


socket_db = SocketDatabaseSyncToAsync
