"""Every write of the hot set: one function per use case, keyword-only, atomic.

Services know nothing of HTTP or permissions (the API and the admin check those);
they enforce the order rules with ``Conflict`` (409) and bad input with
``InvalidInput`` (400), and publish ``hotset.*`` events inside their transaction
(sent after commit). Every change to a session's schedule ends with
``request_projection_update``, which coalesces ``hotset.projection.updated`` to at
most one per session per ``PROJECTION_COALESCE``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max

from config.errors import Conflict, InvalidInput
from config.services import model_update
from config.tasks import enqueue_on_commit
from hotset import events, selectors, suggestions
from hotset.models import (
    HotSetSession,
    HotSetSettings,
    Notification,
    ProductionDay,
    Project,
    ProjectionThrottle,
    SceneMove,
    ScheduleItem,
    Suggestion,
)
from hotset.timeline import minutes
from realtime.groups import role_group, user_group

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
    "description",
    "pages_eighths",
    "setups",
    "planned_start",
    "planned_duration_minutes",
    "notes",
)


# --- helpers ------------------------------------------------------------------------------


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


# --- projects, settings, days ------------------------------------------------------------


@transaction.atomic
def create_project(*, name: str, timezone_name: str = "UTC") -> Project:
    """A project and its hot set settings (the defaults)."""
    project = Project.objects.create(name=name, timezone=timezone_name)
    HotSetSettings.objects.create(project=project)
    return project


@transaction.atomic
def update_project(*, project: Project, **changes) -> Project:
    """Renames a project or changes its time zone."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    model_update(instance=project, fields=PROJECT_EDITABLE_FIELDS, data=changes)
    return project


@transaction.atomic
def delete_project(*, project: Project) -> None:
    """Deletes a project with its days, unless one of its days has started: that history stays (409)."""
    if HotSetSession.objects.filter(production_day__project=project).exclude(status=Status.NOT_STARTED).exists():
        raise Conflict("The project has hot set sessions that started; their history stays.")
    project.delete()


@transaction.atomic
def update_settings(*, project: Project, **changes) -> HotSetSettings:
    """Changes the project's hot set settings (validated by the caller) and tells open sessions."""
    settings = selectors.settings_for(project)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise InvalidInput(errors={name: ["Unknown setting."] for name in sorted(unknown)})
    model_update(instance=settings, fields=SETTINGS_FIELDS, data=changes)
    payload = {"project_id": project.pk, **{name: getattr(settings, name) for name in SETTINGS_FIELDS}}
    open_sessions = HotSetSession.objects.filter(production_day__project=project).exclude(status=Status.WRAPPED)
    session_ids = list(open_sessions.values_list("pk", flat=True))
    if session_ids:
        for session_id in session_ids:
            events.publish(events.SETTINGS_UPDATED, {**payload, "session_id": session_id}, session_id=session_id)
    else:
        events.publish(events.SETTINGS_UPDATED, payload, session_id=None)
    return settings


@transaction.atomic
def create_production_day(
    *,
    project: Project,
    date: date,
    day_number: int,
    general_call_time: datetime,
    planned_wrap: datetime | None = None,
    location: str = "",
    notes: str = "",
) -> ProductionDay:
    return ProductionDay.objects.create(
        project=project,
        date=date,
        day_number=day_number,
        general_call_time=general_call_time,
        planned_wrap=planned_wrap,
        location=location,
        notes=notes,
    )


@transaction.atomic
def update_production_day(*, day: ProductionDay, now: datetime, **changes) -> ProductionDay:
    """Changes a shoot day; the call time of a wrapped day is history and stays."""
    day = ProductionDay.objects.select_for_update().get(pk=day.pk)
    session = HotSetSession.objects.filter(production_day=day).first()
    timing = {"general_call_time", "planned_wrap", "extended_wrap", "date"} & set(changes)
    if session is not None and session.status == Status.WRAPPED and timing:
        raise Conflict("The day is wrapped; its call and wrap times are history.")
    model_update(instance=day, fields=DAY_EDITABLE_FIELDS, data=changes)
    if session is not None:
        events.publish(events.DAY_UPDATED, events.day_updated_payload(session, day), session_id=session.pk)
        if timing:
            request_projection_update(session_id=session.pk, now=now)
    return day


@transaction.atomic
def delete_production_day(*, day: ProductionDay) -> None:
    session = HotSetSession.objects.filter(production_day=day).first()
    if session is not None and session.status != Status.NOT_STARTED:
        raise Conflict("The day's hot set session has started; the day cannot be deleted.")
    day.delete()


# --- sessions ---------------------------------------------------------------------------


@transaction.atomic
def create_session(
    *,
    production_day: ProductionDay,
    user=None,
    auto_start: bool | None = None,
    auto_start_minutes: int | None = None,
) -> HotSetSession:
    """The hot set session of a day (one per day, 409 for a second).

    ``auto_start`` / ``auto_start_minutes`` update the project's settings.
    """
    day = ProductionDay.objects.select_for_update().select_related("project").get(pk=production_day.pk)
    if HotSetSession.objects.filter(production_day=day).exists():
        raise Conflict("This production day already has a hot set session.", errors={"production_day": ["Taken."]})
    changes = {}
    if auto_start is not None:
        changes["auto_start_enabled"] = auto_start
    if auto_start_minutes is not None:
        changes["auto_start_minutes_before_call"] = auto_start_minutes
    if changes:
        update_settings(project=day.project, **changes)
    else:
        selectors.settings_for(day.project)
    session = HotSetSession.objects.create(production_day=day, created_by=user)
    ProjectionThrottle.objects.create(session=session)
    events.publish(events.SESSION_CREATED, events.session_payload(session), session_id=session.pk)
    return session


@transaction.atomic
def delete_session(*, session: HotSetSession) -> None:
    session = _lock_session(session.pk)
    if session.status != Status.NOT_STARTED:
        raise Conflict("Only a session that has not started can be deleted.")
    session_id = session.pk
    session.delete()
    events.publish(events.SESSION_DELETED, {"session_id": session_id}, session_id=session_id)


@transaction.atomic
def start_session(*, session: HotSetSession, user=None, at: datetime, now: datetime) -> HotSetSession:
    """not_started → in_progress (by hand; the periodic job does it with ``auto_start_sessions``)."""
    session = _lock_session(session.pk)
    _not_wrapped(session)
    if session.status != Status.NOT_STARTED:
        raise Conflict("The session has already started.")
    _begin_session(session, at=at)
    events.publish(events.SESSION_STARTED, events.session_payload(session), session_id=session.pk)
    request_projection_update(session_id=session.pk, now=now)
    return session


def _first_pending(session_id: int, block_type: str | None = None) -> ScheduleItem | None:
    qs = ScheduleItem.objects.filter(session_id=session_id, status=ItemStatus.PENDING).order_by("position")
    item = qs.first()
    if item is None or (block_type is not None and item.block_type != block_type):
        return None
    return item


def _in_progress(session_id: int) -> ScheduleItem | None:
    return ScheduleItem.objects.filter(session_id=session_id, status=ItemStatus.IN_PROGRESS).first()


@transaction.atomic
def confirm_crew_call(*, session: HotSetSession, user, at: datetime, now: datetime) -> HotSetSession:
    """The 1st AD confirms the crew is in: starts the day if needed and a leading crew-call block.

    Order rule: once per day, before first shot; not on a wrapped day (409).
    """
    session = _lock_session(session.pk)
    _not_wrapped(session)
    if session.crew_call_confirmed_at is not None:
        raise Conflict("Crew call is already confirmed.")
    latest = _latest_actual(session.pk)
    if latest is not None and at < latest:
        raise Conflict("Crew call cannot be before work already logged.", errors={"at": ["Before logged work."]})
    if session.status == Status.NOT_STARTED:
        _begin_session(session, at=at)
        events.publish(events.SESSION_STARTED, events.session_payload(session), session_id=session.pk)
    elif session.started_at and at < session.started_at:
        session.started_at = at
    session.crew_call_confirmed_at = at
    session.crew_call_confirmed_by = user
    session.save()
    block = _first_pending(session.pk, ScheduleItem.BlockType.CREW_CALL)
    if block is not None and _in_progress(session.pk) is None:
        _start(block, at=at, session=session)
    events.publish(events.CREW_CALL_CONFIRMED, events.session_payload(session), session_id=session.pk)
    request_projection_update(session_id=session.pk, now=now)
    return session


@transaction.atomic
def confirm_first_shot(*, session: HotSetSession, user, at: datetime, now: datetime) -> HotSetSession:
    """The 1st AD confirms cameras roll: ends a running crew-call block, ticks a leading
    first-shot marker and starts the first scene.

    Order rules (409): crew call confirmed first, first shot not before it, once per day,
    not on a wrapped day.
    """
    session = _lock_session(session.pk)
    _not_wrapped(session)
    if session.crew_call_confirmed_at is None:
        raise Conflict("Confirm crew call before first shot.")
    if session.first_shot_confirmed_at is not None:
        raise Conflict("First shot is already confirmed.")
    if at < session.crew_call_confirmed_at:
        raise Conflict("First shot cannot be before crew call.", errors={"at": ["Before crew call."]})
    running = _in_progress(session.pk)
    if running is not None and running.block_type == ScheduleItem.BlockType.CREW_CALL:
        if at < running.actual_start:
            raise Conflict("First shot cannot be before the crew call block started.", errors={"at": ["Too early."]})
        _complete(running, at=at, session=session)
        running = None
    latest = _latest_actual(session.pk)
    if latest is not None and at < latest:
        raise Conflict("First shot cannot be before work already logged.", errors={"at": ["Before logged work."]})
    session.first_shot_confirmed_at = at
    session.first_shot_confirmed_by = user
    session.save(update_fields=["first_shot_confirmed_at", "first_shot_confirmed_by"])
    if running is None:
        marker = _first_pending(session.pk, ScheduleItem.BlockType.FIRST_SHOT)
        if marker is not None:
            _start(marker, at=at, session=session)
            _complete(marker, at=at, session=session)
        scene = _first_pending(session.pk)
        if scene is not None and scene.kind == ScheduleItem.Kind.SCENE:
            _start(scene, at=at, session=session)
    events.publish(events.FIRST_SHOT_CONFIRMED, events.session_payload(session), session_id=session.pk)
    request_projection_update(session_id=session.pk, now=now)
    return session


@transaction.atomic
def wrap_session(*, session: HotSetSession, user=None, at: datetime, now: datetime) -> HotSetSession:
    """Wraps the day: completes the item still in progress at ``at``; pending items stay not shot.

    Order rules (409): the day must be in progress; ``at`` not before logged work.
    """
    session = _lock_session(session.pk)
    _not_wrapped(session)
    if session.status != Status.IN_PROGRESS:
        raise Conflict("Only a day in progress can be wrapped.")
    latest = _latest_actual(session.pk)
    if (latest is not None and at < latest) or (session.started_at and at < session.started_at):
        raise Conflict("Wrap cannot be before work already logged.", errors={"at": ["Before logged work."]})
    running = _in_progress(session.pk)
    if running is not None:
        _complete(running, at=at, session=session)
    session.status = Status.WRAPPED
    session.wrapped_at = at
    session.save(update_fields=["status", "wrapped_at"])
    events.publish(events.SESSION_WRAPPED, events.session_payload(session), session_id=session.pk)
    request_projection_update(session_id=session.pk, now=now)
    return session


# --- schedule items ---------------------------------------------------------------------


def _validate_item_fields(values: dict) -> None:
    kind = values.get("kind")
    block_type = values.get("block_type") or ""
    if kind == ScheduleItem.Kind.SCENE and block_type:
        raise InvalidInput(errors={"block_type": ["A scene has no block type."]})
    if kind == ScheduleItem.Kind.BLOCK and not block_type:
        raise InvalidInput(errors={"block_type": ["A block needs a block type."]})


@transaction.atomic
def add_item(*, session: HotSetSession, values: dict, position: int | None = None, now: datetime) -> ScheduleItem:
    """Adds a scene or block at the end, or before the item now at index ``position``."""
    session = _lock_session(session.pk)
    _not_wrapped(session)
    unknown = set(values) - set(ITEM_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(errors={name: ["Not editable."] for name in sorted(unknown)})
    values = {"block_type": "", **values}
    _validate_item_fields(values)
    ordered = list(ScheduleItem.objects.filter(session=session).order_by("position").values_list("position", flat=True))
    if position is None or position >= len(ordered):
        new_position = (ordered[-1] + 1) if ordered else 0
    else:
        new_position = ordered[max(position, 0)]
        shifting = ScheduleItem.objects.filter(session=session, position__gte=new_position)
        shifting.update(position=F("position") + _POSITION_OFFSET)
        shifting = ScheduleItem.objects.filter(session=session, position__gte=_POSITION_OFFSET)
        shifting.update(position=F("position") - _POSITION_OFFSET + 1)
    item = ScheduleItem.objects.create(session=session, position=new_position, **values)
    events.publish(events.ITEM_CREATED, events.item_payload(item), session_id=session.pk)
    request_projection_update(session_id=session.pk, now=now)
    return item


@transaction.atomic
def update_item(*, item: ScheduleItem, now: datetime, **changes) -> ScheduleItem:
    """Edits an item's plan and description; status and actuals change only through actions."""
    session, item = _lock_item(item)
    _not_wrapped(session)
    unknown = set(changes) - set(ITEM_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(errors={name: ["Not editable."] for name in sorted(unknown)})
    merged = {"kind": item.kind, "block_type": item.block_type, **changes}
    if merged["kind"] == ScheduleItem.Kind.SCENE and "block_type" not in changes:
        merged["block_type"] = ""
    _validate_item_fields(merged)
    if item.is_partial and merged["kind"] != ScheduleItem.Kind.SCENE:
        raise Conflict("A partly shot scene stays a scene.")
    model_update(instance=item, fields=ITEM_EDITABLE_FIELDS, data=merged)
    events.publish(events.ITEM_UPDATED, events.item_payload(item), session_id=session.pk)
    request_projection_update(session_id=session.pk, now=now)
    return item


@transaction.atomic
def delete_item(*, item: ScheduleItem, now: datetime) -> None:
    """Removes a pending item (what happened stays on record: 409 otherwise)."""
    session, item = _lock_item(item)
    _not_wrapped(session)
    if item.status != ItemStatus.PENDING:
        raise Conflict("Only a pending item can be deleted; skip it instead.")
    payload = events.item_payload(item)
    item.delete()
    events.publish(events.ITEM_DELETED, payload, session_id=session.pk)
    request_projection_update(session_id=session.pk, now=now)


@transaction.atomic
def reorder_items(*, session: HotSetSession, item_ids: list[int], now: datetime) -> list[ScheduleItem]:
    """Puts the session's items in the order of ``item_ids`` (every item, once).

    Items already started, done or skipped keep their places (409 otherwise): only
    pending work moves.
    """
    session = _lock_session(session.pk)
    _not_wrapped(session)
    items = list(ScheduleItem.objects.filter(session=session).order_by("position"))
    current_ids = [item.pk for item in items]
    if len(item_ids) != len(set(item_ids)):
        raise InvalidInput(errors={"item_ids": ["Each item may appear only once."]})
    if set(item_ids) != set(current_ids):
        missing = sorted(set(current_ids) - set(item_ids))
        foreign = sorted(set(item_ids) - set(current_ids))
        messages = []
        if missing:
            messages.append(f"Missing items: {missing}.")
        if foreign:
            messages.append(f"Not items of this session: {foreign}.")
        raise InvalidInput(errors={"item_ids": messages})
    by_id = {item.pk: item for item in items}
    for index, item_id in enumerate(item_ids):
        item = by_id[item_id]
        if item.status != ItemStatus.PENDING and current_ids[index] != item_id:
            raise Conflict(f"{item.label} is {item.get_status_display().lower()}; it keeps its place.")
    if item_ids != current_ids:
        ScheduleItem.objects.filter(session=session).update(position=F("position") + _POSITION_OFFSET)
        for index, item_id in enumerate(item_ids):
            by_id[item_id].position = index
        ScheduleItem.objects.bulk_update(items, ["position"])
        events.publish(events.ITEMS_REORDERED, {"session_id": session.pk, "item_ids": item_ids}, session_id=session.pk)
        request_projection_update(session_id=session.pk, now=now)
    return sorted(items, key=lambda item: item.position)


def _start(item: ScheduleItem, *, at: datetime, session: HotSetSession) -> None:
    item.status = ItemStatus.IN_PROGRESS
    item.actual_start = at
    item.save(update_fields=["status", "actual_start", "updated_at"])
    events.publish(events.ITEM_STARTED, events.item_payload(item), session_id=session.pk)


def _complete(item: ScheduleItem, *, at: datetime, session: HotSetSession, partial: bool = False) -> None:
    item.status = ItemStatus.COMPLETED
    item.actual_end = at
    item.is_partial = partial
    item.save(update_fields=["status", "actual_end", "is_partial", "updated_at"])
    events.publish(events.ITEM_COMPLETED, events.item_payload(item), session_id=session.pk)


@transaction.atomic
def start_item(*, item: ScheduleItem, user=None, at: datetime, now: datetime) -> ScheduleItem:
    """Starts a pending item (and the day, if it had not started).

    Order rules (409): one item at most in progress; only a pending item starts; not
    before work already logged; not on a wrapped day.
    """
    session, item = _lock_item(item)
    _not_wrapped(session)
    if item.status != ItemStatus.PENDING:
        raise Conflict(f"Only a pending item can start; this one is {item.get_status_display().lower()}.")
    running = _in_progress(session.pk)
    if running is not None:
        raise Conflict(f"{running.label} is still in progress; complete or skip it first.")
    latest = _latest_actual(session.pk)
    if latest is not None and at < latest:
        raise Conflict(
            f"Cannot start at {_fmt(at, session)}: work is logged until {_fmt(latest, session)}.",
            errors={"at": ["Before work already logged."]},
        )
    if session.status == Status.NOT_STARTED:
        _begin_session(session, at=at)
        events.publish(events.SESSION_STARTED, events.session_payload(session), session_id=session.pk)
    _start(item, at=at, session=session)
    request_projection_update(session_id=session.pk, now=now)
    return item


@transaction.atomic
def complete_item(*, item: ScheduleItem, user=None, at: datetime, now: datetime, partial: bool = False) -> ScheduleItem:
    """Completes the item in progress; a scene may be completed as ``partial``.

    Order rules (409): only the item in progress completes (not a pending one); ``at`` not
    before it started. ``partial`` on a block is bad input (400).
    """
    session, item = _lock_item(item)
    _not_wrapped(session)
    if partial and item.kind != ScheduleItem.Kind.SCENE:
        raise InvalidInput(errors={"partial": ["Only a scene can be completed in part."]})
    if item.status != ItemStatus.IN_PROGRESS:
        raise Conflict(f"Only the item in progress can be completed; this one is {item.get_status_display().lower()}.")
    if at < item.actual_start:
        raise Conflict(
            f"Cannot end at {_fmt(at, session)}: it started at {_fmt(item.actual_start, session)}.",
            errors={"at": ["Before the item started."]},
        )
    _complete(item, at=at, session=session, partial=partial)
    request_projection_update(session_id=session.pk, now=now)
    return item


@transaction.atomic
def skip_item(*, item: ScheduleItem, user=None, at: datetime, now: datetime) -> ScheduleItem:
    """Skips a pending item (it takes no time in the projection). 409 for any other status."""
    session, item = _lock_item(item)
    _not_wrapped(session)
    if item.status != ItemStatus.PENDING:
        raise Conflict(f"Only a pending item can be skipped; this one is {item.get_status_display().lower()}.")
    item.status = ItemStatus.SKIPPED
    item.skipped_at = at
    item.save(update_fields=["status", "skipped_at", "updated_at"])
    events.publish(events.ITEM_SKIPPED, events.item_payload(item), session_id=session.pk)
    request_projection_update(session_id=session.pk, now=now)
    return item


# --- auto-start and notifications --------------------------------------------------------


def _recipients(settings: HotSetSettings) -> tuple[list[str], list]:
    roles = list(NOTIFIED_ROLES)
    if settings.notify_crew_on_auto_start:
        roles.append(CREW_ROLE)
    users = list(
        get_user_model()
        .objects.filter(groups__name__in=roles, is_active=True)
        .distinct()
        .order_by("pk")
        .only("pk", "username")
    )
    return roles, users


def _notify(
    *, session: HotSetSession, settings: HotSetSettings, kind: str, now: datetime, message: str
) -> Notification | None:
    """Records and sends one notification of ``kind`` for the session, once ever (dedupe key)."""
    dedupe_key = f"session:{session.pk}:{kind}"
    if Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    roles, users = _recipients(settings)
    day = session.production_day
    payload = {
        "session_id": session.pk,
        "project_id": day.project_id,
        "kind": kind,
        "message": message,
        "general_call_time": day.general_call_time.astimezone(day.project.tzinfo).isoformat(),
    }
    notification = Notification.objects.create(
        project_id=day.project_id,
        session=session,
        kind=kind,
        recipient_roles=roles,
        sent_at=now,
        payload=payload,
        dedupe_key=dedupe_key,
    )
    notification.recipients.set(users)
    groups: list[str] = [user_group(user.pk) for user in users]
    if CREW_ROLE in roles:
        groups.append(role_group(CREW_ROLE))
    events.publish(
        events.NOTIFICATION,
        {**payload, "notification_id": notification.pk, "sent_at": now.isoformat()},
        session_id=session.pk,
        extra_groups=groups,
    )
    return notification


def _due_sessions(now: datetime, *, lead_field: str, statuses: Iterable[str], switch: str) -> list[int]:
    """Sessions of projects with the setting ``switch`` on whose call − ``lead_field`` minutes has
    passed, still today."""
    horizon = now + timedelta(minutes=1440)
    rows = HotSetSession.objects.filter(
        status__in=list(statuses),
        **{f"production_day__project__hotset_settings__{switch}": True},
        production_day__general_call_time__lte=horizon,
        production_day__general_call_time__gte=now - timedelta(hours=24),
    ).values_list(
        "pk",
        "production_day__general_call_time",
        f"production_day__project__hotset_settings__{lead_field}",
        "production_day__project__hotset_settings__max_day_hours",
    )
    due = []
    for session_id, call, lead_minutes, max_day_hours in rows:
        # Not for a day long over: only from the lead time until the day's maximum length.
        if call - timedelta(minutes=lead_minutes) <= now < call + timedelta(hours=max_day_hours):
            due.append(session_id)
    return due


def _locked_if_free(session_id: int, statuses: Iterable[str]) -> HotSetSession | None:
    """The session locked, or None when another run holds it or it has moved on."""
    return (
        HotSetSession.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("production_day__project__hotset_settings")
        .filter(pk=session_id, status__in=list(statuses))
        .first()
    )


def auto_start_sessions(*, now: datetime) -> list[int]:
    """The periodic job: starts every not-started session of an auto-start project whose call
    minus the project's minutes has passed, marks it ``auto_started`` and records and sends the
    notifications; also sends the pre-call reminder ``notify_minutes_before_call`` ahead (whenever
    notifications are on, auto-start or not).

    Idempotent under overlapping runs: each session is handled in its own transaction under a
    skip-locked row lock, re-checked once locked, and notifications carry a unique dedupe key.
    Projects with auto-start off are left alone. Returns the ids of the sessions started.
    """
    started = []
    auto_start_due = _due_sessions(
        now, lead_field="auto_start_minutes_before_call", statuses=[Status.NOT_STARTED], switch="auto_start_enabled"
    )
    for session_id in auto_start_due:
        with transaction.atomic():
            session = _locked_if_free(session_id, [Status.NOT_STARTED])
            if session is None:
                continue
            settings = session.production_day.project.hotset_settings
            if not settings.auto_start_enabled:
                continue
            _begin_session(session, at=now, auto=True)
            events.publish(events.SESSION_STARTED, events.session_payload(session), session_id=session.pk)
            if settings.notifications_enabled:
                call = _fmt(session.production_day.general_call_time, session)
                _notify(
                    session=session,
                    settings=settings,
                    kind=Notification.Kind.AUTO_STARTED,
                    now=now,
                    message=f"Hot set is live for {session.production_day}. Crew call at {call}.",
                )
            request_projection_update(session_id=session.pk, now=now)
            started.append(session.pk)
    open_statuses = [Status.NOT_STARTED, Status.IN_PROGRESS]
    # The reminder follows the notifications switch alone: a day started by hand is reminded too.
    reminder_due = _due_sessions(
        now, lead_field="notify_minutes_before_call", statuses=open_statuses, switch="notifications_enabled"
    )
    for session_id in reminder_due:
        with transaction.atomic():
            session = _locked_if_free(session_id, open_statuses)
            if session is None:
                continue
            settings = session.production_day.project.hotset_settings
            call_time = session.production_day.general_call_time
            if not settings.notifications_enabled or now >= call_time:
                continue
            # A session the job only reached after its auto-start time: that notice said it all.
            if Notification.objects.filter(session=session, kind=Notification.Kind.AUTO_STARTED).exists():
                continue
            _notify(
                session=session,
                settings=settings,
                kind=Notification.Kind.PRE_CALL,
                now=now,
                message=f"Crew call at {_fmt(call_time, session)} ({minutes(call_time - now)} min).",
            )
    return started


# --- coalesced projection updates ---------------------------------------------------------


def _publish_projection(session_id: int, now: datetime) -> None:
    summary = selectors.projection_summary(selectors.projection(session_id, now=now))
    events.publish(events.PROJECTION_UPDATED, summary, session_id=session_id)


# Set while a service makes several schedule changes as one (applying a suggestion): the
# suggestions are regenerated once, at its end, instead of after each change.
_suggestions_deferred: ContextVar[bool] = ContextVar("hotset_suggestions_deferred", default=False)


@contextmanager
def _one_regeneration():
    token = _suggestions_deferred.set(True)
    try:
        yield
    finally:
        _suggestions_deferred.reset(token)


def request_projection_update(*, session_id: int, now: datetime) -> str:
    """Publishes ``hotset.projection.updated`` for the session now, or schedules one, and
    regenerates the session's suggestions (every schedule change ends here: reading them
    never writes).

    At most one per session per PROJECTION_COALESCE: inside the window the first change
    schedules a delayed send (a Celery task with a countdown) that recomputes the latest
    projection when it runs — so the last change wins — and further changes ride on it.
    Returns "sent", "scheduled" or "coalesced". Call inside the change's transaction.
    """
    if not _suggestions_deferred.get():
        regenerate_suggestions(session=HotSetSession(pk=session_id), now=now)
    ProjectionThrottle.objects.bulk_create([ProjectionThrottle(session_id=session_id)], ignore_conflicts=True)
    throttle = ProjectionThrottle.objects.select_for_update().get(session_id=session_id)
    if throttle.pending_due_at is not None and now < throttle.pending_due_at + PROJECTION_STALE_AFTER:
        return "coalesced"
    last = throttle.last_sent_at
    if last is None or now - last >= PROJECTION_COALESCE or now < last:
        _publish_projection(session_id, now)
        throttle.last_sent_at = now
        throttle.pending_due_at = None
        throttle.save(update_fields=["last_sent_at", "pending_due_at"])
        return "sent"
    due = throttle.last_sent_at + PROJECTION_COALESCE
    throttle.pending_due_at = due
    throttle.save(update_fields=["pending_due_at"])
    countdown = max((due - now).total_seconds(), 0.0)
    from hotset.tasks import send_projection_update

    # A broker that cannot take the delayed send (down, frozen) must not fail nor hold the
    # committed change: the latest projection is then published at once instead.
    enqueue_on_commit(
        send_projection_update,
        session_id,
        countdown=countdown,
        on_failure=lambda _exc: send_scheduled_projection(session_id=session_id, now=now, early=True),
    )
    return "scheduled"


@transaction.atomic
def send_scheduled_projection(*, session_id: int, now: datetime, early: bool = False) -> float:
    """The delayed send: publishes the session's latest projection if one is pending and due.

    Returns 0 when done (sent, or nothing pending), else the seconds still to wait (a
    worker that ran the task early, e.g. the embedded runner, which ignores countdowns);
    ``early`` sends at once anyway.
    """
    # Same lock order as every action (session row, then throttle, then the event log
    # cursors): the other way round, an action 5 s after another deadlocks with this send.
    if not HotSetSession.objects.select_for_update(of=("self",)).filter(pk=session_id).exists():
        return 0.0
    throttle = ProjectionThrottle.objects.select_for_update().filter(session_id=session_id).first()
    if throttle is None or throttle.pending_due_at is None:
        return 0.0
    if now < throttle.pending_due_at and not early:
        return (throttle.pending_due_at - now).total_seconds()
    regenerate_suggestions(session=HotSetSession(pk=session_id), now=now)  # the tick: as of now
    _publish_projection(session_id, now)
    throttle.last_sent_at = now
    throttle.pending_due_at = None
    throttle.save(update_fields=["last_sent_at", "pending_due_at"])
    return 0.0


# --- catch-up suggestions -------------------------------------------------------------------

SuggestionStatus = Suggestion.Status
_SUGGESTION_FIELDS = (
    "impact",
    "title",
    "description",
    "minutes_recoverable",
    "compliance_flag",
    "compliance_warning",
    "payload",
)


def regenerate_open_suggestions(*, now: datetime) -> int:
    """The minute tick: time passing alone changes the suggestions of a day in progress (an
    item overrunning, a meal coming due), so each such day's are regenerated; returns how many."""
    session_ids = list(HotSetSession.objects.filter(status=Status.IN_PROGRESS).values_list("pk", flat=True))
    for session_id in session_ids:
        regenerate_suggestions(session=HotSetSession(pk=session_id), now=now)
    return len(session_ids)


@transaction.atomic
def regenerate_suggestions(*, session: HotSetSession, now: datetime) -> list[Suggestion]:
    """Brings the session's ``proposed`` suggestions in line with the day as it stands at ``now``.

    Idempotent: one proposal per (type, target) — existing ones are updated in place, new ones
    created, those that no longer hold withdrawn (deleted). A catch-up move the 1st AD dismissed
    is not proposed again; a dismissed warning comes back once it is worse by its trigger (its
    ``severity`` against the one it was dismissed at). Only a day in progress has any. Returns
    the proposed ones.
    """
    session = _lock_session(session.pk)
    if session.status != Status.IN_PROGRESS:
        proposals = []
    else:
        data, rules = selectors.suggestion_input(session)
        proposals = list(suggestions.generate(data, rules, now=now).proposals)
    dismissed: dict[tuple[str, str], int] = {}
    for kind, target, payload in (
        Suggestion.objects.filter(session=session, status=SuggestionStatus.DISMISSED)
        .order_by("resolved_at", "pk")
        .values_list("type", "target", "payload")
    ):
        severity = payload.get("severity") if isinstance(payload, dict) else None
        dismissed[(kind, target)] = severity if isinstance(severity, int) else 0  # the latest dismissal wins
    wanted = {p.key: p for p in proposals if _still_wanted(p, dismissed)}
    existing = {
        (row.type, row.target): row
        for row in Suggestion.objects.filter(session=session, status=SuggestionStatus.PROPOSED)
    }
    for key, row in existing.items():
        if key not in wanted:
            payload = events.suggestion_payload(row)
            row.delete()
            events.publish(events.SUGGESTION_WITHDRAWN, {**payload, "status": "withdrawn"}, session_id=session.pk)
    for key, proposal in wanted.items():
        values = {name: getattr(proposal, name) for name in _SUGGESTION_FIELDS}
        if proposal.type in suggestions.WARNING_TYPES:
            values["payload"] = {**proposal.payload, "severity": proposal.severity}
        row = existing.get(key)
        if row is None:
            row = Suggestion.objects.create(session=session, type=proposal.type, target=proposal.target, **values)
            events.publish(events.SUGGESTION_PROPOSED, events.suggestion_payload(row), session_id=session.pk)
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=list(values))
            events.publish(events.SUGGESTION_UPDATED, events.suggestion_payload(row), session_id=session.pk)
    return list(Suggestion.objects.filter(session=session, status=SuggestionStatus.PROPOSED).order_by("pk"))


def _still_wanted(proposal: suggestions.Proposal, dismissed: dict[tuple[str, str], int]) -> bool:
    """Not dismissed; or a warning grown by its trigger since it was dismissed."""
    if proposal.key not in dismissed:
        return True
    return proposal.type in suggestions.WARNING_TYPES and (
        proposal.severity >= dismissed[proposal.key] + proposal.rearm_minutes
    )


def _lock_move_sessions(suggestion: Suggestion, day_id) -> None:
    """A scene move changes two days' sessions: lock both up front, lowest id first, so that two
    moves in opposite directions take turns instead of deadlocking (each holding its own day)."""
    if not isinstance(day_id, int):
        return  # refused with a 400 once the suggestion is locked
    target = HotSetSession.objects.filter(production_day_id=day_id).values_list("pk", flat=True).first()
    both = HotSetSession.objects.filter(pk__in={suggestion.session_id, target} - {None})
    list(both.select_for_update(of=("self",)).order_by("pk").values("pk"))


def _lock_suggestion(suggestion: Suggestion) -> tuple[HotSetSession, Suggestion]:
    session = _lock_session(suggestion.session_id)
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PROPOSED:
        raise Conflict(f"This suggestion is already {suggestion.get_status_display().lower()}.")
    return session, suggestion


def _stale() -> Conflict:
    return Conflict("The schedule has changed since this suggestion was made; refresh the suggestions.")


def _suggested_item(session: HotSetSession, suggestion: Suggestion) -> ScheduleItem:
    item_id = suggestion.payload.get("item_id")
    item = ScheduleItem.objects.filter(session=session, pk=item_id).first() if isinstance(item_id, int) else None
    if item is None or item.status != ItemStatus.PENDING:
        raise _stale()
    return item


def _apply_order(session: HotSetSession, suggestion: Suggestion, *, now: datetime) -> dict:
    items = list(ScheduleItem.objects.filter(session=session).order_by("position"))
    pending_scenes = [i.pk for i in items if i.status == ItemStatus.PENDING and i.kind == ScheduleItem.Kind.SCENE]
    new_ids = suggestion.payload.get("new_scene_ids")
    if pending_scenes != suggestion.payload.get("scene_ids") or sorted(new_ids or []) != sorted(pending_scenes):
        raise _stale()
    queue = iter(new_ids)
    order = [
        next(queue) if (i.status == ItemStatus.PENDING and i.kind == ScheduleItem.Kind.SCENE) else i.pk for i in items
    ]
    reorder_items(session=session, item_ids=order, now=now)
    return {"item_ids": order}


def _move_scene(
    session: HotSetSession, suggestion: Suggestion, item: ScheduleItem, user, day_id, *, now: datetime
) -> dict:
    """Takes the scene off this day and appends it to the target day's hot set schedule
    (creating that day's session if it has none yet)."""
    if day_id is None:
        raise InvalidInput(errors={"production_day": ["Pick the shoot day to move the scene to."]})
    here = session.production_day
    target = ProductionDay.objects.filter(pk=day_id, project_id=here.project_id).first()
    if target is None:
        raise InvalidInput(errors={"production_day": ["Not a shoot day of this project."]})
    if target.pk == here.pk:
        raise InvalidInput(errors={"production_day": ["The scene is already on this day."]})
    target_session = HotSetSession.objects.filter(production_day=target).first()
    if target_session is None:
        target_session = create_session(production_day=target, user=user)
    elif target_session.status == Status.WRAPPED:
        raise Conflict("That day is wrapped; pick another day.", errors={"production_day": ["Wrapped."]})
    values = {name: getattr(item, name) for name in ITEM_EDITABLE_FIELDS if name != "planned_start"}
    note = f"Moved from day {here.day_number} ({here.date})."
    values["notes"] = f"{values['notes']}\n{note}".strip()
    moved = add_item(session=target_session, values=values, now=now)
    SceneMove.objects.create(
        session=session,
        to_day=target,
        to_item=moved,
        scene_number=item.scene_number,
        label=item.label,
        pages_eighths=item.pages_eighths,
        setups=item.setups,
        planned_duration_minutes=item.planned_duration_minutes,
        moved_at=now,
        moved_by=user,
    )
    delete_item(item=item, now=now)
    return {"production_day_id": target.pk, "session_id": target_session.pk, "item_id": moved.pk}


def _extend(session: HotSetSession, suggestion: Suggestion, *, now: datetime) -> dict:
    try:
        new_wrap = datetime.fromisoformat(suggestion.payload["to_wrap"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _stale() from exc
    day = session.production_day
    if new_wrap <= day.general_call_time or new_wrap - day.general_call_time > timedelta(hours=24):
        raise _stale()
    # The planned wrap stays: overtime is measured against it (SPEC §1).
    update_production_day(day=day, extended_wrap=new_wrap, now=now)
    return {"extended_wrap": new_wrap.isoformat()}


@transaction.atomic
def apply_suggestion(*, suggestion: Suggestion, user, now: datetime, production_day: int | None = None) -> Suggestion:
    """Changes the schedule as the suggestion says; ``production_day`` picks (or overrides) the
    day a scene moves to. 409 when it is not ``proposed`` or the schedule has moved on; 400 for
    a warning (nothing to apply) or a bad target day."""
    # Once, at the end, not after each change it makes (the day a scene moves to catches up on
    # its next change or the minute tick).
    with _one_regeneration():
        return _apply_suggestion(suggestion=suggestion, user=user, now=now, production_day=production_day)


def _apply_suggestion(*, suggestion: Suggestion, user, now: datetime, production_day: int | None) -> Suggestion:
    if suggestion.type == Suggestion.Type.SCENE_MOVE:
        day_id = production_day if production_day is not None else suggestion.payload.get("production_day_id")
        _lock_move_sessions(suggestion, day_id)
    session, suggestion = _lock_suggestion(suggestion)
    _not_wrapped(session)
    kind = suggestion.type
    T = Suggestion.Type
    if kind in suggestions.WARNING_TYPES:
        raise InvalidInput(errors={"type": ["A warning has nothing to apply; dismiss it once seen."]})
    if kind in (T.BREAK_SHORTENING, T.WALKING_LUNCH):
        item = _suggested_item(session, suggestion)
        to_minutes = suggestion.payload.get("to_minutes")
        if not isinstance(to_minutes, int) or item.planned_duration_minutes != suggestion.payload.get("from_minutes"):
            raise _stale()
        changes = {"planned_duration_minutes": to_minutes}
        if kind == T.WALKING_LUNCH:
            changes["title"] = item.title or "Walking lunch"
            changes["notes"] = f"{item.notes}\nWalking lunch: the crew eats while shooting continues.".strip()
        update_item(item=item, now=now, **changes)
        result = {"item_id": item.pk, "planned_duration_minutes": to_minutes}
    elif kind in (T.SKIP_ACTIVITY, T.SCENE_CUT):
        item = _suggested_item(session, suggestion)
        skip_item(item=item, user=user, at=now, now=now)
        result = {"item_id": item.pk, "status": ItemStatus.SKIPPED.value}
    elif kind in (T.SCENE_CONSOLIDATION, T.SCHEDULE_REORDERING):
        result = _apply_order(session, suggestion, now=now)
    elif kind == T.SCENE_MOVE:
        item = _suggested_item(session, suggestion)
        day_id = production_day if production_day is not None else suggestion.payload.get("production_day_id")
        result = _move_scene(session, suggestion, item, user, day_id, now=now)
    elif kind == T.EXTEND_DAY:
        result = _extend(session, suggestion, now=now)
    else:  # pragma: no cover - every type is handled above
        raise InvalidInput(errors={"type": ["Unknown suggestion type."]})
    suggestion.status = SuggestionStatus.APPLIED
    suggestion.resolved_at = now
    suggestion.resolved_by = user
    suggestion.payload = {**suggestion.payload, "result": result}
    suggestion.save(update_fields=["status", "resolved_at", "resolved_by", "payload"])
    events.publish(
        events.SUGGESTION_APPLIED, {**events.suggestion_payload(suggestion), **result}, session_id=session.pk
    )
    regenerate_suggestions(session=session, now=now)
    return suggestion


@transaction.atomic
def dismiss_suggestion(*, suggestion: Suggestion, user, now: datetime) -> Suggestion:
    """Hides a proposed suggestion (the same type and target is not proposed again). 409 otherwise."""
    session, suggestion = _lock_suggestion(suggestion)
    suggestion.status = SuggestionStatus.DISMISSED
    suggestion.resolved_at = now
    suggestion.resolved_by = user
    suggestion.save(update_fields=["status", "resolved_at", "resolved_by"])
    events.publish(events.SUGGESTION_DISMISSED, events.suggestion_payload(suggestion), session_id=session.pk)
    return suggestion
