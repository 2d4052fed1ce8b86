"""The real-time events this app publishes (to the session group and, through the broadcast
rules, the roles that follow run-of-show events)."""

from __future__ import annotations

from realtime.broadcast import publish
from realtime.groups import runofshow_session_group

SEGMENT_ACTIVATED = "runofshow.segment.activated"
SEGMENT_COMPLETED = "runofshow.segment.completed"
# Not a state change: the rundown itself was edited (segments or cues); viewers refetch.
RUNDOWN_CHANGED = "runofshow.rundown.changed"


def segment_activated(*, session_id: int, segment_id: int, updated_by: int | None) -> dict:
    return {"session_id": session_id, "segment_id": segment_id, "updated_by": updated_by}


def segment_completed(*, session_id: int, segment_id: int) -> dict:
    return {"session_id": session_id, "segment_id": segment_id}


def rundown_changed(*, session_id: int) -> dict:
    return {"session_id": session_id}


def send(event_type: str, payload: dict) -> None:
    """Logs the event for the session group (and rule roles); delivered after commit."""
    publish(event_type, payload, groups=[runofshow_session_group(payload["session_id"])])
