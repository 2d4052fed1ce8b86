"""Celery tasks: thin wrappers that call the services."""

from celery import shared_task
from django.utils import timezone

from publishing import services

# A run stops claiming after this long so runs stay short; the next minute's run carries on.
DISPATCH_TIME_BUDGET_SECONDS = 50


@shared_task(name="publishing.dispatch_due_posts")
def dispatch_due_posts() -> dict:
    report = services.dispatch_due_posts(clock=timezone.now, time_budget_seconds=DISPATCH_TIME_BUDGET_SECONDS)
    return {"claimed": report.claimed, "completed": report.completed, "retrying": report.retrying,
            "failed": report.failed}  # fmt: skip


@shared_task(name="publishing.reclaim_stale_posts")
def reclaim_stale_posts() -> int:
    return services.reclaim_stale_posts(now=timezone.now())
