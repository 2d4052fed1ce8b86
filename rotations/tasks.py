"""Celery tasks: thin wrappers that call the services."""

from celery import shared_task
from django.utils import timezone

from rotations import services


@shared_task(name="rotations.execute_run")
def execute_run(run_id: int) -> str:
    return services.execute_run(run_id=run_id, clock=timezone.now).status


@shared_task(name="rotations.nightly_auto_schedule")
def nightly_auto_schedule() -> int | None:
    run = services.nightly_auto_schedule(now=timezone.now(), clock=timezone.now)
    return run.pk if run else None


@shared_task(name="rotations.reap_crashed_runs")
def reap_crashed_runs() -> int:
    return services.reap_crashed_runs(now=timezone.now())


@shared_task(name="rotations.send_submission")
def send_submission(unit_id: int) -> str | None:
    return services.send_submission(unit_id=unit_id, clock=timezone.now)


@shared_task(name="rotations.send_pending_submissions")
def send_pending_submissions() -> int:
    return services.send_pending_submissions(clock=timezone.now)
