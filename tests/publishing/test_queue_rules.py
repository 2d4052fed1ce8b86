"""A queue that never posts what it must not (issue 12, SPEC §4): limits on every path, `held`
for unauthenticated accounts, local whole-hour slots, spacing on reschedule, template variables."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publishing import services
from publishing.models import PlatformAccount, PostStatus, ScheduledPost

pytestmark = pytest.mark.django_db

BASE = "/api/v1/publishing"
LONG_TITLE = "x" * 150  # YouTube allows 100


@pytest.fixture
def manager(api_as):
    return api_as("social_manager")


def _failed_youtube_post(make_post):
    return make_post(platform="youtube", status=PostStatus.FAILED, attempts=3, last_error="HTTP 503")


# --- limits on every path ------------------------------------------------------------------------


def test_editing_a_video_over_a_limit_of_a_failed_post_is_refused(manager, make_post):
    post = _failed_youtube_post(make_post)
    r = manager.patch(f"{BASE}/videos/{post.video_id}/", {"title": LONG_TITLE}, format="json")
    assert r.status_code == 400, r.json()
    assert "title" in r.json()["errors"] and "100" in " ".join(r.json()["errors"]["title"])
    post.video.refresh_from_db()
    assert post.video.title != LONG_TITLE


def test_retry_and_force_check_the_limits_again(manager, make_post):
    failed = _failed_youtube_post(make_post)
    pending = make_post(platform="youtube", when=timezone.now() + timedelta(hours=3))
    for post in (failed, pending):
        type(post.video).objects.filter(pk=post.video_id).update(title=LONG_TITLE)  # written round the API
    r = manager.post(f"{BASE}/posts/{failed.pk}/retry/")
    assert r.status_code == 400 and "title" in r.json()["errors"]
    r = manager.post(f"{BASE}/posts/{pending.pk}/force/")
    assert r.status_code == 400 and "title" in r.json()["errors"]
    failed.refresh_from_db()
    pending.refresh_from_db()
    assert (failed.status, pending.status) == (PostStatus.FAILED, PostStatus.PENDING)


def test_the_dispatcher_never_publishes_an_over_limit_post(make_post, _outbox):
    post = make_post(platform="youtube")
    type(post.video).objects.filter(pk=post.video_id).update(title=LONG_TITLE)
    services.dispatch_due_posts(clock=timezone.now)
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED and post.external_id == ""
    assert "title" in post.last_error and "100" in post.last_error
    assert not _outbox.exists() or not any(_outbox.iterdir())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.integers(0, 200),
    caption=st.integers(0, 5200),
    hashtags=st.integers(0, 40),
    platform=st.sampled_from(["youtube", "instagram", "tiktok"]),
)
def test_no_path_brings_an_over_limit_post_to_completed(make_post, title, caption, hashtags, platform):
    from publishing.limits import Content, content_errors

    post = make_post(platform=platform)
    tags = [f"#t{n}" for n in range(hashtags)]
    type(post.video).objects.filter(pk=post.video_id).update(title="t" * title, caption="c" * caption, hashtags=tags)
    over = bool(content_errors(platform, Content(title="t" * title, caption="c" * caption, hashtags=tuple(tags))))
    services.dispatch_due_posts(clock=timezone.now)
    post.refresh_from_db()
    assert (post.status == PostStatus.COMPLETED) == (not over)
    ScheduledPost.objects.filter(pk=post.pk).delete()


# --- held while the account is not authenticated -------------------------------------------------


def test_a_due_post_of_an_unauthenticated_account_is_held_then_released(manager, make_post, accounts):
    post = make_post(platform="youtube")
    r = manager.patch(f"{BASE}/accounts/{accounts['youtube'].pk}/", {"authenticated": False}, format="json")
    assert r.status_code == 200, r.json()
    services.dispatch_due_posts(clock=timezone.now)
    post.refresh_from_db()
    assert post.status == PostStatus.HELD and post.attempts == 0
    assert "not authenticated" in post.last_error and "@youtube_handle" in post.last_error
    r = manager.post(f"{BASE}/posts/{post.pk}/force/")
    assert r.status_code == 409  # nothing goes out while held
    r = manager.patch(f"{BASE}/accounts/{accounts['youtube'].pk}/", {"authenticated": True}, format="json")
    assert r.status_code == 200
    post.refresh_from_db()
    assert (post.status, post.last_error) == (PostStatus.PENDING, "")
    services.dispatch_due_posts(clock=timezone.now)
    post.refresh_from_db()
    assert post.status == PostStatus.COMPLETED


def test_a_held_post_can_be_cancelled(manager, make_post, accounts):
    post = make_post(platform="youtube")
    PlatformAccount.objects.filter(pk=accounts["youtube"].pk).update(authenticated=False)
    services.dispatch_due_posts(clock=timezone.now)
    assert manager.delete(f"{BASE}/posts/{post.pk}/").status_code in (200, 204)
    post.refresh_from_db()
    assert post.status == PostStatus.CANCELLED


# --- slots are whole hours of the local time zone ------------------------------------------------


def test_the_next_slot_is_a_whole_local_hour(settings, accounts, time_machine):
    settings.PUBLISHING_TIME_ZONE = "Asia/Kolkata"  # UTC+05:30
    time_machine.move_to(datetime(2026, 3, 10, 17, 5, tzinfo=UTC), tick=False)  # 22:35 in Kolkata
    slot = services.next_slot(platforms=["youtube"], now=timezone.now())
    local = slot.astimezone(zoneinfo.ZoneInfo("Asia/Kolkata"))
    assert (local.hour, local.minute) == (0, 0)  # 22:35 + 1 h → 00:00, not 23:30
    assert slot - timezone.now() >= timedelta(hours=1)


# --- spacing on reschedule -----------------------------------------------------------------------


def test_a_reschedule_next_to_another_post_of_the_platform_is_409_naming_it(manager, make_post):
    at = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=5)
    first = make_post(platform="youtube", when=at)
    second = make_post(platform="youtube", when=at + timedelta(hours=3))
    r = manager.patch(f"{BASE}/posts/{second.pk}/", {"scheduled_time": at.isoformat()}, format="json")
    assert r.status_code == 409, r.json()
    assert f"post {first.pk}" in r.json()["detail"]
    second.refresh_from_db()
    assert second.scheduled_time == at + timedelta(hours=3)
    # Another platform at the same hour is fine, as is an hour away on the same one.
    other = make_post(platform="instagram", when=at + timedelta(hours=4))
    r = manager.patch(f"{BASE}/posts/{other.pk}/", {"scheduled_time": at.isoformat()}, format="json")
    assert r.status_code == 200
    later = (at + timedelta(hours=1)).isoformat()
    assert manager.patch(f"{BASE}/posts/{second.pk}/", {"scheduled_time": later}, format="json").status_code == 200


# --- template variables --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Title for {game} clip {filename}", "{filename} {Game_Context}", "{ title }x{foo_1}"])
def test_a_template_naming_an_unknown_variable_is_refused(manager, text):
    r = manager.post(f"{BASE}/templates/", {"name": "bad", "prompt_text": text}, format="json")
    if "{ title }" in text:
        assert r.status_code == 400 and "{foo_1}" in " ".join(r.json()["errors"]["prompt_text"])
        return
    assert r.status_code == 400, r.json()
    assert "prompt_text" in r.json()["errors"]


def test_a_template_with_the_two_variables_and_a_json_example_is_fine(manager):
    text = 'Clip {filename} from {game_context}. Answer as {"title": "...", "caption": "..."}.'
    r = manager.post(f"{BASE}/templates/", {"name": "good", "prompt_text": text}, format="json")
    assert r.status_code == 201, r.json()
