"""Constants and helpers the hot set services share (locks, the order rules' checks)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Max

from config.errors import Conflict
from hotset.models import (
    HotSetSession,
    ScheduleItem,
)

logger = logging.getLogger(__name__)

Status = HotSetSession.Status
ItemStatus = ScheduleItem.Status

PROJECTION_COALESCE = timedelta(seconds=5)
# A delayed send that has not happened this long after it was due is taken as lost
# (no worker, broker down): the next change publishes at once instead of waiting forever.
PROJECTION_STALE_AFTER = timedelta(seconds=60)
# Positions are moved out of the way through this offset so the unique
# (session, position) constraint holds after every statement.
_POSITION_OFFSET = 1_000_000

# Who hears about a session starting: the roles that run or watch the day, and the crew
# when the project says so.
NOTIFIED_ROLES = ("first_ad", "production_manager", "producer", "director")
CREW_ROLE = "crew"

SETTINGS_FIELDS = (
    "auto_start_enabled",
    "auto_start_minutes_before_call",
    "notifications_enabled",
    "notify_minutes_before_call",
    "notify_crew_on_auto_start",
    "suggestion_trigger_minutes_behind",
    "suggestion_trigger_meal_penalty_minutes",
    "suggestion_trigger_wrap_extension_minutes",
    "default_schedule_view",
    "meal_due_hours_after_call",
    "meal_minutes",
    "grace_minutes",
    "meal_penalty_interval_minutes",
    "max_day_hours",
    "turnaround_hours",
)
PROJECT_EDITABLE_FIELDS = ("name", "timezone")
DAY_EDITABLE_FIELDS = (
    "project",
    "date",
    "day_number",
    "general_call_time",
    "planned_wrap",
    "extended_wrap",
    "location",
    "notes",
)
ITEM_EDITABLE_FIELDS = (
    "kind",
    "block_type",
    "title",
    "scene_number",
    "set_name",
    "location",
    "int_ext",
    "day_night",
    "description",
    "pages_eighths",
    "setups",
    "planned_start",
    "planned_duration_minutes",
    "notes",
)


def _lock_session(session_id: int) -> HotSetSession:
    """The session row, locked for the rest of the transaction (serializes actions on a day)."""
    return (
        HotSetSession.objects.select_for_update(of=("self",))
        .select_related("production_day__project")
        .get(pk=session_id)
    )


def _lock_item(item: ScheduleItem) -> tuple[HotSetSession, ScheduleItem]:
    session = _lock_session(item.session_id)
    return session, ScheduleItem.objects.get(pk=item.pk)


def _not_wrapped(session: HotSetSession) -> None:
    if session.status == Status.WRAPPED:
        raise Conflict("The day is wrapped; its schedule can no longer change.")


def _latest_actual(session_id: int) -> datetime | None:
    """The latest moment logged on the session's items (an end, or a start still running)."""
    agg = ScheduleItem.objects.filter(session_id=session_id).aggregate(end=Max("actual_end"), start=Max("actual_start"))
    moments = [m for m in (agg["end"], agg["start"]) if m is not None]
    return max(moments) if moments else None


def _fmt(moment: datetime, session: HotSetSession) -> str:
    return moment.astimezone(session.production_day.project.tzinfo).strftime("%H:%M")


def _begin_session(session: HotSetSession, *, at: datetime, auto: bool = False) -> None:
    """not_started → in_progress (no event; callers publish)."""
    session.status = Status.IN_PROGRESS
    session.started_at = at
    session.auto_started = auto
    session.save(update_fields=["status", "started_at", "auto_started"])
