"""Fixtures of the run-of-show tests: a show with a contiguous rundown and clients per role."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from runofshow import services

SHOW_DATE = date(2030, 5, 1)
SHOW_START = datetime(2030, 5, 1, 19, 0, tzinfo=UTC)


@pytest.fixture
def show_clock(time_machine):
    """Time stands at the show's planned start; ``show_clock(minutes=…)`` moves it."""
    time_machine.move_to(SHOW_START, tick=False)

    def _at(minutes: float = 0):
        moment = SHOW_START + timedelta(minutes=minutes)
        time_machine.move_to(moment, tick=False)
        return moment

    return _at


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


@pytest.fixture
def make_show(db):
    """make_show(durations=[10, 20, 5]) → (session, segments), see :func:`build_show`."""
    return build_show


@pytest.fixture
def show(make_show):
    return make_show()
