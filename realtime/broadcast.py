"""The one way to send a real-time event: ``publish(event_type, payload, groups=...)``.

Called by services inside their transaction. Each target group gets the next
``seq`` and an EventLog row in that same transaction; the channel layer is only
asked to carry the envelopes after the transaction commits, so an event of a
rolled-back change is never seen. The request waits for that at most a few milliseconds:
envelopes are handed to the process's send loop (realtime/sendloop.py). If the channel layer is down
or frozen the change still stands: the failure is logged and clients catch up from the
event log.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import secrets
from collections.abc import Iterable
from contextlib import nullcontext

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from realtime import groups as group_names
from realtime.models import BroadcastRule, EventLog
from realtime.sendloop import is_redis_layer, send_loop

logger = logging.getLogger(__name__)

CHANNEL_MESSAGE_TYPE = "realtime.event"
# One group send that takes longer than this (Redis frozen) gives up: the event is in the log,
# and the sends queued behind it go on.
GROUP_SEND_TIMEOUT_SECONDS = 5.0
# Seconds a publisher waits for its send to leave before going on (see send_envelopes).
SEND_HEAD_START_SECONDS = 0.005


def new_epoch() -> str:
    return secrets.token_hex(8)


def role_groups_for(event_type: str) -> list[str]:
    """The role groups the broadcast rules send ``event_type`` to."""
    rules = BroadcastRule.objects.filter(enabled=True).values_list("event_type_prefix", "role")
    roles = {role for prefix, role in rules if event_type.startswith(prefix)}
    return [group_names.role_group(role) for role in sorted(roles)]


# One statement, atomic on PostgreSQL and SQLite: create the cursor or bump it.
_ADVANCE_SQL = (
    "INSERT INTO realtime_groupcursor (group_name, epoch, seq) VALUES (%s, %s, 1) "
    "ON CONFLICT (group_name) DO UPDATE SET seq = realtime_groupcursor.seq + 1 "
    "RETURNING epoch, seq"
)


def _advance(group: str) -> tuple[str, int]:
    """Takes the group's next (epoch, seq); the row stays locked until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(_ADVANCE_SQL, [group, new_epoch()])
        epoch, seq = cursor.fetchone()
    return epoch, seq


# PostgreSQL: every group's next seq and its log row in one statement (one round trip), so a
# shared role group's cursor row is held for as short a time as possible. Cursors are taken
# in sorted order, so two writers never lock them crosswise.
_LOG_SQL = f"""
WITH advanced AS (
    INSERT INTO realtime_groupcursor (group_name, epoch, seq)
    SELECT name, %(epoch)s, 1 FROM unnest(%(groups)s::varchar[]) AS name ORDER BY name
    ON CONFLICT (group_name) DO UPDATE SET seq = realtime_groupcursor.seq + 1
    RETURNING group_name, epoch, seq
)
INSERT INTO {EventLog._meta.db_table} (group_name, epoch, seq, event_type, ts, payload)
SELECT group_name, epoch, seq, %(event_type)s, %(ts)s, %(payload)s::jsonb FROM advanced
RETURNING group_name, epoch, seq
"""  # noqa: S608 - the table name is the model's


def _log(event_type: str, payload: dict, groups: list[str], ts) -> list[dict]:
    """Takes each group's next seq (in sorted order, so two writers never lock cursors
    crosswise) and writes the log rows; returns their envelopes."""
    if not groups:
        return []
    if connection.vendor == "postgresql":
        params = {"epoch": new_epoch(), "groups": sorted(groups), "event_type": event_type, "ts": ts,
                  "payload": json.dumps(payload, cls=DjangoJSONEncoder)}  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(_LOG_SQL, params)
            positions = sorted(cursor.fetchall())
        return [
            EventLog(group_name=name, epoch=epoch, seq=seq, event_type=event_type, ts=ts, payload=payload).envelope()
            for name, epoch, seq in positions
        ]
    rows = []
    for name in sorted(groups):
        epoch, seq = _advance(name)
        rows.append(EventLog(group_name=name, epoch=epoch, seq=seq, event_type=event_type, ts=ts, payload=payload))
    EventLog.objects.bulk_create(rows)
    return [row.envelope() for row in rows]


def _log_and_send_role_events(event_type: str, payload: dict, groups: list[str], ts) -> None:
    try:
        # One statement on PostgreSQL: atomic by itself, and committed at once in autocommit.
        with nullcontext() if connection.vendor == "postgresql" else transaction.atomic():
            envelopes = _log(event_type, payload, groups, ts)
    except DatabaseError:
        logger.warning("broadcast failed: %s to %s not logged", event_type, groups, exc_info=True)
        return
    send_envelopes(envelopes)


def publish(event_type: str, payload: dict, *, groups: Iterable[str] = ()) -> list[dict]:
    """Logs ``event_type`` for ``groups`` and the rule-chosen role groups; sends after commit.

    The named groups (a session, a user) are logged in the caller's transaction, so
    their events exist exactly when the change does. Role groups are shared by every
    write of an app: holding their cursors until the caller commits would queue all
    those writes behind one another (and let two transactions that publish several
    times lock cursors crosswise), so they are logged in their own short transaction
    right after the caller's commit. Returns the envelopes of the named groups.
    """
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    named = sorted(set(groups))
    role_groups = sorted(set(role_groups_for(event_type)) - set(named))
    for name in named + role_groups:
        if not group_names.is_valid_group(name):
            raise ValueError(f"invalid group name {name!r}")
    now = timezone.now()
    # No savepoint inside the caller's transaction (two round trips before the commit, on every
    # event): a failed log statement aborts that transaction on PostgreSQL anyway.
    with transaction.atomic(savepoint=False):
        envelopes = _log(event_type, payload, named, now)
        transaction.on_commit(lambda: send_envelopes(envelopes))
        if role_groups:
            transaction.on_commit(lambda: _log_and_send_role_events(event_type, payload, role_groups, now))
    return envelopes


def send_envelopes(envelopes: list[dict], *, wait: float | None = None) -> int:
    """Hands envelopes to the channel layer; returns how many failed (logged, never raised).

    Through the Redis layer they go to the process's long-lived send loop, which sends them
    in order after whatever was handed in before; this returns once they left or after
    ``SEND_HEAD_START_SECONDS`` (a frozen Redis never holds the caller longer), counting only
    envelopes dropped because the loop's queue is full,
    unless ``wait`` gives the seconds to wait for the outcome. The in-memory layer is
    reached through the caller's loop with ``async_to_sync`` (its queues live there) and
    answers at once. All sends of one call share one trip into the loop.
    """
    if not envelopes:
        return 0
    layer = get_channel_layer()

    async def _send_all() -> int:
        failed = 0
        for envelope in envelopes:
            try:
                message = {"type": CHANNEL_MESSAGE_TYPE, "event": envelope}
                await asyncio.wait_for(layer.group_send(envelope["group"], message), GROUP_SEND_TIMEOUT_SECONDS)
            except Exception:
                failed += 1
                logger.warning(
                    "broadcast failed: %s to %s seq %s (clients will resume from the event log)",
                    envelope["type"],
                    envelope["group"],
                    envelope["seq"],
                    exc_info=True,
                )
        return failed

    if is_redis_layer(layer):
        future = send_loop.submit(layer, _send_all, size=len(envelopes))
        if future is None:
            return len(envelopes)
        if wait is None:
            # A head start: this thread waits (the GIL free) while the loop sends, instead of
            # going straight on (a Celery worker's post-task work) and leaving the loop's thread
            # to wait for the GIL after each Redis reply. Bounded: a frozen Redis costs this.
            concurrent.futures.wait([future], timeout=SEND_HEAD_START_SECONDS)
            return 0
        try:
            return future.result(wait)
        except Exception:
            logger.warning("broadcast not confirmed: %d events (in the event log)", len(envelopes), exc_info=True)
            return len(envelopes)
    try:
        return async_to_sync(_send_all)()
    except Exception:
        # No usable loop here (e.g. called from a thread that runs one): the events are
        # in the log, clients resume from it.
        logger.warning("broadcast failed: %d events not sent", len(envelopes), exc_info=True)
        return len(envelopes)
