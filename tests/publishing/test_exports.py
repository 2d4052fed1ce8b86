"""CSV exports of the queue and of the completed posts (page, API, admin)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from publishing.models import PostStatus

pytestmark = pytest.mark.django_db

URL = "/api/v1/publishing/posts/export/"


def rows(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_queue_export_lists_what_is_still_to_go_out(api_as, make_post, make_video):
    soon = make_post(when=timezone.now() + timedelta(hours=2))
    failed = make_post(platform="instagram", status=PostStatus.FAILED, last_error="HTTP 503")
    make_post(platform="tiktok", status=PostStatus.COMPLETED, posted_at=timezone.now())
    make_post(video=make_video(title="=HYPERLINK(evil)"), when=timezone.now() + timedelta(hours=5))
    got = rows(api_as("producer").get(URL))
    assert [int(r["Post"]) for r in got][:2] == [failed.pk, soon.pk]
    assert {r["Status"] for r in got} == {"pending", "failed"}
    assert got[0]["Last error"] == "HTTP 503"
    assert any(r["Video"] == "'=HYPERLINK(evil)" for r in got)  # no formula runs in a spreadsheet


def test_the_completed_export_takes_a_date_range_of_local_days(api_as, make_post, settings, time_machine):
    settings.PUBLISHING_TIME_ZONE = "America/Los_Angeles"
    time_machine.move_to(datetime(2026, 6, 15, 20, 0, tzinfo=UTC), tick=False)
    inside = make_post(status=PostStatus.COMPLETED, posted_at=datetime(2026, 6, 10, 6, 30, tzinfo=UTC))  # 9 Jun LA
    make_post(platform="instagram", status=PostStatus.COMPLETED, posted_at=datetime(2026, 6, 12, 8, tzinfo=UTC))
    got = rows(api_as("producer").get(URL, {"kind": "completed", "since": "2026-06-09", "until": "2026-06-09"}))
    assert [int(r["Post"]) for r in got] == [inside.pk]
    assert got[0]["Posted"] == "2026-06-09T23:30:00-07:00"


@pytest.mark.parametrize(
    "query", [{"kind": "sideways"}, {"since": "yesterday"}, {"since": "2026-06-10", "until": "2026-06-01"}]
)
def test_bad_export_queries_are_400(api_as, query):
    assert api_as("producer").get(URL, query).status_code == 400


def test_the_admin_exports_the_selected_posts(make_user, make_post):
    post = make_post()
    client = Client()
    client.force_login(make_user(None, is_staff=True, is_superuser=True))
    response = client.post("/admin/publishing/scheduledpost/", {"action": "export_csv", "_selected_action": [post.pk]})
    assert [int(r["Post"]) for r in rows(response)] == [post.pk]
