from django.apps import AppConfig


class RotationsConfig(AppConfig):
    name = "rotations"
    verbose_name = "Rotations"

    def ready(self):
        from rotations.permissions import register_subscriptions

        register_subscriptions()
