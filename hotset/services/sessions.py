"""A day's hot set session: create, delete, start, confirm crew call and first shot, wrap."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from config.errors import Conflict
from hotset import events, selectors
from hotset.models import (
    HotSetSession,
    ProductionDay,
    ProjectionThrottle,
    ScheduleItem,
)
from hotset.services import items as _items
from hotset.services import projection as _projection
from hotset.services import projects as _projects
from hotset.services.helpers import ItemStatus, Status, _begin_session, _latest_actual, _lock_session, _not_wrapped


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
        _projects.update_settings(project=day.project, **changes)
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
    _projection.request_projection_update(session_id=session.pk, now=now)
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
        _items._start(block, at=at, session=session)
    events.publish(events.CREW_CALL_CONFIRMED, events.session_payload(session), session_id=session.pk)
    _projection.request_projection_update(session_id=session.pk, now=now)
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
        _items._complete(running, at=at, session=session)
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
            _items._start(marker, at=at, session=session)
            _items._complete(marker, at=at, session=session)
        scene = _first_pending(session.pk)
        if scene is not None and scene.kind == ScheduleItem.Kind.SCENE:
            _items._start(scene, at=at, session=session)
    events.publish(events.FIRST_SHOT_CONFIRMED, events.session_payload(session), session_id=session.pk)
    _projection.request_projection_update(session_id=session.pk, now=now)
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
        _items._complete(running, at=at, session=session)
    session.status = Status.WRAPPED
    session.wrapped_at = at
    session.save(update_fields=["status", "wrapped_at"])
    events.publish(events.SESSION_WRAPPED, events.session_payload(session), session_id=session.pk)
    _projection.request_projection_update(session_id=session.pk, now=now)
    return session
