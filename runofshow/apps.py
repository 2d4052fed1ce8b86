from django.apps import AppConfig


class RunofshowConfig(AppConfig):
    name = "runofshow"
    verbose_name = "Run of show"

    def ready(self):
        from realtime.registry import register_subscription
        from runofshow.permissions import can_view_session

        # Viewers of a show (view_show_call) may follow runofshow.session.<id>.
        register_subscription("runofshow.session", can_view_session)
