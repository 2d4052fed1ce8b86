import json

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from config.discovery import app_modules
from config.periodic import PeriodicJob


def all_periodic_jobs() -> list[PeriodicJob]:
    jobs: list[PeriodicJob] = []
    for module in app_modules("periodic"):
        jobs.extend(getattr(module, "PERIODIC_JOBS", []))
    return sorted(jobs, key=lambda job: job.name)


def setup_periodic_tasks() -> list[str]:
    """Creates or updates one django-celery-beat row per job of every app; idempotent.

    The schedule and task are reset to the code's; ``enabled`` is left as an
    admin may have set it.
    """
    names = []
    with transaction.atomic():
        for job in all_periodic_jobs():
            fields = {"task": job.task, "description": job.description, "kwargs": json.dumps({})}
            if job.every_seconds is not None:
                interval, _ = IntervalSchedule.objects.get_or_create(
                    every=job.every_seconds, period=IntervalSchedule.SECONDS
                )
                fields.update(interval=interval, crontab=None)
            else:
                crontab, _ = CrontabSchedule.objects.get_or_create(
                    minute=job.crontab.get("minute", "*"),
                    hour=job.crontab.get("hour", "*"),
                    day_of_week=job.crontab.get("day_of_week", "*"),
                    day_of_month=job.crontab.get("day_of_month", "*"),
                    month_of_year=job.crontab.get("month_of_year", "*"),
                    timezone="UTC",
                )
                fields.update(crontab=crontab, interval=None)
            PeriodicTask.objects.update_or_create(name=job.name, defaults=fields)
            names.append(job.name)
    return names


class Command(BaseCommand):
    help = "Creates / updates the periodic job schedules (django-celery-beat). Idempotent."

    def handle(self, *args, **options):
        for name in setup_periodic_tasks():
            self.stdout.write(f"scheduled {name}")
