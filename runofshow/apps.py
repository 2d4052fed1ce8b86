from django.apps import AppConfig


class RunofshowConfig(AppConfig):
    name = "runofshow"
    verbose_name = "Run of show"

    def ready(self):
        from runofshow.permissions import register_subscriptions

        register_subscriptions()
