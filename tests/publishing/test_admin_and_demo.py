"""Admin pages and actions; periodic jobs; demo seed idempotency."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from config.management.commands.setup_periodic_tasks import all_periodic_jobs
from publishing import demo, sources
from publishing.models import AITemplate, DispatchLease, PlatformAccount, PostStatus, ScheduledPost, Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_():
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_every_model_has_a_working_changelist_with_search_and_filters(admin_client_, make_post):
    post = make_post()
    AITemplate.objects.create(name="t", prompt_text="p")
    for model in ("platformaccount", "video", "scheduledpost", "aitemplate"):
        url = f"/admin/publishing/{model}/"
        assert admin_client_.get(url).status_code == 200
        assert admin_client_.get(url, {"q": "clip"}).status_code == 200
    assert admin_client_.get("/admin/publishing/scheduledpost/", {"status__exact": "pending"}).status_code == 200
    assert admin_client_.get(f"/admin/publishing/scheduledpost/{post.pk}/change/").status_code == 200
    assert admin_client_.get(f"/admin/publishing/video/{post.video_id}/change/").status_code == 200


def test_dispatch_leases_are_shown_read_only(admin_client_, make_post):
    import uuid

    lease = DispatchLease.objects.create(
        token=uuid.uuid4(), worker="host:42", expires_at=timezone.now(), post_ids=[1, 2], created_at=timezone.now()
    )
    page = admin_client_.get("/admin/publishing/dispatchlease/")
    assert page.status_code == 200 and b"host:42" in page.content
    assert admin_client_.get(f"/admin/publishing/dispatchlease/{lease.pk}/change/").status_code == 200
    assert admin_client_.get("/admin/publishing/dispatchlease/add/").status_code == 403
    assert admin_client_.post(f"/admin/publishing/dispatchlease/{lease.pk}/delete/", {"post": "yes"}).status_code == 403
    assert DispatchLease.objects.filter(pk=lease.pk).exists()


def test_credentials_are_never_shown_and_blank_keeps_them(admin_client_, accounts):
    account = accounts["youtube"]
    page = admin_client_.get(f"/admin/publishing/platformaccount/{account.pk}/change/").content.decode()
    assert "t-youtube" not in page
    response = admin_client_.post(
        f"/admin/publishing/platformaccount/{account.pk}/change/",
        {"platform": "youtube", "handle": "new", "authenticated": "on", "new_credentials": ""},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.handle == "new" and account.credentials == {"token": "t-youtube"}
    admin_client_.post(
        f"/admin/publishing/platformaccount/{account.pk}/change/",
        {"platform": "youtube", "handle": "new", "authenticated": "on", "new_credentials": '{"token": "rotated"}'},
    )
    account.refresh_from_db()
    assert account.credentials == {"token": "rotated"}

    nested = admin_client_.post(  # issue 9: RecursionError, a 500
        f"/admin/publishing/platformaccount/{account.pk}/change/",
        {"platform": "youtube", "handle": "new", "authenticated": "on", "new_credentials": "[" * 50_000},
    )
    assert nested.status_code == 200 and "Not valid JSON" in nested.content.decode()
    account.refresh_from_db()
    assert account.credentials == {"token": "rotated"}


def _act(client, model, action, ids):
    return client.post(
        f"/admin/publishing/{model}/", {"action": action, "_selected_action": [str(i) for i in ids]}, follow=True
    )


def test_post_actions_call_the_services(admin_client_, make_post):
    waiting = make_post(platform="youtube", when=timezone.now() + timedelta(hours=3))
    failed = make_post(platform="instagram", status=PostStatus.FAILED, attempts=3, last_error="x")
    doomed = make_post(platform="tiktok", when=timezone.now() + timedelta(hours=3))

    response = _act(admin_client_, "scheduledpost", "post_now", [waiting.pk, failed.pk])
    waiting.refresh_from_db()
    assert waiting.scheduled_time <= timezone.now()
    assert "has failed" in response.content.decode()  # the failed one is refused with the reason

    _act(admin_client_, "scheduledpost", "retry", [failed.pk])
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)

    _act(admin_client_, "scheduledpost", "cancel", [doomed.pk])
    doomed.refresh_from_db()
    assert doomed.status == "cancelled"


def test_rescheduling_in_the_admin_goes_through_the_service(admin_client_, make_post):
    post = make_post(when=timezone.now() + timedelta(hours=3))
    url = f"/admin/publishing/scheduledpost/{post.pk}/change/"
    later = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = admin_client_.post(
        url, {"scheduled_time_0": later.strftime("%Y-%m-%d"), "scheduled_time_1": later.strftime("%H:%M:%S")}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.scheduled_time == later and post.next_attempt_at == later
    past = admin_client_.post(url, {"scheduled_time_0": "2001-01-01", "scheduled_time_1": "10:00:00"})
    assert past.status_code == 200 and "Must be in the future" in past.content.decode()


def test_activate_template_action(admin_client_):
    a = AITemplate.objects.create(name="a", prompt_text="p", is_active=True)
    b = AITemplate.objects.create(name="b", prompt_text="p")
    _act(admin_client_, "aitemplate", "activate_template", [b.pk])
    assert list(AITemplate.objects.filter(is_active=True)) == [b]
    response = _act(admin_client_, "aitemplate", "activate_template", [a.pk, b.pk])
    assert "exactly one" in response.content.decode()


def test_periodic_jobs_are_declared():
    jobs = {job.name: job for job in all_periodic_jobs()}
    assert jobs["publishing.dispatch_due_posts"].every_seconds == 60
    assert jobs["publishing.reclaim_stale_posts"].every_seconds <= 300


def test_demo_seed_is_idempotent(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    users = {"social_manager": make_user("social_manager")}

    def counts():
        return [m.objects.count() for m in (PlatformAccount, Video, ScheduledPost, AITemplate)]

    demo.seed(users=users, stdout=io.StringIO())
    first = counts()
    demo.seed(users=users, stdout=io.StringIO())
    assert counts() == first
    assert first[0] == 3 and first[1] >= 3 and first[3] == 2
    assert AITemplate.objects.filter(is_active=True).count() == 1
    assert set(ScheduledPost.objects.values_list("status", flat=True)) >= {"pending", "completed", "failed"}
    # The demo's clips keep to the source rules (under a media root), so they can be published.
    for video in Video.objects.all():
        assert sources.check_source(video.source) == video.source


def test_the_admin_deletes_a_video_whose_posts_were_all_cancelled_or_failed(admin_client_, make_post):
    """The service deletes such a video with its dead posts; the admin's PROTECT check used to
    refuse it before the service was asked."""
    cancelled = make_post()
    ScheduledPost.objects.filter(pk=cancelled.pk).update(status=PostStatus.CANCELLED)
    video = cancelled.video
    page = admin_client_.get(f"/admin/publishing/video/{video.pk}/delete/")
    assert page.status_code == 200
    assert b"would require deleting the following protected" not in page.content
    assert admin_client_.post(f"/admin/publishing/video/{video.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not ScheduledPost.objects.filter(pk=cancelled.pk).exists()


def test_the_admin_keeps_a_video_with_a_live_post_and_names_it(admin_client_, make_post):
    live = make_post()
    page = admin_client_.get(f"/admin/publishing/video/{live.video_id}/delete/")
    assert b"protected" in page.content and str(live).encode() in page.content
    admin_client_.post(f"/admin/publishing/video/{live.video_id}/delete/", {"post": "yes"})
    assert Video.objects.filter(pk=live.video_id).exists()
    # The bulk action too: the dead one goes, the live one stays.
    dead = make_post()
    ScheduledPost.objects.filter(pk=dead.pk).update(status=PostStatus.FAILED)
    admin_client_.post(
        "/admin/publishing/video/",
        {"action": "delete_selected", "_selected_action": [dead.video_id], "post": "yes"},
    )
    assert not Video.objects.filter(pk=dead.video_id).exists()
