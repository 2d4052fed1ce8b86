"""Who may see and call the show: the perms the views name in ``action_perms``, and who may
follow a show's socket group."""

from __future__ import annotations

from realtime import groups, registry

VIEW_SHOW_CALL = "runofshow.view_show_call"
MANAGE_SHOW_CALL = "runofshow.manage_show_call"


def rundown_perms(model_name: str) -> dict[str, tuple[str, ...]]:
    """A rundown model's CRUD: the show perm and the model's perm (reads need ``view_show_call``
    too, so a role without it learns nothing of a show, not even which ids exist)."""
    view = (VIEW_SHOW_CALL, f"runofshow.view_{model_name}")
    change = (VIEW_SHOW_CALL, f"runofshow.change_{model_name}")
    return {
        "list": view,
        "retrieve": view,
        "GET": view,
        "create": (VIEW_SHOW_CALL, f"runofshow.add_{model_name}"),
        "POST": (VIEW_SHOW_CALL, f"runofshow.add_{model_name}"),
        "update": change,
        "partial_update": change,
        "destroy": (VIEW_SHOW_CALL, f"runofshow.delete_{model_name}"),
    }


def can_view_session(user, object_id: str) -> bool:
    """Subscription check for ``runofshow.session.<id>``."""
    from runofshow.models import ShowSession

    if not (user and user.is_authenticated and user.has_perm(VIEW_SHOW_CALL)):
        return False
    return ShowSession.objects.filter(pk=int(object_id)).exists()


def stage_viewer(token: str):
    """The socket of a stage screen: it follows only its show's group and its link's own group."""
    from django.utils import timezone

    from runofshow import selectors, services

    link = selectors.open_viewer_link(token, now=timezone.now())
    if link is None:
        return None
    return registry.LinkViewer(
        [groups.object_group(groups.RUNOFSHOW_SESSION, link.session_id), services.viewer_link_group(link.pk)],
        expires_at=link.expires_at,
    )


def register_subscriptions() -> None:
    """Viewers of a show (``view_show_call``) may follow ``runofshow.session.<id>``; a viewer
    link's token opens a socket on that show's group alone."""
    from runofshow.services import VIEWER_TOKEN_PREFIX

    registry.register_subscription(groups.RUNOFSHOW_SESSION, can_view_session)
    registry.register_link_token(VIEWER_TOKEN_PREFIX, stage_viewer)
