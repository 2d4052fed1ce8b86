"""The clip watcher: files dropped into a temporary folder are registered, described and scheduled once."""

import io
import json
import os
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from publishing.models import AITemplate, PlatformAccount, ScheduledPost, Video
from publishing.slots import ceil_hour
from publishing.watcher import ClipWatcher
from realtime.models import EventLog
from tests.publishing.factories import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "incoming"
    path.mkdir()
    return path


def drop(folder, name, content=b"video", *, age_seconds=60):
    """A file as a recorder leaves it: finished ``age_seconds`` ago (0 = still being written)."""
    path = folder / name
    path.write_bytes(content)
    when = time.time() - age_seconds
    os.utime(path, (when, when))
    return path


def watch_once(folder, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command("watch_clips", str(folder), "--once", "--settle", "5", *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_new_finished_clips_are_registered_described_and_scheduled_with_spacing(
    folder, accounts, broadcast_rules, django_capture_on_commit_callbacks
):
    PlatformAccount.objects.filter(platform="tiktok").update(authenticated=False)
    AITemplate.objects.create(name="brand", prompt_text="Include #setdesk. {filename} {game_context}", is_active=True)
    drop(folder, "valorant_clutch_ace.mp4")
    drop(folder, "apex_triple_kill.MOV")
    drop(folder, "still_recording.mkv", age_seconds=0)
    drop(folder, "notes.txt")
    with django_capture_on_commit_callbacks(execute=True):  # role-group events are logged after commit
        out, _ = watch_once(folder, "--game-context", "Valorant")

    registered = {v.original_filename: v for v in Video.objects.all()}
    assert set(registered) == {"valorant_clutch_ace.mp4", "apex_triple_kill.MOV"}
    ace = registered["valorant_clutch_ace.mp4"]
    assert "Clutch Ace" in ace.title and "#setdesk" in ace.hashtags and ace.game_context == "Valorant"
    assert ace.source == str((folder / "valorant_clutch_ace.mp4").resolve())

    posts = list(ScheduledPost.objects.order_by("scheduled_time", "platform"))
    assert {p.platform for p in posts} == {"youtube", "instagram"}  # every authenticated platform
    first_slot = ceil_hour(timezone.now() + timedelta(hours=1))
    times = sorted({p.scheduled_time for p in posts})
    assert times == [first_slot, first_slot + timedelta(hours=1)]  # spaced: one slot per clip
    assert "Scheduled" in out and "Waiting for still_recording.mkv" in out

    events = EventLog.objects.filter(event_type="publishing.video.scheduled", group_name="role.social_manager")
    assert events.count() == 2
    payload = events.first().payload
    assert sorted(payload["platforms"]) == ["instagram", "youtube"] and payload["scheduled_time"]

    # Watching again registers nothing twice; the recording that finished since is picked up.
    drop(folder, "still_recording.mkv", b"now complete")
    watch_once(folder)
    assert Video.objects.count() == 3
    assert ScheduledPost.objects.count() == 6


def test_with_no_authenticated_platform_the_clip_is_only_registered(folder, accounts):
    PlatformAccount.objects.update(authenticated=False)
    drop(folder, "clip.mp4")
    out, _ = watch_once(folder)
    assert Video.objects.count() == 1 and not ScheduledPost.objects.exists()
    assert "no authenticated platform" in out


def test_a_growing_file_waits_until_it_has_stopped_growing(folder, accounts):
    watcher = ClipWatcher(folder, settle_seconds=5)
    path = drop(folder, "growing.mp4", b"12345")
    assert watcher.scan().registered == []  # first sight: size not confirmed yet
    with open(path, "ab") as out:
        out.write(b"67890")
    old = time.time() - 60
    os.utime(path, (old, old))
    assert watcher.scan().registered == []  # it grew since the last look
    (clip,) = watcher.scan().registered  # same size twice, quiet: finished
    assert clip.video.original_filename == "growing.mp4" and len(clip.posts) == 3
    assert watcher.scan().registered == []


def test_a_bad_ai_reply_leaves_nothing_behind(folder, accounts, http_server, settings):
    replies = iter([Reply(body={"choices": [{"message": {"content": "I cannot do JSON"}}]})])
    server = http_server(lambda request: next(replies))
    settings.LLM_BASE_URL = server.url
    drop(folder, "clip.mp4")
    _, err = watch_once(folder)
    assert "not JSON" in err
    assert not Video.objects.exists() and not ScheduledPost.objects.exists()


def test_the_llm_backend_describes_clips(folder, accounts, http_server, settings):
    good = {"title": "LLM title", "caption": "LLM caption", "hashtags": [f"#t{i}" for i in range(12)]}
    server = http_server(lambda request: Reply(body={"choices": [{"message": {"content": json.dumps(good)}}]}))
    settings.LLM_BASE_URL = server.url
    drop(folder, "clip.mp4")
    watch_once(folder)
    video = Video.objects.get()
    assert (video.title, video.caption, len(video.hashtags)) == ("LLM title", "LLM caption", 12)
    assert "clip.mp4" in server.received[0].json()["messages"][-1]["content"]


def test_missing_folder_is_a_command_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("watch_clips", str(tmp_path / "nope"), "--once")


def test_a_relative_folder_under_the_media_root_works(tmp_path, accounts, monkeypatch):
    (tmp_path / "rel").mkdir()
    drop(tmp_path / "rel", "clip.mp4")
    monkeypatch.chdir(tmp_path)
    watch_once("rel")
    assert Video.objects.get().source == str((tmp_path / "rel" / "clip.mp4").resolve())


def test_a_folder_outside_the_media_roots_is_a_command_error(tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere")
    with pytest.raises(CommandError, match="not under the media roots"):
        call_command("watch_clips", str(outside), "--once")
