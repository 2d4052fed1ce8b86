"""Open sockets do not outlive their user's rights (SPEC §0, §5).

A socket checks its rights when it connects and subscribes; afterwards these receivers
close it when the rights shrink, once the change commits:

- user deactivated or deleted → its user group is told to close with 4401;
- a role (group) or a perm lost, by the user or by a role → 4403 "rights changed", and
  the client reconnects with what it may see now (a role's sockets are all in its role group).

Gaining rights closes nothing: the next subscribe sees them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from realtime import groups as group_names
from realtime.sendloop import is_redis_layer, send_loop

logger = logging.getLogger(__name__)

REVOKE_MESSAGE_TYPE = "realtime.revoke"
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
RIGHTS_CHANGED = "rights changed"
# A revocation handed to an unreachable Redis gives up quickly: the admin's save must answer.
SEND_TIMEOUT_SECONDS = 2.0


def _send(targets: list[str], code: int, reason: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    async def _send_all() -> None:
        for group in targets:
            # "group" routes it in each process's hub (realtime/hub.py).
            message = {"type": REVOKE_MESSAGE_TYPE, "group": group, "code": code, "reason": reason}
            await layer.group_send(group, message)

    try:
        if is_redis_layer(layer):
            send_loop.run(layer, _send_all, timeout=SEND_TIMEOUT_SECONDS)
        else:
            async_to_sync(_send_all)()
    except Exception:
        # The rights are already gone in the database: every later connect or subscribe is refused.
        logger.warning("could not close the sockets of %s (code %s)", targets, code, exc_info=True)


def revoke(targets: Iterable[str], *, code: int, reason: str = "") -> None:
    """Closes every socket in ``targets`` (user or role groups) with ``code``, after commit."""
    targets = sorted(set(targets))
    if targets:
        transaction.on_commit(lambda: _send(targets, code, reason))


def _users(user_ids: Iterable[int]) -> list[str]:
    return [group_names.user_group(pk) for pk in user_ids]


def _roles(names: Iterable[str]) -> list[str]:
    return [group_names.role_group(name) for name in names if group_names.is_valid_group(name)]


def user_saved(sender, instance, created, **kwargs) -> None:
    if not created and not instance.is_active:
        revoke(_users([instance.pk]), code=CLOSE_UNAUTHENTICATED)


def user_deleted(sender, instance, **kwargs) -> None:
    # Django clears the pk only after every post_delete has been sent.
    revoke(_users([instance.pk]), code=CLOSE_UNAUTHENTICATED)


def memberships_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """``user.groups`` / ``group.user_set`` lost members: close those users' sockets."""
    if action == "pre_clear":
        # Who is about to be cleared (post_clear is told nobody).
        if reverse:
            instance._realtime_cleared = list(instance.user_set.values_list("pk", flat=True))
        else:
            instance._realtime_cleared = [instance.pk]
        return
    if action == "post_remove":
        user_ids = list(pk_set or ()) if reverse else [instance.pk]
    elif action == "post_clear":
        user_ids = getattr(instance, "_realtime_cleared", [])
    else:
        return
    revoke(_users(user_ids), code=CLOSE_FORBIDDEN, reason=RIGHTS_CHANGED)


def group_perms_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A role lost perms (``group.permissions`` or ``permission.group_set``): close its
    members' sockets, all in its role group."""
    if action == "pre_clear" and reverse:
        instance._realtime_cleared = list(instance.group_set.values_list("name", flat=True))
        return
    if action == "post_remove":
        names = list(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True)) if reverse else [instance.name]
    elif action == "post_clear":
        names = getattr(instance, "_realtime_cleared", []) if reverse else [instance.name]
    else:
        return
    revoke(_roles(names), code=CLOSE_FORBIDDEN, reason=RIGHTS_CHANGED)


def user_perms_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A user lost direct perms (``user.user_permissions`` or ``permission.user_set``)."""
    if action == "pre_clear" and reverse:
        instance._realtime_cleared = list(instance.user_set.values_list("pk", flat=True))
        return
    if action == "post_remove":
        user_ids = list(pk_set or ()) if reverse else [instance.pk]
    elif action == "post_clear":
        user_ids = getattr(instance, "_realtime_cleared", []) if reverse else [instance.pk]
    else:
        return
    revoke(_users(user_ids), code=CLOSE_FORBIDDEN, reason=RIGHTS_CHANGED)


def connect() -> None:
    """Called by ``RealtimeConfig.ready()``."""
    user_model = get_user_model()
    post_save.connect(user_saved, sender=user_model, dispatch_uid="realtime.revoke.user_saved")
    post_delete.connect(user_deleted, sender=user_model, dispatch_uid="realtime.revoke.user_deleted")
    m2m_changed.connect(
        memberships_changed, sender=user_model.groups.through, dispatch_uid="realtime.revoke.memberships"
    )
    m2m_changed.connect(group_perms_changed, sender=Group.permissions.through, dispatch_uid="realtime.revoke.group")
    m2m_changed.connect(
        user_perms_changed, sender=user_model.user_permissions.through, dispatch_uid="realtime.revoke.user_perms"
    )
