"""Who may see and call the show (DRF permission classes built on Django perms)."""

from __future__ import annotations

from config.permissions import ReadAuthenticatedWriteModelPerms, require_perms

VIEW_SHOW_CALL = "runofshow.view_show_call"
MANAGE_SHOW_CALL = "runofshow.manage_show_call"


class RundownAccess(ReadAuthenticatedWriteModelPerms):
    """Reads need ``view_show_call``; writes need it and the model's add/change/delete perm."""

    message = f"Requires permission: {VIEW_SHOW_CALL} (and the model permission for changes)."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.has_perm(VIEW_SHOW_CALL)


CanViewShow = require_perms(VIEW_SHOW_CALL)
CanCallShow = require_perms(MANAGE_SHOW_CALL)


def can_view_session(user, object_id: str) -> bool:
    """Subscription check for ``runofshow.session.<id>`` (realtime registry)."""
    from runofshow.models import ShowSession

    if not (user and user.is_authenticated and user.has_perm(VIEW_SHOW_CALL)):
        return False
    return ShowSession.objects.filter(pk=int(object_id)).exists()
