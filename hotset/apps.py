from django.apps import AppConfig


def _can_follow(user, object_id: str, *perms: str) -> bool:
    from hotset.models import HotSetSession

    if not (user and user.is_authenticated and user.has_perms(("hotset.view_hotsetsession", *perms))):
        return False
    return HotSetSession.objects.filter(pk=int(object_id)).exists()


def can_view_session(user, object_id: str) -> bool:
    """May ``user`` follow ``hotset.session.<object_id>`` over /ws/? (view perm and the session exists).

    Every event on that group is one the session's viewers (the crew included) may read over REST.
    """
    return _can_follow(user, object_id)


def can_view_session_settings(user, object_id: str) -> bool:
    """``hotset.session-settings.<id>``: the project's settings changes, for those who may read them."""
    return _can_follow(user, object_id, "hotset.view_hotsetsettings")


def can_view_session_suggestions(user, object_id: str) -> bool:
    """``hotset.session-suggestions.<id>``: the catch-up suggestions, for those who may read them."""
    return _can_follow(user, object_id, "hotset.view_suggestion")


class HotsetConfig(AppConfig):
    name = "hotset"
    verbose_name = "Hot set"

    def ready(self):
        from realtime.registry import register_subscription

        register_subscription("hotset.session", can_view_session)
        register_subscription("hotset.session-settings", can_view_session_settings)
        register_subscription("hotset.session-suggestions", can_view_session_suggestions)
