"""Hot set fixtures (fixtures only; builders and helpers are in tests/hotset/factories.py): a
project in London, a shoot day (call 07:00 local), its session, items."""

from __future__ import annotations

import pytest

from hotset import services
from tests.hotset.factories import DAY, build_item, local


@pytest.fixture
def at_local(time_machine):
    """at_local("10:30") moves the clock to 10:30 London time on the test day (ticking off)."""

    def _move(hhmm: str):
        time_machine.move_to(local(hhmm), tick=False)
        return local(hhmm)

    return _move


@pytest.fixture
def project(db):
    return services.create_project(name="The Long Shot", timezone_name="Europe/London")


@pytest.fixture
def day(project):
    return services.create_production_day(
        project=project,
        date=DAY,
        day_number=1,
        general_call_time=local("07:00"),
        planned_wrap=local("19:00"),
        location="Stage 4",
    )


@pytest.fixture
def session(day):
    return services.create_session(production_day=day)


@pytest.fixture
def add_item(session):
    """add_item(minutes, kind="scene", **fields) → a pending item at the end of the session."""

    def _add(minutes: int, kind: str = "scene", target=None, **fields):
        return build_item(target or session, minutes, kind, **fields)

    return _add


@pytest.fixture
def standard_day(add_item):
    """Crew call 07:00–09:30, first-shot marker, 1A 09:30–10:12, 2B 10:12–10:42, meal, 3C."""
    return {
        "crew_call": add_item(150, "block", block_type="crew_call"),
        "first_shot": add_item(0, "block", block_type="first_shot"),
        "1A": add_item(42, scene_number="1A", set_name="Kitchen", pages_eighths=12, setups=3),
        "2B": add_item(30, scene_number="2B", set_name="Kitchen", pages_eighths=6, setups=2),
        "meal": add_item(30, "block", block_type="meal"),
        "3C": add_item(60, scene_number="3C", set_name="Street"),
    }
