"""Dispatcher throughput: 10,000 due posts, 4 worker processes, a no-op uploader.

Workers are forked processes, as under Celery's prefork pool. Compares the full
dispatcher (claim with SKIP LOCKED under a lease, upload, record the results,
publishing.* events) with a bare claim loop on the same table —
``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id`` in
autocommit, which only claims — and with that loop plus one bare result write
per batch (the floor of any claim-then-record dispatcher: each post is written
twice). For transparency it also runs the bare claim written the way the
dispatcher writes it (``WHERE id = ANY(ARRAY(SELECT … FOR UPDATE SKIP LOCKED))``,
which updates through the primary key instead of a semi-join over the table):
the target is stated against the issue's form, but both ratios are printed.
The bare loops select due posts as the dispatcher does (``is_queued``, the flag the
due-posts index tests) and, like it, run on the table's own fillfactor (70).
Every loop runs in the same forked worker processes, with the same batch size,
interleaved run by run. Prints posts/s (medians), the ratios (target ≥ 0.5 of
the bare claim loop) and duplicates (must be 0).

    .venv/bin/python bench/publishing_dispatch.py [--posts 10000] [--workers 4] [--batch 500] [--runs 7]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_django  # noqa: E402

setup_django()

from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from config.celery import freeze_heap_before_fork  # noqa: E402
from publishing import services  # noqa: E402
from publishing.models import DispatchLease, PlatformAccount, ScheduledPost, Video  # noqa: E402
from publishing.uploaders import UploadResult  # noqa: E402
from realtime.models import EventLog  # noqa: E402

TABLE = ScheduledPost._meta.db_table

BARE_CLAIM = f"""
UPDATE {TABLE} SET status = 'processing', attempts = attempts + 1, lease_token = %s,
       lease_expires_at = now() + interval '15 minutes', claimed_by = %s
WHERE id IN (
    SELECT id FROM {TABLE}
    WHERE is_queued AND next_attempt_at <= now()
    ORDER BY next_attempt_at, id
    LIMIT %s
    FOR UPDATE SKIP LOCKED
)
RETURNING id
"""  # noqa: S608 - the table name is ours


# The same claim, in the dispatcher's form (reference only; the target is against BARE_CLAIM).
BARE_CLAIM_ARRAY = BARE_CLAIM.replace("WHERE id IN (", "WHERE id = ANY(ARRAY(").replace(
    "FOR UPDATE SKIP LOCKED\n)", "FOR UPDATE SKIP LOCKED\n))"
)
assert BARE_CLAIM_ARRAY.count("ARRAY(") == 1 and BARE_CLAIM_ARRAY.count("))") == 1


BARE_RECORD = f"""
UPDATE {TABLE} SET status = 'completed', posted_at = now(), lease_token = NULL, lease_expires_at = NULL,
       claimed_by = ''
WHERE id = ANY(%s) AND lease_token = %s
"""  # noqa: S608 - the table name is ours


class NoopUploader:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls: Counter[int] = Counter()

    def upload(self, request):
        with self.lock:
            self.calls[request.post_id] += 1
        return UploadResult(external_id=str(request.post_id), url=f"https://example.com/{request.post_id}")


def create_posts(n: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}, {Video._meta.db_table}, {PlatformAccount._meta.db_table} CASCADE")
    EventLog.objects.filter(event_type__startswith="publishing.").delete()
    account = PlatformAccount.objects.create(platform="youtube", handle="bench", authenticated=True)
    videos = Video.objects.bulk_create(
        (Video(source=f"/bench/clip-{i}.mp4", title=f"clip {i}") for i in range(n)), batch_size=2000
    )
    due = timezone.now() - timezone.timedelta(minutes=5)
    ScheduledPost.objects.bulk_create(
        (
            ScheduledPost(video=v, account=account, platform="youtube", scheduled_time=due, next_attempt_at=due)
            for v in videos
        ),
        batch_size=2000,
    )


def reset_posts() -> None:
    due = timezone.now() - timezone.timedelta(minutes=5)
    ScheduledPost.objects.update(
        status="pending", attempts=0, next_attempt_at=due, lease_token=None, lease_expires_at=None, claimed_by="",
        external_id="", external_url="", posted_at=None, last_error="",
    )  # fmt: skip
    EventLog.objects.filter(event_type__startswith="publishing.").delete()
    DispatchLease.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {TABLE}")


def warm_up() -> None:
    """What a long-running worker has done before its first post: a database connection and a
    broadcast (the channel layer's imports, its send loop and Redis connection). Done before
    the clock starts, for every loop."""
    from realtime.broadcast import send_envelopes

    connection.ensure_connection()
    warm = {"type": "bench.warmup", "group": "bench.warmup", "epoch": "-", "seq": 0, "ts": "", "payload": {}}
    if send_envelopes([warm], wait=10):
        raise RuntimeError("the channel layer is not reachable")


def run_workers(workers: int, target) -> tuple[float, Counter[int]]:
    """Runs ``target(n) -> list[post id]`` in ``workers`` forked processes (like Celery's prefork pool);
    returns the wall time from the common start and how often each post id came back."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers + 1)
    results = ctx.Queue()
    connections.close_all()  # each process opens its own

    def body(n):
        try:
            warm_up()
            barrier.wait()
            results.put(("ok", target(n)))
        except BaseException as exc:
            results.put(("error", repr(exc)))
        finally:
            connections.close_all()

    freeze_heap_before_fork()  # as the Celery worker does before its pool forks (config/celery.py)
    processes = [ctx.Process(target=body, args=(n,)) for n in range(workers)]
    for process in processes:
        process.start()
    barrier.wait()
    start = time.perf_counter()
    counts: Counter[int] = Counter()
    for _ in processes:
        status, value = results.get()
        if status != "ok":
            raise RuntimeError(f"worker failed: {value}")
        counts.update(value)
    elapsed = time.perf_counter() - start
    for process in processes:
        process.join()
    return elapsed, counts


def bare_loop(workers: int, batch: int, claim_sql: str = BARE_CLAIM) -> tuple[float, int, int]:
    def work(n):
        claimed = []
        with connection.cursor() as cursor:
            while True:
                cursor.execute(claim_sql, [uuid.uuid4(), f"bare-{n}", batch])
                ids = [row[0] for row in cursor.fetchall()]
                if not ids:
                    return claimed
                claimed.extend(ids)

    elapsed, counts = run_workers(workers, work)
    return elapsed, len(counts), sum(c - 1 for c in counts.values())


def bare_two_writes(workers: int, batch: int) -> tuple[float, int, int]:
    """The floor of any claim-then-record dispatcher: the bare claim plus one bare result write per batch."""

    def work(n):
        claimed = []
        with connection.cursor() as cursor:
            while True:
                token = uuid.uuid4()
                cursor.execute(BARE_CLAIM, [token, f"bare-{n}", batch])
                ids = [row[0] for row in cursor.fetchall()]
                if not ids:
                    return claimed
                cursor.execute(BARE_RECORD, [ids, token])
                claimed.extend(ids)

    elapsed, counts = run_workers(workers, work)
    return elapsed, len(counts), sum(c - 1 for c in counts.values())


def dispatcher(workers: int, batch: int) -> tuple[float, int, int]:
    def work(n):
        uploader = NoopUploader()
        services.dispatch_due_posts(
            clock=timezone.now, worker=f"bench-{n}", batch_size=batch, uploader_for=lambda _: uploader
        )
        return list(uploader.calls.elements())

    elapsed, counts = run_workers(workers, work)
    completed = ScheduledPost.objects.filter(status="completed").count()
    if completed != len(counts):
        raise RuntimeError(f"{len(counts)} posts uploaded but {completed} completed")
    return elapsed, len(counts), sum(c - 1 for c in counts.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=services.dispatch_batch_size())
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    create_posts(args.posts)
    bare_times, array_times, floor_times, dispatch_times, duplicates = [], [], [], [], 0
    for _ in range(args.runs):
        reset_posts()
        elapsed, count, dup = bare_loop(args.workers, args.batch)
        if count != args.posts:
            raise RuntimeError(f"bare loop claimed {count} of {args.posts}")
        bare_times.append(elapsed)
        reset_posts()
        elapsed, count, dup = bare_loop(args.workers, args.batch, BARE_CLAIM_ARRAY)
        if count != args.posts:
            raise RuntimeError(f"bare ANY(ARRAY) loop claimed {count} of {args.posts}")
        array_times.append(elapsed)
        reset_posts()
        elapsed, count, _ = bare_two_writes(args.workers, args.batch)
        if count != args.posts:
            raise RuntimeError(f"bare two-write loop claimed {count} of {args.posts}")
        floor_times.append(elapsed)
        reset_posts()
        elapsed, count, dup = dispatcher(args.workers, args.batch)
        if count != args.posts:
            raise RuntimeError(f"dispatcher published {count} of {args.posts}")
        dispatch_times.append(elapsed)
        duplicates += dup
    events = EventLog.objects.filter(event_type__startswith="publishing.", group_name="role.social_manager").count()

    bare_rate = args.posts / statistics.median(bare_times)
    array_rate = args.posts / statistics.median(array_times)
    floor_rate = args.posts / statistics.median(floor_times)
    dispatch_rate = args.posts / statistics.median(dispatch_times)
    print(f"posts={args.posts} workers={args.workers} (processes) batch={args.batch} runs={args.runs} (medians)")
    print(f"bare SKIP LOCKED claim loop           : {bare_rate:8.0f} posts/s")
    print(f"same, claim as id = ANY(ARRAY(...))   : {array_rate:8.0f} posts/s  (the dispatcher's claim form)")
    print(f"bare claim + bare result write (floor): {floor_rate:8.0f} posts/s")
    print(f"dispatcher (claim, upload, record, events): {dispatch_rate:8.0f} posts/s")
    print(f"ratio dispatcher / bare claim loop    : {dispatch_rate / bare_rate:8.2f}  (target >= 0.5)")
    print(f"ratio dispatcher / ANY(ARRAY) bare    : {dispatch_rate / array_rate:8.2f}")
    print(f"ratio two-write floor / bare claim    : {floor_rate / bare_rate:8.2f}")
    print(f"ratio dispatcher / two-write floor    : {dispatch_rate / floor_rate:8.2f}")
    print(f"duplicates (uploads beyond one per post): {duplicates}")
    print(f"dispatcher events per run (role.social_manager): {events}")
    reset_posts()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}, {Video._meta.db_table}, {PlatformAccount._meta.db_table} CASCADE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
