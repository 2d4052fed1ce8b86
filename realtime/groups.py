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


def hotset_session_group(session_id: int) -> str:
    return _checked(f"hotset.session.{int(session_id)}")


def hotset_session_settings_group(session_id: int) -> str:
    """The project's settings, as seen from one of its sessions (needs ``view_hotsetsettings``)."""
    return _checked(f"hotset.session-settings.{int(session_id)}")


def hotset_session_suggestions_group(session_id: int) -> str:
    """The session's catch-up suggestions (needs ``view_suggestion``)."""
    return _checked(f"hotset.session-suggestions.{int(session_id)}")


def runofshow_session_group(session_id: int) -> str:
    return _checked(f"runofshow.session.{int(session_id)}")


def is_valid_group(name: str) -> bool:
    return isinstance(name, str) and bool(GROUP_NAME_RE.match(name))


def split_object_group(name: str) -> tuple[str, str] | None:
    """``"hotset.session.12"`` → ``("hotset.session", "12")``; None if it has no object id."""
    prefix, _, object_id = name.rpartition(".")
    if not prefix or not object_id:
        return None
    return prefix, object_id
