"""The Celery app (``celery -A config worker|beat``).

Tasks subclass :class:`SetdeskTask`: under a real broker they behave like any
Celery task; in the embedded default (no broker, ``EMBEDDED_JOBS``) ``.delay()``
hands the call to the in-process runner of the ASGI server (config/embedded.py),
or runs it inline when no runner is up (a management command, a shell).
"""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class SetdeskTask(Task):
    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, **options):
        from django.conf import settings

        if getattr(settings, "EMBEDDED_JOBS", False):
            from config import embedded

            return embedded.submit(self, args or (), kwargs or {}, options)
        return super().apply_async(args, kwargs, task_id, producer, link, link_error, **options)


app = Celery("config", task_cls=SetdeskTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
