"""Fixtures of the run-of-show tests: a show with a contiguous rundown and clients per role."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.runofshow.factories import SHOW_START, build_show


@pytest.fixture
def show_clock(time_machine):
    """Time stands at the show's planned start; ``show_clock(minutes=…)`` moves it."""
    time_machine.move_to(SHOW_START, tick=False)

    def _at(minutes: float = 0):
        moment = SHOW_START + timedelta(minutes=minutes)
        time_machine.move_to(moment, tick=False)
        return moment

    return _at


@pytest.fixture
def make_show(db):
    """make_show(durations=[10, 20, 5]) → (session, segments), see :func:`build_show`."""
    return build_show


@pytest.fixture
def show(make_show):
    return make_show()
