"""The run-of-show dashboard in real Chromium: two viewers of one show, one calls it, the
other sees the live segment move within a second; the columns dialog saves preferences."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection
from playwright.sync_api import expect

from runofshow import services
from tests.runofshow.factories import build_show

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def make_show(transactional_db):
    return build_show


ACTIVE = re.compile(r"\bactive\b")


def _off_the_browser_thread(fn, **kwargs):
    """Runs a service in its own thread: Playwright's loop on the main thread keeps
    ``async_to_sync`` (the after-commit broadcast) from running there."""
    failure = []

    def target():
        try:
            fn(**kwargs)
        except Exception as exc:
            failure.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=10)
    assert not failure, failure


def _row(page, segment):
    return page.locator(f'#ros-table tbody tr[data-segment-id="{segment.pk}"]')


def _open_and_follow(page, base_url, session):
    """Opens the dashboard and waits until the page receives the session's events."""
    page.goto(f"{base_url}/dash/runofshow/{session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    table = page.locator("#ros-table")
    for _attempt in range(10):
        _off_the_browser_thread(services.announce_rundown_change, session_id=session.pk)
        try:
            expect(table).to_have_attribute("data-event-seq", re.compile(r"\d+"), timeout=1000)
            return
        except AssertionError:
            continue
    raise AssertionError("the dashboard never received the session's events")


def test_a_viewer_sees_the_live_segment_move_within_a_second(asgi_server, logged_in_page, make_user, make_show):
    session, (a, b, *_rest) = make_show()
    caller_page = logged_in_page(make_user("show_caller"))
    viewer_page = logged_in_page(make_user("director"), viewport={"width": 390, "height": 844})  # a phone
    _open_and_follow(caller_page, asgi_server, session)
    _open_and_follow(viewer_page, asgi_server, session)
    expect(viewer_page.locator("#ros-table tbody tr.active")).to_have_count(0)
    expect(viewer_page.locator("#ros-next-button")).to_have_count(0)  # directors watch, they do not call

    started = time.monotonic()
    _row(caller_page, a).locator('button[data-action="activate"]').click()
    expect(_row(viewer_page, a)).to_have_class(ACTIVE, timeout=1000)
    assert time.monotonic() - started < 1.5
    expect(viewer_page.locator("#ros-live-name")).to_have_text(a.name)

    caller_page.locator("#ros-next-button").click()  # next: b, which completes a
    expect(_row(viewer_page, b)).to_have_class(ACTIVE, timeout=1000)
    expect(_row(viewer_page, a)).not_to_have_class(ACTIVE)
    expect(viewer_page.locator("#ros-table tbody tr.active")).to_have_count(1)
    expect(_row(caller_page, b)).to_have_class(ACTIVE)

    caller_page.locator("#ros-complete-button").click()
    expect(viewer_page.locator("#ros-table tbody tr.active")).to_have_count(0, timeout=1000)
    expect(viewer_page.locator("#ros-live-name")).to_have_text("Nothing live")
    expect(_row(viewer_page, a).locator("td.status .badge")).to_have_text("completed")


def test_the_columns_dialog_saves_the_users_columns(asgi_server, logged_in_page, make_user, make_show):
    session, _segments = make_show()
    page = logged_in_page(make_user("producer"))
    page.goto(f"{asgi_server}/dash/runofshow/{session.pk}/")
    headers = page.locator("#ros-table thead th")
    expect(headers.filter(has_text="Notes")).to_have_count(1)
    expect(headers.filter(has_text="Cues")).to_have_count(0)

    page.locator("#ros-columns-open").click()
    dialog = page.locator("#ros-columns-dialog")
    expect(dialog).to_be_visible()
    dialog.locator('input[value="notes"]').uncheck()
    dialog.locator('input[value="cues_count"]').check()
    dialog.locator("#ros-columns-save").click()
    expect(dialog).to_be_hidden()
    expect(headers.filter(has_text="Cues")).to_have_count(1)
    expect(headers.filter(has_text="Notes")).to_have_count(0)

    page.reload()
    expect(page.locator("#ros-table thead th").filter(has_text="Cues")).to_have_count(1)

    # Choosing nothing is refused with the server's message, and nothing changes.
    page.locator("#ros-columns-open").click()
    for box in dialog.locator('input[type="checkbox"]').all():
        box.uncheck()
    dialog.locator("#ros-columns-save").click()
    expect(page.locator("#ros-columns-error")).to_contain_text("at least one column")
    dialog.locator("#ros-columns-cancel").click()
    expect(page.locator("#ros-table thead th").filter(has_text="Cues")).to_have_count(1)
