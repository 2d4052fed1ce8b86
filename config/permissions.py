"""The one DRF permission class: Django perms (granted to role groups) per view action.

Every view declares what each of its actions needs::

    class ItemViewSet(viewsets.ModelViewSet):
        action_perms = {
            **model_perms("hotset", "scheduleitem"),       # list/retrieve/create/update/destroy
            "start": ("hotset.run_hot_set",),               # an @action
            "settings:PUT": ("hotset.change_hotsetsettings",),  # an @action, one method
        }

    class SessionStateView(APIView):
        action_perms = {"GET": ("runofshow.view_show_call",)}  # plain views: by method

Looked up as ``action:METHOD``, then ``action``, then ``METHOD``. A view that names nothing
for a request falls back to the model's perms when it has a queryset (reads need
``view_*``, writes add/change/delete — SPEC §0: one rule for REST, sockets and dashboards)
and is refused otherwise, so a new endpoint is closed until it says who may call it.
"""

from __future__ import annotations

from rest_framework import permissions

_MODEL_PERMS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def model_perms(app_label: str, model_name: str) -> dict[str, tuple[str, ...]]:
    """The CRUD actions of a ModelViewSet mapped to ``<app>.<verb>_<model>``."""
    view = (f"{app_label}.view_{model_name}",)
    change = (f"{app_label}.change_{model_name}",)
    return {
        "list": view,
        "retrieve": view,
        "create": (f"{app_label}.add_{model_name}",),
        "update": change,
        "partial_update": change,
        "destroy": (f"{app_label}.delete_{model_name}",),
    }


def spreadsheet_perms(app_label: str, model_name: str) -> dict[str, tuple[str, ...]]:
    """``import/`` (adds and changes rows: both perms) and ``export/`` (reads) of a list."""
    return {
        "import_rows": (f"{app_label}.add_{model_name}", f"{app_label}.change_{model_name}"),
        "export": (f"{app_label}.view_{model_name}",),
    }


def _queryset_perms(view, method: str) -> tuple[str, ...] | None:
    queryset = getattr(view, "queryset", None)
    if queryset is None:
        return None
    verb = _MODEL_PERMS.get(method)
    if verb is None:
        return None
    meta = queryset.model._meta
    return (f"{meta.app_label}.{verb}_{meta.model_name}",)


def required_perms(view, method: str) -> tuple[str, ...] | None:
    """The perms a request needs on ``view``; None = nothing declared (refused)."""
    declared: dict[str, tuple[str, ...]] = getattr(view, "action_perms", None) or {}
    action = getattr(view, "action", None)
    perms = None
    if action:
        perms = declared.get(f"{action}:{method}", declared.get(action))
    if perms is None:
        perms = declared.get(method)
    if perms is None:
        perms = _queryset_perms(view, method)
    return perms


class ActionPermissions(permissions.BasePermission):
    """Signed in, and holding every perm the view's ``action_perms`` names for this request."""

    message = "You do not have permission to perform this action."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        method = request.method
        if method.lower() not in getattr(view, "http_method_names", ()) or not hasattr(view, method.lower()):
            return True  # the 405 follows, naming the allowed methods
        perms = required_perms(view, method)
        if method == "OPTIONS" and perms is None:
            return True  # metadata of a view the caller may not use tells nothing
        if perms is None:
            self.message = "This endpoint declares no permission; it is closed."
            return False
        if not user.has_perms(perms):
            self.message = f"Requires permission: {', '.join(perms)}."
            return False
        return True
