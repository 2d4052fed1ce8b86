"""Real time at scale: our ``/ws/`` against a bare Channels consumer, measured in one run.

    .venv/bin/python bench/realtime_fanout.py            # full: 1,000 sockets (a few minutes)
    .venv/bin/python bench/realtime_fanout.py --quick    # 100 sockets, short phases (development)

What runs (all on 127.0.0.1, all stopped at the end):

- its own ``redis-server`` on a free port (channel layer and Celery broker; restarted by the
  chaos phase) and its own fresh PostgreSQL database ``setdesk_bench_fanout``;
- ours: two uvicorn processes ``ws1``/``ws2`` serving ``config.asgi:application`` that hold the
  sockets (spread over both), one more, ``web``, for HTTP only (the split deployment of
  docker-compose.yml), and a real ``celery -A config worker`` that loads the bench-only task
  in ``bench/_fanout_tasks.py``;
- bare: two uvicorn processes serving ``bench/_bare_ws.py`` (same channels/channels-redis
  versions and layer config), published to by a plain ``group_send`` script.

Events for ours go through the real paths: run-of-show activate / complete POSTs (API) and a
task publishing from the worker, on a show whose ``runofshow.session.<id>`` every socket
subscribed to. Latency is receipt time minus the envelope ``ts`` (ours) or the send time
(bare). Requests and publishers run in separate processes so the client's busy event loop
does not time them. Prints a table: ours, bare, ratio, target and PASS / MISS; a missed
target is reported, never an error. Exits non-zero only if the bench itself breaks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import math
import multiprocessing
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/setdesk_bench_fanout"
PREFIX = "setdesk-bench-fanout"
BARE_PREFIX = "setdesk-bench-fanout-bare"
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"  # noqa: S105 - bench only, like _common
TASK_NAME = "bench_fanout.announce"  # bench/_fanout_tasks.py
# Viewers see run-of-show sessions but are not in the run-of-show broadcast rules, so each
# event reaches a socket once, through the session group.
VIEWER_ROLE = "production_manager"
CALLER_ROLE = "show_caller"
BURST_CONCURRENCY = 4
WATCHDOG_SECONDS = 2400


@dataclass(frozen=True)
class Profile:
    sockets: int  # connect storm, fan-out at 1/s, HTTP under fan-out
    small: int  # after the mass disconnect: fan-out at 2/s, chaos
    duration: float  # seconds per fan-out run
    http_samples: int
    burst: int
    chaos_events: int
    overhead_events: int
    storm_timeout: float


FULL = Profile(1000, 500, 12.0, 25, 40, 300, 15, 150.0)
QUICK = Profile(100, 50, 4.0, 8, 12, 60, 6, 60.0)


# --- Helpers run in separate processes (spawned; nothing here touches Django) -----------------


def drv_ready() -> int:
    return os.getpid()


def drv_posts(base: str, token: str, segments: list[int], ops: list[str], interval: float) -> list[tuple]:
    """Sequential run-of-show POSTs, one every ``interval`` s (0: back to back). ``toggle``
    activates / completes ``segments[0]`` (one event each); ``swap`` activates
    ``segments[1]`` and ``segments[2]`` in turn (the live one completed: two events). A 409
    (someone else changed what is live) flips the guess and retries once.
    Returns ``(op, status, seconds, started_wall)`` per op."""
    import httpx

    toggle, first, second = segments[:3]
    toggle_live, swap_next = False, first
    out = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60.0) as client:
        started = time.monotonic()
        for i, op in enumerate(ops):
            delay = started + i * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            for _attempt in range(2):
                if op == "toggle":
                    path = f"/api/v1/runofshow/segments/{toggle}/{'complete' if toggle_live else 'activate'}/"
                else:
                    path = f"/api/v1/runofshow/segments/{swap_next}/activate/"
                wall, t0 = time.time(), time.perf_counter()
                try:
                    status = client.post(path, json={}).status_code
                except httpx.HTTPError:
                    status = -1
                elapsed = time.perf_counter() - t0
                if status in (200, 409):
                    if op == "toggle":
                        toggle_live = not toggle_live
                    else:
                        swap_next = second if swap_next == first else first
                if status != 409:
                    break
            out.append((op, status, elapsed, wall))
    return out


def drv_burst(base: str, token: str, pairs: list[tuple[int, int]], count: int) -> tuple[float, list[tuple]]:
    """``count`` activations as fast as ``len(pairs)`` concurrent callers go, each swapping its
    own pair of segments (so they never 409). Returns (wall seconds, per-call results)."""
    import threading

    results: list[tuple] = []
    lock = threading.Lock()
    per = [count // len(pairs) + (1 if i < count % len(pairs) else 0) for i in range(len(pairs))]
    barrier = threading.Barrier(len(pairs) + 1)

    def work(pair, n):
        barrier.wait()
        out = drv_posts(base, token, [pair[0], pair[0], pair[1]], ["swap"] * n, 0.0)
        with lock:
            results.extend(out)

    threads = [threading.Thread(target=work, args=(pair, n)) for pair, n in zip(pairs, per, strict=True)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, results


def _celery_app(broker: str):
    from celery import Celery

    app = Celery("bench-fanout-driver", broker=broker)
    # Fail fast while Redis restarts instead of retrying for minutes.
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0
    app.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 2}
    return app


def drv_celery(broker: str, session_id: int, count: int, interval: float) -> tuple[int, int]:
    """``count`` bench tasks (each publishes one event from the worker), one every ``interval`` s.
    Returns (sent, failed); a failed send (broker down) makes a fresh connection for the next."""
    app = _celery_app(broker)
    sent = failed = 0
    started = time.monotonic()
    for i in range(count):
        delay = started + i * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            app.send_task(TASK_NAME, args=[session_id], retry=False)
            sent += 1
        except Exception:
            failed += 1
            with contextlib.suppress(Exception):
                app.close()
            app = _celery_app(broker)
    with contextlib.suppress(Exception):
        app.close()
    return sent, failed


def drv_bare(redis_url: str, count: int, interval: float, first_seq: int) -> int:
    os.environ["BARE_REDIS_URL"] = redis_url
    os.environ["BARE_PREFIX"] = BARE_PREFIX
    import _bare_ws

    return _bare_ws.publish_series(count, interval, first_seq)


# --- Processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Proc:
    """A subprocess in its own session (so its children, e.g. Celery's pool, stop with it)."""

    def __init__(self, name: str, argv: list[str], env: dict, logdir: Path):
        self.name, self.argv, self.env = name, argv, env
        self.err_path = logdir / f"{name}.err"
        self._err = open(self.err_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=self._err,
            stderr=self._err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def log_size(self) -> int:
        return self.err_path.stat().st_size

    def log(self, offset: int = 0) -> str:
        with open(self.err_path, "rb") as fh:
            fh.seek(offset)
            return fh.read().decode("utf-8", "replace")

    def wait_log(self, needle: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.log():
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._err.close()


def start_redis(port: int, logdir: Path) -> Proc:
    import redis

    # Like redis:7's defaults: a snapshot on shutdown (and at start, the load of it); the
    # save point is never reached during the bench, so nothing is written while measuring.
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--appendonly", "no",
            "--save", "3600 1", "--dir", str(logdir), "--dbfilename", "redis-dump.rdb"]  # fmt: skip
    proc = Proc("redis", argv, dict(os.environ), logdir)
    deadline = time.monotonic() + 15
    while True:
        try:
            redis.Redis(port=port, socket_connect_timeout=0.5).ping()
            return proc
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.proc.poll() is not None:
                raise RuntimeError(f"redis-server did not start:\n{proc.log()}") from None
            time.sleep(0.1)


def uvicorn_argv(app: str, port: int, *extra: str) -> list[str]:
    # The flags of docker-compose.yml, minus --proxy-headers (no proxy here).
    return [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--no-access-log", *extra]


# --- Clients ------------------------------------------------------------------------------------


def _ts(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


class Sock:
    """One client socket: records each event of ``group`` (or each bare event) as
    (seq, sent, received); survives reconnects when a keeper drives it."""

    def __init__(self, url: str, group: str | None):
        self.url, self.group = url, group
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.connected = asyncio.Event()
        self.subscribed = asyncio.Event()
        self.down = asyncio.Event()
        self.events: list[tuple[int, float | str, float]] = []  # (seq, sent: time or ISO ts, received)
        self.max_seq = 0
        self.epoch = ""
        self.close_codes: list[int | None] = []
        self.close_times: list[float] = []
        self.resyncs = self.errors = self.reconnects = self.failed_attempts = 0
        self.closing = False

    async def open(self, timeout: float) -> None:
        from websockets.asyncio.client import connect

        self.connected.clear()
        self.subscribed.clear()
        self.down.clear()
        self.closing = False
        ws = await connect(self.url, open_timeout=timeout, ping_interval=None, close_timeout=5, max_size=2**22)
        self.ws = ws
        self.reader = asyncio.create_task(self._read(ws))
        if not await first_of(self.connected, self.down, timeout) or not self.connected.is_set():
            raise ConnectionError(f"no 'connected' (close codes {self.close_codes[-1:]})")

    async def _read(self, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in ws:
                received = time.time()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "bench":
                    self._record(message["seq"], message["sent"], received)
                elif message.get("group") == self.group and "seq" in message and "ts" in message:
                    self.epoch = message["epoch"]
                    # ts parsed later (``events``): a thousand sockets' parsing here would add
                    # to the latency of the sockets read after them (bare events carry a float).
                    self._record(message["seq"], message["ts"], received)
                elif kind == "connected":
                    self.connected.set()
                elif kind == "subscribed":
                    self.epoch = message["epoch"]
                    self.max_seq = max(self.max_seq, message["seq"])
                    self.subscribed.set()
                elif kind == "resync":
                    self.resyncs += 1
                elif kind == "error":
                    self.errors += 1
        except ConnectionClosed:
            pass
        finally:
            self.close_codes.append(ws.close_code)
            self.close_times.append(time.time())
            self.down.set()

    def _record(self, seq: int, sent: float | str, received: float) -> None:
        self.events.append((seq, sent, received))
        self.max_seq = max(self.max_seq, seq)

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.reader, 10)

    def abort(self) -> None:
        """A dropped network: no close frame."""
        if self.ws is not None:
            self.ws.transport.abort()


async def first_of(a: asyncio.Event, b: asyncio.Event, timeout: float) -> bool:
    tasks = [asyncio.ensure_future(a.wait()), asyncio.ensure_future(b.wait())]
    done, pending = await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    return bool(done)


# --- Figures ------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


@dataclass
class Delivery:
    latencies_ms: list[float] = field(default_factory=list)
    expected: int = 0
    missing: int = 0
    duplicated: int = 0
    out_of_order: int = 0

    def line(self) -> str:
        return (
            f"{len(self.latencies_ms)}/{self.expected} received, {self.missing} missing, "
            f"{self.duplicated} duplicated, {self.out_of_order} out of order; "
            f"p50 {pct(self.latencies_ms, 0.5):.1f} ms, p99 {pct(self.latencies_ms, 0.99):.1f} ms, "
            f"max {max(self.latencies_ms, default=math.nan):.1f} ms"
        )


def delivery(socks: list[Sock], first: int, last: int) -> Delivery:
    """Events with first <= seq <= last on every socket: once each, in order."""
    out = Delivery()
    wanted = set(range(first, last + 1))
    for sock in socks:
        seqs = []
        for seq, sent, received in sock.events:
            if first <= seq <= last:
                seqs.append(seq)
                sent_at = _ts(sent) if isinstance(sent, str) else sent
                out.latencies_ms.append((received - sent_at) * 1000)
        out.expected += len(wanted)
        out.missing += len(wanted - set(seqs))
        out.duplicated += len(seqs) - len(set(seqs))
        out.out_of_order += sum(1 for a, b in zip(seqs, seqs[1:], strict=False) if b < a)
    return out


@dataclass
class Row:
    name: str
    ours: float
    bare: float = math.nan
    unit: str = ""
    target: str = ""
    ok: bool | None = None  # None: no target

    @property
    def ratio(self) -> float:
        if math.isnan(self.ours) or math.isnan(self.bare) or self.bare == 0:
            return math.nan
        return self.ours / self.bare


def fmt(value: float, unit: str) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if unit in ("", "n"):
        return f"{value:.0f}"
    return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"


def print_table(rows: list[Row]) -> None:
    print()
    print(f"{'figure':<58} {'ours':>11} {'bare':>11} {'ratio':>7}  {'target':<16} result")
    print("-" * 113)
    for row in rows:
        ratio = "-" if math.isnan(row.ratio) else f"{row.ratio:.2f}x"
        verdict = "" if row.ok is None else ("PASS" if row.ok else "MISS")
        print(
            f"{row.name:<58} {fmt(row.ours, row.unit):>11} {fmt(row.bare, row.unit):>11} {ratio:>7}  "
            f"{row.target:<16} {verdict}"
        )
    passed = sum(1 for row in rows if row.ok)
    judged = sum(1 for row in rows if row.ok is not None)
    print(f"\n{passed}/{judged} targets met.")


def say(text: str) -> None:
    print(text, flush=True)


ERROR_PATTERNS = {
    "tracebacks": re.compile(r"^Traceback \(most recent call last\)", re.M),
    "MaxConnectionsError": re.compile(r"MaxConnectionsError: Too many connections"),
    "ConnectionRefusedError": re.compile(r"^\w*\.?ConnectionRefusedError|^ConnectionRefusedError", re.M),
    "redis ConnectionError": re.compile(r"^redis\.exceptions\.ConnectionError", re.M),
}


def count_errors(text: str) -> dict[str, int]:
    return {name: len(pattern.findall(text)) for name, pattern in ERROR_PATTERNS.items()}


# --- The run ------------------------------------------------------------------------------------


@dataclass
class World:
    profile: Profile
    logdir: Path
    redis_port: int
    session_id: int
    group: str
    toggle: list[int]  # [toggle, swap a, swap b]
    burst_pairs: list[tuple[int, int]]
    caller_token: str
    viewer_tokens: list[str]
    viewer_ids: list[int]
    procs: dict[str, Proc] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    driver: ProcessPoolExecutor | None = None
    bare_seq: int = 0
    rows: list[Row] = field(default_factory=list)

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def http(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def ours_url(self, i: int) -> str:
        port = self.ports["ws1" if i % 2 == 0 else "ws2"]
        return f"ws://127.0.0.1:{port}/ws/?token={self.viewer_tokens[i % len(self.viewer_tokens)]}"

    def bare_url(self, i: int) -> str:
        return f"ws://127.0.0.1:{self.ports['bare1' if i % 2 == 0 else 'bare2']}/ws/"

    async def run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.driver, fn, *args)

    def worker_events(self, first: int, last: int) -> int:
        """Events in seq first..last the worker published (the bench task's event type)."""
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/setdesk_bench_fanout", autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM realtime_eventlog WHERE group_name = %s AND seq BETWEEN %s AND %s "
                "AND event_type = 'runofshow.rundown.changed'",
                [self.group, first, last],
            ).fetchone()
        return row[0]

    def position(self) -> int:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/setdesk_bench_fanout", autocommit=True) as conn:
            row = conn.execute("SELECT seq FROM realtime_groupcursor WHERE group_name = %s", [self.group]).fetchone()
        return row[0] if row else 0

    def redis(self):
        import redis

        return redis.Redis(port=self.redis_port, socket_connect_timeout=1, socket_timeout=5)

    def members(self, prefix: str, group: str | None = None) -> int:
        """Channels in ``group`` (all groups of ``prefix`` when None): channels-redis sorted sets."""
        client = self.redis()
        try:
            if group is not None:
                return client.zcard(f"{prefix}:group:{group}")
            return sum(client.zcard(key) for key in client.scan_iter(match=f"{prefix}:group:*", count=1000))
        finally:
            client.close()

    def queue_length(self) -> int:
        client = self.redis()
        try:
            return client.llen("celery")
        finally:
            client.close()

    def add(self, *args, **kwargs) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        return row

    async def settled_position(self, timeout: float = 45.0) -> int:
        """The group's last seq once publishing has stopped (worker queue empty, seq still)."""
        deadline = time.monotonic() + timeout
        last, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            try:
                queued = self.queue_length()
            except Exception:
                queued = 1
            now = self.position()
            if now != last or queued:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= 1.5:
                return now
            await asyncio.sleep(0.25)
        return self.position()

    async def wait_position(self, target: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.position() < target:
            if time.monotonic() > deadline:
                say(f"  ! seq {self.position()} still short of {target} after {timeout:.0f} s (worker stalled?)")
                return
            await asyncio.sleep(0.1)


async def drain(socks: list[Sock], last: int, timeout: float) -> float:
    """Waits until every socket has seen seq ``last``; returns the wait."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if all(sock.max_seq >= last for sock in socks):
            break
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def open_all(socks: list[Sock], timeout: float) -> tuple[float, int]:
    """All sockets connect at once: seconds until the last one got ``connected``, and failures."""
    started = time.perf_counter()

    async def one(sock: Sock):
        try:
            await sock.open(timeout)
            return time.perf_counter() - started
        except Exception:
            return None

    results = await asyncio.gather(*(one(sock) for sock in socks))
    done = [r for r in results if r is not None]
    return (max(done) if done else math.nan), len(results) - len(done)


async def reopen_failed(socks: list[Sock], timeout: float) -> int:
    """Sockets the storm left closed connect again, one by one (so later phases have all)."""
    failed = 0
    for sock in socks:
        if sock.connected.is_set() and not sock.down.is_set():
            continue
        try:
            await sock.open(timeout)
        except Exception:
            failed += 1
    return failed


async def subscribe_all(world: World, socks: list[Sock], timeout: float) -> tuple[float, int]:
    started = time.perf_counter()
    for sock in socks:
        await sock.send({"action": "subscribe", "group": world.group})
    await asyncio.gather(*(first_of(sock.subscribed, sock.down, timeout) for sock in socks))
    missing = sum(1 for sock in socks if not sock.subscribed.is_set())
    return time.perf_counter() - started, missing


# --- Phases -------------------------------------------------------------------------------------


async def http_median(world: World, target: str, samples: int, interval: float) -> tuple[float, list[tuple]]:
    results = await world.run(
        drv_posts, world.http(target), world.caller_token, world.toggle, ["swap"] * samples, interval
    )
    ok = [seconds for _op, status, seconds, _wall in results if status == 200]
    return (statistics.median(ok) * 1000 if ok else math.nan), results


async def phase_idle_http(world: World) -> dict[str, float]:
    p = world.profile
    for target in ("web", "ws1"):  # warm-up: first requests import and connect
        await world.run(drv_posts, world.http(target), world.caller_token, world.toggle, ["swap"] * 3, 0.05)
    idle = {}
    for target in ("web", "ws1"):
        idle[target], results = await http_median(world, target, p.http_samples, 0.2)
        bad = sum(1 for r in results if r[1] != 200)
        say(f"  idle POST activate → {target}: median {idle[target]:.1f} ms ({bad} not 200)")
    return idle


async def phase_overhead(world: World) -> None:
    p = world.profile
    say("• Per-event overhead: one idle socket, envelope ts → receipt")
    ours = Sock(world.ours_url(0), world.group)
    await ours.open(30)
    await ours.send({"action": "subscribe", "group": world.group})
    await first_of(ours.subscribed, ours.down, 30)
    # Warm the worker's send loop and connections with one task first.
    base = world.position()
    await world.run(drv_celery, world.redis_url, world.session_id, 1, 0.0)
    await drain([ours], base + 1, 20)
    base = await world.settled_position()
    await world.run(
        drv_posts, world.http("web"), world.caller_token, world.toggle, ["toggle"] * 2 * p.overhead_events, 0.3
    )
    api_last = await world.settled_position()
    await drain([ours], api_last, 20)
    api = delivery([ours], base + 1, api_last)
    await world.run(drv_celery, world.redis_url, world.session_id, p.overhead_events, 0.3)
    worker_last = await world.settled_position()
    await drain([ours], worker_last, 20)
    worker = delivery([ours], api_last + 1, worker_last)
    await ours.close()

    bare = Sock(world.bare_url(0), None)
    await bare.open(30)
    await world.run(drv_bare, world.redis_url, 2, 0.1, world.bare_seq + 1)  # warm-up
    world.bare_seq += 2
    first = world.bare_seq + 1
    count = 2 * p.overhead_events
    await world.run(drv_bare, world.redis_url, count, 0.3, first)
    world.bare_seq += count
    await drain([bare], world.bare_seq, 20)
    bare_d = delivery([bare], first, world.bare_seq)
    await bare.close()
    say(f"  ours, from the API:    {api.line()}")
    say(f"  ours, from the worker: {worker.line()}")
    say(f"  bare:                  {bare_d.line()}")
    api_ms, bare_ms = (
        statistics.median(api.latencies_ms or [math.nan]),
        statistics.median(bare_d.latencies_ms or [math.nan]),
    )
    worker_ms = statistics.median(worker.latencies_ms or [math.nan])
    world.add(
        "per-event overhead, 1 idle socket, API (median)", api_ms, bare_ms, "ms", "<= 2x bare", api_ms <= 2 * bare_ms
    )
    world.add(
        "per-event overhead, 1 idle socket, worker (median)",
        worker_ms,
        bare_ms,
        "ms",
        "<= 2x bare",
        worker_ms <= 2 * bare_ms,
    )


async def phase_storm(world: World, ours: list[Sock], bare: list[Sock]) -> None:
    p = world.profile
    n = len(ours)
    say(f"• Connect storm: {n} sockets at once over two processes")
    ours_s, ours_failed = await open_all(ours, p.storm_timeout)
    say(f"  ours: all 'connected' in {ours_s:.2f} s, {ours_failed} failed")
    bare_s, bare_failed = await open_all(bare, p.storm_timeout)
    say(f"  bare: all 'connected' in {bare_s:.2f} s, {bare_failed} failed")
    world.add(
        f"connect storm: {n} sockets accepted (s)", ours_s, bare_s, "s", "<= 5 s", ours_s <= 5 and not ours_failed
    )
    world.add(f"connect storm: sockets that failed (of {n})", ours_failed, bare_failed, "n", "0", ours_failed == 0)
    refailed = await reopen_failed(ours, 30) + await reopen_failed(bare, 30)
    if refailed:
        say(f"  ! {refailed} sockets could not be reopened; later phases run with fewer")
    sub_s, sub_missing = await subscribe_all(world, [s for s in ours if not s.down.is_set()], p.storm_timeout)
    say(f"  ours: all subscribed to {world.group} in {sub_s:.2f} s ({sub_missing} not subscribed)")
    world.add(f"subscribe storm: {n} sockets subscribed (s)", sub_s, math.nan, "s")


async def fanout(world: World, ours: list[Sock], bare: list[Sock], rate: float, label: str) -> None:
    p = world.profile
    count = max(2, int(rate * p.duration))
    say(f"• Fan-out {label}: {len(ours)} sockets × {rate:g} events/s for {p.duration:g} s ({count} events)")
    base = await world.settled_position()
    api_n, worker_n = count - count // 2, count // 2
    # API and worker events alternate: each source publishes every 2/rate s, offset by 1/rate.
    api = asyncio.ensure_future(
        world.run(drv_posts, world.http("web"), world.caller_token, world.toggle, ["toggle"] * api_n, 2 / rate)
    )
    await asyncio.sleep(1 / rate)
    worker = asyncio.ensure_future(world.run(drv_celery, world.redis_url, world.session_id, worker_n, 2 / rate))
    posts, (sent, failed) = await asyncio.wait_for(asyncio.gather(api, worker), p.duration + 120)
    last = await world.settled_position()
    waited = await drain(ours, last, 30)
    d = delivery(ours, base + 1, last)
    bad_posts = sum(1 for r in posts if r[1] != 200)
    say(
        f"  ours: {last - base} events ({bad_posts} POSTs not 200, {failed} task sends failed), "
        f"drained in {waited:.1f} s"
    )
    say(f"  ours: {d.line()}")

    first = world.bare_seq + 1
    bare_count = last - base if last > base else count
    await asyncio.wait_for(world.run(drv_bare, world.redis_url, bare_count, 1 / rate, first), p.duration + 120)
    world.bare_seq += bare_count
    waited = await drain(bare, world.bare_seq, 30)
    b = delivery(bare, first, world.bare_seq)
    say(f"  bare: {b.line()} (drained in {waited:.1f} s)")
    ours_p99, bare_p99 = pct(d.latencies_ms, 0.99), pct(b.latencies_ms, 0.99)
    world.add(f"fan-out {label}: latency p50", pct(d.latencies_ms, 0.5), pct(b.latencies_ms, 0.5), "ms")
    world.add(f"fan-out {label}: latency p99", ours_p99, bare_p99, "ms", "<= 1.2x bare", ours_p99 <= 1.2 * bare_p99)
    world.add(
        f"fan-out {label}: missing / duplicated / out of order",
        d.missing + d.duplicated + d.out_of_order,
        b.missing + b.duplicated + b.out_of_order,
        "n",
        "0",
        d.missing + d.duplicated + d.out_of_order == 0,
    )


async def phase_http_loaded(world: World, ours: list[Sock], idle: dict[str, float], burst: bool) -> None:
    p = world.profile
    n = len(ours)
    say(f"• HTTP under fan-out: {n} sockets open on ws1/ws2, each activation fans out 2 events to all")
    # The target is the deployment's (README, docker-compose.yml: HTTP on processes of its own);
    # the single-process row shows what that split is for.
    for target, label in (("web", "split: HTTP on web"), ("ws1", "single: HTTP on ws1")):
        base = await world.settled_position()
        median, results = await http_median(world, target, p.http_samples, 0.5)
        last = await world.settled_position()
        await drain(ours, last, 30)
        d = delivery(ours, base + 1, last)
        bad = sum(1 for r in results if r[1] != 200)
        ratio = median / idle[target]
        say(
            f"  {label}: POST median {median:.1f} ms vs idle {idle[target]:.1f} ms = {ratio:.2f}x ({bad} not 200); "
            f"events p99 {pct(d.latencies_ms, 0.99):.0f} ms"
        )
        world.add(f"POST activate, {n} sockets, {label} (median)", median, math.nan, "ms")
        if target == "web":
            world.add(f"  … ratio to idle ({idle[target]:.0f} ms)", ratio, math.nan, "x", "<= 2x idle", ratio <= 2)
        else:
            world.add(f"  … ratio to idle ({idle[target]:.0f} ms), for comparison", ratio, math.nan, "x")
    if not burst:
        return
    for target, label in (("web", "split"), ("ws1", "single")):
        base = await world.settled_position()
        wall, results = await world.run(drv_burst, world.http(target), world.caller_token, world.burst_pairs, p.burst)
        ok = sum(1 for r in results if r[1] == 200)
        end = max((r[3] + r[2] for r in results), default=time.time())
        last = await world.settled_position()
        await drain(ours, last, 60)
        d = delivery(ours, base + 1, last)
        last_receipt = max((e[2] for s in ours for e in s.events if base < e[0] <= last), default=math.nan)
        say(
            f"  burst {label}: {ok}/{len(results)} activations in {wall:.2f} s = {ok / wall:.1f}/s "
            f"({BURST_CONCURRENCY} callers); events late p99 {pct(d.latencies_ms, 0.99):.0f} ms, "
            f"max {max(d.latencies_ms, default=math.nan):.0f} ms; last event {last_receipt - end:.2f} s after the "
            f"last answer; {d.missing} missing"
        )
        world.add(f"burst of {p.burst} activations, {label}: sustained", ok / wall, math.nan, "/s")
        world.add(f"burst {label}: events late, max", max(d.latencies_ms, default=math.nan), math.nan, "ms")


async def phase_mass_disconnect(world: World, ours: list[Sock], bare: list[Sock], keep: int) -> None:
    victims_ours, victims_bare = ours[keep:], bare[keep:]
    say(f"• Mass disconnect: {len(victims_ours)} sockets closed at once")
    # Ours: each viewer is alone in its user group, so a closed socket's user group must empty
    # (shared groups hold one member per process, not per socket). Bare: one group, one member
    # per socket.
    victim_users = [world.viewer_ids[i % len(world.viewer_ids)] for i in range(keep, len(ours))]

    def stale_ours() -> int:
        return sum(1 for user_id in victim_users if world.members(PREFIX, f"user.{user_id}") > 0)

    remaining_bare = len(bare) - len(victims_bare)
    bare_before = world.members(BARE_PREFIX) - len(bare)

    def stale_bare() -> int:
        return world.members(BARE_PREFIX) - remaining_bare - bare_before

    for name, socks, servers, count_stale in (
        ("ours", victims_ours, ("ws1", "ws2"), stale_ours),
        ("bare", victims_bare, ("bare1", "bare2"), stale_bare),
    ):
        offsets = {s: world.procs[s].log_size() for s in servers}
        await asyncio.gather(*(sock.close() for sock in socks))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if count_stale() <= 0:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)  # let the servers finish logging
        stale = count_stale()
        errors = dict.fromkeys(ERROR_PATTERNS, 0)
        for s in servers:
            for k, v in count_errors(world.procs[s].log(offsets[s])).items():
                errors[k] += v
        say(f"  {name}: {stale} channels left in groups after 10 s; server stderr: {errors}")
        setattr(world, f"_md_{name}", (stale, errors))
    stale_o, err_o = world._md_ours
    stale_b, err_b = world._md_bare
    world.add("mass disconnect: tracebacks in servers' stderr", err_o["tracebacks"], err_b["tracebacks"], "n", "0",
              err_o["tracebacks"] == 0)  # fmt: skip
    world.add("mass disconnect: MaxConnectionsError", err_o["MaxConnectionsError"], err_b["MaxConnectionsError"], "n",
              "0", err_o["MaxConnectionsError"] == 0)  # fmt: skip
    world.add("mass disconnect: channels left in groups", stale_o, stale_b, "n", "0", stale_o == 0)
    del ours[keep:]
    del bare[keep:]


async def keeper(world: World, sock: Sock, stop: asyncio.Event) -> None:
    """A client's reconnect loop: after an unplanned close, reconnect with backoff and resume."""
    while not stop.is_set():
        await first_of(sock.down, stop, 3600)
        if stop.is_set() or sock.closing:
            return
        for attempt in range(60):
            if stop.is_set():
                return
            await asyncio.sleep(min(0.2 * 2**attempt, 2.0) * random.uniform(0.5, 1.5))
            try:
                await sock.open(10)
                await sock.send({"action": "resume", "group": world.group, "epoch": sock.epoch, "since": sock.max_seq})
                sock.reconnects += 1
                break
            except Exception:
                sock.failed_attempts += 1  # Redis still down, or the server refused: try again


async def restart_redis(world: World, keep_data: bool) -> None:
    """keep_data: a restart (SIGTERM: Redis snapshots, then loads it: groups survive).
    Otherwise a crash or a fail-over to an empty Redis (SIGKILL, snapshot removed)."""
    if keep_data:
        world.procs["redis"].stop()
    else:
        world.procs["redis"].stop(signal.SIGKILL)
        (world.logdir / "redis-dump.rdb").unlink(missing_ok=True)
    await asyncio.sleep(1.0)
    world.procs["redis"] = await asyncio.to_thread(start_redis, world.redis_port, world.logdir)


async def phase_chaos(world: World, ours: list[Sock], keep_data: bool) -> None:
    p = world.profile
    events = p.chaos_events
    dropped_n = max(1, len(ours) // 10)
    how = "restarted (data kept)" if keep_data else "crashed (data lost)"
    tag = "restart" if keep_data else "crash"
    say(f"• Chaos: {events}-event burst, {dropped_n} of {len(ours)} sockets dropped mid-burst, Redis {how}")
    base = await world.settled_position()
    stop = asyncio.Event()
    keepers = [asyncio.create_task(keeper(world, sock, stop)) for sock in ours]
    offsets = {s: world.procs[s].log_size() for s in ("ws1", "ws2", "web", "worker")}
    api_n, worker_n = events - events // 2, events // 2
    api = asyncio.ensure_future(
        world.run(drv_posts, world.http("web"), world.caller_token, world.toggle, ["toggle"] * api_n, 0.0)
    )
    worker = asyncio.ensure_future(world.run(drv_celery, world.redis_url, world.session_id, worker_n, 0.05))
    await world.wait_position(base + events // 3, 120)
    victims = random.sample(ours, dropped_n)
    for sock in victims:
        sock.abort()
    say(f"  seq {world.position() - base}/{events}: dropped {dropped_n} sockets")
    await world.wait_position(base + 2 * events // 3, 120)
    say(f"  seq {world.position() - base}/{events}: Redis {how}")
    restart_started, restart_wall = time.monotonic(), time.time()
    await restart_redis(world, keep_data)
    say(f"  Redis back after {time.monotonic() - restart_started:.1f} s")
    posts, (sent, failed) = await asyncio.wait_for(asyncio.gather(api, worker), 300)
    last = await world.settled_position(60)
    waited = await drain(ours, last, 60)
    stop.set()
    await asyncio.gather(*keepers, return_exceptions=True)
    d = delivery(ours, base + 1, last)
    down = sum(1 for sock in ours if sock.down.is_set())
    hit = sum(1 for sock in ours if any(t >= restart_wall for t in sock.close_times))
    closes_after = sum(1 for sock in ours for t in sock.close_times if t >= restart_wall)
    closes: dict[str, int] = {}
    for sock in ours:
        for code in sock.close_codes:
            closes[str(code)] = closes.get(str(code), 0) + 1
    errors = dict.fromkeys(ERROR_PATTERNS, 0)
    for s, off in offsets.items():
        for k, v in count_errors(world.procs[s].log(off)).items():
            errors[k] += v
    bad_posts = sum(1 for r in posts if r[1] != 200)
    say(
        f"  {last - base} events logged ({bad_posts} POSTs not 200, {sent} tasks sent, {failed} sends refused, "
        f"{world.worker_events(base + 1, last)} events from the worker); "
        f"drained in {waited:.1f} s"
    )
    say(f"  {d.line()}")
    say(
        f"  {hit} of {len(ours)} sockets closed by the Redis restart ({closes_after} closes, counting reconnects "
        f"that died again); reconnects {sum(s.reconnects for s in ours)}, failed attempts "
        f"{sum(s.failed_attempts for s in ours)}, sockets still down {down}, resyncs "
        f"{sum(s.resyncs for s in ours)}, close codes seen {closes}; servers' stderr: {errors}"
    )
    silent = sum(1 for sock in ours if sock.max_seq < last and not sock.down.is_set())
    world.add(f"chaos, Redis {tag}: {last - base} events, missing", d.missing, math.nan, "n", "0", d.missing == 0)
    world.add(f"chaos, Redis {tag}: duplicated", d.duplicated, math.nan, "n", "0", d.duplicated == 0)
    world.add(f"chaos, Redis {tag}: out of order", d.out_of_order, math.nan, "n", "0", d.out_of_order == 0)
    world.add(f"chaos, Redis {tag}: sockets (of {len(ours)}) it closed", hit, math.nan, "n")
    world.add(f"chaos, Redis {tag}: closes after it (incl. reconnects dying)", closes_after, math.nan, "n")
    world.add(f"chaos, Redis {tag}: sockets open but not receiving", silent, math.nan, "n", "0", silent == 0)
    world.add(f"chaos, Redis {tag}: sockets still down at the end", down, math.nan, "n", "0", down == 0)


async def scenario(world: World) -> None:
    p = world.profile
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(loop.run_in_executor(world.driver, drv_ready) for _ in range(3)))
    say("• HTTP idle (no sockets open)")
    idle = await phase_idle_http(world)
    world.add("POST activate, idle, web process (median)", idle["web"], math.nan, "ms")
    world.add("POST activate, idle, ws1 process (median)", idle["ws1"], math.nan, "ms")
    await phase_overhead(world)

    ours = [Sock(world.ours_url(i), world.group) for i in range(p.sockets)]
    bare = [Sock(world.bare_url(i), None) for i in range(p.sockets)]
    try:
        await phase_storm(world, ours, bare)
        await fanout(world, ours, bare, 1.0, f"{len(ours)} × 1/s")
        await phase_http_loaded(world, ours, idle, burst=True)
        await phase_mass_disconnect(world, ours, bare, p.small)
        await fanout(world, ours, bare, 2.0, f"{len(ours)} × 2/s")
        await phase_http_loaded(world, ours, idle, burst=False)
        # The bare sockets are done; closed now so the Redis restart only hits ours.
        await asyncio.gather(*(sock.close() for sock in bare))
        await phase_chaos(world, ours, keep_data=True)
        await phase_chaos(world, ours, keep_data=False)
    finally:
        await asyncio.gather(*(sock.close() for sock in ours + bare), return_exceptions=True)


def prepare(profile: Profile) -> dict:
    """A fresh database with roles, a caller, the viewers and one show; returns ids and tokens."""
    from _common import reset_database, setup_django

    reset_database(DATABASE_URL)
    setup_django()
    from datetime import UTC, date, timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from rest_framework_simplejwt.tokens import AccessToken

    from realtime import groups
    from runofshow import services

    call_command("setup_roles", stdout=io.StringIO())
    unusable = make_password(None)
    User = get_user_model()
    caller = User.objects.create_user(username="fanout-caller", password=None)
    caller.groups.add(Group.objects.get(name=CALLER_ROLE))
    viewers = User.objects.bulk_create(
        [User(username=f"fanout-viewer-{i:05d}", password=unusable) for i in range(profile.sockets)]
    )
    viewer_group = Group.objects.get(name=VIEWER_ROLE)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=viewer_group.pk) for user in viewers]
    )
    session = services.create_session(name="Fan-out bench", date=date(2030, 5, 1), user=caller)
    start = datetime(2030, 5, 1, 19, 0, tzinfo=UTC)
    segments = [
        services.create_segment(
            session=session, name=f"S{i}", start_time=start + timedelta(minutes=5 * i), duration=5, user=caller
        ).pk
        for i in range(3 + 2 * BURST_CONCURRENCY)
    ]
    data = {
        "session_id": session.pk,
        "group": groups.object_group(groups.RUNOFSHOW_SESSION, session.pk),
        "toggle": segments[:3],
        "burst_pairs": [(segments[3 + 2 * i], segments[4 + 2 * i]) for i in range(BURST_CONCURRENCY)],
        "caller_token": str(AccessToken.for_user(caller)),
        "viewer_tokens": [str(AccessToken.for_user(user)) for user in viewers],
        "viewer_ids": [user.pk for user in viewers],
    }
    connection.close()
    return data


def start_servers(world: World) -> None:
    env = dict(
        os.environ,
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=world.redis_url,
        CHANNEL_LAYER_PREFIX=PREFIX,
        SECRET_KEY=SECRET_KEY,
        SECURE_SSL_REDIRECT="0",
        DEBUG="0",
        LOG_LEVEL="INFO",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(BENCH)]),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    for name in ("ws1", "ws2", "web", "bare1", "bare2"):
        world.ports[name] = free_port()
    for name in ("ws1", "ws2", "web"):
        world.procs[name] = Proc(name, uvicorn_argv("config.asgi:application", world.ports[name]), env, world.logdir)
    bare_env = dict(env, BARE_REDIS_URL=world.redis_url, BARE_PREFIX=BARE_PREFIX)
    for name in ("bare1", "bare2"):
        argv = uvicorn_argv("_bare_ws:application", world.ports[name], "--app-dir", str(BENCH), "--lifespan", "off")
        world.procs[name] = Proc(name, argv, bare_env, world.logdir)
    worker_argv = [sys.executable, "-m", "celery", "-A", "config", "worker", "-I", "_fanout_tasks",
                   "--concurrency", "2", "--loglevel", "INFO", "--without-mingle", "--without-gossip",
                   "-n", f"bench-fanout-{os.getpid()}@%h"]  # fmt: skip
    world.procs["worker"] = Proc("worker", worker_argv, env, world.logdir)
    for name in ("ws1", "ws2", "web", "bare1", "bare2"):
        world.procs[name].wait_log("Uvicorn running on", 90)
    world.procs["worker"].wait_log(" ready.", 90)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 sockets and short phases, for development")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs and print where")
    args = parser.parse_args()
    profile = QUICK if args.quick else FULL

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * profile.sockets + 1024
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(wanted, 8192)), hard))

    # A SIGTERM (e.g. from `timeout`) unwinds through the finally below, which stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logdir = Path(tempfile.mkdtemp(prefix="setdesk-bench-fanout-"))
    redis_port = free_port()
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    os.environ["CHANNEL_LAYER_PREFIX"] = PREFIX
    os.environ["SECRET_KEY"] = SECRET_KEY
    procs: dict[str, Proc] = {}
    driver = None
    world = None
    try:
        procs["redis"] = start_redis(redis_port, logdir)
        say(f"Preparing: database setdesk_bench_fanout, {profile.sockets} viewers, Redis on :{redis_port}")
        data = prepare(profile)
        world = World(profile=profile, logdir=logdir, redis_port=redis_port, procs=procs, **data)
        start_servers(world)
        driver = ProcessPoolExecutor(max_workers=3, mp_context=multiprocessing.get_context("spawn"))
        world.driver = driver
        say(
            f"Servers: ours ws1 :{world.ports['ws1']} ws2 :{world.ports['ws2']} (sockets), web :{world.ports['web']} "
            f"(HTTP), Celery worker; bare :{world.ports['bare1']} :{world.ports['bare2']}"
        )
        asyncio.run(asyncio.wait_for(scenario(world), WATCHDOG_SECONDS))
    finally:
        # Servers first: nothing below may leave them running.
        for proc in reversed(list(procs.values())):
            with contextlib.suppress(Exception):
                proc.stop()
        if driver is not None:
            with contextlib.suppress(Exception):
                children = list((getattr(driver, "_processes", None) or {}).values())
                driver.shutdown(wait=False, cancel_futures=True)
                for process in children:
                    process.kill()
        if world is not None and world.rows:
            print_table(world.rows)
        if args.keep_logs:
            say(f"Logs kept in {logdir}")
        else:
            for path in logdir.iterdir():
                path.unlink()
            logdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
