"""DRF permission classes built on Django permissions (granted to role groups)."""

from __future__ import annotations

from rest_framework import permissions


class ModelPermissions(permissions.DjangoModelPermissions):
    """Reads need the model's ``view_*`` perm, writes its add/change/delete perm (SPEC §0:
    the same rule for REST, sockets and dashboards).

    A view without a queryset (an action-only ``APIView``) is refused to everyone: it must
    name the perms it needs in its own ``permission_classes`` (``require_perms``).
    """

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return False
        return super().has_permission(request, view)


def require_perms(*perms: str) -> type[permissions.BasePermission]:
    """A permission class requiring every perm in ``perms`` (e.g. ``"hotset.run_hot_set"``)."""

    class _HasPerms(permissions.BasePermission):
        message = f"Requires permission: {', '.join(perms)}."

        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    _HasPerms.__name__ = "HasPerms_" + "_".join(p.replace(".", "_") for p in perms)
    return _HasPerms
