"""The Celery app (``celery -A config worker|beat``).

Tasks subclass :class:`SetdeskTask`: under a real broker they behave like any
Celery task; in the embedded default (no broker, ``EMBEDDED_JOBS``) ``.delay()``
hands the call to the in-process runner of the ASGI server (config/embedded.py),
or runs it inline when no runner is up (a management command, a shell).
"""

import os

from celery import Celery, Task, signals

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


def freeze_heap_before_fork(**_kwargs) -> None:
    """Moves everything the parent has built (Django, the apps, their modules) out of the
    garbage collector's reach before the prefork pool forks its children. Without it, each
    child's first full collection walks every inherited object and so copies every page it
    shares with the parent (copy-on-write): a pause measured at a third of the dispatcher's
    throughput in bench/publishing_dispatch.py, depending only on how much the parent had
    imported. What is frozen is never collected, which is right for objects that live as
    long as the process anyway."""
    import gc

    gc.collect()
    gc.freeze()


# In the worker's main process, before the pool starts (and forks).
signals.worker_init.connect(freeze_heap_before_fork, weak=False)
