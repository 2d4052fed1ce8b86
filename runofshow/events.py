"""The ``runofshow.*`` events: type constants, payload builders, and ``publish``.

Services publish inside their transaction (``realtime.broadcast.publish`` sends after commit)
to the session's group; the broadcast rules add the roles that follow run-of-show events.
"""

from __future__ import annotations

from realtime import broadcast, groups

SEGMENT_ACTIVATED = "runofshow.segment.activated"
SEGMENT_COMPLETED = "runofshow.segment.completed"
# Pending segments skipped on purpose, or jumped over by an activation.
SEGMENTS_SKIPPED = "runofshow.segment.skipped"
# The show caller's message on the stage timer.
MESSAGE_UPDATED = "runofshow.message.updated"
# Not a state change: the rundown itself was edited (segments or cues); viewers refetch.
RUNDOWN_CHANGED = "runofshow.rundown.changed"


def segment_activated_payload(segment, *, updated_by: int | None) -> dict:
    return {"session_id": segment.session_id, "segment_id": segment.pk, "updated_by": updated_by}


def segment_completed_payload(segment) -> dict:
    return {"session_id": segment.session_id, "segment_id": segment.pk}


def segments_skipped_payload(segments) -> dict:
    return {"session_id": segments[0].session_id, "segment_ids": [segment.pk for segment in segments]}


def message_payload(message) -> dict:
    return {"session_id": message.session_id, "text": message.text, "visible": message.visible}


def rundown_changed_payload(session_id: int) -> dict:
    return {"session_id": session_id}


def publish(event_type: str, payload: dict, *, session_id: int) -> list[dict]:
    """Logs the event for the session's group (and the rule roles); delivered after commit."""
    return broadcast.publish(event_type, payload, groups=[groups.object_group(groups.RUNOFSHOW_SESSION, session_id)])
