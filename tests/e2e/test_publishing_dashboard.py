"""The publishing dashboards in headless Chromium: countdowns, actions, live updates, AI templates."""

from __future__ import annotations

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from publishing import services
from publishing.models import AITemplate, PlatformAccount, PostStatus, ScheduledPost, Video
from tests.e2e.support import run_in_thread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue_data(settings, tmp_path, broadcast_rules):
    settings.PUBLISHING_OUTBOX_DIR = str(tmp_path / "outbox")
    accounts = {
        p: PlatformAccount.objects.create(platform=p, handle=f"{p}_studio", authenticated=p != "tiktok")
        for p in ("youtube", "instagram", "tiktok")
    }
    now = timezone.now()

    def post(title, platform, *, minutes, status=PostStatus.PENDING, **extra):
        video = Video.objects.create(source=str(tmp_path / f"{title}.mp4"), title=title, caption="c")
        when = now + timedelta(minutes=minutes)
        return ScheduledPost.objects.create(
            video=video, account=accounts[platform], platform=platform, scheduled_time=when, next_attempt_at=when,
            status=status, **extra,
        )  # fmt: skip

    return {
        "soon": post("Clutch ace", "youtube", minutes=90),
        "later": post("Triple kill", "instagram", minutes=300),
        "failed": post(
            "Ceiling shot",
            "youtube",
            minutes=-30,
            status=PostStatus.FAILED,
            attempts=3,
            last_error="Upload endpoint answered HTTP 503",
        ),  # fmt: skip
        "posted": post(
            "Speedrun",
            "instagram",
            minutes=-120,
            status=PostStatus.COMPLETED,
            attempts=1,
            posted_at=now - timedelta(hours=2),
            external_url="https://example.com/p/1",
        ),  # fmt: skip
    }


def card(page, post):
    return page.locator(f'.pub-post[data-id="{post.pk}"]')


def test_queue_counts_down_and_runs_the_post_actions(asgi_server, logged_in_page, make_user, queue_data):
    page = logged_in_page(make_user("social_manager"))
    page.on("dialog", lambda dialog: dialog.accept())  # the Cancel confirmation
    page.goto(asgi_server + "/dash/publishing/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.locator("#stat-scheduled")).to_have_text("2")
    expect(page.locator("#stat-failed")).to_have_text("1")

    soon = card(page, queue_data["soon"])
    expect(soon.locator(".badge.status")).to_have_text("Scheduled")
    countdown = soon.locator(".pub-countdown")
    expect(countdown).to_have_text(re.compile(r"^in 1:(29|30):\d\d$"))
    first = countdown.text_content()
    expect(countdown).not_to_have_text(first, timeout=3000)  # ticks to the second
    expect(card(page, queue_data["posted"]).get_by_role("link", name="View post")).to_be_visible()
    expect(card(page, queue_data["failed"]).locator(".error")).to_contain_text("HTTP 503")

    # Reschedule the later post to tomorrow 09:15 (project time zone, UTC here).
    later = queue_data["later"]
    card(page, later).get_by_role("button", name="Reschedule").click()
    target = (timezone.now() + timedelta(days=1)).replace(hour=9, minute=15, second=0, microsecond=0)
    page.locator("#pub-reschedule-time").fill(target.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#pub-reschedule-save").click()
    expect(page.locator("#pub-notice")).to_have_text("Rescheduled.")
    later.refresh_from_db()
    assert later.scheduled_time == target

    # Post now: due at once.
    card(page, queue_data["soon"]).get_by_role("button", name="Post now").click()
    expect(page.locator("#pub-notice")).to_have_text("Posting now.")
    soon_post = ScheduledPost.objects.get(pk=queue_data["soon"].pk)
    assert soon_post.scheduled_time <= timezone.now()

    # Retry the failed one, cancel the rescheduled one.
    card(page, queue_data["failed"]).get_by_role("button", name="Retry").click()
    expect(card(page, queue_data["failed"]).locator(".badge.status")).to_have_text("Scheduled")
    card(page, later).get_by_role("button", name="Cancel").click()
    expect(card(page, later)).to_have_count(0)
    later.refresh_from_db()
    assert later.status == "cancelled"

    retried = ScheduledPost.objects.get(pk=queue_data["failed"].pk)
    assert (retried.status, retried.attempts) == ("pending", 0)


def test_queue_follows_events_live_and_schedules_from_the_form(asgi_server, logged_in_page, make_user, queue_data):
    # The role groups already carry publishing history, as on any running system.
    run_in_thread(
        lambda: services.activate_template(template=AITemplate.objects.create(name="seed", prompt_text="p {filename}"))
    )
    page = logged_in_page(make_user("social_manager"), viewport={"width": 390, "height": 844})  # a phone
    page.goto(asgi_server + "/dash/publishing/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.locator(".pub-post")).to_have_count(4)

    # Another social manager schedules a clip elsewhere: the page shows it without a reload.
    video = Video.objects.create(source="/clips/live.mp4", title="Arrived live", caption="c")
    run_in_thread(lambda: services.schedule_video(video=video, platforms=["youtube", "instagram"], now=timezone.now()))
    expect(page.locator(".pub-post", has_text="Arrived live")).to_have_count(2)
    expect(page.locator("#stat-scheduled")).to_have_text("4")

    # The form: next free slot on the authenticated platforms (TikTok is not authenticated).
    Video.objects.create(source="/clips/form.mp4", title="From the form", caption="c")
    page.reload()
    expect(page.locator("#pub-platform-list input[value=tiktok]")).to_be_disabled()
    page.locator("#pub-video").select_option(label="From the form")
    page.locator("#pub-schedule-button").click()
    expect(page.locator("#pub-notice")).to_contain_text("Scheduled 2 post(s)")
    assert ScheduledPost.objects.filter(video__title="From the form").count() == 2
    # Past a limit the counter turns red and the button refuses, until that platform is left out.
    Video.objects.create(source="/clips/long.mp4", title="t" * 101, caption="c")
    page.reload()
    page.locator("#pub-video").select_option(label="t" * 101)
    youtube = page.locator('#pub-counters li[data-platform="youtube"]')
    expect(youtube).to_have_class("over")
    expect(youtube.locator(".pub-count.over")).to_have_text("title 101/100")
    expect(page.locator("#pub-schedule-button")).to_be_disabled()
    page.locator("#pub-platform-list input[value=youtube]").uncheck()
    expect(page.locator("#pub-schedule-button")).to_be_enabled()
    page.locator("#pub-schedule-button").click()
    expect(page.locator("#pub-notice")).to_contain_text("Scheduled 1 post(s)")
    assert list(ScheduledPost.objects.filter(video__title="t" * 101).values_list("platform", flat=True)) == [
        "instagram"
    ]


def test_readers_see_the_queue_without_actions(asgi_server, logged_in_page, make_user, queue_data):
    page = logged_in_page(make_user("producer"))
    page.goto(asgi_server + "/dash/publishing/")
    expect(card(page, queue_data["soon"]).locator(".pub-countdown")).to_have_text(re.compile(r"^in "))
    expect(page.get_by_role("button", name="Post now")).to_have_count(0)
    expect(page.locator("#pub-schedule-form")).to_have_count(0)
    crew = logged_in_page(make_user("crew"))
    response = crew.goto(asgi_server + "/dash/publishing/")
    assert response.status == 403


def test_a_live_refresh_keeps_what_the_user_is_typing(asgi_server, logged_in_page, make_user, broadcast_rules):
    hype = AITemplate.objects.create(name="Hype", prompt_text="Hype {filename}", is_active=True)
    calm = AITemplate.objects.create(name="Calm", prompt_text="Calm {filename}")
    page = logged_in_page(make_user("social_manager"))
    page.goto(asgi_server + "/dash/publishing/templates/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    page.locator("#tpl-prompt").fill("Half-typed new wording for {filename}")

    # Someone else activates Calm: the list follows, the unsaved wording stays.
    run_in_thread(services.activate_template, template=calm)
    expect(page.locator("#tpl-list button", has_text="Calm ✓ active")).to_be_visible()
    expect(page.locator("#tpl-active-flag")).to_be_hidden()
    expect(page.locator("#tpl-prompt")).to_have_value("Half-typed new wording for {filename}")

    page.locator("#tpl-save").click()
    expect(page.locator("#tpl-notice")).to_have_text("Saved Hype.")
    hype.refresh_from_db()
    assert hype.prompt_text == "Half-typed new wording for {filename}"


def test_ai_templates_page_edits_activates_and_tests_a_prompt(asgi_server, logged_in_page, make_user, broadcast_rules):
    AITemplate.objects.create(name="Hype", prompt_text="Hype {filename} {game_context} with emoji", is_active=True)
    page = logged_in_page(make_user("social_manager"))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(asgi_server + "/dash/publishing/templates/")
    expect(page.locator("#tpl-list button")).to_have_count(1)
    expect(page.locator("#tpl-active-flag")).to_be_visible()

    page.locator("#tpl-new").click()
    page.locator("#tpl-name").fill("Calm")
    page.locator("#tpl-prompt").fill("Professional title for {filename} in {game_context}. Include #studio.")
    page.locator("#tpl-save").click()
    expect(page.locator("#tpl-notice")).to_have_text("Saved Calm.")
    expect(page.locator("#tpl-list button")).to_have_count(2)

    page.locator("#tpl-activate").click()
    expect(page.locator("#tpl-notice")).to_have_text("Calm is now the active template.")
    assert list(AITemplate.objects.filter(is_active=True).values_list("name", flat=True)) == ["Calm"]

    page.locator("#tpl-test-filename").fill("rocket_league_ceiling_shot.mp4")
    page.locator("#tpl-test-context").fill("Rocket League")
    page.locator("#tpl-test-run").click()
    expect(page.locator("#tpl-result-title")).to_contain_text("Ceiling Shot")
    expect(page.locator("#tpl-result-hashtags")).to_contain_text("#studio")

    # An empty prompt is refused with the server's reason.
    page.locator("#tpl-prompt").fill(" ")
    page.locator("#tpl-save").click()
    expect(page.locator("#tpl-error")).to_contain_text("prompt_text")

    page.locator("#tpl-list button", has_text="Hype").click()
    page.locator("#tpl-delete").click()
    expect(page.locator("#tpl-list button")).to_have_count(1)
    assert not AITemplate.objects.filter(name="Hype").exists()


def _week_clicks(moment) -> int:
    """How many "Next ›" clicks from this week's calendar to the week of ``moment`` (project zone)."""
    from django.conf import settings as django_settings

    tz = zoneinfo.ZoneInfo(django_settings.TIME_ZONE)
    today = timezone.now().astimezone(tz).date()
    day = moment.astimezone(tz).date()
    return (day - timedelta(days=day.weekday()) - (today - timedelta(days=today.weekday()))).days // 7


def test_the_week_calendar_reschedules_and_a_second_browser_follows(asgi_server, logged_in_page, make_user, queue_data):
    manager = logged_in_page(make_user("social_manager"), viewport={"width": 1366, "height": 900})
    viewer = logged_in_page(make_user("producer"), viewport={"width": 390, "height": 844})  # a phone
    soon = queue_data["soon"]
    for page in (manager, viewer):
        page.goto(asgi_server + "/dash/publishing/")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
        for _ in range(_week_clicks(soon.scheduled_time)):
            page.locator("#pub-cal-next").click()
        expect(page.locator(f'.pub-cal-post[data-id="{soon.pk}"]')).to_contain_text("Clutch ace")
    expect(manager.locator(".pub-cal-day.today")).to_have_count(1 if _week_clicks(soon.scheduled_time) == 0 else 0)
    assert viewer.evaluate("document.documentElement.scrollWidth") <= 390  # one column a day on a phone
    expect(viewer.locator(f'.pub-cal-post[data-id="{soon.pk}"]')).to_be_disabled()  # producers only read

    target = (soon.scheduled_time + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    manager.locator(f'.pub-cal-post[data-id="{soon.pk}"]').click()
    manager.locator("#pub-reschedule-time").fill(target.strftime("%Y-%m-%dT%H:%M"))
    manager.locator("#pub-reschedule-save").click()
    expect(manager.locator("#pub-notice")).to_have_text("Rescheduled.")
    moved = viewer.locator(f'.pub-cal-post[data-id="{soon.pk}"]')
    if _week_clicks(target) != _week_clicks(soon.scheduled_time):
        viewer.locator("#pub-cal-next").click()
    expect(moved).to_contain_text(target.strftime("%H:%M"))
    soon.refresh_from_db()
    assert soon.scheduled_time == target
