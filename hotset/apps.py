from django.apps import AppConfig


def can_view_session(user, object_id: str) -> bool:
    """May ``user`` follow ``hotset.session.<object_id>`` over /ws/? (view perm and the session exists)."""
    from hotset.models import HotSetSession

    if not (user and user.is_authenticated and user.has_perm("hotset.view_hotsetsession")):
        return False
    return HotSetSession.objects.filter(pk=int(object_id)).exists()


class HotsetConfig(AppConfig):
    name = "hotset"
    verbose_name = "Hot set"

    def ready(self):
        from realtime.registry import register_subscription

        register_subscription("hotset.session", can_view_session)
