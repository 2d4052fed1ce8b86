"""A frozen or stopped Redis never holds nor fails a committed write (issue 9, findings 2 and 3).

Each test runs its own ``redis-server`` on a free port and a real uvicorn (a subprocess, so
the settings come from the environment exactly as in production) whose channel layer and
Celery broker point at it, against the test database. Redis is frozen with SIGSTOP — a hung
VM, a full disk: its port still accepts connections but nothing answers — or stopped.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from websockets.sync.client import connect as ws_connect

from hotset import services as hotset_services
from hotset.models import ProjectionThrottle, ScheduleItem
from publishing.models import PlatformAccount, PostStatus, ScheduledPost, Video
from realtime import groups
from realtime.groups import object_group, role_group
from realtime.models import EventLog
from rotations.models import SchedulerRun
from runofshow.models import SessionState
from tests.factories import access_token
from tests.runofshow.factories import build_show

pytestmark = pytest.mark.django_db(transaction=True)

# A write must answer within this while Redis is frozen or down: its events are handed off, and a
# task it enqueues gets one try within the broker's 2 s socket timeout (plus room for a busy machine).
ANSWER_WITHIN = 3.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(check, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} within {seconds} s")


class RedisProcess:
    """A throwaway ``redis-server`` on a free loopback port."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._start()

    def _start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for(self._answers, seconds=10, what="redis-server answers PING")

    def crash_and_restart(self) -> None:
        """SIGKILL, then a new server on the same port: every key (group memberships) is lost."""
        self.process.kill()
        self.process.wait(timeout=10)
        self._start()

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.thaw()
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisProcess(tmp_path)
    yield server
    server.stop()


class WebServer:
    """uvicorn serving config.asgi in a subprocess, configured through the environment."""

    def __init__(self, redis_url: str, log_path: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        db = connection.settings_dict
        env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CHANNEL_LAYER_PREFIX": f"setdesk-outage-{self.port}",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
        }
        if db.get("PASSWORD"):
            env["PGPASSWORD"] = db["PASSWORD"]
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--lifespan", "off", "--no-access-log", "--log-level", "warning"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait_for(self._up, seconds=30, what="uvicorn serves")

    def _up(self) -> bool:
        assert self.process.poll() is None, self.log()
        try:
            return httpx.get(f"{self.base}/api/v1/auth/me/", timeout=1).status_code == 401
        except httpx.HTTPError:
            return False

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture
def web_server(transactional_db, tmp_path):
    """web_server(redis_url) → a running uvicorn whose channel layer and broker use that Redis."""
    servers = []

    def _start(redis_url: str) -> WebServer:
        server = WebServer(redis_url, tmp_path / f"uvicorn-{len(servers)}.log")
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.stop()


def _call(server: WebServer, user, method: str, path: str, body: dict | None = None) -> httpx.Response:
    """One API call that must answer within ANSWER_WITHIN seconds."""
    started = time.monotonic()
    try:
        response = httpx.request(
            method,
            f"{server.base}/api/v1/{path}",
            json=body,
            headers={"Authorization": f"Bearer {access_token(user)}"},
            timeout=ANSWER_WITHIN,
        )
    except httpx.TimeoutException:
        pytest.fail(f"{method} {path} did not answer within {ANSWER_WITHIN} s; server log:\n{server.log()[-3000:]}")
    elapsed = time.monotonic() - started
    assert elapsed < ANSWER_WITHIN, f"{method} {path} took {elapsed:.1f} s"
    return response


def _hotset_session():
    project = hotset_services.create_project(name="Outage", timezone_name="UTC")
    today = timezone.now().date()
    call = timezone.now().replace(hour=7, minute=0, second=0, microsecond=0)
    day = hotset_services.create_production_day(
        project=project, date=today, day_number=1, general_call_time=call, planned_wrap=call + timedelta(hours=12)
    )
    session = hotset_services.create_session(production_day=day)
    item = hotset_services.add_item(
        session=session, values={"kind": "scene", "planned_duration_minutes": 30}, now=timezone.now()
    )
    # The set-up's projection went out a while ago: the next change publishes one at once.
    ProjectionThrottle.objects.filter(session_id=session.pk).update(
        last_sent_at=timezone.now() - timedelta(minutes=1), pending_due_at=None
    )
    return session, item


def _projections(session) -> int:
    return EventLog.objects.filter(
        event_type="hotset.projection.updated", group_name=object_group(groups.HOTSET_SESSION, session.pk)
    ).count()


def _pending_post():
    account = PlatformAccount.objects.create(platform="youtube", handle="outage", authenticated=True, credentials={})
    video = Video.objects.create(source=f"/tmp/outage-{time.monotonic_ns()}.mp4", title="Outage clip")  # noqa: S108
    later = timezone.now() + timedelta(hours=2)
    return ScheduledPost.objects.create(
        video=video, account=account, platform="youtube", scheduled_time=later, next_attempt_at=later
    )


def _logged(event_type: str, group: str, **payload) -> bool:
    rows = EventLog.objects.filter(event_type=event_type, group_name=group)
    return any(all(row.payload.get(k) == v for k, v in payload.items()) for row in rows)


def _receive_until(ws, wanted, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("the event never reached the socket")
        try:
            message = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            continue
        if wanted(message):
            return message


# --- finding 2: a frozen Redis ------------------------------------------------------------------


def test_activation_answers_at_once_with_redis_frozen_and_sends_resume_after(redis_server, web_server, make_user):
    session, segments = build_show()
    caller = make_user("show_caller")
    server = web_server(redis_server.url)
    group = object_group(groups.RUNOFSHOW_SESSION, session.pk)
    assert _call(server, caller, "POST", f"runofshow/segments/{segments[0].pk}/activate/").status_code == 200

    redis_server.freeze()
    response = _call(server, caller, "POST", f"runofshow/segments/{segments[1].pk}/activate/")
    assert response.status_code == 200, response.text
    assert SessionState.objects.get(session=session).active_segment_id == segments[1].pk
    assert _logged("runofshow.segment.activated", group, segment_id=segments[1].pk)

    # Redis is back: the process's send loop delivers again.
    redis_server.thaw()
    with ws_connect(f"ws://127.0.0.1:{server.port}/ws/?token={access_token(caller)}", open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "connected"
        ws.send(json.dumps({"action": "subscribe", "group": group}))
        _receive_until(ws, lambda m: m.get("type") == "subscribed", seconds=10)
        assert _call(server, caller, "POST", f"runofshow/segments/{segments[2].pk}/activate/").status_code == 200
        event = _receive_until(
            ws,
            lambda m: m.get("type") == "runofshow.segment.activated" and m["payload"]["segment_id"] == segments[2].pk,
            seconds=20,
        )
        assert event["group"] in (group, role_group("show_caller"))


def test_hotset_patches_answer_at_once_with_redis_frozen(redis_server, web_server, make_user):
    session, item = _hotset_session()
    first_ad = make_user("first_ad")
    server = web_server(redis_server.url)
    path = f"hotset/items/{item.pk}/"
    assert _call(server, first_ad, "PATCH", path, {"notes": "before"}).status_code == 200  # projection sent
    projections = _projections(session)

    redis_server.freeze()
    # Within the coalescing window each schedules the delayed projection (a broker enqueue);
    # the broker cannot take it, so the latest projection is published at once instead.
    response = _call(server, first_ad, "PATCH", path, {"notes": "frozen 1"})
    assert response.status_code == 200, response.text
    response = _call(server, first_ad, "PATCH", path, {"notes": "frozen 2", "planned_duration_minutes": 45})
    assert response.status_code == 200, response.text

    item = ScheduleItem.objects.get(pk=item.pk)
    assert (item.notes, item.planned_duration_minutes) == ("frozen 2", 45)
    group = object_group(groups.HOTSET_SESSION, session.pk)
    assert EventLog.objects.filter(event_type="hotset.item.updated", group_name=group).count() == 3
    assert _projections(session) == projections + 2
    assert ProjectionThrottle.objects.get(session_id=session.pk).pending_due_at is None
    assert "could not enqueue hotset.send_projection_update" in server.log()


def test_force_answers_at_once_with_redis_frozen(redis_server, web_server, make_user):
    post = _pending_post()
    manager = make_user("social_manager")
    server = web_server(redis_server.url)

    redis_server.freeze()
    before = timezone.now()
    response = _call(server, manager, "POST", f"publishing/posts/{post.pk}/force/")
    assert response.status_code == 200, response.text
    post.refresh_from_db()
    assert post.status == PostStatus.PENDING and before - timedelta(seconds=5) <= post.scheduled_time <= timezone.now()
    assert EventLog.objects.filter(event_type="publishing.post.forced").exists()


def test_scheduler_run_request_answers_at_once_with_redis_frozen(redis_server, web_server, make_user):
    supervisor = make_user("supervisor")
    server = web_server(redis_server.url)

    redis_server.freeze()
    response = _call(server, supervisor, "POST", "rotations/auto-schedule/run/", {})
    assert response.status_code == 202, response.text
    # The queue could not take it: the run failed at once instead of waiting for the reaper.
    run = SchedulerRun.objects.get(pk=response.json()["run_id"])
    assert run.status == "failed" and "could not reach the task queue" in run.error


# --- finding 3: a stopped Redis ------------------------------------------------------------------


def test_hotset_patches_commit_and_answer_200_with_redis_down(redis_server, web_server, make_user):
    session, item = _hotset_session()
    first_ad = make_user("first_ad")
    server = web_server(redis_server.url)
    redis_server.stop()  # nothing listens on the port the layer and the broker use

    path = f"hotset/items/{item.pk}/"
    projections = _projections(session)
    # The first publishes the projection; the next ones, within the coalescing window, schedule
    # its delayed send (a broker enqueue), which fails: the projection is then published at once.
    for n, minutes in enumerate((35, 40, 50)):
        response = _call(server, first_ad, "PATCH", path, {"notes": f"down {n}", "planned_duration_minutes": minutes})
        assert response.status_code == 200, response.text
    item = ScheduleItem.objects.get(pk=item.pk)
    assert (item.notes, item.planned_duration_minutes) == ("down 2", 50)
    group = object_group(groups.HOTSET_SESSION, session.pk)
    assert EventLog.objects.filter(event_type="hotset.item.updated", group_name=group).count() == 3
    assert _projections(session) == projections + 3
    assert ProjectionThrottle.objects.get(session_id=session.pk).pending_due_at is None

    assert "could not enqueue hotset.send_projection_update" in server.log()
    _wait_for(lambda: "broadcast failed" in server.log(), seconds=10, what="failed broadcasts logged")
    assert "Internal Server Error" not in server.log()


def test_activation_and_force_answer_with_redis_down(redis_server, web_server, make_user):
    session, segments = build_show()
    post = _pending_post()
    caller, manager = make_user("show_caller"), make_user("social_manager")
    server = web_server(redis_server.url)
    redis_server.stop()

    assert _call(server, caller, "POST", f"runofshow/segments/{segments[0].pk}/activate/").status_code == 200
    assert SessionState.objects.get(session=session).active_segment_id == segments[0].pk
    assert _call(server, manager, "POST", f"publishing/posts/{post.pk}/force/").status_code == 200
    assert "Internal Server Error" not in server.log()


# --- the send loop: handed off, in order, bounded ----------------------------------------------


def test_sends_are_handed_off_at_once_and_go_out_in_order(captured_log):
    """A send stuck on Redis does not hold the caller; what is handed in after it waits its
    turn and leaves in hand-off order; past the bound a batch is dropped and logged."""
    import asyncio
    import threading

    from realtime.sendloop import SendLoop

    loop = SendLoop(max_pending=3)
    layer = object()
    release = threading.Event()
    sent: list[int] = []

    def sender(n: int):
        async def _send() -> int:
            if n == 0:  # a frozen Redis
                while not release.is_set():
                    await asyncio.sleep(0.01)
            sent.append(n)
            return 0

        return _send

    started = time.monotonic()
    futures = [loop.submit(layer, sender(n)) for n in range(3)]
    assert time.monotonic() - started < 0.5
    assert None not in futures and sent == []
    with captured_log("realtime.sendloop") as warnings:
        assert loop.submit(layer, sender(3)) is None  # the queue is full: dropped, logged
    assert any("broadcast dropped" in message for message in warnings)
    assert loop.pending() == 3

    release.set()  # Redis answers again
    assert loop.flush(timeout=5)
    assert sent == [0, 1, 2] and loop.pending() == 0
    assert loop.submit(layer, sender(4)).result(timeout=5) == 0
    assert sent == [0, 1, 2, 4]


def test_a_failed_send_is_reported_and_the_next_one_goes_out():
    from realtime.sendloop import SendLoop

    loop = SendLoop()
    layer = object()

    async def broken() -> int:
        raise ConnectionRefusedError("redis is down")

    async def fine() -> int:
        return 0

    failed = loop.submit(layer, broken)
    assert loop.submit(layer, fine).result(timeout=5) == 0
    assert isinstance(failed.exception(timeout=5), ConnectionRefusedError)


@pytest.mark.django_db(transaction=True)
def test_a_publisher_gives_its_send_a_head_start_and_no_more(monkeypatch, tmp_path, settings):
    """The publisher waits (the GIL free) while its send leaves: a Celery worker going straight
    on to its post-task work kept the send loop's thread waiting for the GIL (2.3x a bare
    consumer's per-event latency). With Redis frozen the wait is bounded."""
    from django.db import transaction

    from realtime import broadcast
    from realtime.sendloop import send_loop

    def envelopes():
        with transaction.atomic():
            return broadcast._log("test.head_start", {}, ["user.1"], timezone.now())

    monkeypatch.setattr(broadcast, "SEND_HEAD_START_SECONDS", 5.0)
    assert broadcast.send_envelopes(envelopes()) == 0
    assert send_loop.pending() == 0  # it had left when the publisher went on

    frozen = RedisProcess(tmp_path)
    try:
        layer = dict(settings.CHANNEL_LAYERS["default"])
        host = dict(layer["CONFIG"]["hosts"][0], address=frozen.url)
        settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [host]}}}
        frozen.freeze()
        monkeypatch.setattr(broadcast, "SEND_HEAD_START_SECONDS", 0.2)
        started = time.monotonic()
        assert broadcast.send_envelopes(envelopes()) == 0
        assert time.monotonic() - started < 1.0
    finally:
        frozen.stop()
        send_loop.flush(timeout=10)
