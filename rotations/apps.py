from django.apps import AppConfig


def can_view_run(user, object_id: str) -> bool:
    """Who may subscribe to ``rotations.run.<id>``: anyone who may view scheduler runs."""
    from rotations.models import SchedulerRun

    return user.has_perm("rotations.view_schedulerrun") and SchedulerRun.objects.filter(pk=int(object_id)).exists()


class RotationsConfig(AppConfig):
    name = "rotations"
    verbose_name = "Rotations"

    def ready(self):
        from realtime import registry
        from rotations.events import RUN_GROUP_PREFIX

        registry.register_subscription(RUN_GROUP_PREFIX, can_view_run)
