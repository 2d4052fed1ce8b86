"""The role groups (SPEC §0) and how apps grant them permissions.

Each app may have a ``roles.py`` with ``ROLE_PERMISSIONS = {"first_ad": ["hotset.run_hot_set", ...]}``
(perms as ``app_label.codename``); ``setup_roles`` unions them per role.
"""

from __future__ import annotations

from config.discovery import app_modules

ROLES: tuple[str, ...] = (
    "producer",
    "director",
    "production_manager",
    "first_ad",
    "show_caller",
    "coordinator",
    "supervisor",
    "social_manager",
    "crew",
    "vfx",
)


def collect_role_permissions() -> dict[str, set[str]]:
    """Role → set of ``app_label.codename``, gathered from every installed app's ``roles`` module."""
    granted: dict[str, set[str]] = {role: set() for role in ROLES}
    for module in app_modules("roles"):
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            if role not in granted:
                raise ValueError(f"{module.__name__} grants perms to unknown role {role!r}")
            granted[role].update(perms)
    return granted
