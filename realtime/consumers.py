"""The single WebSocket endpoint ``/ws/`` (SPEC §5).

Authentication: ``/ws/?token=<access>`` (other clients), or — the dashboards, so that no
token is in a URL and so in no server log — a bare ``/ws/`` whose first message is
``{action: "auth", token}``, sent within ``REALTIME_AUTH_TIMEOUT`` seconds.

Client → server: ``{action: "auth", token}``, ``{action: "ping"}``, ``{action: "subscribe", group}``,
``{action: "unsubscribe", group}``, ``{action: "resume", group, epoch, since}``.
Server → client: ``{type: "connected", user_id, groups}``, ``{type: "pong"}``,
``{type: "subscribed", group, epoch, seq}``, event envelopes ``{type, group, epoch, seq, ts, payload}``,
``{type: "resync", group}``, ``{type: "error", detail}``. Close codes: 4401 bad, missing or late
token (or the user deactivated or deleted), 4403 a group the user may not see (or a role lost),
1012 the channel layer (Redis) failed, 1013 the client read too slowly; after 1012 and 1013
clients reconnect and resume.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings
from django.utils import timezone
from redis.exceptions import RedisError

from realtime import groups, registry, selectors
from realtime.auth import socket_identity
from realtime.db import socket_db
from realtime.hub import hub_for

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# RFC 6455 "service restart": the channel layer (Redis) failed; reconnect after a pause and resume.
CLOSE_SERVICE_RESTART = 1012
# RFC 6455 "try again later": the client read too slowly and its inbox filled; reconnect and resume.
CLOSE_TRY_AGAIN_LATER = 1013
OVERFLOW_MESSAGE_TYPE = "realtime.overflow"
LEAVE_TIMEOUT_SECONDS = 5.0
LINK_EXPIRED = "link expired"


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    async def __call__(self, scope, receive, send):
        """Channels' consumer loop, with the process's hub (realtime/hub.py) in place of a layer
        channel per socket: layer messages come through ``self.inbox``, handled in turn with
        the client's frames.

        A Redis that goes away ends the socket with 1012, which tells the client to reconnect
        and resume, instead of an unhandled error (1006) and a traceback per socket."""
        self.scope = scope
        self.channel_layer = get_channel_layer()
        self.hub = hub_for(self.channel_layer)
        self.inbox: asyncio.Queue[dict] = asyncio.Queue()
        self._overflowed = False
        self.base_send = send
        try:
            await await_many_dispatch([receive, self.inbox.get], self.dispatch)
        except StopConsumer:
            pass  # a clean end: Channels' way out of the dispatch loop
        except (RedisError, OSError) as exc:
            logger.warning("socket closed with 1012: the channel layer failed (%s: %s)", type(exc).__name__, exc)
            await self._leave_groups()
            with contextlib.suppress(Exception):  # the client may be gone already
                await send({"type": "websocket.close", "code": CLOSE_SERVICE_RESTART})

    async def dispatch(self, message):
        """Channels' dispatch without its ``close_old_connections()`` before every message: that
        is a hop to the one sync thread per event per socket (a sixth of a fan-out's CPU), and
        with ``CONN_MAX_AGE=0`` it closed the connection ``socket_db`` keeps for the consumers'
        calls, which check their connection themselves (realtime/db.py)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.user = None  # set once authenticated
        self.joined: set[str] = set()
        # group -> (epoch, seq) of the last envelope this socket was sent: the channel layer
        # may deliver an event already replayed, or two commits' events out of order.
        self.positions: dict[str, tuple[str, int]] = {}
        self.default_groups: set[str] = set()
        self._auth_timer: asyncio.Task | None = None
        self._expiry_timer: asyncio.Task | None = None
        self._closed = False
        # Accept first: a close code can only be sent on an accepted socket.
        await self.accept()
        if self.scope.get("token_in_query"):
            await self._authenticate(self.scope.get("user"), self.scope.get("default_groups") or [])
        else:
            self._auth_timer = asyncio.create_task(self._close_unless_authenticated())

    async def _close_unless_authenticated(self) -> None:
        await asyncio.sleep(settings.REALTIME_AUTH_TIMEOUT)
        if self.user is None:
            await self._close(CLOSE_UNAUTHENTICATED)

    async def _close(self, code: int) -> None:
        """Closes once; frames already on their way are then ignored."""
        if not self._closed:
            self._closed = True
            await self.close(code=code)

    async def _authenticate(self, user, default_groups: list[str]) -> None:
        """Joins the user's role and user groups (read with the user, in one database call) and
        says ``connected``; 4401 for no user."""
        if user is None or not user.is_authenticated:
            await self._close(CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.default_groups = set(default_groups)
        # Counted as joined first, so that a failed join still leaves the others on close.
        self.joined.update(self.default_groups)
        # Together: a first join in this process is a Redis round trip, and a storm waits on them.
        await asyncio.gather(*(self.hub.join(group, self) for group in default_groups))
        await self.send_json({"type": "connected", "user_id": self.user.pk, "groups": sorted(self.default_groups)})
        expires_at = getattr(user, "expires_at", None)
        if expires_at is not None:  # a link's socket ends with its link
            self._expiry_timer = asyncio.create_task(self._close_at(expires_at))

    async def _close_at(self, moment) -> None:
        await asyncio.sleep(max(0.0, (moment - timezone.now()).total_seconds()))
        if not self._closed:
            self._closed = True
            await self.close(code=CLOSE_FORBIDDEN, reason=LINK_EXPIRED)

    async def disconnect(self, code):
        for timer in (self._auth_timer, getattr(self, "_expiry_timer", None)):
            if timer is not None:
                timer.cancel()
        await self._leave_groups()

    async def _leave_groups(self) -> None:
        """Leaves every group, each on its own: one failed discard must not keep the socket in
        the others (they would expire only after the layer's group expiry)."""
        groups = sorted(getattr(self, "joined", ()))
        if not groups:
            return
        self.joined.clear()
        leaves = [self.hub.leave(group, self) for group in groups]
        try:
            # Bounded: with Redis unreachable the members expire with the group anyway.
            results = await asyncio.wait_for(asyncio.gather(*leaves, return_exceptions=True), LEAVE_TIMEOUT_SECONDS)
        except TimeoutError:
            results = [TimeoutError("leaving took too long")]
        for group, result in zip(groups, results, strict=False):
            if isinstance(result, BaseException):
                logger.warning("could not leave %s (%s: %s)", group, type(result).__name__, result)

    async def _join_if_allowed(self, group, read) -> tuple[bool, object]:
        """Joins ``group`` if the user may see it: (True, ``read(group)``), read after the join so
        that no event falls between the two; (False, None), not joined, when refused.

        The permission check and the read are one database call: with a single database
        thread per process, a resubscribe storm queues on each call. Joining the hub's group
        before the check is safe: events of a group not in ``joined`` are never forwarded, and
        this socket's handlers run one at a time, so none is handled before this returns."""
        if not groups.is_valid_group(group):  # the layer would raise on it
            return False, None
        if group in self.joined:
            return True, await socket_db(read)(group)
        await self.hub.join(group, self)
        try:
            allowed, result = await socket_db(_check_and_read)(self.user, group, self.default_groups, read)
        except BaseException:
            await self.hub.leave(group, self)
            raise
        if not allowed:
            await self.hub.leave(group, self)
            return False, None
        self.joined.add(group)
        return True, result

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Bad frames (binary, not JSON) get an error reply instead of killing the socket
        (once authenticated: before, anything but the auth message closes it with 4401)."""
        if self._closed:
            return
        if self.user is None:
            await self._receive_auth(text_data)
            return
        if text_data is None:
            await self.send_json({"type": "error", "detail": "Send JSON text frames."})
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_json({"type": "error", "detail": "Messages are JSON objects with an action."})
            return
        await self.receive_json(content, **kwargs)

    async def _receive_auth(self, text_data) -> None:
        if self._auth_timer is not None:
            self._auth_timer.cancel()
        try:
            content = json.loads(text_data) if text_data is not None else None
        except ValueError:
            content = None
        token = content.get("token") if isinstance(content, dict) and content.get("action") == "auth" else None
        if not isinstance(token, str) or not token:
            await self._authenticate(None, [])
            return
        await self._authenticate(*(await socket_db(socket_identity)(token)))

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "detail": "Messages are JSON objects with an action."})
            return
        action = content.get("action")
        if action == "ping":
            await self.send_json({"type": "pong"})
        elif action == "subscribe":
            await self._subscribe(content.get("group"))
        elif action == "unsubscribe":
            await self._unsubscribe(content.get("group"))
        elif action == "resume":
            await self._resume(content)
        elif action == "auth":
            await self.send_json({"type": "error", "detail": "Already authenticated."})
        else:
            await self.send_json({"type": "error", "detail": f"Unknown action {action!r}."})

    async def _subscribe(self, group) -> None:
        allowed, position = await self._join_if_allowed(group, selectors.group_position)
        if not allowed:
            await self._close(CLOSE_FORBIDDEN)
            return
        epoch, seq = position
        self.positions[group] = (epoch, seq)
        await self.send_json({"type": "subscribed", "group": group, "epoch": epoch, "seq": seq})

    async def _unsubscribe(self, group) -> None:
        if group in self.joined and group not in self.default_groups:
            self.joined.discard(group)
            await self.hub.leave(group, self)
        await self.send_json({"type": "unsubscribed", "group": group})

    async def _resume(self, content: dict) -> None:
        group = content.get("group")
        epoch = content.get("epoch") or ""
        since = content.get("since")
        if not isinstance(epoch, str) or not isinstance(since, int) or isinstance(since, bool):
            await self.send_json({"type": "error", "detail": "resume needs group, epoch (string) and since (integer)."})
            return
        allowed, events = await self._join_if_allowed(
            group, lambda name: selectors.events_since(name, epoch=epoch, since=since)
        )
        if not allowed:
            await self._close(CLOSE_FORBIDDEN)
            return
        if events is None:
            self.positions.pop(group, None)
            await self.send_json({"type": "resync", "group": group})
            return
        if epoch:
            self.positions[group] = (epoch, since)
        else:
            self.positions.pop(group, None)
        for envelope in events:
            await self._send_in_order(envelope)

    async def _send_in_order(self, envelope: dict, text: str | None = None) -> None:
        """Sends each group's events once, in seq order: drops what was already sent and
        fills a gap (an event whose commit's send arrived late) from the event log. ``text``:
        the envelope already encoded."""
        group = envelope["group"]
        known = self.positions.get(group)
        # A known epoch of "" means "subscribed before the group's first event".
        if known is not None and known[0] in ("", envelope["epoch"]):
            last = known[1]
            if envelope["seq"] <= last:
                return
            if envelope["seq"] > last + 1:
                missed = await socket_db(selectors.events_since)(group, epoch=known[0], since=last)
                if missed is None:
                    self.positions.pop(group, None)
                    await self.send_json({"type": "resync", "group": group})
                    return
                for earlier in missed:
                    if earlier["seq"] < envelope["seq"]:
                        await self.send_json(earlier)
        self.positions[group] = (envelope["epoch"], envelope["seq"])
        await self.send(text_data=text if text is not None else await self.encode_json(envelope))

    def deliver(self, message: dict) -> None:
        """The hub hands in a layer message (realtime/hub.py). Past ``REALTIME_SOCKET_INBOX``
        waiting events (a phone that stopped reading) the socket is closed with 1013 instead of
        growing without bound: its client reconnects and resumes from the event log."""
        if self.inbox.qsize() >= settings.REALTIME_SOCKET_INBOX and message.get("type") == "realtime.event":
            if not self._overflowed:
                self._overflowed = True
                logger.warning("socket closed with 1013: %d events waiting for it", self.inbox.qsize())
                self.inbox.put_nowait({"type": OVERFLOW_MESSAGE_TYPE})
            return
        self.inbox.put_nowait(message)

    async def realtime_overflow(self, message):
        await self._close(CLOSE_TRY_AGAIN_LATER)

    async def realtime_layer_failed(self, message):
        """The hub can no longer receive (Redis went away): 1012, and the client resumes."""
        await self._close(CLOSE_SERVICE_RESTART)

    async def realtime_revoke(self, message):
        """Channel-layer handler for ``realtime.revoke`` (realtime/signals.py): the user was
        deactivated or deleted (4401), or lost a role or perm (4403 "rights changed")."""
        if self._closed:
            return
        self._closed = True
        await self.close(code=message.get("code", CLOSE_FORBIDDEN), reason=message.get("reason") or None)

    async def realtime_event(self, message):
        """Channel-layer handler for ``realtime.event``: forwards the envelope, in order."""
        if self._closed:
            return
        envelope = message["event"]
        if envelope.get("group") in self.joined:
            # The hub hands the same message to every socket of the process: encoded once.
            text = message.get("text")
            if text is None:
                text = message["text"] = await self.encode_json(envelope)
            await self._send_in_order(envelope, text)


def _check_and_read(user, group: str, own_groups, read):
    """(allowed, read(group) if allowed): one call on the consumers' database thread."""
    if not registry.can_subscribe(user, group, own_groups=own_groups):
        return False, None
    return True, read(group)
