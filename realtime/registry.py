"""Who may subscribe to which object groups.

Apps register their group prefixes in ``AppConfig.ready()`` so that ``realtime``
imports none of them::

    registry.register_subscription("hotset.session", can_view_session)

``can_view(user, object_id: str) -> bool`` runs in a thread (it may use the ORM).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser

from realtime import groups

CanView = Callable[[object, str], bool]

_subscriptions: dict[str, CanView] = {}


class LinkViewer(AnonymousUser):
    """A socket opened with a link token (a stage screen), not a user: it holds no perms and
    may follow only the groups its link names (``groups``)."""

    def __init__(self, groups: Iterable[str], *, expires_at=None):
        self.socket_groups = list(groups)
        self.expires_at = expires_at  # the socket is closed then (4403 "link expired")

    @property
    def is_authenticated(self):
        return True


# Token prefix → resolver(token) → LinkViewer or None (unknown, expired, revoked).
_link_tokens: dict[str, Callable[[str], LinkViewer | None]] = {}


def register_link_token(prefix: str, resolve: Callable[[str], LinkViewer | None]) -> None:
    """Tokens starting with ``prefix`` authenticate a socket as a :class:`LinkViewer`."""
    _link_tokens[prefix] = resolve


def link_viewer(raw_token: str) -> LinkViewer | None:
    """The viewer a link token opens, or None when the token is no link token or no longer valid."""
    for prefix, resolve in _link_tokens.items():
        if raw_token.startswith(prefix):
            return resolve(raw_token)
    return None


def is_link_token(raw_token: str) -> bool:
    return any(raw_token.startswith(prefix) for prefix in _link_tokens)


def register_subscription(prefix: str, can_view: CanView) -> None:
    _subscriptions[prefix] = can_view


def registered_prefixes() -> list[str]:
    return sorted(_subscriptions)


def default_groups(user) -> list[str]:
    """The groups a socket joins on connect: its role groups and its user group."""
    names = [
        groups.role_group(role) for role in user.groups.values_list("name", flat=True) if groups.is_valid_group(role)
    ]
    names.append(groups.user_group(user.pk))
    return names


def can_subscribe(user, group: str, *, own_groups: Iterable[str] | None = None) -> bool:
    """May ``user`` receive ``group``'s events? Own role/user groups, or a registered object group it can view.

    ``own_groups``: the user's default groups when the caller has them (a socket read them on
    connect), which saves a query."""
    if not groups.is_valid_group(group):
        return False
    if group in (default_groups(user) if own_groups is None else own_groups):
        return True
    parts = groups.split_object_group(group)
    if parts is None:
        return False
    prefix, object_id = parts
    can_view = _subscriptions.get(prefix)
    if can_view is None or not object_id.isdigit():
        return False
    return bool(can_view(user, object_id))
