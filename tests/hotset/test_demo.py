"""seed_demo's hot set day: realistic and idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from hotset.demo import PROJECT_NAME
from hotset.models import HotSetSession, ProductionDay, Project, ScheduleItem

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        Project.objects.count(),
        ProductionDay.objects.count(),
        HotSetSession.objects.count(),
        list(ScheduleItem.objects.order_by("pk").values_list("pk", "position", "status")),
    )


def test_seed_demo_builds_a_shoot_day_once():
    call_command("seed_demo", stdout=io.StringIO())
    first = _snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == first
    project = Project.objects.get(name=PROJECT_NAME)
    day = ProductionDay.objects.get(project=project)
    assert day.general_call_time.astimezone(project.tzinfo).strftime("%H:%M") == "07:00"
    items = ScheduleItem.objects.filter(session__production_day=day)
    assert 8 <= items.filter(kind="scene").count() <= 12
    block_types = set(items.filter(kind="block").values_list("block_type", flat=True))
    assert {"crew_call", "meal", "company_move", "wrap"} <= block_types
    assert day.hotset_session.status == "not_started"
    # Scenes carry the stripboard headings of their slug lines (the dashboard colours them).
    headings = set(items.filter(kind="scene").values_list("int_ext", "day_night"))
    assert {("int", "day"), ("int", "night"), ("ext", "day"), ("ext", "dusk")} == headings
