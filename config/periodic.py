"""Periodic jobs (SPEC §7). Each app lists its own in ``<app>/periodic.py``::

    PERIODIC_JOBS = [PeriodicJob(name="hotset.auto_start_sessions", task="hotset.auto_start_sessions",
                                 every_seconds=60)]

``setup_periodic_tasks`` turns them into django-celery-beat rows (editable in the admin).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    every_seconds: int | None = None
    # crontab fields, e.g. {"minute": "0", "hour": "2"} for nightly at 02:00 UTC
    crontab: dict[str, str] | None = None
    description: str = ""

    def __post_init__(self):
        if (self.every_seconds is None) == (self.crontab is None):
            raise ValueError(f"{self.name}: give exactly one of every_seconds or crontab")
