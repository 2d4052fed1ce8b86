"""One channel-layer channel per process for all the sockets it holds: the process's hub.

Channels gives each socket a layer channel of its own. A group of 1,000 sockets is then
1,000 members in Redis, and each event wakes 1,000 receivers, each through the layer's
lock-and-wait dance: bursts reached phones tens of seconds late, a mass disconnect was
hundreds of ``group_discard`` calls, and after Redis lost its data (a crash) the sockets
stayed open outside their groups, receiving nothing and never told.

Here a process's hub is its only member of each group. It receives each message once and
puts it in the inbox of every local socket that joined that group; each socket still
handles its inbox one message at a time, in order, between its own frames. Only the first
socket of a process to join a group, and the last to leave it, touch Redis.

When the hub's receive fails (Redis went away: restarted, or crashed and lost the
memberships), every local socket is told and closes with 1012: clients reconnect and
resume from the event log, and the groups are joined afresh. Memberships are renewed
every ``REALTIME_GROUP_REFRESH_SECONDS``, under the layer's group expiry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

# Sent to every local socket when the hub can no longer receive.
LAYER_FAILED_MESSAGE_TYPE = "realtime.layer_failed"
# Seconds one leave of a group may wait on Redis (bounded: with Redis gone, a group expires).
DISCARD_TIMEOUT_SECONDS = 5.0


class Inbox(Protocol):
    def deliver(self, message: dict) -> None: ...


def routing_group(message: dict) -> str | None:
    """The group a layer message was sent to: ``group``, or an event envelope's group."""
    group = message.get("group")
    if group is None and isinstance(message.get("event"), dict):
        group = message["event"].get("group")
    return group if isinstance(group, str) else None


class _Group:
    __slots__ = ("in_layer", "lock", "members")

    def __init__(self) -> None:
        self.members: set[Inbox] = set()
        self.lock = asyncio.Lock()  # orders this group's group_add / group_discard calls
        self.in_layer = False


class SocketHub:
    """The sockets of one event loop (one server process) and the groups they joined."""

    def __init__(self, layer) -> None:
        self.layer = layer
        self.channel: str | None = None
        self.groups: dict[str, _Group] = {}
        self._reader: asyncio.Task | None = None
        self._refresher: asyncio.Task | None = None

    async def join(self, group: str, inbox: Inbox) -> None:
        """``inbox`` receives ``group``'s messages once this returns (the group is in the layer)."""
        entry = self.groups.get(group)
        if entry is None:
            entry = self.groups[group] = _Group()
        # Counted at once, so that a last leave already in flight keeps the group.
        entry.members.add(inbox)
        try:
            await self._start()
            async with entry.lock:
                if not entry.in_layer:
                    await self.layer.group_add(group, self.channel)
                    entry.in_layer = True
        except BaseException:
            entry.members.discard(inbox)
            self._forget_if_unused(group, entry)
            raise

    async def leave(self, group: str, inbox: Inbox) -> None:
        """Stops delivering ``group`` to ``inbox``; the last local member takes the hub out of it."""
        entry = self.groups.get(group)
        if entry is None or inbox not in entry.members:
            return
        entry.members.discard(inbox)
        if entry.members:
            return
        try:
            async with entry.lock:
                if entry.members or not entry.in_layer:
                    return
                # Marked first: a join that comes during the discard adds the group again after it.
                entry.in_layer = False
                await asyncio.wait_for(self.layer.group_discard(group, self.channel), DISCARD_TIMEOUT_SECONDS)
        finally:
            self._forget_if_unused(group, entry)

    def _forget_if_unused(self, group: str, entry: _Group) -> None:
        if entry.members or entry.in_layer or entry.lock.locked() or self.groups.get(group) is not entry:
            return
        del self.groups[group]
        if not self.groups:
            self._stop()

    async def _start(self) -> None:
        if self.channel is None:
            channel = await self.layer.new_channel()
            self.channel = self.channel or channel  # two first joins at once share one
        if self._reader is None or self._reader.done():
            loop = asyncio.get_running_loop()
            self._reader = loop.create_task(self._read(), name="realtime-hub-reader")
            self._refresher = loop.create_task(self._refresh(), name="realtime-hub-refresher")

    def _stop(self) -> None:
        """No group left: nothing to receive (a new join starts again)."""
        for task in (self._reader, self._refresher):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        self._reader = self._refresher = None

    async def _read(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._fail(exc)
                return
            group = routing_group(message)
            entry = self.groups.get(group) if group is not None else None
            if entry is None:
                continue
            for inbox in tuple(entry.members):
                inbox.deliver(message)

    async def _fail(self, exc: Exception) -> None:
        """The layer can't deliver: every local socket closes (1012) and its client resumes."""
        if self._refresher is not None:
            self._refresher.cancel()
        self._reader = self._refresher = None
        # Redis may have lost the memberships: the next join of each group adds it again.
        for entry in self.groups.values():
            entry.in_layer = False
        reset = getattr(self.layer, "reset_connections", None)
        if reset is not None:  # the pooled connections died with it: reconnects get new ones
            with contextlib.suppress(Exception):
                await reset()
        inboxes = {inbox for entry in self.groups.values() for inbox in entry.members}
        logger.warning(
            "the channel layer failed (%s: %s): closing %d sockets with 1012", type(exc).__name__, exc, len(inboxes)
        )
        for inbox in inboxes:
            inbox.deliver({"type": LAYER_FAILED_MESSAGE_TYPE})

    async def _refresh(self) -> None:
        """Joins again every group the hub is in, before the layer's group expiry drops it."""
        while True:
            await asyncio.sleep(settings.REALTIME_GROUP_REFRESH_SECONDS)
            for group, entry in list(self.groups.items()):
                with contextlib.suppress(Exception):  # a failed renewal is retried next round
                    async with entry.lock:
                        if entry.in_layer:
                            await self.layer.group_add(group, self.channel)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SocketHub] = weakref.WeakKeyDictionary()


def hub_for(layer) -> SocketHub:
    """The running loop's hub (one per server process; tests run a loop each)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        hub = _hubs[loop] = SocketHub(layer)
    return hub
