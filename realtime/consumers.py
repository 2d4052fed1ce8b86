"""The single WebSocket endpoint ``/ws/`` (SPEC §5).

Authentication: ``/ws/?token=<access>`` (other clients), or — the dashboards, so that no
token is in a URL and so in no server log — a bare ``/ws/`` whose first message is
``{action: "auth", token}``, sent within ``REALTIME_AUTH_TIMEOUT`` seconds.

Client → server: ``{action: "auth", token}``, ``{action: "ping"}``, ``{action: "subscribe", group}``,
``{action: "unsubscribe", group}``, ``{action: "resume", group, epoch, since}``.
Server → client: ``{type: "connected", user_id, groups}``, ``{type: "pong"}``,
``{type: "subscribed", group, epoch, seq}``, event envelopes ``{type, group, epoch, seq, ts, payload}``,
``{type: "resync", group}``, ``{type: "error", detail}``. Close codes: 4401 bad, missing or late
token (or the user deactivated or deleted), 4403 a group the user may not see (or a role lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from redis.exceptions import RedisError

from realtime import registry, selectors
from realtime.auth import user_for_token
from realtime.db import socket_db

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# RFC 6455 "service restart": the channel layer (Redis) failed; reconnect after a pause and resume.
CLOSE_SERVICE_RESTART = 1012
LEAVE_TIMEOUT_SECONDS = 5.0


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    async def __call__(self, scope, receive, send):
        """A Redis that goes away ends the socket with 1012, which tells the client to reconnect
        and resume, instead of an unhandled error (1006) and a traceback per socket."""
        try:
            await super().__call__(scope, receive, send)
        except (RedisError, OSError) as exc:
            logger.warning("socket closed with 1012: the channel layer failed (%s: %s)", type(exc).__name__, exc)
            await self._leave_groups()
            with contextlib.suppress(Exception):  # the client may be gone already
                await send({"type": "websocket.close", "code": CLOSE_SERVICE_RESTART})

    async def connect(self):
        self.user = None  # set once authenticated
        self.joined: set[str] = set()
        # group -> (epoch, seq) of the last envelope this socket was sent: the channel layer
        # may deliver an event already replayed, or two commits' events out of order.
        self.positions: dict[str, tuple[str, int]] = {}
        self.default_groups: set[str] = set()
        self._auth_timer: asyncio.Task | None = None
        self._closed = False
        # Accept first: a close code can only be sent on an accepted socket.
        await self.accept()
        if self.scope.get("token_in_query"):
            await self._authenticate(self.scope.get("user"))
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

    async def _authenticate(self, user) -> None:
        """Joins the user's role and user groups and says ``connected``; 4401 for no user."""
        if user is None or not user.is_authenticated:
            await self._close(CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.default_groups = set(await socket_db(registry.default_groups)(self.user))
        for group in sorted(self.default_groups):
            await self._join(group)
        await self.send_json({"type": "connected", "user_id": self.user.pk, "groups": sorted(self.default_groups)})

    async def disconnect(self, code):
        if self._auth_timer is not None:
            self._auth_timer.cancel()
        await self._leave_groups()

    async def _leave_groups(self) -> None:
        """Leaves every group, each on its own: one failed discard must not keep the socket in
        the others (they would expire only after the layer's group expiry)."""
        groups = sorted(getattr(self, "joined", ()))
        if not groups:
            return
        self.joined.clear()
        discards = [self.channel_layer.group_discard(group, self.channel_name) for group in groups]
        try:
            # Bounded: with Redis unreachable the members expire with the group anyway.
            results = await asyncio.wait_for(asyncio.gather(*discards, return_exceptions=True), LEAVE_TIMEOUT_SECONDS)
        except TimeoutError:
            results = [TimeoutError("leaving took too long")]
        for group, result in zip(groups, results, strict=False):
            if isinstance(result, BaseException):
                logger.warning("could not leave %s (%s: %s)", group, type(result).__name__, result)

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.add(group)

    async def _allowed(self, group) -> bool:
        if not isinstance(group, str):
            return False
        if group in self.joined:
            return True
        return await socket_db(registry.can_subscribe)(self.user, group)

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
            await self._authenticate(None)
            return
        await self._authenticate(await socket_db(user_for_token)(token))

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
        if not await self._allowed(group):
            await self._close(CLOSE_FORBIDDEN)
            return
        # Join before reading the position, so nothing falls between the two.
        await self._join(group)
        epoch, seq = await socket_db(selectors.group_position)(group)
        self.positions[group] = (epoch, seq)
        await self.send_json({"type": "subscribed", "group": group, "epoch": epoch, "seq": seq})

    async def _unsubscribe(self, group) -> None:
        if group in self.joined and group not in self.default_groups:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.joined.discard(group)
        await self.send_json({"type": "unsubscribed", "group": group})

    async def _resume(self, content: dict) -> None:
        group = content.get("group")
        epoch = content.get("epoch") or ""
        since = content.get("since")
        if not isinstance(epoch, str) or not isinstance(since, int) or isinstance(since, bool):
            await self.send_json({"type": "error", "detail": "resume needs group, epoch (string) and since (integer)."})
            return
        if not await self._allowed(group):
            await self._close(CLOSE_FORBIDDEN)
            return
        await self._join(group)
        events = await socket_db(selectors.events_since)(group, epoch=epoch, since=since)
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

    async def _send_in_order(self, envelope: dict) -> None:
        """Sends each group's events once, in seq order: drops what was already sent and
        fills a gap (an event whose commit's send arrived late) from the event log."""
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
        await self.send_json(envelope)

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
            await self._send_in_order(envelope)
