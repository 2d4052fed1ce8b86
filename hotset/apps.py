from django.apps import AppConfig


class HotsetConfig(AppConfig):
    name = "hotset"
    verbose_name = "Hot set"

    def ready(self):
        from hotset.permissions import register_subscriptions

        register_subscriptions()
