"""DRF permission classes built on Django permissions (granted to role groups)."""

from __future__ import annotations

from rest_framework import permissions


class ReadAuthenticatedWriteModelPerms(permissions.DjangoModelPermissions):
    """Reads need an authenticated user; writes need the model's add/change/delete perm.

    Views without a queryset (action-only views) only require authentication for
    reads and fall back to staff-free authenticated writes being refused unless the
    view sets its own permission classes.
    """

    perms_map = {
        "GET": [],
        "OPTIONS": [],
        "HEAD": [],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return False
        return super().has_permission(request, view)


def require_perms(*perms: str, safe_methods_open: bool = False) -> type[permissions.BasePermission]:
    """A permission class requiring every perm in ``perms`` (e.g. ``"hotset.run_hot_set"``).

    With ``safe_methods_open`` any authenticated user may read.
    """

    class _HasPerms(permissions.BasePermission):
        message = f"Requires permission: {', '.join(perms)}."

        def has_permission(self, request, view):
            user = request.user
            if not (user and user.is_authenticated):
                return False
            if safe_methods_open and request.method in permissions.SAFE_METHODS:
                return True
            return user.has_perms(perms)

    _HasPerms.__name__ = "HasPerms_" + "_".join(p.replace(".", "_") for p in perms)
    return _HasPerms
