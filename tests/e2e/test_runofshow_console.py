"""The show caller's console in real Chromium (issue 15): Now / Next with the remaining time
counting down and turning to the warning colour, a confirm before a Go that jumps segments,
Skip, a card layout on a phone with the call buttons in reach, and the stage panel."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from runofshow import services
from runofshow.models import Segment, StageMessage, ViewerLink
from tests.e2e.support import contrast_violations, run_in_thread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _tonight():
    """A show running now: three 10-minute segments from 9 minutes ago."""
    now = timezone.now().replace(microsecond=0)
    session = services.create_session(name="Awards night", date=now.date(), venue="Hall", timezone="Europe/London")
    segments = [
        services.create_segment(
            session=session, name=name, start_time=now - timedelta(minutes=9) + timedelta(minutes=10 * i), duration=10
        )
        for i, name in enumerate(["Opening number", "Best Score", "Host link", "Finale"])
    ]
    services.create_cue(segment=segments[0], number="12", kind="lighting", offset_seconds=-5, description="Blackout")
    return session, segments


def test_the_console_counts_down_confirms_a_jump_and_skips_on_a_phone(logged_in_page, asgi_server, make_user):
    session, (opening, best, host, finale) = run_in_thread(_tonight)
    # 2 min 2 s left in the opening: the warning colour comes within seconds.
    started = timezone.now() - timedelta(seconds=600 - 122)
    run_in_thread(lambda: services.activate_segment(segment=opening, user=None, now=timezone.now(), at=started))
    page = logged_in_page(make_user("show_caller"), viewport={"width": 390, "height": 844})
    page.goto(f"{asgi_server}/dash/runofshow/{session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.locator("#ros-live-name")).to_have_text("Opening number")
    expect(page.locator("#ros-countdown")).to_have_text(re.compile(r"^[12]:[0-5]\d$"))  # counting down from 2:02
    expect(page.locator("#ros-live")).to_have_attribute("data-level", "warning", timeout=6000)
    assert page.locator("#ros-countdown").bounding_box()["y"] < 844  # in the first screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("#ros-next")).to_contain_text("Best Score")
    expect(page.locator(".ros-cues")).to_contain_text("LX 12 −0:05 · Blackout")

    # Go on "Host link" jumps "Best Score": a confirm first; dismissed → nothing changes.
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.locator(f'#ros-table tr[data-segment-id="{host.pk}"] button[data-action="activate"]').click()
    assert "1 pending segment before it will be skipped" in messages[0]
    assert Segment.objects.get(pk=host.pk).status == "pending"
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'#ros-table tr[data-segment-id="{host.pk}"] button[data-action="activate"]').click()
    expect(page.locator("#ros-live-name")).to_have_text("Host link")
    expect(page.locator(f'#ros-table tr[data-segment-id="{best.pk}"] .badge')).to_have_text("skipped")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'#ros-table tr[data-segment-id="{finale.pk}"] button[data-action="skip"]').click()
    expect(page.locator(f'#ros-table tr[data-segment-id="{finale.pk}"] .badge')).to_have_text("skipped")
    expect(page.locator("#ros-offset")).to_have_attribute("data-state", "ahead")
    expect(page.locator("#ros-offset-value")).to_have_text(re.compile(r"^\+"))
    assert contrast_violations(page) == []


def test_a_second_caller_is_told_who_moved_the_show(logged_in_page, asgi_server, make_user):
    session, (opening, best, host, _finale) = run_in_thread(_tonight)
    run_in_thread(lambda: services.activate_segment(segment=opening, user=None, now=timezone.now()))
    page = logged_in_page(make_user("show_caller"))
    page.goto(f"{asgi_server}/dash/runofshow/{session.pk}/")
    expect(page.locator("#ros-live-name")).to_have_text("Opening number")
    sent = []

    def other_caller_first(route):
        # The other caller's Go lands while this click is on its way.
        sent.append(route.request.post_data_json)
        run_in_thread(lambda: services.activate_segment(segment=best, user=None, now=timezone.now()))
        route.continue_()

    page.route("**/api/v1/runofshow/segments/*/complete/", other_caller_first)
    page.locator("#ros-complete-button").click()  # completes what this screen believes is live
    expect(page.locator("#ros-error")).to_contain_text("Best Score")
    assert sent == [{"expected_active": opening.pk}]
    expect(page.locator("#ros-live-name")).to_have_text("Best Score")  # and the screen catches up
    assert Segment.objects.get(pk=best.pk).status == "in_progress"  # the other caller's segment runs on
    assert Segment.objects.get(pk=host.pk).status == "pending"


def test_the_stage_panel_makes_and_revokes_links_and_sets_the_message(logged_in_page, asgi_server, make_user):
    session, _segments = run_in_thread(_tonight)
    page = logged_in_page(make_user("show_caller"), viewport={"width": 1366, "height": 900})
    page.goto(f"{asgi_server}/dash/runofshow/{session.pk}/")
    page.fill("#ros-link-label", "Stage left")
    page.click("#ros-link-make")
    expect(page.locator("#ros-link-url")).to_have_value(re.compile(r"/stage/stage_"))
    expect(page.locator("#ros-links li")).to_have_count(1)
    expect(page.locator("#ros-links li").first).to_contain_text("Stage left")
    page.fill("#ros-message-text", "Hold for applause")
    page.check("#ros-message-visible")
    page.click("#ros-message-save")
    expect(page.locator("#ros-error")).to_be_hidden()
    for _ in range(20):
        if StageMessage.objects.filter(session=session, text="Hold for applause", visible=True).exists():
            break
        page.wait_for_timeout(100)
    assert StageMessage.objects.get(session=session).visible is True
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#ros-links li button.danger").click()
    expect(page.locator("#ros-links li")).to_have_text("No open viewer links.")
    assert ViewerLink.objects.get().revoked_at is not None
    assert contrast_violations(page) == []


def test_times_after_midnight_read_plus_one(logged_in_page, asgi_server, make_user):
    def late_show():
        from datetime import date, datetime
        from zoneinfo import ZoneInfo

        session = services.create_session(name="Late", date=date(2030, 5, 1), timezone="Europe/London")
        start = datetime(2030, 5, 1, 23, 50, tzinfo=ZoneInfo("Europe/London"))
        return session, services.create_segment(session=session, name="Encore", start_time=start, duration=20)

    session, encore = run_in_thread(late_show)
    page = logged_in_page(make_user("director"))
    page.goto(f"{asgi_server}/dash/runofshow/{session.pk}/")
    row = page.locator(f'#ros-table tr[data-segment-id="{encore.pk}"]')
    expect(row.locator("td.start_time")).to_have_text("23:50")
    expect(row.locator("td.end_time")).to_have_text("00:10 +1")
