from celery import shared_task
from django.utils import timezone

from realtime import services


@shared_task(name="realtime.prune_event_log")
def prune_event_log() -> int:
    return services.prune_event_log(now=timezone.now())
