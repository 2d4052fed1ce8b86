"""The publishing API (SPEC §9): accounts, videos, posts, slots, stats; errors in the house shape."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from publishing.models import PlatformAccount, PostStatus, ScheduledPost, Video
from realtime.models import EventLog

pytestmark = pytest.mark.django_db

BASE = "/api/v1/publishing"
NOW = datetime(2026, 3, 10, 14, 20, tzinfo=UTC)


@pytest.fixture
def manager(api_as):
    return api_as("social_manager")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def parse(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- accounts --------------------------------------------------------------------


def test_credentials_are_write_only(manager):
    response = manager.post(
        f"{BASE}/accounts/",
        {"platform": "youtube", "handle": "studio", "authenticated": True, "credentials": {"token": "s3cret"}},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "credentials" not in body and body["has_credentials"] is True
    account = PlatformAccount.objects.get()
    assert account.credentials == {"token": "s3cret"}
    for url in (f"{BASE}/accounts/", f"{BASE}/accounts/{account.pk}/"):
        assert "s3cret" not in manager.get(url).content.decode()
    # PATCH without credentials keeps them.
    assert manager.patch(f"{BASE}/accounts/{account.pk}/", {"handle": "studio2"}).status_code == 200
    account.refresh_from_db()
    assert account.credentials == {"token": "s3cret"} and account.handle == "studio2"
    bad = manager.patch(f"{BASE}/accounts/{account.pk}/", {"credentials": ["not", "an", "object"]})
    assert bad.status_code == 400 and "credentials" in bad.json()["errors"]


def test_one_account_per_platform(manager, accounts):
    response = manager.post(f"{BASE}/accounts/", {"platform": "youtube", "handle": "other"})
    assert response.status_code == 400
    assert "platform" in response.json()["errors"]


def test_an_account_with_posts_cannot_be_deleted(manager, make_post, accounts):
    make_post(platform="tiktok")
    assert manager.delete(f"{BASE}/accounts/{accounts['tiktok'].pk}/").status_code == 409


def test_reading_needs_a_login_and_the_view_perm_and_writing_needs_the_perm(api, api_as, accounts):
    assert api.get(f"{BASE}/accounts/").status_code == 401
    crew = api_as("crew")
    assert crew.get(f"{BASE}/accounts/").status_code == 403  # reads need the view perm (SPEC §0)
    assert api_as("producer").get(f"{BASE}/accounts/").status_code == 200
    assert crew.post(f"{BASE}/videos/", {"source": "/clips/x.mp4"}).status_code == 403
    producer = api_as("producer")
    assert producer.post(f"{BASE}/templates/", {"name": "x", "prompt_text": "y"}).status_code == 403


# --- videos ------------------------------------------------------------------------


def test_video_crud_normalizes_hashtags(manager, clip_file):
    source = clip_file("valorant_ace.mp4")
    response = manager.post(
        f"{BASE}/videos/",
        {"source": source, "title": "Ace", "hashtags": "#valorant ace, #ACE", "game_context": "V"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["hashtags"] == ["#valorant", "#ace"]
    assert body["original_filename"] == "valorant_ace.mp4"
    duplicate = manager.post(f"{BASE}/videos/", {"source": source})
    assert duplicate.status_code == 400 and "source" in duplicate.json()["errors"]
    bad = manager.post(f"{BASE}/videos/", {"source": clip_file("b.mp4"), "hashtags": ["#fine", "not fine!"]})
    assert bad.status_code == 400 and "hashtags" in bad.json()["errors"]
    assert Video.objects.count() == 1
    video_id = body["id"]
    assert manager.patch(f"{BASE}/videos/{video_id}/", {"title": "Ace!"}).json()["title"] == "Ace!"
    assert manager.get(f"{BASE}/videos/?q=ace").json()["count"] == 1
    assert manager.delete(f"{BASE}/videos/{video_id}/").status_code == 204


def test_editing_a_scheduled_video_must_keep_to_its_platforms_limits(manager, make_post):
    post = make_post(platform="youtube", when=timezone.now() + timedelta(hours=3))
    response = manager.patch(f"{BASE}/videos/{post.video_id}/", {"title": "t" * 101})
    assert response.status_code == 400
    assert "100 characters" in response.json()["errors"]["title"][0]
    post.video.refresh_from_db()
    assert post.video.title != "t" * 101
    # A scheduled video cannot be deleted; its post must be cancelled first.
    assert manager.delete(f"{BASE}/videos/{post.video_id}/").status_code == 409


# --- creating posts -------------------------------------------------------------------


def test_create_defaults_to_the_next_slot_free_on_every_platform(
    frozen, manager, accounts, make_video, make_post, django_capture_on_commit_callbacks
):
    make_post(platform="instagram", when=datetime(2026, 3, 10, 16, tzinfo=UTC))
    video = make_video()
    with django_capture_on_commit_callbacks(execute=True):  # role-group events are logged after commit
        response = manager.post(f"{BASE}/posts/", {"video": video.pk, "platforms": ["youtube", "instagram"]})
    assert response.status_code == 201, response.json()
    posts = response.json()
    assert [p["platform"] for p in posts] == ["youtube", "instagram"]
    # 14:20 + 1 h → 16:00 is taken on Instagram → 17:00 for both.
    assert {parse(p["scheduled_time"]) for p in posts} == {datetime(2026, 3, 10, 17, tzinfo=UTC)}
    assert all(p["status"] == "pending" for p in posts)
    event = EventLog.objects.filter(event_type="publishing.video.scheduled").last()
    assert event.payload["platforms"] == ["youtube", "instagram"]
    assert event.payload["scheduled_time"] == "2026-03-10T17:00:00Z"
    assert event.group_name in {"role.social_manager", "role.producer"}


def test_create_at_an_explicit_time(frozen, manager, accounts, make_video):
    when = NOW + timedelta(hours=5, minutes=7)
    response = manager.post(
        f"{BASE}/posts/", {"video": make_video().pk, "platforms": ["tiktok"], "scheduled_time": iso(when)}
    )
    assert response.status_code == 201
    assert parse(response.json()[0]["scheduled_time"]) == when
    past = manager.post(
        f"{BASE}/posts/", {"video": make_video().pk, "platforms": ["tiktok"], "scheduled_time": iso(NOW)}
    )
    assert past.status_code == 400 and "scheduled_time" in past.json()["errors"]


def test_one_post_per_video_and_platform(manager, accounts, make_video):
    video = make_video()
    assert manager.post(f"{BASE}/posts/", {"video": video.pk, "platforms": ["youtube"]}).status_code == 201
    again = manager.post(f"{BASE}/posts/", {"video": video.pk, "platforms": ["tiktok", "youtube"]})
    assert again.status_code == 409
    assert ScheduledPost.objects.count() == 1  # nothing half-written: no TikTok post either
    # Once cancelled, the video may be scheduled there again.
    post = ScheduledPost.objects.get()
    assert manager.delete(f"{BASE}/posts/{post.pk}/").status_code == 200
    assert manager.post(f"{BASE}/posts/", {"video": video.pk, "platforms": ["youtube"]}).status_code == 201


def test_unauthenticated_platform_is_refused(manager, accounts, make_video):
    PlatformAccount.objects.filter(platform="tiktok").update(authenticated=False)
    response = manager.post(f"{BASE}/posts/", {"video": make_video().pk, "platforms": ["youtube", "tiktok"]})
    assert response.status_code == 400
    assert "not authenticated" in response.json()["errors"]["platforms"][0]
    assert ScheduledPost.objects.count() == 0


@pytest.mark.parametrize(
    ("platform", "fields", "field", "limit"),
    [
        ("youtube", {"title": "t" * 101}, "title", "100"),
        ("youtube", {"caption": "c" * 5001}, "caption", "5,000"),
        ("instagram", {"caption": "c" * 2201}, "caption", "2,200"),
        ("instagram", {"hashtags": [f"#t{i}" for i in range(31)]}, "hashtags", "30"),
        ("tiktok", {"caption": "c" * 2201}, "caption", "2,200"),
    ],
)
def test_content_limits_give_a_400_naming_field_and_limit(
    manager, accounts, make_video, platform, fields, field, limit
):
    video = make_video(**fields)
    response = manager.post(f"{BASE}/posts/", {"video": video.pk, "platforms": [platform]})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert limit in body["errors"][field][0]
    assert ScheduledPost.objects.count() == 0


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"video": 999999, "platforms": ["youtube"]},
        {"video": "x", "platforms": ["youtube"]},
        {"platforms": "youtube"},
        {"platforms": []},
        {"platforms": ["myspace"]},
        {"platforms": ["youtube"], "scheduled_time": "tomorrow"},
        {"platforms": [None]},
    ],
)
def test_bad_create_bodies_are_400(manager, accounts, make_video, payload):
    if "video" not in payload and payload:
        payload = {"video": make_video().pk, **payload}
    response = manager.post(f"{BASE}/posts/", payload)
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


# --- reading the queue ----------------------------------------------------------------


def test_upcoming_and_stats(frozen, manager, make_post, make_video):
    soon = make_post(platform="youtube", when=NOW + timedelta(hours=2))
    overdue = make_post(platform="instagram", when=NOW - timedelta(minutes=5))
    make_post(platform="tiktok", when=NOW + timedelta(hours=30))
    make_post(platform="youtube", when=NOW - timedelta(hours=2), status=PostStatus.COMPLETED, posted_at=NOW)
    make_post(platform="youtube", when=NOW - timedelta(hours=3), status=PostStatus.FAILED)
    make_post(platform="instagram", when=NOW + timedelta(hours=1), status=PostStatus.CANCELLED)
    ids = [p["id"] for p in manager.get(f"{BASE}/posts/upcoming/").json()["results"]]
    assert ids == [overdue.pk, soon.pk]
    assert len(manager.get(f"{BASE}/posts/upcoming/?hours=48").json()["results"]) == 3
    assert manager.get(f"{BASE}/posts/upcoming/?hours=0").status_code == 400
    assert manager.get(f"{BASE}/posts/upcoming/?hours=abc").status_code == 400
    stats = manager.get(f"{BASE}/posts/stats/").json()
    assert stats == {"scheduled": 3, "posting_today": 2, "completed_today": 1, "failed": 1}
    listing = manager.get(f"{BASE}/posts/?status=failed&status=completed").json()
    assert listing["count"] == 2
    assert manager.get(f"{BASE}/posts/?status=bogus").status_code == 400
    detail = manager.get(f"{BASE}/posts/{soon.pk}/").json()
    assert detail["video_title"] == soon.video.title and detail["account_handle"] == "youtube_handle"


def test_next_slot(frozen, manager, make_post):
    make_post(platform="youtube", when=datetime(2026, 3, 10, 16, tzinfo=UTC))
    body = manager.get(f"{BASE}/slots/next/?platform=youtube").json()
    assert body == {"platform": "youtube", "scheduled_time": "2026-03-10T17:00:00Z"}
    assert manager.get(f"{BASE}/slots/next/?platform=tiktok").json()["scheduled_time"] == "2026-03-10T16:00:00Z"
    assert manager.get(f"{BASE}/slots/next/").status_code == 400
    assert manager.get(f"{BASE}/slots/next/?platform=myspace").status_code == 400


# --- changing posts -------------------------------------------------------------------


def test_reschedule_only_waiting_posts_and_only_to_the_future(frozen, manager, make_post):
    post = make_post(when=NOW + timedelta(hours=2))
    later = NOW + timedelta(hours=6)
    response = manager.patch(f"{BASE}/posts/{post.pk}/", {"scheduled_time": iso(later)})
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.scheduled_time == later and post.next_attempt_at == later
    assert manager.patch(f"{BASE}/posts/{post.pk}/", {"scheduled_time": iso(NOW)}).status_code == 400
    assert manager.patch(f"{BASE}/posts/{post.pk}/", {}).status_code == 400
    done = make_post(platform="instagram", status=PostStatus.COMPLETED)
    assert manager.patch(f"{BASE}/posts/{done.pk}/", {"scheduled_time": iso(later)}).status_code == 409
    assert manager.put(f"{BASE}/posts/{post.pk}/", {"scheduled_time": iso(later)}).status_code == 405


def test_cancel(manager, make_post):
    post = make_post(when=timezone.now() + timedelta(hours=1))
    response = manager.delete(f"{BASE}/posts/{post.pk}/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert manager.delete(f"{BASE}/posts/{post.pk}/").status_code == 409
    busy = make_post(platform="tiktok", status=PostStatus.PROCESSING, lease_expires_at=timezone.now(),
                     lease_token="8c5c7e2a-3f62-4c2e-9a39-0e3b7d0a1b11")  # fmt: skip
    conflict = manager.delete(f"{BASE}/posts/{busy.pk}/")
    assert conflict.status_code == 409 and "being posted" in conflict.json()["detail"]


def test_force_makes_a_waiting_post_due_now(frozen, manager, make_post):
    post = make_post(when=NOW + timedelta(hours=5))
    response = manager.post(f"{BASE}/posts/{post.pk}/force/")
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.scheduled_time == NOW and post.next_attempt_at == NOW and post.status == "pending"
    failed = make_post(platform="tiktok", status=PostStatus.FAILED)
    assert manager.post(f"{BASE}/posts/{failed.pk}/force/").status_code == 409


def test_retry_gives_a_failed_post_fresh_attempts(frozen, manager, make_post):
    post = make_post(status=PostStatus.FAILED, attempts=3, last_error="boom")
    key = post.idempotency_key
    response = manager.post(f"{BASE}/posts/{post.pk}/retry/")
    assert response.status_code == 200
    post.refresh_from_db()
    assert (post.status, post.attempts, post.last_error, post.next_attempt_at) == ("pending", 0, "", NOW)
    assert post.idempotency_key == key
    assert manager.post(f"{BASE}/posts/{post.pk}/retry/").status_code == 409


def test_queue_actions_need_the_change_perm(api_as, make_post):
    post = make_post()
    producer = api_as("producer")
    assert producer.post(f"{BASE}/posts/{post.pk}/force/").status_code == 403
    assert producer.post(f"{BASE}/posts/{post.pk}/retry/").status_code == 403
    assert producer.delete(f"{BASE}/posts/{post.pk}/").status_code == 403
    assert (
        producer.post(f"{BASE}/posts/space/", {"videos": [post.video_id], "platforms": ["youtube"]}).status_code == 403
    )
    assert producer.get(f"{BASE}/posts/{post.pk}/").status_code == 200
    assert producer.get(f"{BASE}/posts/999999/").status_code == 404


def test_space_spreads_videos_over_successive_slots(
    frozen, manager, accounts, make_video, make_post, django_capture_on_commit_callbacks
):
    busy = datetime(2026, 3, 10, 17, tzinfo=UTC)
    make_post(platform="youtube", when=busy)
    a, b, c = make_video(), make_video(), make_video()
    waiting = make_post(video=b, platform="tiktok", when=NOW + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):  # role-group events are logged after commit
        response = manager.post(
            f"{BASE}/posts/space/", {"videos": [a.pk, b.pk, c.pk], "platforms": ["youtube", "tiktok"]}
        )
    assert response.status_code == 201, response.json()
    times = {(p["video"], p["platform"]): parse(p["scheduled_time"]) for p in response.json()}
    hour = lambda h: datetime(2026, 3, 10, h, tzinfo=UTC)  # noqa: E731
    assert times == {
        (a.pk, "youtube"): hour(16), (a.pk, "tiktok"): hour(16),
        (b.pk, "youtube"): hour(18), (b.pk, "tiktok"): hour(18),
        (c.pk, "youtube"): hour(19), (c.pk, "tiktok"): hour(19),
    }  # fmt: skip
    waiting.refresh_from_db()
    assert waiting.scheduled_time == hour(18)  # moved, not duplicated
    assert ScheduledPost.objects.count() == 7
    assert EventLog.objects.filter(event_type="publishing.video.scheduled").count() >= 3


def test_space_refuses_bad_input_without_writing(manager, accounts, make_video, make_post):
    ok, long_title = make_video(), make_video(title="t" * 101)
    response = manager.post(f"{BASE}/posts/space/", {"videos": [ok.pk, long_title.pk], "platforms": ["youtube"]})
    assert response.status_code == 400
    assert f"Video {long_title.pk}" in response.json()["errors"]["title"][0]
    posted = make_post(video=ok, platform="tiktok", status=PostStatus.COMPLETED)
    assert manager.post(f"{BASE}/posts/space/", {"videos": [ok.pk], "platforms": ["tiktok"]}).status_code == 409
    assert manager.post(f"{BASE}/posts/space/", {"videos": [], "platforms": ["tiktok"]}).status_code == 400
    assert ScheduledPost.objects.exclude(pk=posted.pk).count() == 0


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00Z", "2201-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00"])
def test_scheduled_times_outside_the_years_are_refused_and_change_nothing(frozen, manager, make_video, make_post,
                                                                          moment):  # fmt: skip
    """Issue 9, finding 5 (ranges at the edge): 9999-12-31 was scheduled (201)."""
    created = manager.post(
        f"{BASE}/posts/", {"video": make_video().pk, "platforms": ["tiktok"], "scheduled_time": moment}
    )
    assert created.status_code == 400, created.content
    assert "1900" in created.json()["errors"]["scheduled_time"][0]
    post = make_post(when=NOW + timedelta(hours=2))
    moved = manager.patch(f"{BASE}/posts/{post.pk}/", {"scheduled_time": moment})
    assert moved.status_code == 400, moved.content
    assert ScheduledPost.objects.count() == 1
    post.refresh_from_db()
    assert post.scheduled_time == NOW + timedelta(hours=2)
