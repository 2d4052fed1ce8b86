"""Who may see and run the hot set: the perms the views name in ``action_perms`` (granted to the
role groups, hotset/roles.py), and who may follow a session's socket groups.

Reads need the model's ``view_*`` perm, so only the roles given it (SPEC: first_ad, producer,
director, production_manager, and the crew for the schedule) see the hot set.
"""

from __future__ import annotations

from realtime import groups, registry

RUN_HOT_SET = "hotset.run_hot_set"


def _can_follow(user, object_id: str, *perms: str) -> bool:
    from hotset.models import HotSetSession

    if not (user and user.is_authenticated and user.has_perms(("hotset.view_hotsetsession", *perms))):
        return False
    return HotSetSession.objects.filter(pk=int(object_id)).exists()


def can_view_session(user, object_id: str) -> bool:
    """May ``user`` follow ``hotset.session.<object_id>`` over /ws/? (view perm and the session exists).

    Every event on that group is one the session's viewers (the crew included) may read over REST.
    """
    return _can_follow(user, object_id)


def can_view_session_settings(user, object_id: str) -> bool:
    """``hotset.session-settings.<id>``: the project's settings changes, for those who may read them."""
    return _can_follow(user, object_id, "hotset.view_hotsetsettings")


def can_view_session_suggestions(user, object_id: str) -> bool:
    """``hotset.session-suggestions.<id>``: the catch-up suggestions, for those who may read them."""
    return _can_follow(user, object_id, "hotset.view_suggestion")


def register_subscriptions() -> None:
    """A session's viewers follow its group; its settings and suggestions groups need their reads too."""
    registry.register_subscription(groups.HOTSET_SESSION, can_view_session)
    registry.register_subscription(groups.HOTSET_SESSION_SETTINGS, can_view_session_settings)
    registry.register_subscription(groups.HOTSET_SESSION_SUGGESTIONS, can_view_session_suggestions)
