"""Builders for the run-of-show tests: a show with a contiguous rundown, through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from runofshow import services

SHOW_DATE = date(2030, 5, 1)
SHOW_START = datetime(2030, 5, 1, 19, 0, tzinfo=UTC)


def build_show(durations=(10, 20, 5, 15), *, name="Awards night", user=None):
    """A session whose segments run back to back from 19:00 UTC on 2030-05-01."""
    session = services.create_session(name=name, date=SHOW_DATE, venue="Hall", timezone="Europe/London", user=user)
    start = SHOW_START
    segments = []
    for index, minutes in enumerate(durations, start=1):
        segments.append(
            services.create_segment(
                session=session, name=f"Segment {index}", start_time=start, duration=minutes, user=user
            )
        )
        start += timedelta(minutes=minutes)
    return session, segments
