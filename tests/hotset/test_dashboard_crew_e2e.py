"""The crew's hot set dashboard in headless Chromium (issue 9, finding 8): no settings panel, the
socket stays live (the page subscribes to no group the crew may not read, which would close it
with 4403) and the day still moves live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hotset import services
from tests.e2e.support import run_in_thread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _day():
    project = services.create_project(name="Crew view", timezone_name="Europe/London")
    call = (timezone.now() - timedelta(minutes=30)).astimezone(project.tzinfo).replace(second=0, microsecond=0)
    day = services.create_production_day(project=project, date=call.date(), day_number=1, general_call_time=call)
    session = services.create_session(production_day=day)
    scene = services.add_item(
        session=session,
        values={"kind": "scene", "scene_number": "4D", "set_name": "Roof", "planned_duration_minutes": 30},
        now=timezone.now(),
    )
    return project, session, scene


def test_the_crew_follows_the_day_live_without_settings_or_suggestions(
    asgi_server,  # noqa: F811
    logged_in_page,  # noqa: F811
    make_user,
):
    project, session, scene = run_in_thread(_day)
    page = logged_in_page(make_user("crew"))
    page.goto(f"{asgi_server}/dash/hotset/{session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.locator("#hs-settings")).to_have_count(0)
    expect(page.locator("#hs-suggestions")).to_be_hidden()

    # Settings saved elsewhere reach neither the page nor the socket; the schedule does.
    run_in_thread(services.update_settings, project=project, max_day_hours=11)
    run_in_thread(services.start_item, item=scene, at=timezone.now() - timedelta(minutes=5), now=timezone.now())
    expect(page.get_by_test_id("current-item")).to_contain_text("4D")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    assert "max_day_hours" not in page.content()
