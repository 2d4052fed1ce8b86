from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Real time"

    def ready(self):
        from realtime import signals

        # Sockets are closed when their user's rights shrink (realtime/signals.py).
        signals.connect()
