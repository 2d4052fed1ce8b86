"""Builders and helpers for the hot set tests (through the services, so test data obeys the
rules): the test day in London, local times, and a scene or block at the end of a session."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

from django.utils import timezone

from hotset import services
from hotset.models import ScheduleItem

LONDON = zoneinfo.ZoneInfo("Europe/London")
DAY = date(2025, 6, 10)  # BST: London = UTC+1


def local(hhmm: str, day: date = DAY) -> datetime:
    """An aware datetime at ``hhmm`` London time on the test day."""
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=LONDON)


def build_item(session, minutes: int, kind: str = "scene", **fields) -> ScheduleItem:
    """A pending item of ``minutes`` at the end of ``session`` (a block gets ``custom`` unless told)."""
    values = {"kind": kind, "planned_duration_minutes": minutes, **fields}
    if kind == "block":
        values.setdefault("block_type", "custom")
    return services.add_item(session=session, values=values, now=timezone.now())


def refresh(obj):
    obj.refresh_from_db()
    return obj


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def item_statuses(session) -> list[str]:
    return list(ScheduleItem.objects.filter(session=session).order_by("position").values_list("status", flat=True))
