"""The hot set dashboard as a 1st AD uses it on set (issue 14), in headless Chromium against
PostgreSQL: the phone's first screen, actions taken without signal (queued with their moment
and an Idempotency-Key, sent once when back, across a reload), one-tap "complete and start
next", reorder, tabs by keyboard, the wrapped state, and contrast and target sizes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hotset import services
from hotset.models import IdempotentRequest, ScheduleItem
from realtime.models import EventLog
from tests.e2e.support import contrast_violations, run_in_thread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


def _build_day() -> dict:
    """A day called 3 h ago in London (a day 2 tomorrow): crew call and first shot confirmed,
    scene 1A shot and done 40 minutes ago, nothing in progress; 2B is next."""
    project = services.create_project(name="Field Feature", timezone_name="Europe/London")
    services.create_production_day(
        project=project,
        date=(timezone.now() + timedelta(days=1)).astimezone(project.tzinfo).date(),
        day_number=2,
        general_call_time=(timezone.now() + timedelta(hours=13)).replace(second=0, microsecond=0),
    )
    now = timezone.now()
    call = (now - timedelta(hours=3)).replace(second=0, microsecond=0)
    day = services.create_production_day(
        project=project,
        date=call.astimezone(project.tzinfo).date(),
        day_number=1,
        general_call_time=call,
        location="Stage 2",
    )
    session = services.create_session(production_day=day)
    items = {}
    for key, values in [
        ("crew_call", {"kind": "block", "block_type": "crew_call", "planned_duration_minutes": 60}),
        ("first_shot", {"kind": "block", "block_type": "first_shot", "planned_duration_minutes": 0}),
        (
            "1A",
            {
                "kind": "scene",
                "scene_number": "1A",
                "set_name": "Kitchen",
                "int_ext": "int",
                "day_night": "day",
                "pages_eighths": 12,
                "setups": 3,
                "planned_duration_minutes": 45,
            },
        ),
        (
            "2B",
            {
                "kind": "scene",
                "scene_number": "2B",
                "set_name": "Kitchen",
                "int_ext": "int",
                "day_night": "night",
                "pages_eighths": 6,
                "setups": 2,
                "planned_duration_minutes": 30,
            },
        ),
        ("meal", {"kind": "block", "block_type": "meal", "planned_duration_minutes": 30}),
        (
            "3C",
            {
                "kind": "scene",
                "scene_number": "3C",
                "set_name": "Street",
                "int_ext": "ext",
                "day_night": "day",
                "planned_duration_minutes": 60,
            },
        ),
        (
            "4D",
            {
                "kind": "scene",
                "scene_number": "4D",
                "set_name": "Street",
                "int_ext": "ext",
                "day_night": "night",
                "planned_duration_minutes": 40,
            },
        ),
    ]:
        items[key] = services.add_item(session=session, values=values, now=now)
    services.confirm_crew_call(session=session, user=None, at=call, now=now)
    services.confirm_first_shot(session=session, user=None, at=now - timedelta(minutes=100), now=now)  # 1A starts
    services.complete_item(item=items["1A"], at=now - timedelta(minutes=40), now=now)
    return {"session": session, "items": items}


def _day() -> tuple:
    built = {}
    run_in_thread(lambda: built.update(_build_day()))
    return built["session"], built["items"]


@pytest.fixture
def idle_day(transactional_db):
    """Nothing in progress; 2B is next."""
    return _day()


@pytest.fixture
def running_day(transactional_db):
    """2B has been shooting for 10 of its 30 minutes."""
    session, items = _day()
    run_in_thread(services.start_item, item=items["2B"], at=timezone.now() - timedelta(minutes=10), now=timezone.now())
    return session, items


def _open(page, server, session):
    page.goto(f"{server}/dash/hotset/{session.pk}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def _in_first_screen(page, locator) -> bool:
    box = locator.bounding_box()
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_phones_first_screen_shows_now_its_countdown_to_the_second_and_next(
    asgi_server, logged_in_page, make_user, running_day
):
    session, _items = running_day
    page = logged_in_page(make_user("first_ad"), viewport=PHONE)
    _open(page, asgi_server, session)
    now_card = page.get_by_test_id("current-item")
    expect(now_card).to_contain_text("Sc. 2B")
    remaining = page.get_by_test_id("remaining")
    expect(remaining).to_have_text(re.compile(r"^(19|20):\d\d left$"))
    expect(remaining).not_to_have_text(remaining.text_content())  # it counts to the second
    expect(page.get_by_test_id("next-item")).to_contain_text("Meal")
    for locator in (
        now_card.locator(".hs-label"),
        remaining,
        page.get_by_test_id("complete-and-next"),
        page.get_by_test_id("next-item"),
        page.get_by_test_id("day-variance"),
    ):
        assert _in_first_screen(page, locator), locator
    expect(page.get_by_test_id("complete-and-next")).to_have_text("Done · start Meal")
    assert _no_horizontal_scroll(page)
    # The labour clock and the strip follow; wrap day is at the bottom, behind a confirm.
    expect(page.get_by_test_id("labour-meal")).to_contain_text("Meal 1 due")
    expect(page.get_by_test_id("labour-day")).to_contain_text("of 12 h")
    expect(page.get_by_test_id("labour-turnaround")).to_contain_text("next call")
    expect(page.locator("#hs-strip svg rect.hs-strip-bar")).not_to_have_count(0)
    assert not _in_first_screen(page, page.get_by_test_id("wrap-day"))
    for tab in ("Full day", "Completed"):
        page.get_by_role("tab", name=tab).click()
        assert _no_horizontal_scroll(page), tab


def test_over_its_planned_time_the_countdown_turns_red_and_counts_up(asgi_server, logged_in_page, make_user, idle_day):
    session, items = idle_day
    run_in_thread(services.start_item, item=items["2B"], at=timezone.now() - timedelta(minutes=33), now=timezone.now())
    page = logged_in_page(make_user("first_ad"), viewport=PHONE)
    _open(page, asgi_server, session)
    remaining = page.get_by_test_id("remaining")
    expect(remaining).to_have_text(re.compile(r"^\+[23]:\d\d over$"))
    expect(remaining).to_have_attribute("data-level", "over")


def test_complete_and_start_next_is_one_tap_at_the_moment_chosen(asgi_server, logged_in_page, make_user, running_day):
    session, items = running_day
    page = logged_in_page(make_user("first_ad"), viewport=PHONE)
    _open(page, asgi_server, session)
    page.get_by_test_id("when").select_option("5")  # it happened 5 minutes ago
    before = timezone.now()
    page.get_by_test_id("complete-and-next").click()
    expect(page.get_by_test_id("current-item")).to_contain_text("Meal")
    expect(page.get_by_test_id("queue-chip")).to_be_hidden()
    scene, meal = ScheduleItem.objects.get(pk=items["2B"].pk), ScheduleItem.objects.get(pk=items["meal"].pk)
    assert scene.status == "completed" and meal.status == "in_progress"
    assert scene.actual_end == meal.actual_start
    assert timedelta(minutes=4, seconds=50) <= before - scene.actual_end <= timedelta(minutes=5, seconds=10)
    expect(page.get_by_test_id("when")).to_have_value("0")  # back to "just now"


def test_actions_without_signal_wait_then_are_logged_once_with_their_own_times_across_a_reload(
    asgi_server, logged_in_page, make_user, idle_day
):
    session, items = idle_day
    page = logged_in_page(make_user("first_ad"), viewport=PHONE)
    context = page.context
    _open(page, asgi_server, session)
    # The service worker has taken the page (it keeps the page and its files for offline loads).
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")
    expect(page.get_by_test_id("current-item")).to_contain_text("Next: Sc. 2B")

    def offline():
        context.set_offline(True)
        # set_offline does not reach the service worker's own fetches: cut those too.
        context.route(
            "**/*",
            lambda route: route.abort("internetdisconnected") if route.request.service_worker else route.continue_(),
        )

    offline()
    page.get_by_test_id("when").select_option("2")
    page.get_by_test_id("start-next").click()  # 2B, 2 min ago
    expect(page.get_by_test_id("current-item")).to_contain_text("Sc. 2B")
    expect(page.get_by_test_id("queue-chip")).to_have_text("1 waiting")
    page.get_by_test_id("complete-current").click()  # 2B, now
    expect(page.get_by_test_id("current-item")).to_contain_text("Next: Meal")
    page.get_by_role("tab", name="Full day").click()
    page.locator(f"#hs-full-list li[data-item-id='{items['3C'].pk}'] button[aria-label='Move Sc. 3C earlier']").click()
    expect(page.get_by_test_id("current-item")).to_contain_text("Next: Sc. 3C")
    page.wait_for_timeout(1100)
    page.get_by_test_id("start-next").click()  # 3C
    page.wait_for_timeout(1100)
    page.get_by_test_id("complete-current").click()  # 3C
    expect(page.get_by_test_id("queue-chip")).to_have_text("5 waiting")
    queued = page.evaluate("window.HotsetDashboard.queue.entries().map(e => [e.op.type, e.op.itemId || null, e.op.at])")
    assert [q[0] for q in queued] == ["start", "complete", "reorder", "start", "complete"]
    assert ScheduleItem.objects.get(pk=items["2B"].pk).status == "pending"  # nothing reached the server

    # A reload without signal: the page comes from the phone, the queue from its storage.
    page.reload()
    expect(page.get_by_test_id("queue-chip")).to_have_text("5 waiting")
    expect(page.get_by_test_id("current-item")).to_contain_text("Next: Meal")
    assert ScheduleItem.objects.get(pk=items["3C"].pk).status == "pending"

    context.unroute("**/*")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_test_id("queue-chip")).to_be_hidden(timeout=15_000)
    expect(page.get_by_test_id("current-item")).to_contain_text("Next: Meal")

    from datetime import datetime

    def moment(iso):
        return datetime.fromisoformat(iso.replace("Z", "+00:00"))

    b2, c3 = ScheduleItem.objects.get(pk=items["2B"].pk), ScheduleItem.objects.get(pk=items["3C"].pk)
    assert (b2.status, b2.actual_start, b2.actual_end) == ("completed", moment(queued[0][2]), moment(queued[1][2]))
    assert (c3.status, c3.actual_start, c3.actual_end) == ("completed", moment(queued[3][2]), moment(queued[4][2]))
    assert b2.actual_end - b2.actual_start >= timedelta(minutes=2)  # "2 min ago" kept its moment
    order = list(
        ScheduleItem.objects.filter(session=session).order_by("position").values_list("scene_number", flat=True)
    )
    assert order == ["", "", "1A", "2B", "3C", "", "4D"]  # 3C moved before the meal
    # Each logged once: one event per action, one stored answer per key.
    logged = EventLog.objects.filter(group_name=f"hotset.session.{session.pk}")
    for item in (b2, c3):
        for event_type in ("hotset.item.started", "hotset.item.completed"):
            assert sum(1 for e in logged.filter(event_type=event_type) if e.payload["item_id"] == item.pk) == 1
    assert IdempotentRequest.objects.count() == 5
    # The API shows the original moments (in the project's zone).
    api = page.request.get(f"{asgi_server}/api/v1/hotset/items/{b2.pk}/").json()
    assert moment(api["actual_start"]) == moment(queued[0][2])


def test_an_action_the_server_refuses_is_shown_with_its_reason(asgi_server, logged_in_page, make_user, idle_day):
    session, items = idle_day
    page = logged_in_page(make_user("first_ad"), viewport=PHONE)
    context = page.context
    _open(page, asgi_server, session)
    context.set_offline(True)
    page.get_by_test_id("start-next").click()  # 2B, queued
    expect(page.get_by_test_id("queue-chip")).to_have_text("1 waiting")
    # Meanwhile a second 1st AD, with signal, starts the meal.
    run_in_thread(services.start_item, item=items["meal"], at=timezone.now(), now=timezone.now())
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    refused = page.get_by_test_id("refused")
    expect(refused).to_contain_text("Not done: Start Sc. 2B")
    expect(refused).to_contain_text("Meal is still in progress")
    expect(page.get_by_test_id("current-item")).to_contain_text("Meal")
    assert ScheduleItem.objects.get(pk=items["2B"].pk).status == "pending"
    refused.get_by_test_id("forget-refused").click()
    expect(refused.locator("li")).to_have_count(0)


def test_tabs_follow_the_arrow_keys(asgi_server, logged_in_page, make_user, idle_day):
    session, _items = idle_day
    page = logged_in_page(make_user("producer"), viewport=LAPTOP)
    _open(page, asgi_server, session)
    first = page.get_by_role("tab", name="Up next")
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Full day")).to_be_focused()
    expect(page.get_by_role("tab", name="Full day")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#tab-full")).to_be_visible()
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="Completed")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowRight")  # wraps round
    expect(page.get_by_role("tab", name="Up next")).to_be_focused()
    assert page.get_by_role("tab", name="Up next").get_attribute("tabindex") == "0"
    assert page.get_by_role("tab", name="Completed").get_attribute("tabindex") == "-1"


def test_a_wrapped_day_reads_as_wrapped(asgi_server, logged_in_page, make_user, running_day):
    session, _items = running_day
    page = logged_in_page(make_user("first_ad"), viewport=PHONE)
    page.on("dialog", lambda dialog: dialog.accept())
    _open(page, asgi_server, session)
    page.get_by_test_id("wrap-day").click()
    now_card = page.get_by_test_id("current-item")
    expect(now_card).to_contain_text("That's a wrap at")
    expect(now_card).to_contain_text("2 of 4 scenes shot · 2 not shot")
    expect(page.get_by_test_id("remaining")).to_have_count(0)
    expect(page.get_by_test_id("next-item")).to_be_hidden()
    expect(page.get_by_test_id("day-variance")).to_contain_text("Final")
    expect(page.locator("#hs-day-wrap")).not_to_contain_text("~")
    expect(page.get_by_test_id("session-status")).to_have_text("wrapped")
    expect(page.locator("#hs-next")).to_contain_text("The day is wrapped.")
    expect(page.get_by_test_id("labour-penalties")).to_be_visible()
    page.get_by_role("tab", name="Full day").click()
    expect(page.locator("#hs-full-list .badge", has_text="not shot")).to_have_count(2)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_contrast_and_target_sizes_meet_wcag_aa(asgi_server, logged_in_page, make_user, running_day, viewport):
    session, _items = running_day
    page = logged_in_page(make_user("first_ad"), viewport=viewport)
    _open(page, asgi_server, session)
    expect(page.get_by_test_id("remaining")).to_be_visible()
    page.get_by_test_id("suggestions-toggle").click()
    page.locator("#hs-variance-details summary").click()
    for tab in ("Up next", "Full day", "Completed"):
        page.get_by_role("tab", name=tab).click()
        assert contrast_violations(page) == [], tab
        small = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                 '#hotset button, #hotset select, #hotset summary, #hotset a.hs-link, #hotset .hs-checklist label'))
               .filter(e => e.offsetParent !== null)
               .map(e => [e.textContent.trim().slice(0, 30), Math.round(e.getBoundingClientRect().height),
                          Math.round(e.getBoundingClientRect().width)])
               .filter(([, h, w]) => h < 44 || w < 44)"""
        )
        assert small == [], (tab, small)


def test_times_after_midnight_carry_plus_one(asgi_server, logged_in_page, make_user, idle_day):
    session, _items = idle_day
    long_scene = run_in_thread(
        services.add_item,
        session=session,
        values={"kind": "scene", "scene_number": "9Z", "planned_duration_minutes": 1440},
        now=timezone.now(),
    )
    page = logged_in_page(make_user("first_ad"), viewport=PHONE)
    _open(page, asgi_server, session)
    expect(page.locator("#hs-day-wrap")).to_contain_text(re.compile(r"wrap ~\d\d:\d\d \+1 "))
    page.get_by_role("tab", name="Full day").click()
    card = page.locator(f"#hs-full-list li[data-item-id='{long_scene.pk}']")
    expect(card.locator("dd").first).to_contain_text(re.compile(r"\d\d:\d\d( \+1)?–\d\d:\d\d \+1"))


def test_a_queue_left_on_a_shared_phone_is_not_sent_under_the_next_login(
    asgi_server, logged_in_page, make_user, idle_day
):
    from django.conf import settings
    from django.test import Client

    session, items = idle_day
    first = logged_in_page(make_user("first_ad"), viewport=PHONE)
    _open(first, asgi_server, session)
    first.context.set_offline(True)
    first.get_by_test_id("start-next").click()
    expect(first.get_by_test_id("queue-chip")).to_have_text("1 waiting")
    # Another 1st AD signs in on the same phone (same browser storage and cookies) while the
    # first tab is still open; then the signal comes back.
    client = Client()
    client.force_login(make_user("first_ad"))
    first.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": asgi_server}]
    )  # fmt: skip
    first.context.set_offline(False)
    first.evaluate("window.dispatchEvent(new Event('online'))")
    expect(first.locator("#hs-queue-head")).to_contain_text("someone else has signed in")
    assert ScheduleItem.objects.get(pk=items["2B"].pk).status == "pending"
    # The second person's own page has no queue.
    second = first.context.new_page()
    _open(second, asgi_server, session)
    expect(second.get_by_test_id("current-item")).to_contain_text("Next: Sc. 2B")
    expect(second.get_by_test_id("queue-chip")).to_be_hidden()
    assert ScheduleItem.objects.get(pk=items["2B"].pk).status == "pending"
