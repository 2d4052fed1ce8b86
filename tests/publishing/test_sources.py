"""Issue 9, finding 1: a video source is confined (SPEC §4) at every entry and again at upload time.

Local files only under PUBLISHING_MEDIA_ROOTS (the test's tmp folder, see conftest), URLs only
https to PUBLISHING_SOURCE_HOSTS and never to a non-public address, redirects re-checked per hop.
DNS is the outside world here: tests hand ``sources`` a resolver; the network is a real local
HTTP server reached through a transport that plays the internet (any public address → it).
"""

from __future__ import annotations

import io
import logging
import os
import socket
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from publishing import services, sources
from publishing.models import PostStatus, ScheduledPost, Video
from publishing.uploaders import HttpUploader, OutboxUploader, UploadError, UploadRequest
from publishing.watcher import ClipWatcher
from tests.publishing.factories import DNS, PUBLIC_IP, Internet, Reply, source_rules

pytestmark = pytest.mark.django_db

BASE = "/api/v1/publishing"


@pytest.fixture
def manager(api_as):
    return api_as("social_manager")


@pytest.fixture
def outside(tmp_path_factory):
    """A folder that is not a media root (a sibling of the test's tmp folder)."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.mp4").write_bytes(b"SECRET_KEY=do-not-leak")
    return folder


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the API refuses, and writes nothing --------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ("/proc/self/environ", "outside the media roots"),
        ("/etc/passwd", "outside the media roots"),
        ("clips/relative.mp4", "absolute path"),
        ("file:///etc/passwd", "must use https"),
        ("javascript:alert(1)", "must use https"),
    ],
)
def test_files_outside_the_media_roots_are_refused_with_400_and_no_row(manager, source, rule):
    response = manager.post(f"{BASE}/videos/", {"source": source, "title": "leak"})
    assert response.status_code == 400, response.json()
    body = response.json()
    assert rule in body["errors"]["source"][0]
    assert "refused" in body["detail"]
    assert not Video.objects.exists()


def test_a_path_climbing_out_of_the_root_with_dotdot_is_refused(manager, tmp_path, clip_file):
    clip_file("fine.mp4")
    climbing = f"{tmp_path}/clips/../../../../../../etc/passwd"
    response = manager.post(f"{BASE}/videos/", {"source": climbing})
    assert response.status_code == 400
    assert "outside the media roots" in response.json()["errors"]["source"][0]
    # ".." that stays inside the root is just another spelling of an allowed file.
    inside = manager.post(f"{BASE}/videos/", {"source": f"{tmp_path}/clips/../clips/fine.mp4"})
    assert inside.status_code == 201, inside.json()
    assert inside.json()["source"] == os.path.realpath(tmp_path / "clips" / "fine.mp4")


def test_a_symlink_in_the_media_root_leading_out_is_refused(manager, tmp_path, outside):
    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / "leak.mp4").symlink_to("/etc/hostname")
    (clips / "leak2.mp4").symlink_to(outside / "secret.mp4")
    (clips / "dir").symlink_to(outside, target_is_directory=True)
    for path in (clips / "leak.mp4", clips / "leak2.mp4", clips / "dir" / "secret.mp4"):
        response = manager.post(f"{BASE}/videos/", {"source": str(path)})
        assert response.status_code == 400, path
        assert "symbolic link" in response.json()["errors"]["source"][0]
    assert not Video.objects.exists()


def test_a_missing_file_a_folder_a_fifo_and_an_oversized_file_are_refused(manager, tmp_path, clip_file, settings):
    os.mkfifo(tmp_path / "pipe.mp4")
    (tmp_path / "folder.mp4").mkdir()
    big = clip_file("big.mp4", b"x" * 11)
    settings.PUBLISHING_MAX_SOURCE_BYTES = 10
    cases = {
        str(tmp_path / "nothing.mp4"): "not found",
        str(tmp_path / "folder.mp4"): "not a regular file",
        str(tmp_path / "pipe.mp4"): "not a regular file",
        big: "larger than 10 bytes",
    }
    for source, rule in cases.items():
        response = manager.post(f"{BASE}/videos/", {"source": source})
        assert response.status_code == 400, source
        assert rule in response.json()["errors"]["source"][0]
    assert not Video.objects.exists()


def test_url_sources_must_be_https_to_an_allowed_public_host(manager, settings, http_server):
    server = http_server(lambda request: Reply(body=b"internal"))
    refusals = {
        f"{server.url}/internal": "must use https",  # the SSRF of the report: http://127.0.0.1:<port>/
        "http://127.0.0.1:6379/": "must use https",
        "https://cdn.example.com/v.mp4": "not an allowed source host",  # no host is allowed by default
    }
    for source, rule in refusals.items():
        response = manager.post(f"{BASE}/videos/", {"source": source})
        assert response.status_code == 400, source
        assert rule in response.json()["errors"]["source"][0]
    # Allowed by name, but the name resolves to loopback (checked after resolution, the real resolver).
    settings.PUBLISHING_SOURCE_HOSTS = ["localhost", "127.0.0.1", "[::1]", "::1"]
    for source in ("https://localhost/v.mp4", f"https://localhost:{closed_port()}/v.mp4", "https://127.0.0.1/v.mp4",
                   "https://[::1]/v.mp4"):  # fmt: skip
        response = manager.post(f"{BASE}/videos/", {"source": source})
        assert response.status_code == 400, source
        assert "not public" in response.json()["errors"]["source"][0]
    # With credentials in it, even an allowed host is refused.
    response = manager.post(f"{BASE}/videos/", {"source": "https://user:pw@localhost/v.mp4"})
    assert "user name or password" in response.json()["errors"]["source"][0]
    assert not Video.objects.exists()
    assert server.received == []  # nothing was fetched while checking


def test_editing_a_source_is_checked_the_same_way(manager, make_video, outside):
    video = make_video()
    for bad in ("/etc/passwd", str(outside / "secret.mp4"), "http://127.0.0.1:8799/x"):
        response = manager.patch(f"{BASE}/videos/{video.pk}/", {"source": bad})
        assert response.status_code == 400, bad
        assert "source" in response.json()["errors"]
    stored = video.source
    video.refresh_from_db()
    assert video.source == stored


def test_the_admin_refuses_bad_sources_and_saves_good_ones_through_the_service(clip_file):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client = Client()
    client.force_login(boss)
    form = {"original_filename": "", "title": "t", "caption": "", "hashtags": "[]", "game_context": "",
            "posts-TOTAL_FORMS": "0", "posts-INITIAL_FORMS": "0"}  # fmt: skip
    page = client.post("/admin/publishing/video/add/", {**form, "source": "/proc/self/environ"})
    assert page.status_code == 200
    assert "outside the media roots" in page.content.decode()
    assert not Video.objects.exists()
    good = clip_file("admin.mp4")
    response = client.post("/admin/publishing/video/add/", {**form, "source": good, "hashtags": '["gaming"]'})
    assert response.status_code == 302
    video = Video.objects.get()
    assert video.source == os.path.realpath(good) and video.hashtags == ["#gaming"]  # normalized by the service
    assert video.created_by == boss
    change = client.post(f"/admin/publishing/video/{video.pk}/change/", {**form, "source": "/etc/passwd"})
    assert change.status_code == 200 and "outside the media roots" in change.content.decode()
    video.refresh_from_db()
    assert video.source == os.path.realpath(good)
    retitled = client.post(f"/admin/publishing/video/{video.pk}/change/", {**form, "source": video.source,
                                                                          "title": "New title"})  # fmt: skip
    assert retitled.status_code == 302
    video.refresh_from_db()
    assert video.title == "New title"


# --- the clip watcher ---------------------------------------------------------------------------


def test_the_watcher_refuses_a_symlink_leading_out_of_its_folder(tmp_path, accounts, outside, caplog):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "leak.mp4").symlink_to("/etc/hostname")
    (folder / "leak2.mp4").symlink_to(outside / "secret.mp4")
    (folder / "real.mp4").write_bytes(b"a real clip")
    old = time.time() - 60
    for name in ("real.mp4",):
        os.utime(folder / name, (old, old))
    os.utime(outside / "secret.mp4", (old, old))
    watcher = ClipWatcher(folder, settle_seconds=5, confirm_size=False)
    with caplog.at_level(logging.WARNING, logger="publishing.watcher"):
        result = watcher.scan()
    assert [clip.video.original_filename for clip in result.registered] == ["real.mp4"]
    assert {path.name for path, _ in result.failed} == {"leak.mp4", "leak2.mp4"}
    assert list(Video.objects.values_list("original_filename", flat=True)) == ["real.mp4"]
    assert ScheduledPost.objects.filter(video__original_filename__startswith="leak").count() == 0
    refused = [r.getMessage() for r in caplog.records if "leak" in r.getMessage()]
    assert refused and all("symbolic link" in message for message in refused)
    # A refusal is final: the next scan does not try (nor log) them again.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="publishing.watcher"):
        assert watcher.scan().failed == []
    assert not [r for r in caplog.records if "leak" in r.getMessage()]


# --- at upload time: old rows, swapped files ----------------------------------------------------


def _due(accounts, source: str, platform: str = "youtube") -> ScheduledPost:
    video = Video.objects.create(source=source, original_filename=Path(source).name or "x.mp4", title="old row")
    due = timezone.now() - timedelta(minutes=1)
    return ScheduledPost.objects.create(
        video=video, account=accounts[platform], platform=platform, scheduled_time=due, next_attempt_at=due
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("uploader", ["outbox", "http"])
def test_stored_bad_rows_fail_with_a_safe_message_and_nothing_is_sent(
    uploader, accounts, http_server, settings, tmp_path, outside, _outbox
):
    internal = http_server(lambda request: Reply(body=b"internal secret"))
    endpoint = http_server(lambda request: Reply(body={"id": "x", "url": "https://platform.example/x"}))
    settings.PUBLISHING_UPLOADER = uploader
    settings.PUBLISHING_HTTP_ENDPOINT = f"{endpoint.url}/upload"
    settings.PUBLISHING_SOURCE_HOSTS = ["localhost"]
    (tmp_path / "leak.mp4").symlink_to(outside / "secret.mp4")
    bad = [
        "/proc/self/environ",
        "/etc/passwd",
        str(tmp_path / "leak.mp4"),
        f"{internal.url}/internal.mp4",
        "http://127.0.0.1:6379/",
        f"https://localhost:{internal.url.rsplit(':', 1)[1]}/x.mp4",
    ]
    posts = [_due(accounts, source, platform) for source, platform in zip(bad, ["youtube"] * len(bad), strict=True)]
    report = services.dispatch_due_posts(clock=timezone.now, worker="w")
    assert report.completed == 0 and report.failed == len(bad)
    assert internal.received == [] and endpoint.received == []  # nothing fetched, nothing sent
    assert not list(Path(_outbox).rglob("*.mp4"))  # nothing copied
    for post in posts:
        post.refresh_from_db()
        assert post.status == PostStatus.FAILED, (post.video.source, post.last_error)
        assert post.attempts == 1  # a refusal is final, not retried
        assert "refused" in post.last_error
        for leaked in ("Server disconnected", "SECRET_KEY", "root:", "internal secret", "Errno"):
            assert leaked not in post.last_error


@pytest.mark.django_db(transaction=True)
def test_a_file_swapped_for_a_symlink_after_registration_is_not_published(
    manager, accounts, clip_file, outside, _outbox
):
    source = clip_file("swapped.mp4", b"the real clip")
    response = manager.post(f"{BASE}/videos/", {"source": source, "title": "Swap"})
    assert response.status_code == 201
    os.remove(source)
    os.symlink(outside / "secret.mp4", source)
    video = Video.objects.get()
    due = timezone.now() - timedelta(minutes=1)
    post = ScheduledPost.objects.create(video=video, account=accounts["youtube"], platform="youtube",
                                        scheduled_time=due, next_attempt_at=due)  # fmt: skip
    services.dispatch_due_posts(clock=timezone.now, worker="w")
    post.refresh_from_db()
    assert post.status == "failed" and "symbolic link" in post.last_error
    assert not list(Path(_outbox).rglob("swapped.mp4"))


def test_open_local_refuses_a_last_component_swapped_after_the_check(tmp_path, outside):
    """O_NOFOLLOW and the descriptor's own path: the file actually opened must be inside a root."""
    rules = sources.policy()
    target = tmp_path / "clip.mp4"
    target.symlink_to(outside / "secret.mp4")
    with pytest.raises(sources.SourceRefused, match="symbolic link"):
        sources.open_local(str(target), rules=rules)
    real = tmp_path / "real.mp4"
    real.write_bytes(b"ok")
    with sources.open_local(str(real), rules=rules) as src:
        assert src.read() == b"ok"


@pytest.mark.django_db(transaction=True)
def test_a_file_under_the_media_root_publishes_end_to_end_through_the_outbox(manager, accounts, clip_file, _outbox):
    source = clip_file("valorant_ace.mp4", b"the clip bytes")
    created = manager.post(f"{BASE}/videos/", {"source": source, "title": "Ace", "caption": "gg"})
    assert created.status_code == 201, created.json()
    scheduled = manager.post(f"{BASE}/posts/", {"video": created.json()["id"], "platforms": ["youtube"]})
    assert scheduled.status_code == 201, scheduled.json()
    post_id = scheduled.json()[0]["id"]
    assert manager.post(f"{BASE}/posts/{post_id}/force/").status_code == 200
    services.dispatch_due_posts(clock=timezone.now, worker="w")
    post = ScheduledPost.objects.get(pk=post_id)
    assert (post.status, post.last_error) == ("completed", "")
    (copy,) = Path(_outbox).rglob("valorant_ace.mp4")
    assert copy.read_bytes() == b"the clip bytes"


# --- the rules of sources.py, with DNS and the network from the test ----------------------------


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",  # noqa: S104
     "224.0.0.1", "255.255.255.255", "240.0.0.1", "192.0.2.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
     "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "2001:db8::1", "fec0::1",
     "not an address"],
)  # fmt: skip
def test_non_public_addresses_are_forbidden(address):
    assert sources.forbidden_address(address)


@pytest.mark.parametrize("address", [PUBLIC_IP, "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert not sources.forbidden_address(address)


def test_check_url_resolves_and_checks_every_address():
    target = sources.check_url("https://media.example.test/v.mp4", rules=source_rules())
    assert (target.host, target.port, target.addresses) == ("media.example.test", 443, (PUBLIC_IP,))
    assert sources.check_url("https://cdn.example.test:8443/v.mp4", rules=source_rules()).port == 8443
    for host in ("inside.example.test", "mixed.example.test", "metadata.example.test"):
        with pytest.raises(sources.SourceRefused, match="not public"):
            sources.check_url(f"https://{host}/v.mp4", rules=source_rules())
    with pytest.raises(sources.SourceMissing, match="could not be resolved"):
        sources.check_url("https://nowhere.allowed.test/v.mp4", rules=source_rules())
    with pytest.raises(sources.SourceRefused, match="not an allowed source host"):
        sources.check_url("https://allowed.test/v.mp4", rules=source_rules())  # "*.x" is the subdomains only
    with pytest.raises(sources.SourceRefused, match="not an allowed source host"):
        sources.check_url("https://media.example.test.evil.test/v.mp4", rules=source_rules())


def test_fetch_connects_to_the_checked_address_and_keeps_the_host_name(http_server):
    server = http_server(lambda request: Reply(body=b"remote video", headers={"Content-Type": "video/mp4"}))
    internet = Internet(server.url)
    out = io.BytesIO()
    assert sources.fetch("https://media.example.test/clips/v.mp4", out, rules=source_rules(transport=internet)) == 12
    assert out.getvalue() == b"remote video"
    # Connected to the address the check approved, not to a second DNS answer; Host and SNI keep the name.
    assert internet.seen == [(PUBLIC_IP, "media.example.test", "media.example.test")]
    assert server.received[0].path == "/clips/v.mp4"


def test_a_redirect_to_a_loopback_or_internal_address_is_refused_on_the_hop(http_server):
    hops = {
        "/to-loopback": "http://127.0.0.1:6379/",
        "/to-internal": "https://inside.example.test/admin",
        "/to-metadata": "https://metadata.example.test/latest/meta-data/",
        "/to-unlisted": "https://evil.example.test/x",
        "/to-literal": "https://127.0.0.1:8799/x",
    }
    server = http_server(lambda request: Reply(status=302, body=b"", headers={"Location": hops[request.path]})
                         if request.path in hops else Reply(body=b"never"))  # fmt: skip
    for path, rule in zip(hops, ["must use https", "not public", "not public", "not an allowed", "not an allowed"],
                          strict=True):  # fmt: skip
        internet = Internet(server.url)
        out = io.BytesIO()
        with pytest.raises(sources.SourceRefused, match=rule):
            sources.fetch(f"https://media.example.test{path}", out, rules=source_rules(transport=internet))
        assert len(internet.seen) == 1 and out.getvalue() == b""  # the hop itself was never requested
    assert [r.path for r in server.received] == list(hops)


def test_redirects_between_allowed_hosts_are_followed_up_to_a_bound(http_server):
    def handler(request):
        if request.path == "/a":
            return Reply(status=301, body=b"", headers={"Location": "https://cdn.example.test/b"})
        if request.path == "/b":
            return Reply(status=307, body=b"", headers={"Location": "/c"})  # relative: same host
        if request.path == "/loop":
            return Reply(status=302, body=b"", headers={"Location": "/loop"})
        return Reply(body=b"final bytes")

    server = http_server(handler)
    internet = Internet(server.url)
    out = io.BytesIO()
    sources.fetch("https://media.example.test/a", out, rules=source_rules(transport=internet))
    assert out.getvalue() == b"final bytes"
    cdn = DNS["cdn.example.test"][0]
    assert [seen[:2] for seen in internet.seen] == [
        (PUBLIC_IP, "media.example.test"), (cdn, "cdn.example.test"), (cdn, "cdn.example.test")
    ]  # fmt: skip
    with pytest.raises(sources.SourceRefused, match="redirects more than 5 times"):
        rules = source_rules(transport=Internet(server.url))
        sources.fetch("https://media.example.test/loop", io.BytesIO(), rules=rules)


def test_fetch_bounds_size_and_says_only_what_failed(http_server):
    server = http_server(
        lambda request: (
            Reply(body=b"x" * 100)
            if request.path == "/big"
            else Reply(status=500, body=b"Traceback: redis at 10.0.0.5 said NOAUTH")
        )
    )
    with pytest.raises(sources.SourceRefused, match="larger than 10 bytes"):
        sources.fetch("https://media.example.test/big", io.BytesIO(), rules=source_rules(max_bytes=10,
                      transport=Internet(server.url)))  # fmt: skip
    with pytest.raises(sources.FetchFailed) as failed:
        rules = source_rules(transport=Internet(server.url))
        sources.fetch("https://media.example.test/err", io.BytesIO(), rules=rules)
    assert str(failed.value) == "Fetching the source failed: HTTP 500."


def test_fetch_failures_name_a_generic_reason_not_the_exception(http_server):
    class Unreachable(Internet):
        def handle_request(self, request):
            self.seen.append((request.url.host, request.headers["host"], None))
            request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=closed_port())
            return self.local.handle_request(request)

    server = http_server(lambda request: Reply(body=b""))
    with pytest.raises(sources.FetchFailed) as failed:
        rules = source_rules(transport=Unreachable(server.url))
        sources.fetch("https://media.example.test/x", io.BytesIO(), rules=rules)
    assert str(failed.value) == "Fetching the source failed: connection refused or unreachable."


def test_the_outbox_copies_an_allowed_url_through_the_guarded_fetcher(tmp_path, http_server):
    server = http_server(lambda request: Reply(body=b"remote video"))
    rules = source_rules(transport=Internet(server.url))
    outbox = OutboxUploader(tmp_path / "out", rules=rules)
    request = UploadRequest(post_id=1, platform="youtube", idempotency_key="k1",
                            source="https://media.example.test/remote.mp4", filename="remote.mp4", title="t",
                            caption="c")  # fmt: skip
    outbox.upload(request)
    (copy,) = (tmp_path / "out").rglob("remote.mp4")
    assert copy.read_bytes() == b"remote video"
    bad = request._replace(idempotency_key="k2", source="https://media.example.test/r", filename="r.mp4")
    server_redirect = http_server(lambda r: Reply(status=302, body=b"", headers={"Location": "http://127.0.0.1/"}))
    with pytest.raises(UploadError, match="must use https") as refused:
        OutboxUploader(tmp_path / "out", rules=source_rules(transport=Internet(server_redirect.url))).upload(bad)
    assert refused.value.final is True
    assert not list((tmp_path / "out").rglob("r.mp4*"))  # the partial copy is gone too


def test_the_http_uploader_checks_url_sources_before_sending_them_by_reference(http_server):
    endpoint = http_server(lambda request: Reply(body={"id": "1", "url": "https://platform.example/1"}))
    uploader = HttpUploader(endpoint.url, timeout=5, rules=source_rules())
    request = UploadRequest(post_id=1, platform="youtube", idempotency_key="k", source="https://media.example.test/v",
                            filename="v.mp4", title="t", caption="c")  # fmt: skip
    uploader.upload(request)
    assert "video_url=https" in endpoint.received[0].body.decode()
    for source in ("https://inside.example.test/v", "http://media.example.test/v", "https://other.test/v"):
        with pytest.raises(UploadError, match="refused"):
            uploader.upload(request._replace(source=source))
    assert len(endpoint.received) == 1
