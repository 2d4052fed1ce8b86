"""Issue 9, finding 12: only http(s) permalinks are stored, and only those are rendered as links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from publishing import services
from publishing.models import PostStatus, ScheduledPost
from publishing.uploaders import safe_permalink
from tests.publishing.factories import Reply

pytestmark = pytest.mark.django_db(transaction=True)

EVIL = ["javascript:alert(1)", "JavaScript:alert(document.cookie)", " javascript:alert(1)", "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.example/x",
        "https://", "https://ok.example/\njavascript:alert(1)"]  # fmt: skip


def _pages(make_user) -> dict[str, str]:
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    admin, manager = Client(), Client()
    admin.force_login(boss)
    manager.force_login(make_user("social_manager"))
    post = ScheduledPost.objects.get()
    return {
        "changelist": admin.get("/admin/publishing/scheduledpost/").content.decode(),
        "change": admin.get(f"/admin/publishing/scheduledpost/{post.pk}/change/").content.decode(),
        "video": admin.get(f"/admin/publishing/video/{post.video_id}/change/").content.decode(),
        "queue": manager.get("/dash/publishing/").content.decode(),
    }


def test_a_javascript_permalink_from_the_upload_endpoint_is_not_stored_nor_linked(
    http_server, settings, make_post, make_user, captured_log
):
    endpoint = http_server(lambda request: Reply(body={"id": "x", "url": "javascript:alert(1)"}))
    settings.PUBLISHING_UPLOADER = "http"
    settings.PUBLISHING_HTTP_ENDPOINT = f"{endpoint.url}/upload"
    post = make_post()
    with captured_log("publishing.dispatch") as warnings:  # the dispatcher logs it
        report = services.dispatch_due_posts(clock=timezone.now, worker="w")
    assert report.completed == 1 and len(endpoint.received) == 1
    post.refresh_from_db()
    # It was published: completed, with its id, but no link.
    assert (post.status, post.external_id, post.external_url) == ("completed", "x", "")
    assert any("not an http(s) URL" in message for message in warnings)
    for name, html in _pages(make_user).items():
        assert "javascript:" not in html, name


def test_recorded_outcomes_drop_non_http_permalinks_too(make_post):
    post = make_post()
    token, [claimed] = services.claim_due_posts(now=timezone.now(), limit=1, worker="w")
    bad = services.UploadResult(external_id="e", url="javascript:alert(1)")
    services.record_outcomes(token=token, outcomes=[services.Outcome(post=claimed, result=bad)], now=timezone.now())
    post.refresh_from_db()
    assert (post.status, post.external_url) == ("completed", "")


def test_rows_stored_before_the_rule_are_not_rendered_as_links(make_post, make_user, api_as):
    post = make_post(status=PostStatus.COMPLETED, external_id="old", external_url="javascript:alert(1)",
                     posted_at=timezone.now() - timedelta(hours=1))  # fmt: skip
    pages = _pages(make_user)
    for name, html in pages.items():
        assert 'href="javascript:' not in html, name
    assert "javascript:" not in pages["changelist"] and "javascript:" not in pages["queue"]
    body = api_as("social_manager").get(f"/api/v1/publishing/posts/{post.pk}/").json()
    assert body["external_url"] == ""


def test_good_permalinks_are_kept_and_linked(make_post, make_user):
    make_post(status=PostStatus.COMPLETED, external_id="yt-1", external_url="https://youtube.example/v/1",
              posted_at=timezone.now())  # fmt: skip
    pages = _pages(make_user)
    assert 'href="https://youtube.example/v/1"' in pages["changelist"]
    assert "https://youtube.example/v/1" in pages["queue"]


@pytest.mark.parametrize("url", EVIL)
def test_only_http_urls_are_permalinks(url):
    assert safe_permalink(url) == ""


@pytest.mark.parametrize("url", ["https://youtube.example/v/1", "http://tiktok.example/@studio/video/9?x=1#t"])
def test_http_urls_are_permalinks(url):
    assert safe_permalink(url) == url
