"""The hot set dashboard in headless Chromium: the 1st AD runs the opening of the day from the
page; a producer watching the same day sees it move live over /ws/; it fits a phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hotset import services
from tests.e2e.support import run_in_thread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _build_shoot_day() -> dict:
    project = services.create_project(name="E2E Feature", timezone_name="Europe/London")
    call = (timezone.now() + timedelta(minutes=40)).astimezone(project.tzinfo).replace(second=0, microsecond=0)
    day = services.create_production_day(
        project=project, date=call.date(), day_number=1, general_call_time=call, location="Stage 2"
    )
    session = services.create_session(production_day=day)
    items = {}
    for key, values in [
        ("crew_call", {"kind": "block", "block_type": "crew_call", "planned_duration_minutes": 60}),
        ("first_shot", {"kind": "block", "block_type": "first_shot", "planned_duration_minutes": 0}),
        ("1A", {"kind": "scene", "scene_number": "1A", "set_name": "Kitchen", "planned_duration_minutes": 42}),
        ("2B", {"kind": "scene", "scene_number": "2B", "set_name": "Kitchen", "planned_duration_minutes": 30}),
        ("meal", {"kind": "block", "block_type": "meal", "planned_duration_minutes": 30}),
        ("3C", {"kind": "scene", "scene_number": "3C", "set_name": "Street", "planned_duration_minutes": 60}),
    ]:
        items[key] = services.add_item(session=session, values=values, now=timezone.now())
    return {"session": session, "items": items}


@pytest.fixture
def shoot_day(transactional_db):
    built = {}
    run_in_thread(lambda: built.update(_build_shoot_day()))
    return built["session"], built["items"]


def test_first_ad_confirms_crew_call_and_first_shot_and_completes_a_scene(
    asgi_server, logged_in_page, make_user, shoot_day
):
    session, _items = shoot_day
    page = logged_in_page(make_user("first_ad"))
    page.goto(f"{asgi_server}/dash/hotset/{session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.locator("#hs-precall")).to_be_visible()
    expect(page.get_by_test_id("countdown")).to_have_text(re.compile(r"^00:(39|40):\d\d$"))
    expect(page.locator("#hs-checklist li")).to_have_count(6)
    expect(page.locator("#hs-confirm-shot")).to_be_disabled()

    page.locator("#hs-checklist input").first.check()
    page.get_by_role("button", name="Confirm crew call").click()
    expect(page.get_by_test_id("session-status")).to_have_text("in progress")
    expect(page.locator("#hs-confirmed")).to_contain_text("Crew call confirmed")
    expect(page.get_by_test_id("current-item")).to_contain_text("Crew call")

    page.get_by_role("button", name="Confirm first shot").click()
    expect(page.locator("#hs-precall")).to_be_hidden()
    expect(page.get_by_test_id("current-item")).to_contain_text("Sc. 1A")
    expect(page.get_by_test_id("day-variance")).to_be_visible()
    expect(page.get_by_test_id("remaining")).to_be_visible()

    page.get_by_test_id("complete-current").click()
    expect(page.get_by_test_id("current-item")).to_contain_text("Next: Sc. 2B")
    page.get_by_role("tab", name="Completed").click()
    expect(page.locator("#hs-done-table tbody tr")).to_have_count(3)  # crew call, marker, 1A
    expect(page.locator("#hs-done-table tfoot")).to_contain_text("Total")
    page.get_by_role("tab", name="Full day").click()
    expect(page.locator("#hs-full-list > li")).to_have_count(6)
    expect(page.locator("#hs-full-wrap")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    # The checklist survives a reload (kept in the browser).
    page.reload()
    expect(page.locator("#hs-precall")).to_be_hidden()
    session.refresh_from_db()
    assert session.first_shot_confirmed_at is not None


def test_a_watching_producer_sees_the_day_move_live_and_cannot_drive_it(
    asgi_server, logged_in_page, make_user, shoot_day
):
    session, items = shoot_day
    page = logged_in_page(make_user("producer"))
    page.goto(f"{asgi_server}/dash/hotset/{session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.get_by_test_id("current-item")).to_contain_text("Nothing in progress")
    expect(page.locator("#hs-confirm-crew")).to_be_hidden()
    expect(page.locator("#hs-run-actions")).to_be_hidden()
    page.wait_for_timeout(300)  # let the subscription settle before the change

    now = timezone.now()
    run_in_thread(services.start_item, item=items["crew_call"], at=now - timedelta(minutes=10), now=timezone.now())
    expect(page.get_by_test_id("current-item")).to_contain_text("Crew call")
    expect(page.get_by_test_id("session-status")).to_have_text("in progress")
    run_in_thread(services.complete_item, item=items["crew_call"], at=now, now=timezone.now())
    run_in_thread(services.start_item, item=items["1A"], at=now, now=timezone.now())
    expect(page.get_by_test_id("current-item")).to_contain_text("Sc. 1A")
    expect(page.get_by_test_id("cumulative")).to_have_text("+50 min ahead")
    assert page.get_by_role("button", name="Complete").count() == 0


def test_it_fits_a_phone(asgi_server, logged_in_page, make_user, shoot_day):
    session, _items = shoot_day
    page = logged_in_page(make_user("first_ad"), viewport={"width": 390, "height": 844})
    page.goto(f"{asgi_server}/dash/hotset/{session.pk}/")
    expect(page.get_by_role("button", name="Confirm crew call")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_role("tab", name="Full day").click()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_settings_panel_saves_for_the_first_ad_and_is_read_only_for_a_producer(
    asgi_server, logged_in_page, make_user, shoot_day
):
    from hotset.models import HotSetSettings

    session, _items = shoot_day
    page = logged_in_page(make_user("first_ad"))
    page.goto(f"{asgi_server}/dash/hotset/{session.pk}/")
    page.locator("#hs-settings summary").click()
    page.locator("input[name=auto_start_minutes_before_call]").fill("45")
    page.locator("select[name=default_schedule_view]").select_option("full")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#hs-settings-status")).to_have_text("Saved.")
    settings = HotSetSettings.objects.get(project=session.production_day.project)
    assert (settings.auto_start_minutes_before_call, settings.default_schedule_view) == (45, "full")

    viewer = logged_in_page(make_user("producer"))
    viewer.goto(f"{asgi_server}/dash/hotset/{session.pk}/")
    expect(viewer.get_by_role("tab", name="Full day")).to_have_attribute("aria-selected", "true")
    viewer.locator("#hs-settings summary").click()
    expect(viewer.locator("input[name=auto_start_minutes_before_call]")).to_be_disabled()
    expect(viewer.locator("input[name=auto_start_minutes_before_call]")).to_have_value("45")
    expect(viewer.get_by_role("button", name="Save settings")).to_be_hidden()


def test_someone_elses_settings_save_does_not_wipe_an_unsaved_edit(asgi_server, logged_in_page, make_user, shoot_day):
    from hotset.models import HotSetSettings

    session, _items = shoot_day
    project = session.production_day.project
    page = logged_in_page(make_user("first_ad"))
    page.goto(f"{asgi_server}/dash/hotset/{session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    page.locator("#hs-settings summary").click()
    page.locator("input[name=auto_start_minutes_before_call]").fill("50")

    run_in_thread(services.update_settings, project=project, default_schedule_view="full")
    expect(page.locator("#hs-settings-status")).to_contain_text("Changed by someone else")
    expect(page.locator("input[name=auto_start_minutes_before_call]")).to_have_value("50")

    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#hs-settings-status")).to_have_text("Saved.")
    assert HotSetSettings.objects.get(project=project).auto_start_minutes_before_call == 50


def _build_day_running_late() -> dict:
    """Call 140 min ago; crew call (60) done, first shot 80 min ago and scene 1A (42 min planned)
    still shooting → 38 min behind. Then 2B (Street), a 60-min meal, 3C (Kitchen)."""
    project = services.create_project(name="E2E Late Day", timezone_name="Europe/London")
    now = timezone.now().replace(second=0, microsecond=0)
    call = (now - timedelta(minutes=140)).astimezone(project.tzinfo)
    day = services.create_production_day(
        project=project, date=call.date(), day_number=1, general_call_time=call, location="Stage 2"
    )
    session = services.create_session(production_day=day)
    items = {}
    for key, values in [
        ("crew_call", {"kind": "block", "block_type": "crew_call", "planned_duration_minutes": 60}),
        ("1A", {"kind": "scene", "scene_number": "1A", "set_name": "Kitchen", "planned_duration_minutes": 42}),
        ("2B", {"kind": "scene", "scene_number": "2B", "set_name": "Street", "planned_duration_minutes": 30}),
        ("meal", {"kind": "block", "block_type": "meal", "planned_duration_minutes": 60}),
        ("3C", {"kind": "scene", "scene_number": "3C", "set_name": "Kitchen", "planned_duration_minutes": 60}),
    ]:
        items[key] = services.add_item(session=session, values=values, now=timezone.now())
    services.confirm_crew_call(session=session, user=None, at=call, now=timezone.now())
    services.confirm_first_shot(session=session, user=None, at=now - timedelta(minutes=80), now=timezone.now())
    return {"session": session, "items": items}


@pytest.fixture
def late_day(transactional_db):
    built = {}
    run_in_thread(lambda: built.update(_build_day_running_late()))
    return built["session"], built["items"]


def test_suggestions_panel_first_ad_applies_and_dismisses_with_compliance_badges(
    asgi_server, logged_in_page, make_user, late_day
):
    from hotset.models import ScheduleItem, Suggestion

    session, items = late_day
    page = logged_in_page(make_user("first_ad"))
    page.on("dialog", lambda dialog: dialog.accept())  # the consent confirmation
    page.goto(f"{asgi_server}/dash/hotset/{session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    # Folded into a count under Now / Next; a tap opens them.
    expect(page.get_by_test_id("suggestions-toggle")).to_contain_text(re.compile(r"\d+ catch-up suggestions"))
    page.get_by_test_id("suggestions-toggle").click()
    panel = page.get_by_test_id("suggestions")
    lunch = panel.locator("li[data-type=walking_lunch]")
    expect(lunch).to_be_visible()
    expect(lunch.get_by_test_id("compliance-badge")).to_have_text("Needs consent")
    expect(lunch.locator(".hs-compliance")).to_contain_text("consent")
    expect(panel.locator("li[data-type=scene_cut] [data-testid=compliance-badge]")).to_have_count(0)
    expect(panel.locator("li[data-type=wrap_extension_warning] [data-testid=apply-suggestion]")).to_have_count(0)

    lunch.get_by_test_id("apply-suggestion").click()
    expect(panel.locator("li[data-type=walking_lunch]")).to_have_count(0)
    assert ScheduleItem.objects.get(pk=items["meal"].pk).planned_duration_minutes == 0
    page.get_by_role("tab", name="Full day").click()
    expect(page.locator("#hs-full-list")).to_contain_text("Walking lunch")

    cut = panel.locator("li[data-type=scene_cut]")
    expect(cut).to_have_count(1)
    cut.get_by_test_id("dismiss-suggestion").click()
    expect(panel.locator("li[data-type=scene_cut]")).to_have_count(0)
    assert Suggestion.objects.filter(session=session, type="scene_cut", status="dismissed").count() == 1

    # The production report link downloads the CSV with the page's session.
    href = page.get_by_test_id("report-csv").get_attribute("href")
    response = page.request.get(f"{asgi_server}{href}")
    assert response.status == 200 and response.headers["content-type"].startswith("text/csv")
    assert "Meal penalties" in response.text()


def test_suggestions_panel_is_read_only_for_a_producer_and_follows_the_first_ad_live(
    asgi_server, logged_in_page, make_user, late_day
):
    from hotset.models import Suggestion

    session, _items = late_day
    page = logged_in_page(make_user("producer"))
    page.goto(f"{asgi_server}/dash/hotset/{session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    # Folded into a count under Now / Next; a tap opens them.
    expect(page.get_by_test_id("suggestions-toggle")).to_contain_text(re.compile(r"\d+ catch-up suggestions"))
    page.get_by_test_id("suggestions-toggle").click()
    panel = page.get_by_test_id("suggestions")
    expect(panel.locator("li[data-type=walking_lunch]")).to_be_visible()
    expect(panel.get_by_test_id("apply-suggestion")).to_have_count(0)
    expect(panel.get_by_test_id("dismiss-suggestion")).to_have_count(0)
    page.wait_for_timeout(300)  # let the subscription settle before the change

    lunch = Suggestion.objects.get(session=session, type="walking_lunch", status="proposed")
    ad = make_user("first_ad")
    run_in_thread(services.apply_suggestion, suggestion=lunch, user=ad, now=timezone.now())
    expect(panel.locator("li[data-type=walking_lunch]")).to_have_count(0)
    page.get_by_role("tab", name="Full day").click()
    expect(page.locator("#hs-full-list")).to_contain_text("Walking lunch")
