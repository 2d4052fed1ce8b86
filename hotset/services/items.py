"""The schedule: add, edit, delete, reorder; start, complete and skip an item."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F

from config.errors import Conflict, InvalidInput
from config.services import model_update
from hotset import events
from hotset.models import (
    HotSetSession,
    ScheduleItem,
)
from hotset.services import projection as _projection
from hotset.services import sessions as _sessions
from hotset.services.helpers import (
    _POSITION_OFFSET,
    ITEM_EDITABLE_FIELDS,
    ItemStatus,
    Status,
    _begin_session,
    _fmt,
    _latest_actual,
    _lock_item,
    _lock_session,
    _not_wrapped,
)


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
    _projection.request_projection_update(session_id=session.pk, now=now)
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
    _projection.request_projection_update(session_id=session.pk, now=now)
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
    _projection.request_projection_update(session_id=session.pk, now=now)


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
        _projection.request_projection_update(session_id=session.pk, now=now)
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
    running = _sessions._in_progress(session.pk)
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
    _projection.request_projection_update(session_id=session.pk, now=now)
    return item


@transaction.atomic
def complete_item(
    *,
    item: ScheduleItem,
    user=None,
    at: datetime,
    now: datetime,
    partial: bool = False,
    next_item_id: int | None = None,
) -> ScheduleItem:
    """Completes the item in progress; a scene may be completed as ``partial``. With
    ``next_item_id`` that pending item starts at the same moment, in the same transaction
    (the dashboard's one tap "complete and start next": both happen or neither).

    Order rules (409): only the item in progress completes (not a pending one); ``at`` not
    before it started; the next item must be pending. ``partial`` on a block, or a next item
    of another session, is bad input (400).
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
    next_item = _next_to_start(session, next_item_id) if next_item_id is not None else None
    _complete(item, at=at, session=session, partial=partial)
    if next_item is not None:
        _start(next_item, at=at, session=session)
    _projection.request_projection_update(session_id=session.pk, now=now)
    return item


def _next_to_start(session: HotSetSession, item_id: int) -> ScheduleItem:
    """The pending item of ``session`` that starts when the current one completes."""
    next_item = ScheduleItem.objects.select_for_update().filter(session=session, pk=item_id).first()
    if next_item is None:
        raise InvalidInput(errors={"next_item": ["Not an item of this session."]})
    if next_item.status != ItemStatus.PENDING:
        raise Conflict(
            f"{next_item.label} is {next_item.get_status_display().lower()}; only a pending item can start.",
            errors={"next_item": ["Not pending."]},
        )
    return next_item


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
    _projection.request_projection_update(session_id=session.pk, now=now)
    return item
