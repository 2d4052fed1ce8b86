"""Videos as a spreadsheet (issue 16): export, import by source (a local file stored as its real
path), hashtags as one cell, the source rules holding for imported rows, the admin's preview."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from publishing import services
from publishing.models import Video

pytestmark = pytest.mark.django_db

BASE = "/api/v1/publishing/videos"


def _videos() -> list[tuple]:
    return sorted(
        Video.objects.values_list("source", "original_filename", "title", "caption", "hashtags", "game_context")
    )


def _upload(client, content: bytes, fmt="csv", dry_run=False):
    url = f"{BASE}/import/" + ("?dry_run=1" if dry_run else "")
    return client.post(url, {"file": SimpleUploadedFile(f"videos.{fmt}", content)}, format="multipart")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_videos_round_trip_into_an_empty_database(api_as, clip_file, fmt):
    editor = api_as("social_manager")
    services.create_video(source=clip_file("ace.mp4"), title="Ace", caption="Clutch\nround", hashtags="#gaming #ace")
    services.create_video(source=clip_file("fail.mp4"), title="=HYPERLINK(x)", game_context="Valorant")
    before = _videos()
    content = editor.get(f"{BASE}/export/?format={fmt}").content
    Video.objects.all().delete()
    r = _upload(editor, content, fmt)
    assert r.status_code == 200, r.json()
    assert r.json()["create"] == 2
    assert _videos() == before
    assert Video.objects.get(title="Ace").created_by == editor.user
    r = _upload(editor, content, fmt)
    assert (r.json()["create"], r.json()["update"], r.json()["skip"]) == (0, 0, 2)


def test_the_export_is_readable(api_as, clip_file, accounts):
    video = services.create_video(source=clip_file("ace.mp4"), title="Ace", hashtags=["#gaming", "#ace"])
    services.schedule_video(video=video, platforms=["youtube"], now=timezone.now())
    rows = list(csv.DictReader(io.StringIO(api_as("social_manager").get(f"{BASE}/export/").content.decode())))
    row = next(r for r in rows if r["title"] == "Ace")
    assert row["hashtags"] == "#gaming #ace"
    assert row["posts"].startswith("youtube pending ")
    assert list(rows[0]) == [
        "id", "source", "original_filename", "title", "caption", "hashtags", "game_context", "posts", "created_at",
        "updated_at",
    ]  # fmt: skip


def test_a_source_outside_the_media_roots_refuses_the_file(api_as, clip_file):
    editor = api_as("social_manager")
    content = f"source,title\n{clip_file('ok.mp4')},Fine\n/etc/passwd,Nope\n".encode()
    r = _upload(editor, content)
    assert r.status_code == 400
    assert [(x["row"], x["field"]) for x in r.json()["refused"]] == [(3, "source")]
    assert Video.objects.count() == 0
    r = _upload(editor, content, dry_run=True)
    assert r.status_code == 200 and r.json()["create"] == 1 and len(r.json()["refused"]) == 1


def test_an_import_updates_by_source(api_as, clip_file):
    editor = api_as("social_manager")
    path = clip_file("ace.mp4")
    services.create_video(source=path, title="Ace")
    r = _upload(editor, f"source,title,hashtags\n{path},Ace (final),#ace #win\n".encode())
    assert r.status_code == 200 and r.json()["update"] == 1
    video = Video.objects.get()
    assert (video.title, video.hashtags) == ("Ace (final)", ["#ace", "#win"])
