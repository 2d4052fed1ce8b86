"""No event falls between a dashboard's render and its subscription.

Each dashboard renders its data into the page, then its socket subscribes. A change committed
in between used to be lost until the next poll (a minute): the page's data was older than the
change, and the subscription began after it. The page now resumes each group from the position
it was rendered at. These tests hold the socket script until a change has been committed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hotset import services as hotset_services
from publishing import services as publishing_services
from publishing.models import PlatformAccount, Video
from runofshow import services as runofshow_services
from tests.e2e.support import run_in_thread
from tests.e2e.test_hotset_dashboard import _build_shoot_day
from tests.runofshow.factories import build_show

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SOCKET_SCRIPT = re.compile(r".*/static/setdesk/realtime\.js(\?.*)?$")


def _change_before_the_socket_starts(page, change) -> None:
    """Commits ``change`` after the page's HTML has been rendered and before its socket script
    runs (the script is only fetched once the HTML has arrived)."""

    def hold(route):
        run_in_thread(change)
        route.continue_()

    page.route(SOCKET_SCRIPT, hold)


def test_the_publishing_queue_shows_a_post_scheduled_while_it_loaded(
    asgi_server, logged_in_page, make_user, broadcast_rules, settings, tmp_path
):
    settings.PUBLISHING_OUTBOX_DIR = str(tmp_path / "outbox")
    for platform in ("youtube", "instagram"):
        PlatformAccount.objects.create(platform=platform, handle=f"{platform}_studio", authenticated=True)
    video = Video.objects.create(source="/clips/gap.mp4", title="Scheduled in the gap", caption="c")
    page = logged_in_page(make_user("social_manager"), viewport={"width": 390, "height": 844})
    _change_before_the_socket_starts(
        page, lambda: publishing_services.schedule_video(video=video, platforms=["youtube"], now=timezone.now())
    )
    page.goto(asgi_server + "/dash/publishing/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.locator(".pub-post", has_text="Scheduled in the gap")).to_have_count(1)


def test_the_show_console_shows_a_segment_activated_while_it_loaded(asgi_server, logged_in_page, make_user):
    built = {}
    run_in_thread(lambda: built.update(zip(("session", "segments"), build_show(), strict=True)))
    session, first = built["session"], built["segments"][0]
    page = logged_in_page(make_user("director"))
    _change_before_the_socket_starts(
        page, lambda: runofshow_services.activate_segment(segment=first, user=None, now=timezone.now())
    )
    page.goto(f"{asgi_server}/dash/runofshow/{session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.locator(f'#ros-table tbody tr[data-segment-id="{first.pk}"]')).to_have_class(re.compile(r"\bactive\b"))


def test_the_hot_set_page_shows_an_item_started_while_it_loaded(asgi_server, logged_in_page, make_user):
    built = {}
    run_in_thread(lambda: built.update(_build_shoot_day()))
    session, crew_call = built["session"], built["items"]["crew_call"]
    page = logged_in_page(make_user("producer"))
    _change_before_the_socket_starts(
        page,
        lambda: hotset_services.start_item(
            item=crew_call, at=timezone.now() - timedelta(minutes=5), now=timezone.now()
        ),
    )
    page.goto(f"{asgi_server}/dash/hotset/{session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.get_by_test_id("session-status")).to_have_text("in progress")
    expect(page.get_by_test_id("current-item")).to_contain_text("Crew call")
