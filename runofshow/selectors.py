"""Reads of the run of show (the querysets the API, admin and dashboard share)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet

from runofshow import timing
from runofshow.columns import DEFAULT_COLUMNS
from runofshow.models import AuditEntry, ColumnPreference, Cue, Segment, SessionState, ShowSession


def sessions() -> QuerySet[ShowSession]:
    return (
        ShowSession.objects.select_related("state")
        .annotate(segments_count=Count("segments"))
        .order_by("-date", "name", "id")
    )


def segments() -> QuerySet[Segment]:
    return Segment.objects.select_related("created_by").annotate(cues_count=Count("cues"))


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
