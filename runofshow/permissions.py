"""Who may see and call the show (DRF permission classes built on Django perms)."""

from __future__ import annotations

from config.permissions import ModelPermissions, require_perms

VIEW_SHOW_CALL = "runofshow.view_show_call"
MANAGE_SHOW_CALL = "runofshow.manage_show_call"


class RundownAccess(ModelPermissions):
    """Reads need ``view_show_call`` and the model's view perm; writes need it and the add/change/delete perm."""

    message = f"Requires permission: {VIEW_SHOW_CALL} (and the model permission for changes)."

    def has_permission(self, request, view):
        # The show perm first: the model check reads the view's queryset, which 404s on an
        # unknown session and would tell a user without the perm which ids exist.
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(VIEW_SHOW_CALL)) and super().has_permission(
            request, view
        )


CanViewShow = require_perms(VIEW_SHOW_CALL)
CanCallShow = require_perms(MANAGE_SHOW_CALL)


def can_view_session(user, object_id: str) -> bool:
    """Subscription check for ``runofshow.session.<id>`` (realtime registry)."""
    from runofshow.models import ShowSession

    if not (user and user.is_authenticated and user.has_perm(VIEW_SHOW_CALL)):
        return False
    return ShowSession.objects.filter(pk=int(object_id)).exists()
