"""The ``hotset.*`` event types and their payloads.

Services publish them inside their transaction (``realtime.broadcast.publish`` sends after
commit); the broadcast rules add the role groups (producer, director, production_manager,
first_ad by default). A group carries only what every subscriber may read: the session's
group (anyone who may view the session, the crew included) gets the day, its schedule,
the projection and notifications; settings changes and suggestions, which the crew may not
read, go to the session's settings and suggestions groups (``view_hotsetsettings`` and
``view_suggestion``, hotset/permissions.py).
"""

from __future__ import annotations

from realtime import broadcast, groups

SESSION_CREATED = "hotset.session.created"
SESSION_STARTED = "hotset.session.started"
SESSION_DELETED = "hotset.session.deleted"
CREW_CALL_CONFIRMED = "hotset.session.crew_call_confirmed"
FIRST_SHOT_CONFIRMED = "hotset.session.first_shot_confirmed"
SESSION_WRAPPED = "hotset.session.wrapped"
ITEM_CREATED = "hotset.item.created"
ITEM_UPDATED = "hotset.item.updated"
ITEM_DELETED = "hotset.item.deleted"
ITEM_STARTED = "hotset.item.started"
ITEM_COMPLETED = "hotset.item.completed"
ITEM_SKIPPED = "hotset.item.skipped"
ITEMS_REORDERED = "hotset.items.reordered"
DAY_UPDATED = "hotset.day.updated"
SETTINGS_UPDATED = "hotset.settings.updated"
NOTIFICATION = "hotset.notification"
PROJECTION_UPDATED = "hotset.projection.updated"
SUGGESTION_PROPOSED = "hotset.suggestion.proposed"
SUGGESTION_UPDATED = "hotset.suggestion.updated"
SUGGESTION_WITHDRAWN = "hotset.suggestion.withdrawn"
SUGGESTION_APPLIED = "hotset.suggestion.applied"
SUGGESTION_DISMISSED = "hotset.suggestion.dismissed"
SETTINGS_PREFIX = "hotset.settings."
SUGGESTION_PREFIX = "hotset.suggestion."

ALL = (
    SESSION_CREATED,
    SESSION_STARTED,
    SESSION_DELETED,
    CREW_CALL_CONFIRMED,
    FIRST_SHOT_CONFIRMED,
    SESSION_WRAPPED,
    ITEM_CREATED,
    ITEM_UPDATED,
    ITEM_DELETED,
    ITEM_STARTED,
    ITEM_COMPLETED,
    ITEM_SKIPPED,
    ITEMS_REORDERED,
    DAY_UPDATED,
    SETTINGS_UPDATED,
    NOTIFICATION,
    PROJECTION_UPDATED,
    SUGGESTION_PROPOSED,
    SUGGESTION_UPDATED,
    SUGGESTION_WITHDRAWN,
    SUGGESTION_APPLIED,
    SUGGESTION_DISMISSED,
)


def _iso(value):
    return value.isoformat() if value is not None else None


def session_payload(session) -> dict:
    return {
        "session_id": session.pk,
        "production_day_id": session.production_day_id,
        "status": session.status,
        "auto_started": session.auto_started,
        "started_at": _iso(session.started_at),
        "wrapped_at": _iso(session.wrapped_at),
        "crew_call_confirmed_at": _iso(session.crew_call_confirmed_at),
        "crew_call_confirmed_by": session.crew_call_confirmed_by_id,
        "first_shot_confirmed_at": _iso(session.first_shot_confirmed_at),
        "first_shot_confirmed_by": session.first_shot_confirmed_by_id,
    }


def item_payload(item) -> dict:
    return {
        "session_id": item.session_id,
        "item_id": item.pk,
        "position": item.position,
        "kind": item.kind,
        "block_type": item.block_type,
        "label": item.label,
        "status": item.status,
        "is_partial": item.is_partial,
        "planned_start": _iso(item.planned_start),
        "planned_duration_minutes": item.planned_duration_minutes,
        "actual_start": _iso(item.actual_start),
        "actual_end": _iso(item.actual_end),
    }


def suggestion_payload(suggestion) -> dict:
    return {
        "session_id": suggestion.session_id,
        "suggestion_id": suggestion.pk,
        "type": suggestion.type,
        "target": suggestion.target,
        "impact": suggestion.impact,
        "title": suggestion.title,
        "minutes_recoverable": suggestion.minutes_recoverable,
        "compliance_flag": suggestion.compliance_flag,
        "status": suggestion.status,
    }


def day_updated_payload(session, day) -> dict:
    return {
        "session_id": session.pk,
        "production_day_id": day.pk,
        "general_call_time": _iso(day.general_call_time),
        "planned_wrap": _iso(day.planned_wrap),
        "extended_wrap": _iso(day.extended_wrap),
        "location": day.location,
    }


def session_group(event_type: str, session_id: int) -> str:
    """The session's group an event goes to: settings and suggestions have their own (the crew
    may not read them); every other event goes to everyone who may view the session."""
    if event_type.startswith(SETTINGS_PREFIX):
        return groups.object_group(groups.HOTSET_SESSION_SETTINGS, session_id)
    if event_type.startswith(SUGGESTION_PREFIX):
        return groups.object_group(groups.HOTSET_SESSION_SUGGESTIONS, session_id)
    return groups.object_group(groups.HOTSET_SESSION, session_id)


def publish(event_type: str, payload: dict, *, session_id: int | None, extra_groups=()) -> list[dict]:
    """Logs the event for the session's group chosen by the type's prefix (``session_group``),
    ``extra_groups`` and the rule roles; delivered after commit. ``session_id=None``: the rule
    roles (and ``extra_groups``) only, e.g. settings changed while no session is open."""
    targets = [session_group(event_type, session_id)] if session_id is not None else []
    return broadcast.publish(event_type, payload, groups=[*targets, *extra_groups])
