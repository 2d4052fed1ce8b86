"""Every channel-layer group name is built here.

Names match ``^[a-zA-Z0-9\\-_.]+$`` and stay under 100 characters (channels' rule).
"""

from __future__ import annotations

import re

GROUP_NAME_RE = re.compile(r"^[a-zA-Z0-9\-_.]{1,99}$")


def _checked(name: str) -> str:
    if not GROUP_NAME_RE.match(name):
        raise ValueError(f"invalid group name {name!r}")
    return name


def role_group(role: str) -> str:
    return _checked(f"role.{role}")


def user_group(user_id: int) -> str:
    return _checked(f"user.{int(user_id)}")


def object_group(prefix: str, object_id: int) -> str:
    """One object's group, e.g. ``object_group("hotset.session", 12)`` → ``"hotset.session.12"``.

    Every app builds its object groups here and registers who may subscribe to a prefix in
    its ``permissions.py`` (``realtime.registry.register_subscription``)."""
    return _checked(f"{prefix}.{int(object_id)}")


# The prefixes in use (one place to read them all).
HOTSET_SESSION = "hotset.session"
HOTSET_SESSION_SETTINGS = "hotset.session-settings"  # the project's settings, seen from a session
HOTSET_SESSION_SUGGESTIONS = "hotset.session-suggestions"  # needs view_suggestion
RUNOFSHOW_SESSION = "runofshow.session"
RUNOFSHOW_VIEWER_LINK = "runofshow.viewer-link"  # a stage screen's own group (its link's revocation)
ROTATIONS_RUN = "rotations.run"


def is_valid_group(name: str) -> bool:
    return isinstance(name, str) and bool(GROUP_NAME_RE.match(name))


def split_object_group(name: str) -> tuple[str, str] | None:
    """``"hotset.session.12"`` → ``("hotset.session", "12")``; None if it has no object id."""
    prefix, _, object_id = name.rpartition(".")
    if not prefix or not object_id:
        return None
    return prefix, object_id
