"""Reads of the run of show (the querysets the API, admin and dashboard share)."""

from __future__ import annotations

import hashlib
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from runofshow import timing
from runofshow.columns import DEFAULT_COLUMNS
from runofshow.models import (
    AuditEntry,
    ColumnPreference,
    Cue,
    Segment,
    SessionState,
    ShowSession,
    StageMessage,
    ViewerLink,
)


def sessions() -> QuerySet[ShowSession]:
    return (
        ShowSession.objects.select_related("state")
        .annotate(segments_count=Count("segments"))
        .order_by("-date", "name", "id")
    )


def segments() -> QuerySet[Segment]:
    ordered_cues = Prefetch("cues", queryset=Cue.objects.order_by("offset_seconds", "number", "id"))
    return (
        Segment.objects.select_related("created_by").annotate(cues_count=Count("cues")).prefetch_related(ordered_cues)
    )


def rundown(session_id: int) -> QuerySet[Segment]:
    return segments().filter(session_id=session_id).order_by("order", "id")


def cues() -> QuerySet[Cue]:
    return Cue.objects.select_related("segment")


def audit_entries(session_id: int) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(session_id=session_id).select_related("actor").order_by("-recorded_at", "-id")


def visible_columns(*, user, session_id: int) -> tuple[list[str], bool]:
    """The user's columns for the session and whether they are the defaults (nothing saved)."""
    saved = ColumnPreference.objects.filter(user=user, session_id=session_id).values_list("visible_columns", flat=True)
    for columns in saved:
        return list(columns), False
    return list(DEFAULT_COLUMNS), True


@dataclass(frozen=True)
class ShowState:
    session: ShowSession
    state: SessionState | None
    active_segment: Segment | None
    timing: timing.ShowTiming


def timing_inputs(segments_: list[Segment], active_segment_id: int | None) -> list[timing.SegmentInput]:
    """The state row decides which segment is live; any other row marked in progress (never
    written by the services) is read as pending."""
    inputs = []
    for segment in segments_:
        status = segment.status
        if segment.pk == active_segment_id:
            status = Segment.Status.IN_PROGRESS
        elif status == Segment.Status.IN_PROGRESS:
            status = Segment.Status.PENDING
        inputs.append(
            timing.SegmentInput(
                id=segment.pk,
                order=segment.order,
                planned_start=segment.start_time,
                planned_minutes=segment.duration,
                status=str(status),
                actual_start=segment.actual_start,
                actual_end=segment.actual_end,
            )
        )
    return inputs


def show_state(session: ShowSession, *, now: datetime) -> ShowState:
    """The live segment (from the state row), who set it, and the show's timing at ``now``."""
    state = SessionState.objects.filter(session=session).select_related("updated_by").first()
    active_id = state.active_segment_id if state else None
    rows = list(Segment.objects.filter(session=session).order_by("order", "id"))
    active = next((segment for segment in rows if segment.pk == active_id), None)
    return ShowState(
        session=session,
        state=state,
        active_segment=active,
        timing=timing.compute(timing_inputs(rows, active_id), now=now),
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_viewer_link(token: str, *, now: datetime) -> ViewerLink | None:
    """The link a token opens, if it is neither revoked nor expired."""
    if not isinstance(token, str) or not token:
        return None
    link = ViewerLink.objects.select_related("session").filter(token_hash=token_hash(token)).first()
    return link if link is not None and link.is_open(now) else None


def viewer_links(session_id: int) -> QuerySet[ViewerLink]:
    return ViewerLink.objects.filter(session_id=session_id).select_related("created_by").order_by("-created_at", "-id")


def stage_message(session_id: int) -> StageMessage:
    """The show's stage message (an empty, hidden one until the caller writes one)."""
    return StageMessage.objects.filter(session_id=session_id).first() or StageMessage(session_id=session_id)


# Stage timer colours (SPEC §2): warning at ≤ 120 s left, danger at ≤ 30 s.
STAGE_WARNING_SECONDS = 120
STAGE_DANGER_SECONDS = 30


def stage_body(link: ViewerLink, *, now: datetime) -> dict:
    """What a stage timer shows: the live segment (the page counts its remaining time down
    from ``actual_start`` + duration), the next one, the show offset (+ ahead, − behind, as on
    every dashboard), the message. Times are in the show's zone; ``server_now`` lets the page
    correct its own clock."""
    session = link.session
    show = show_state(session, now=now)
    rows = {segment.pk: segment for segment in Segment.objects.filter(session=session)}
    live = show.active_segment
    upcoming = rows.get(show.timing.next_segment_id)
    message = stage_message(session.pk)

    def iso(moment):
        return timezone.localtime(moment, zoneinfo.ZoneInfo(session.timezone)).isoformat() if moment else None

    return {
        "session": {"id": session.pk, "name": session.name, "venue": session.venue, "timezone": session.timezone},
        "server_now": iso(now),
        "expires_at": iso(link.expires_at),
        "warning_seconds": STAGE_WARNING_SECONDS,
        "danger_seconds": STAGE_DANGER_SECONDS,
        "live": None
        if live is None
        else {
            "id": live.pk,
            "order": live.order,
            "name": live.name,
            "actual_start": iso(live.actual_start),
            "planned_seconds": live.duration * 60,
        },
        "next": None
        if upcoming is None
        else {
            "id": upcoming.pk,
            "order": upcoming.order,
            "name": upcoming.name,
            "planned_start": iso(upcoming.start_time),
        },
        # The timing module's offset is + behind; every screen shows + ahead.
        "offset_seconds": -show.timing.offset_seconds,
        "ahead_behind": show.timing.ahead_behind,
        "message": {"text": message.text, "visible": message.visible},
    }
