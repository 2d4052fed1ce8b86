"""The stage timer in real Chromium (issue 15): a viewer link opened in a browser with no
login follows the show live, turns to the warning colour as time runs out, shows the caller's
message, and stops the moment the link is revoked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from runofshow import services
from tests.e2e.support import contrast_violations, run_in_thread
from tests.runofshow.factories import build_show

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_viewer_link_follows_the_show_live_and_stops_when_revoked(browser, asgi_server):
    session, (first, second, *_rest) = run_in_thread(build_show)
    link, token = run_in_thread(lambda: services.create_viewer_link(session=session, user=None, now=timezone.now()))
    # The first segment (10 min) started 7 min 58 s ago: 2 min 2 s left, the warning 2 s away.
    started = timezone.now() - timedelta(seconds=600 - 122)
    run_in_thread(lambda: services.activate_segment(segment=first, user=None, now=timezone.now(), at=started))

    context = browser.new_context(viewport={"width": 390, "height": 844})  # no login, a phone
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{asgi_server}/stage/{token}/")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
        expect(page.locator("#stage-now-name")).to_have_text("Segment 1")
        expect(page.locator("#stage")).to_have_attribute("data-level", "warning", timeout=6000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no horizontal scroll

        run_in_thread(lambda: services.activate_segment(segment=second, user=None, now=timezone.now()))
        expect(page.locator("#stage-now-name")).to_have_text("Segment 2", timeout=3000)
        expect(page.locator("#stage")).to_have_attribute("data-level", "normal")
        # Counting down from the segment's 20 minutes (a slow machine may already show 19:5x).
        expect(page.locator("#stage-timer")).to_have_text(re.compile(r"^(20:00|19:[45]\d)$"), timeout=3000)

        run_in_thread(
            lambda: services.set_stage_message(session=session, text="Cut the encore", visible=True, user=None)
        )
        expect(page.locator("#stage-message")).to_have_text("Cut the encore", timeout=3000)
        assert contrast_violations(page) == []

        run_in_thread(lambda: services.revoke_viewer_link(link=link, now=timezone.now()))
        expect(page.locator("#stage-closed")).to_be_visible(timeout=3000)
        expect(page.locator("#stage-closed-why")).to_contain_text("revoked")
        expect(page.locator("#stage-timer")).to_be_hidden()
    finally:
        context.close()
