"""Catch-up suggestions: regenerate (on change and on the tick), apply, dismiss."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from config.errors import Conflict, InvalidInput
from hotset import events, selectors, suggestions
from hotset.models import (
    HotSetSession,
    ProductionDay,
    SceneMove,
    ScheduleItem,
    Suggestion,
)
from hotset.services import items as _items
from hotset.services import projection as _projection
from hotset.services import projects as _projects
from hotset.services import sessions as _sessions
from hotset.services.helpers import ITEM_EDITABLE_FIELDS, ItemStatus, Status, _lock_session, _not_wrapped

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
    _items.reorder_items(session=session, item_ids=order, now=now)
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
        target_session = _sessions.create_session(production_day=target, user=user)
    elif target_session.status == Status.WRAPPED:
        raise Conflict("That day is wrapped; pick another day.", errors={"production_day": ["Wrapped."]})
    values = {name: getattr(item, name) for name in ITEM_EDITABLE_FIELDS if name != "planned_start"}
    note = f"Moved from day {here.day_number} ({here.date})."
    values["notes"] = f"{values['notes']}\n{note}".strip()
    moved = _items.add_item(session=target_session, values=values, now=now)
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
    _items.delete_item(item=item, now=now)
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
    _projects.update_production_day(day=day, extended_wrap=new_wrap, now=now)
    return {"extended_wrap": new_wrap.isoformat()}


@transaction.atomic
def apply_suggestion(*, suggestion: Suggestion, user, now: datetime, production_day: int | None = None) -> Suggestion:
    """Changes the schedule as the suggestion says; ``production_day`` picks (or overrides) the
    day a scene moves to. 409 when it is not ``proposed`` or the schedule has moved on; 400 for
    a warning (nothing to apply) or a bad target day."""
    # Once, at the end, not after each change it makes (the day a scene moves to catches up on
    # its next change or the minute tick).
    with _projection._one_regeneration():
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
        _items.update_item(item=item, now=now, **changes)
        result = {"item_id": item.pk, "planned_duration_minutes": to_minutes}
    elif kind in (T.SKIP_ACTIVITY, T.SCENE_CUT):
        item = _suggested_item(session, suggestion)
        _items.skip_item(item=item, user=user, at=now, now=now)
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
