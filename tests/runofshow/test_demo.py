"""The demo seed of the run of show."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from django.core.management import call_command

from runofshow import demo
from runofshow.models import Cue, Segment, SessionState, ShowSession


def test_seed_demo_adds_an_awards_night_and_is_idempotent(roles):
    call_command("seed_demo", stdout=io.StringIO())
    session = ShowSession.objects.get(name=demo.SHOW_NAME)
    segments = list(session.segments.order_by("order"))
    assert len(segments) == 12
    assert all(segment.cues.exists() for segment in segments)
    assert segments[0].start_time.astimezone(ZoneInfo(demo.TIMEZONE)).hour == 19
    assert all(later.start_time == earlier.end_time for earlier, later in zip(segments, segments[1:], strict=False))
    counts = (ShowSession.objects.count(), Segment.objects.count(), Cue.objects.count(), SessionState.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == (
        ShowSession.objects.count(),
        Segment.objects.count(),
        Cue.objects.count(),
        SessionState.objects.count(),
    )
