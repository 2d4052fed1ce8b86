"""DRF permissions of the hot set, from Django perms granted to the role groups (hotset/roles.py).

Each viewset maps its actions (optionally ``action:METHOD``) to the perms they need; reads need
the model's ``view_*`` perm, so only the roles given it (SPEC: first_ad, producer, director,
production_manager, and the crew for the schedule) see the hot set.
"""

from __future__ import annotations

from rest_framework import permissions

from config.permissions import require_perms

RUN_HOT_SET = "hotset.run_hot_set"


class ActionPermissionsMixin:
    """``action_perms = {"list": ("hotset.view_x",), "settings:PUT": ("hotset.change_y",), "GET": (...)}``.

    Looked up as ``action:METHOD``, then ``action``, then ``METHOD`` (generic views have no action).
    """

    action_perms: dict[str, tuple[str, ...]] = {}

    def get_permissions(self):
        action = getattr(self, "action", None)
        method = self.request.method if self.request is not None else "GET"
        perms = self.action_perms.get(f"{action}:{method}")
        if perms is None:
            perms = self.action_perms.get(action) if action else self.action_perms.get(method)
        if perms is None:
            # An unmapped method (405 follows) or OPTIONS: signed-in users only.
            return [permissions.IsAuthenticated()]
        return [require_perms(*perms)()]


def model_perms(model: str) -> dict[str, tuple[str, ...]]:
    """The CRUD actions of a ModelViewSet mapped to ``hotset.<action>_<model>``."""
    view = (f"hotset.view_{model}",)
    return {
        "list": view,
        "retrieve": view,
        "create": (f"hotset.add_{model}",),
        "update": (f"hotset.change_{model}",),
        "partial_update": (f"hotset.change_{model}",),
        "destroy": (f"hotset.delete_{model}",),
    }
