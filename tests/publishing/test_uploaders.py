"""Uploaders: the outbox (idempotent by key) and the HTTP uploader against a real local server."""

from pathlib import Path

import pytest

from publishing.uploaders import (
    IDEMPOTENCY_HEADER,
    HttpUploader,
    OutboxUploader,
    UploadError,
    UploadRequest,
    get_uploader,
    uploader_names,
)
from tests.publishing.factories import Internet, Reply, source_rules


def request_for(source, key="key-1", platform="youtube", **extra):
    return UploadRequest(
        post_id=7,
        platform=platform,
        idempotency_key=key,
        source=str(source),
        filename=Path(str(source)).name,
        title="Ace",
        caption="So clean",
        hashtags=("#a", "#b"),
        **extra,
    )


# --- outbox ------------------------------------------------------------------------------


def test_outbox_copies_the_file_and_returns_a_permalink(tmp_path, clip_file, settings):
    source = clip_file("ace clip.mp4", b"the video")
    result = OutboxUploader(tmp_path / "out").upload(request_for(source))
    assert result.url == ""  # no PUBLISHING_OUTBOX_URL: no permalink (never a file:// URI)
    copy = tmp_path / "out" / "youtube" / "key-1" / "ace_clip.mp4"
    assert copy.read_bytes() == b"the video"
    assert result.external_id == "youtube-key-1"
    assert (copy.parent / "post.json").exists()
    settings.PUBLISHING_OUTBOX_URL = "https://media.example.com/outbox/"
    served = OutboxUploader(tmp_path / "out").upload(request_for(source, key="key-2"))
    assert served.url == "https://media.example.com/outbox/youtube/key-2/ace_clip.mp4"


def test_outbox_same_key_returns_the_existing_permalink_without_copying(tmp_path, clip_file):
    source = clip_file("a.mp4", b"v1")
    outbox = OutboxUploader(tmp_path / "out")
    first = outbox.upload(request_for(source))
    Path(source).unlink()  # a second copy would fail now
    assert outbox.upload(request_for(source)) == first
    assert len(list((tmp_path / "out").rglob("a.mp4"))) == 1
    with pytest.raises(UploadError, match="not found"):
        outbox.upload(request_for(source, key="key-2"))  # a different post does copy


def test_outbox_fetches_url_sources(tmp_path, http_server):
    """Through the guarded fetcher (tests/publishing/test_sources.py has its rules): here an allowed
    host whose public address the test's ``Internet`` transport routes to the local server."""
    server = http_server(lambda request: Reply(body=b"remote video", headers={"Content-Type": "video/mp4"}))
    rules = source_rules(transport=Internet(server.url))
    OutboxUploader(tmp_path / "out", rules=rules).upload(request_for("https://media.example.test/clips/remote.mp4"))
    assert (tmp_path / "out" / "youtube" / "key-1" / "remote.mp4").read_bytes() == b"remote video"
    missing = http_server(lambda request: Reply(status=404, body=b"nope"))
    with pytest.raises(UploadError, match="HTTP 404") as failed:
        OutboxUploader(tmp_path / "out", rules=source_rules(transport=Internet(missing.url))).upload(
            request_for("https://media.example.test/x.mp4", key="k2")
        )
    assert "nope" not in str(failed.value) and failed.value.final is False  # worth a retry
    # A failed fetch leaves no manifest: the next try really tries.
    assert not (tmp_path / "out" / "youtube" / "k2.json").exists()


# --- http ----------------------------------------------------------------------------------


def test_http_uploader_posts_multipart_with_the_idempotency_key(http_server, clip_file):
    server = http_server(lambda request: Reply(body={"id": "yt-42", "url": "https://yt.example/42"}))
    result = HttpUploader(f"{server.url}/upload", timeout=5).upload(
        request_for(clip_file("b.mp4", b"bytes!"), account_handle="studio")
    )
    assert (result.external_id, result.url) == ("yt-42", "https://yt.example/42")
    (received,) = server.received
    assert received.method == "POST" and received.path == "/upload"
    assert received.headers[IDEMPOTENCY_HEADER.lower()] == "key-1"
    form = received.form()
    assert form["file"] == b"bytes!"
    assert form["platform"] == "youtube" and form["title"] == "Ace" and form["caption"] == "So clean"
    assert form["hashtags"] == "#a #b" and form["post_id"] == "7" and form["account"] == "studio"


def test_http_uploader_sends_url_sources_by_reference(http_server):
    server = http_server(lambda request: Reply(body={"id": "1", "url": "u"}))
    HttpUploader(server.url, timeout=5, rules=source_rules()).upload(request_for("https://media.example.test/v.mp4"))
    assert "video_url=https" in server.received[0].body.decode()


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(status=500, body={"error": "down"}), "HTTP 500"),
        (Reply(status=502, body=b"bad gateway"), "HTTP 502"),
        (Reply(status=400, body={"error": "bad"}), "HTTP 400"),
        (Reply(status=200, body=b"<html>ok</html>"), "without JSON id and url"),
        (Reply(status=200, body={"id": "x"}), "without JSON id and url"),
    ],
)
def test_http_uploader_turns_bad_answers_into_upload_errors(http_server, clip_file, reply, message):
    server = http_server(lambda request: reply)
    with pytest.raises(UploadError, match=message) as failed:
        HttpUploader(server.url, timeout=5).upload(request_for(clip_file()))
    for body_text in ("down", "bad gateway", "bad", "<html>"):  # the status, never the endpoint's words
        assert body_text not in str(failed.value).replace("HTTP", "")


def test_http_uploader_times_out(http_server, clip_file):
    server = http_server(lambda request: server.release.wait(10) and None)
    with pytest.raises(UploadError, match="timed out"):
        HttpUploader(server.url, timeout=0.3).upload(request_for(clip_file()))


def test_http_uploader_unreachable_or_unconfigured(clip_file):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(UploadError, match="failed") as failed:
        HttpUploader(f"http://127.0.0.1:{port}/", timeout=2).upload(request_for(clip_file()))
    assert str(failed.value) == "Upload to the platform endpoint failed (ConnectError)."
    with pytest.raises(UploadError, match="PUBLISHING_HTTP_ENDPOINT"):
        HttpUploader("").upload(request_for(clip_file()))
    with pytest.raises(UploadError, match="not found") as missing:
        HttpUploader("http://127.0.0.1:9/").upload(request_for(str(Path(clip_file()).with_name("none.mp4"))))
    assert missing.value.final is False
    with pytest.raises(UploadError, match="outside the media roots") as refused:
        HttpUploader("http://127.0.0.1:9/").upload(request_for("/no/such/file.mp4"))
    assert refused.value.final is True


# --- choosing ------------------------------------------------------------------------------


def test_settings_choose_the_uploader_per_platform(settings):
    settings.PUBLISHING_UPLOADER = "outbox"
    assert isinstance(get_uploader("youtube"), OutboxUploader)
    settings.PUBLISHING_UPLOADER = "http"
    assert isinstance(get_uploader("youtube"), HttpUploader)
    settings.PUBLISHING_UPLOADER = "outbox, youtube=http"
    assert isinstance(get_uploader("youtube"), HttpUploader)
    assert isinstance(get_uploader("tiktok"), OutboxUploader)
    settings.PUBLISHING_UPLOADER = "publishing.uploaders.HttpUploader"
    assert isinstance(get_uploader("tiktok"), HttpUploader)
    assert uploader_names("") == ("outbox", {})
