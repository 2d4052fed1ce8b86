"""Fixtures of the publishing tests: accounts, videos, posts and a real local HTTP server for the outside world."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from publishing.models import PlatformAccount, PostStatus, ScheduledPost, Video
from tests.publishing.factories import LocalServer, Received, Reply


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    """Each test publishes into its own outbox; the default uploader and generator, no LLM.

    The test's own temporary folder is its only media root: its clips are allowed sources,
    anything outside it (/etc, /proc, another test's files) is not."""
    settings.PUBLISHING_OUTBOX_DIR = str(tmp_path / "outbox")
    settings.PUBLISHING_MEDIA_ROOTS = [str(tmp_path)]
    settings.PUBLISHING_SOURCE_HOSTS = []
    settings.PUBLISHING_OUTBOX_URL = ""
    settings.PUBLISHING_UPLOADER = "outbox"
    settings.LLM_BASE_URL = ""
    return tmp_path / "outbox"


@pytest.fixture
def accounts(db):
    """One authenticated account per platform."""
    return {
        platform: PlatformAccount.objects.create(
            platform=platform, handle=f"{platform}_handle", authenticated=True, credentials={"token": f"t-{platform}"}
        )
        for platform in ("youtube", "instagram", "tiktok")
    }


@pytest.fixture
def clip_file(tmp_path):
    def _make(name: str = "clutch_ace.mp4", content: bytes = b"fake video bytes") -> str:
        folder = tmp_path / "clips"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_bytes(content)
        return str(path)

    return _make


@pytest.fixture
def make_video(db, clip_file):
    counter = {"n": 0}

    def _make(**fields) -> Video:
        counter["n"] += 1
        n = counter["n"]
        defaults = {
            "source": fields.pop("source", None) or clip_file(f"clip_{n}.mp4"),
            "original_filename": f"clip_{n}.mp4",
            "title": f"Clip number {n}",
            "caption": "A great play.",
            "hashtags": ["#gaming", "#clips"],
            "game_context": "Valorant",
        }
        defaults.update(fields)
        return Video.objects.create(**defaults)

    return _make


@pytest.fixture
def make_post(db, accounts, make_video):
    def _make(*, video=None, platform="youtube", when=None, status=PostStatus.PENDING, **fields) -> ScheduledPost:
        when = when or timezone.now() - timedelta(minutes=1)
        return ScheduledPost.objects.create(
            video=video or make_video(),
            account=accounts[platform],
            platform=platform,
            scheduled_time=when,
            next_attempt_at=fields.pop("next_attempt_at", when),
            status=status,
            **fields,
        )

    return _make


# --- a real local HTTP server (its request and reply types: tests/publishing/factories.py) -------


@pytest.fixture
def http_server():
    """http_server(handler) → LocalServer on 127.0.0.1:<free port>; ``handler(Received) -> Reply``."""
    started = []

    def _start(handler: Callable[[Received], Reply]) -> LocalServer:
        received: list[Received] = []
        release = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                received.append(request)
                reply = handler(request)
                if reply is None:  # the handler hung up without answering
                    return
                payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                with contextlib.suppress(OSError):  # the client gave up (timeout) or died
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.headers.get("Content-Type", "application/json"))
                    for name, value in reply.headers.items():  # e.g. Location
                        if name.lower() != "content-type":
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

            do_POST = do_GET = _handle

            def log_message(self, *args):
                """Quiet: the tests assert on what was received instead."""

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        started.append((server, release))
        return LocalServer(url=f"http://127.0.0.1:{server.server_address[1]}", received=received, release=release)

    yield _start
    for server, release in started:
        release.set()
        server.shutdown()
        server.server_close()
